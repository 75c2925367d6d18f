package emulator

import (
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
)

// frozenTimers are timers on a clock frozen at t0.
func frozenTimers(t *testing.T) (*clock, *timers) {
	c := newClock(func() time.Time { return t0 }, true)
	tm := newTimers(c)
	t.Cleanup(tm.close)
	return c, tm
}

// firings records what fired, and when.
type firings struct {
	mu  sync.Mutex
	got []string
}

func (f *firings) add(name string) func(time.Time) {
	return func(at time.Time) {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.got = append(f.got, name+"@"+at.Sub(t0).String())
	}
}

func (f *firings) list() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.got...)
}

func TestAdvanceFiresWhatFellDueInOrder(t *testing.T) {
	t.Parallel()
	c, tm := frozenTimers(t)
	var f firings
	tm.at(t0.Add(3*time.Second), "p1", true, f.add("c"))
	tm.at(t0.Add(time.Second), "p1", false, f.add("a"))
	tm.at(t0.Add(2*time.Second), "p2", true, f.add("b"))
	tm.at(t0.Add(time.Hour), "p2", false, f.add("later"))
	tm.advance(func() { c.advance(3 * time.Second) })
	assert.Equal(t, []string{"a@1s", "b@2s", "c@3s"}, f.list(), "each fires at its own due time, in order")
	assert.Equal(t, 1, tm.pending(nil))
}

func TestFiringArmsWhatIsDueAlready(t *testing.T) {
	t.Parallel()
	c, tm := frozenTimers(t)
	var f firings
	// A retry chain: each attempt arms the next a second later.
	var attempt func(n int) func(time.Time)
	attempt = func(n int) func(time.Time) {
		return func(at time.Time) {
			f.add("try")(at)
			if n < 3 {
				tm.at(at.Add(time.Second), "p", true, attempt(n+1))
			}
		}
	}
	tm.at(t0.Add(time.Second), "p", true, attempt(1))
	tm.advance(func() { c.advance(10 * time.Second) })
	assert.Equal(t, []string{"try@1s", "try@2s", "try@3s"}, f.list())
}

func TestFrozenClockFiresNothingByItself(t *testing.T) {
	t.Parallel()
	_, tm := frozenTimers(t)
	var f firings
	tm.at(t0.Add(time.Nanosecond), "p", false, f.add("x"))
	tm.fireDue()
	assert.Empty(t, f.list())
	assert.Equal(t, 1, tm.pending(nil))
}

func TestDueNowFiresWithoutAnAdvance(t *testing.T) {
	t.Parallel()
	_, tm := frozenTimers(t)
	done := make(chan struct{})
	tm.at(t0, "p", false, func(time.Time) { close(done) })
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("a timer due now did not fire")
	}
}

func TestShiftAndCancel(t *testing.T) {
	t.Parallel()
	_, tm := frozenTimers(t)
	var f firings
	tm.at(t0.Add(time.Hour), "p1", false, f.add("p1"))
	tm.at(t0.Add(time.Hour), "p2", false, f.add("p2"))
	tm.at(t0.Add(2*time.Hour), "p3", false, f.add("p3"))
	tm.advance(func() { tm.shift("p1", time.Hour) }) // p1's own clock moved an hour
	assert.Equal(t, []string{"p1@0s"}, f.list())
	tm.cancel("p2")
	assert.Equal(t, 1, tm.pending(nil))
}

func TestClosedTimersArmNothing(t *testing.T) {
	t.Parallel()
	c, tm := frozenTimers(t)
	tm.close()
	tm.close()
	var f firings
	tm.at(t0, "p", false, f.add("x"))
	tm.advance(func() { c.advance(time.Hour) })
	assert.Empty(t, f.list())
	assert.Zero(t, tm.pending(nil))
}

// TestRealTimeRunnerFiresWhenDue runs the real-time runner in a synctest
// bubble: an hour passes on the fake clock, the timer fires then, not before.
func TestRealTimeRunnerFiresWhenDue(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		c := newClock(time.Now, false)
		tm := newTimers(c)
		defer tm.close()
		var fired atomic.Bool
		tm.at(c.now().Add(time.Hour), "p", true, func(time.Time) { fired.Store(true) })
		time.Sleep(time.Hour - time.Second)
		synctest.Wait()
		assert.False(t, fired.Load(), "not due yet")
		time.Sleep(time.Second)
		synctest.Wait()
		assert.True(t, fired.Load(), "fired when due")
	})
}

func TestClockAdvanceSaturatesAndResets(t *testing.T) {
	t.Parallel()
	c := newClock(func() time.Time { return t0 }, true)
	c.advance(maxAdvance)
	c.advance(maxAdvance)
	assert.Equal(t, maxAdvance, c.advanced())
	c.reset()
	assert.Equal(t, t0, c.now())
}

// TestAdvanceWhileTheRunnerFires: an advance may wait for the runner's slow
// fires while the runner hands out more (a sync.WaitGroup panics there).
func TestAdvanceWhileTheRunnerFires(t *testing.T) {
	t.Parallel()
	c := newClock(time.Now, false)
	tm := newTimers(c)
	defer tm.close()
	var fired, dropped atomic.Int32
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 2000 {
			tm.atSlow(c.now(), "p", func(time.Time) { fired.Add(1) }, func(time.Time) { dropped.Add(1) })
		}
	}()
	for {
		tm.advance(func() {})
		select {
		case <-done:
			tm.advance(func() {})
			assert.Equal(t, int32(2000), fired.Load()+dropped.Load(), "every timer fired, or was dropped by a full backlog, once")
			assert.Positive(t, fired.Load())
			return
		default:
		}
	}
}
