package replay

import (
	"bytes"
	"io"
	"net/http"
	"time"

	"github.com/alma-sandbox/alma-sandbox/scenarios"
)

// delay draws a step's wait: Fixed when set, else uniform in [Min, Max] when
// Max is set, else normal around Mean with Stddev; never negative, never
// beyond the hang limit.
func (e *Engine) delay(d *scenarios.Delay) time.Duration {
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
		v = lo + time.Duration(e.float64()*float64(hi-lo))
	case d.Mean != 0 || d.Stddev != 0:
		v = time.Duration(float64(d.Mean) + e.normFloat64()*float64(d.Stddev))
	}
	return min(max(v, 0), e.opt.HangLimit)
}

// wait sleeps for d unless the client leaves (false) or the engine closes
// (true: answer at once).
func (e *Engine) wait(r *http.Request, d time.Duration) bool {
	if d <= 0 {
		return r.Context().Err() == nil
	}
	prepareWait(r)
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-e.done:
		return true
	case <-r.Context().Done():
		return false
	}
}

// maxBuffered bounds how much of a request body prepareWait reads ahead.
const maxBuffered = 1 << 20

// prepareWait reads the request body ahead (up to maxBuffered, leaving it for
// the operation to read again) so that net/http notices a client that
// disconnects while the request waits: it watches the connection only once
// the body is consumed.
func prepareWait(r *http.Request) {
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
