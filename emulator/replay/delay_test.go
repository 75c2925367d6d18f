package replay

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alma-sandbox/alma-sandbox/scenarios"
)

func TestDrawWithinLimits(t *testing.T) {
	t.Parallel()
	s := NewSampler(1)
	limit := 5 * time.Second
	dur := func(d time.Duration) scenarios.Duration { return scenarios.Duration(d) }
	assert.Equal(t, time.Duration(0), s.Draw(nil, limit))
	assert.Equal(t, 2*time.Second, s.Draw(&scenarios.Delay{Fixed: dur(2 * time.Second)}, limit))
	assert.Equal(t, limit, s.Draw(&scenarios.Delay{Fixed: dur(time.Hour)}, limit), "capped at the limit")
	for range 100 {
		v := s.Draw(&scenarios.Delay{Min: dur(time.Second), Max: dur(2 * time.Second)}, limit)
		assert.True(t, v >= time.Second && v <= 2*time.Second, "uniform draw %v out of range", v)
		n := s.Draw(&scenarios.Delay{Mean: dur(10 * time.Millisecond), Stddev: dur(time.Second)}, limit)
		assert.True(t, n >= 0 && n <= limit, "normal draw %v out of range", n)
	}
}

func TestDrawSeeded(t *testing.T) {
	t.Parallel()
	d := &scenarios.Delay{Min: scenarios.Duration(0), Max: scenarios.Duration(time.Second)}
	a, b := NewSampler(7), NewSampler(7)
	for range 10 {
		assert.Equal(t, a.Draw(d, time.Hour), b.Draw(d, time.Hour))
	}
}

func TestWaitReturnsOnDone(t *testing.T) {
	t.Parallel()
	done := make(chan struct{})
	close(done)
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader("body"))
	assert.True(t, Wait(r, time.Hour, done))
	b, err := io.ReadAll(r.Body)
	require.NoError(t, err)
	assert.Equal(t, "body", string(b), "the body is still there for the operation")
}

// failingBody fails every read.
type failingBody struct{}

func (failingBody) Read([]byte) (int, error) { return 0, io.ErrClosedPipe }
func (failingBody) Close() error             { return nil }

func TestPrepareWaitKeepsReadError(t *testing.T) {
	t.Parallel()
	r := httptest.NewRequest(http.MethodPost, "/", nil)
	r.Body = failingBody{}
	PrepareWait(r)
	_, err := io.ReadAll(r.Body)
	assert.ErrorIs(t, err, io.ErrClosedPipe)
}
