package replay

import (
	"bytes"
	"io"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"github.com/alma-sandbox/alma-sandbox/scenarios"
)

// Sampler draws delays from a seeded random source; safe for concurrent use.
type Sampler struct {
	mu  sync.Mutex
	rng *rand.Rand
}

// NewSampler returns a sampler whose draws are reproducible for a seed.
func NewSampler(seed int64) *Sampler {
	s := uint64(seed)
	return &Sampler{rng: rand.New(rand.NewPCG(s, s^0x9e3779b97f4a7c15))}
}

// Draw returns a step's wait: Fixed when set, else uniform in [Min, Max] when
// Max is set, else normal around Mean with Stddev; never negative, never
// beyond limit. A nil d is no wait.
func (s *Sampler) Draw(d *scenarios.Delay, limit time.Duration) time.Duration {
	if d == nil {
		return 0
	}
	var v time.Duration
	switch {
	case d.Fixed != 0:
		v = time.Duration(d.Fixed)
	case d.Max != 0:
		lo, hi := time.Duration(d.Min), time.Duration(d.Max)
		if hi < lo {
			lo, hi = hi, lo
		}
		v = lo + time.Duration(s.float64()*float64(hi-lo))
	case d.Mean != 0 || d.Stddev != 0:
		v = time.Duration(float64(d.Mean) + s.normFloat64()*float64(d.Stddev))
	}
	return min(max(v, 0), limit)
}

// float64 draws a uniform number in [0,1).
func (s *Sampler) float64() float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rng.Float64()
}

// normFloat64 draws a standard normal number.
func (s *Sampler) normFloat64() float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rng.NormFloat64()
}

// Wait holds request r for d: true when d passed or done closed (answer at
// once), false when the client left first. A request that waits has its body
// read ahead (PrepareWait), so that a client leaving is noticed.
func Wait(r *http.Request, d time.Duration, done <-chan struct{}) bool {
	if d <= 0 {
		return r.Context().Err() == nil
	}
	PrepareWait(r)
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-done:
		return true
	case <-r.Context().Done():
		return false
	}
}

// maxBuffered bounds how much of a request body PrepareWait reads ahead.
const maxBuffered = 1 << 20

// PrepareWait reads the request body ahead (up to maxBuffered, leaving it for
// the operation to read again) so that net/http notices a client that
// disconnects while the request waits: it watches the connection only once
// the body is consumed.
func PrepareWait(r *http.Request) {
	if r.Body == nil || r.Body == http.NoBody {
		return
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, maxBuffered))
	rest := r.Body
	var tail io.Reader = rest
	if err != nil {
		tail = &errReader{err: err}
	}
	r.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(b), tail), rest}
}

// errReader returns err on every read.
type errReader struct{ err error }

// Read implements io.Reader.
func (e *errReader) Read([]byte) (int, error) { return 0, e.err }
