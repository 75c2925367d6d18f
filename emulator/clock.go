package emulator

import (
	"sync"
	"time"
)

// clock is the emulator's clock: a base (Server.Now, or, frozen, the time
// it started at) plus an offset that only the admin API advances. It is
// safe for concurrent use.
type clock struct {
	base func() time.Time

	mu     sync.Mutex
	frozen bool
	start  time.Time // the frozen clock's reading before any advance
	offset time.Duration
}

// newClock returns a clock over base; a frozen clock reads base once and
// then moves only when advanced.
func newClock(base func() time.Time, frozen bool) *clock {
	return &clock{base: base, frozen: frozen, start: base()}
}

// now is the emulator's current time.
func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.frozen {
		return c.start.Add(c.offset)
	}
	return c.base().Add(c.offset)
}

// advance moves the clock forward by d (saturating at maxAdvance).
func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset = addSaturating(c.offset, d)
}

// advanced is how far the clock was advanced.
func (c *clock) advanced() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.offset
}

// reset brings the clock back to its base.
func (c *clock) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset = 0
	c.start = c.base()
}

// setOffset sets the clock's advance (a durable store's, at start and from
// other replicas).
func (c *clock) setOffset(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset = d
}
