package emulator

import (
	"sync"
	"time"
)

// durableTimers fire a durable store's timers: every replica polls for due
// timers, claims them with a lease and fires them (slow ones on a bounded
// pool), then deletes them. An advance fires, in order and before it
// returns, everything that fell due, on its own goroutine. The poll also
// picks up what other replicas changed: tenants, their clock offsets and
// the emulator's.
type durableTimers struct {
	s      *Server
	d      *db
	pool   chan struct{} // bounds the slow fires in flight
	flying inFlight      // slow fires in flight, for an advance to wait on

	firing sync.Mutex // one firing pass at a time
	wake   chan struct{}
	done   chan struct{}
	wg     sync.WaitGroup
}

// startDurableTimers starts the poller of s's durable store.
func startDurableTimers(s *Server, d *db) *durableTimers {
	t := &durableTimers{s: s, d: d, pool: make(chan struct{}, maxAsyncFires), wake: make(chan struct{}, 1), done: make(chan struct{})}
	t.wg.Add(1)
	go t.run()
	return t
}

// run polls until close.
func (t *durableTimers) run() {
	defer t.wg.Done()
	tick := time.NewTicker(timerPoll)
	defer tick.Stop()
	for {
		t.firing.Lock() // not while an advance moves time
		t.s.syncFromStore()
		t.firing.Unlock()
		for _, id := range t.d.enforceCaps() {
			t.s.ipnLimits.forget(id)
		}
		t.d.dropStaleCursors(t.s.clock.now())
		t.pass(false)
		select {
		case <-tick.C:
		case <-t.wake:
		case <-t.done:
			return
		}
	}
}

// pass claims and fires what is due; with sync, slow timers fire on this
// goroutine too. It reports whether it fired anything.
func (t *durableTimers) pass(sync bool) bool {
	t.firing.Lock()
	defer t.firing.Unlock()
	fired := false
	for {
		select {
		case <-t.done:
			return fired
		default:
		}
		batch, err := t.d.claim(t.s.clock.now())
		if err != nil {
			_ = t.d.failed("claim timers", err)
			return fired
		}
		if len(batch) == 0 {
			return fired
		}
		fired = true
		for _, c := range batch {
			if !c.spec.slow() || sync {
				t.s.fire(c.spec, c.due)
				t.d.done(c)
				continue
			}
			t.pool <- struct{}{}
			t.wg.Add(1)
			t.flying.add()
			go func() {
				defer t.wg.Done()
				defer t.flying.done()
				defer func() { <-t.pool }()
				t.s.fire(c.spec, c.due)
				t.d.done(c)
			}()
		}
	}
}

// advance moves time and fires what fell due before it returns (the slow
// fires in flight included).
func (t *durableTimers) advance(move func()) {
	t.firing.Lock()
	move()
	t.firing.Unlock()
	for t.pass(true) {
	}
	t.flying.wait()
}

// poke asks the poller to look now.
func (t *durableTimers) poke() {
	select {
	case t.wake <- struct{}{}:
	default:
	}
}

// close stops the poller and waits for the fires in flight; their leases
// run out if they do not finish, for another replica to take over.
func (t *durableTimers) close() {
	close(t.done)
	t.wg.Wait()
}
