package emulator

import (
	"sync"
	"time"
)

// timers runs delayed functions (scenario decisions) and stops them all on
// close. It is safe for concurrent use.
type timers struct {
	mu     sync.Mutex
	closed bool
	next   int
	live   map[int]*time.Timer
}

func newTimers() *timers { return &timers{live: make(map[int]*time.Timer)} }

// after runs f after d unless the timers are closed first.
func (t *timers) after(d time.Duration, f func()) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return
	}
	id := t.next
	t.next++
	t.live[id] = time.AfterFunc(d, func() {
		t.mu.Lock()
		_, ok := t.live[id]
		delete(t.live, id)
		t.mu.Unlock()
		if ok {
			f()
		}
	})
}

// close stops every pending timer; later calls to after do nothing.
func (t *timers) close() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.closed = true
	for id, tm := range t.live {
		tm.Stop()
		delete(t.live, id)
	}
}

// reset stops every pending timer but keeps accepting new ones.
func (t *timers) reset() {
	t.mu.Lock()
	defer t.mu.Unlock()
	for id, tm := range t.live {
		tm.Stop()
		delete(t.live, id)
	}
}
