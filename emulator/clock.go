package emulator

import (
	"sync/atomic"
	"time"
)

// clock is the emulator's clock: an injectable base plus an offset the
// admin API advances. It is safe for concurrent use.
type clock struct {
	base   func() time.Time
	offset atomic.Int64 // nanoseconds
}

// newClock returns a clock over base (time.Now if nil).
func newClock(base func() time.Time) *clock {
	if base == nil {
		base = time.Now
	}
	return &clock{base: base}
}

// Now is the emulator's current time.
func (c *clock) Now() time.Time {
	return c.base().Add(time.Duration(c.offset.Load()))
}

// Advance moves the clock forward by d (negative d is ignored).
func (c *clock) Advance(d time.Duration) {
	if d > 0 {
		c.offset.Add(int64(d))
	}
}

// Offset is how far the clock was advanced.
func (c *clock) Offset() time.Duration { return time.Duration(c.offset.Load()) }

// Reset brings the clock back to its base.
func (c *clock) Reset() { c.offset.Store(0) }
