package replay

import (
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
