package emulator

import (
	"cmp"
	"container/heap"
	"slices"
	"sync"
	"time"
)

// maxAsyncFires is the pool of goroutines that fire slow timers (IPN
// attempts) in real time: at most that many at once.
const maxAsyncFires = 32

// maxSlowBacklog bounds the slow timers due and waiting for the pool; past
// it a timer is dropped (its drop callback runs) rather than block the
// runner.
const maxSlowBacklog = 1024

// Kinds of timers.
const (
	timerDecision = "decision" // a scenario's asynchronous decision
	timerIPN      = "ipn"      // an IPN attempt
)

// timerSpec is what a timer does, as data, so that a durable store can
// keep it and another replica fire it: a decision of payment PID to State,
// or attempt number Attempt of an IPN.
type timerSpec struct {
	Kind    string        `json:"kind"`
	PID     string        `json:"pid"`
	State   string        `json:"state,omitempty"`
	Notice  *noticeRecord `json:"notice,omitempty"`
	Attempt int           `json:"attempt,omitempty"`
}

// slow reports whether firing may block (the network).
func (sp timerSpec) slow() bool { return sp.Kind == timerIPN }

// arm arms spec at due on the emulator's clock.
func (s *Server) arm(due time.Time, spec timerSpec) {
	if s.durable != nil {
		s.durable.arm(due, spec)
		s.dtimers.poke()
		return
	}
	tm := &timer{due: due, pid: spec.PID, slow: spec.slow(), spec: &spec, fire: func(at time.Time) { s.fire(spec, at) }}
	if spec.slow() {
		tm.drop = func(at time.Time) { s.dropped(spec, at) }
	}
	s.timers.arm(tm)
}

// armedTimer is a pending timer as a snapshot keeps it.
type armedTimer struct {
	Due  time.Time `json:"due"`
	Spec timerSpec `json:"spec"`
}

// timersOf lists the pending timers of pids, in due order.
func (s *Server) timersOf(pids []string) []armedTimer {
	if s.durable != nil {
		return s.durable.timersOf(pids)
	}
	return s.timers.specsOf(among(pids))
}

// advanceTimers moves time (move) and fires, in order and before it
// returns, everything that fell due.
func (s *Server) advanceTimers(move func()) {
	if s.dtimers != nil {
		s.dtimers.advance(move)
		return
	}
	s.timers.advance(move)
}

// shiftTimers brings the timers of pids (nil: all) d sooner.
func (s *Server) shiftTimers(pids []string, d time.Duration) {
	if s.durable != nil {
		s.durable.shift(pids, d)
		return
	}
	s.timers.shiftOf(among(pids), d)
}

// cancelTimers drops the timers of pids (nil: all).
func (s *Server) cancelTimers(pids []string) {
	if s.durable != nil {
		s.durable.cancel(pids)
		return
	}
	if pids == nil {
		s.timers.reset()
		return
	}
	s.timers.cancelOf(among(pids))
}

// pendingTimers is how many timers are armed for pids (nil: all).
func (s *Server) pendingTimers(pids []string) int {
	if s.durable != nil {
		return s.durable.pending(pids)
	}
	if pids == nil {
		return s.timers.pending(nil)
	}
	return s.timers.pending(among(pids))
}

// among reports whether a payment id is one of ids (nil: any).
func among(ids []string) func(string) bool {
	if ids == nil {
		return func(string) bool { return true }
	}
	set := make(map[string]bool, len(ids))
	for _, id := range ids {
		set[id] = true
	}
	return func(id string) bool { return set[id] }
}

// fire runs spec, due at at.
func (s *Server) fire(spec timerSpec, at time.Time) {
	switch spec.Kind {
	case timerDecision:
		s.decideLater(spec, at)
	case timerIPN:
		if spec.Notice != nil {
			s.attempt(spec.Notice.notice(spec.PID), spec.Attempt, at)
		}
	}
}

// dropped logs an IPN attempt the full backlog refused, and retries it.
func (s *Server) dropped(spec timerSpec, at time.Time) {
	if spec.Kind == timerIPN && spec.Notice != nil {
		s.failAttempt(spec.Notice.notice(spec.PID), spec.Attempt, at, delivery{Error: errBacklog})
	}
}

// timer is something due at a time on the emulator's clock: a scenario's
// decision, an IPN attempt.
type timer struct {
	due  time.Time
	seq  uint64 // arming order, among timers due at once
	pid  string // the payment it belongs to
	slow bool   // it may block (network): in real time, the pool fires it
	fire func(at time.Time)
	drop func(at time.Time) // a slow timer the full backlog refused; may be nil
	spec *timerSpec         // what it does, as data (nil for tests' own timers)
}

// timers holds what is due on the emulator's clock. In real time, a runner
// fires each timer when it falls due; advancing the clock fires, in order
// and before the advance returns, everything that fell due. It is safe for
// concurrent use.
type timers struct {
	clock *clock

	mu     sync.Mutex
	queue  timerHeap
	seq    uint64
	closed bool

	firing sync.Mutex    // one firing pass at a time: due timers fire in order
	wake   chan struct{} // tells the runner the queue or clock changed
	done   chan struct{}
	slow   chan *timer    // the backlog of slow fires, read by the pool
	flying inFlight       // slow fires in the backlog or in flight
	wg     sync.WaitGroup // the runner and the pool
}

// newTimers returns timers on clock and starts their real-time runner; stop
// it with close.
func newTimers(c *clock) *timers {
	t := &timers{
		clock: c,
		wake:  make(chan struct{}, 1),
		done:  make(chan struct{}),
		slow:  make(chan *timer, maxSlowBacklog),
	}
	t.wg.Add(1 + maxAsyncFires)
	go t.run()
	for range maxAsyncFires {
		go t.work()
	}
	return t
}

// work is one of the pool: it fires slow timers from the backlog until
// close.
func (t *timers) work() {
	defer t.wg.Done()
	for {
		select {
		case tm := <-t.slow:
			tm.fire(tm.due)
			t.flying.done()
		case <-t.done:
			return
		}
	}
}

// at arms fire for due, on behalf of payment pid. Once closed, nothing is
// armed.
func (t *timers) at(due time.Time, pid string, slow bool, fire func(at time.Time)) {
	t.arm(&timer{due: due, pid: pid, slow: slow, fire: fire})
}

// atSlow arms a slow timer: in real time the pool fires it, and when the
// backlog is full drop runs instead, on the runner (it must not block).
func (t *timers) atSlow(due time.Time, pid string, fire, drop func(at time.Time)) {
	t.arm(&timer{due: due, pid: pid, slow: true, fire: fire, drop: drop})
}

// arm queues tm in arming order.
func (t *timers) arm(tm *timer) {
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return
	}
	t.seq++
	tm.seq = t.seq
	heap.Push(&t.queue, tm)
	t.mu.Unlock()
	t.poke()
}

// shift brings pid's timers d sooner: its own clock moved forward by d.
func (t *timers) shift(pid string, d time.Duration) {
	t.shiftOf(func(p string) bool { return p == pid }, d)
}

// shiftOf brings the timers of the payments of returns true for d sooner.
func (t *timers) shiftOf(of func(pid string) bool, d time.Duration) {
	t.mu.Lock()
	for _, tm := range t.queue {
		if of(tm.pid) {
			tm.due = tm.due.Add(-d)
		}
	}
	heap.Init(&t.queue)
	t.mu.Unlock()
	t.poke()
}

// cancel drops pid's timers (its payment was evicted).
func (t *timers) cancel(pid string) {
	t.cancelOf(func(p string) bool { return p == pid })
}

// cancelOf drops the timers of the payments of returns true for.
func (t *timers) cancelOf(of func(pid string) bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	kept := t.queue[:0]
	for _, tm := range t.queue {
		if !of(tm.pid) {
			kept = append(kept, tm)
		}
	}
	clear(t.queue[len(kept):])
	t.queue = kept
	heap.Init(&t.queue)
}

// specsOf lists the timers (with a spec) of the payments of returns true
// for, in due order.
func (t *timers) specsOf(of func(pid string) bool) []armedTimer {
	t.mu.Lock()
	list := make([]*timer, 0, len(t.queue))
	for _, tm := range t.queue {
		if tm.spec != nil && of(tm.pid) {
			list = append(list, tm)
		}
	}
	t.mu.Unlock()
	slices.SortFunc(list, func(a, b *timer) int {
		if c := a.due.Compare(b.due); c != 0 {
			return c
		}
		return cmp.Compare(a.seq, b.seq)
	})
	out := make([]armedTimer, len(list))
	for i, tm := range list {
		out[i] = armedTimer{Due: tm.due, Spec: *tm.spec}
	}
	return out
}

// pending is how many timers are armed for the payments of returns true
// for (nil: all).
func (t *timers) pending(of func(pid string) bool) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	if of == nil {
		return len(t.queue)
	}
	n := 0
	for _, tm := range t.queue {
		if of(tm.pid) {
			n++
		}
	}
	return n
}

// reset drops every timer.
func (t *timers) reset() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.queue = nil
}

// advance moves time (move advances the clock, or shifts a payment's
// timers) and fires, in due order and each at its own due time, everything
// that fell due, slow timers on this goroutine, including those the firing
// arms, and waits for slow fires already in flight, before it returns. The
// runner cannot fire in between: what the move makes due fires here, in
// order.
func (t *timers) advance(move func()) {
	t.firing.Lock()
	defer t.firing.Unlock()
	move()
	for {
		t.firePassLocked(true)
		t.flying.wait()
		if !t.anyDue() {
			return
		}
	}
}

// fireDue fires what is due now: the real-time runner's pass (slow timers
// go to the pool).
func (t *timers) fireDue() {
	t.firing.Lock()
	defer t.firing.Unlock()
	t.firePassLocked(false)
}

// anyDue reports whether a timer is due by the clock.
func (t *timers) anyDue() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return !t.closed && len(t.queue) > 0 && !t.queue[0].due.After(t.clock.now())
}

// firePassLocked fires what is due, in order, once; the caller holds
// firing. With sync, slow timers fire on this goroutine too.
func (t *timers) firePassLocked(sync bool) {
	for {
		t.mu.Lock()
		if t.closed || len(t.queue) == 0 || t.queue[0].due.After(t.clock.now()) {
			t.mu.Unlock()
			return
		}
		tm := heap.Pop(&t.queue).(*timer)
		t.mu.Unlock()
		if !tm.slow || sync {
			tm.fire(tm.due)
			continue
		}
		t.flying.add()
		select {
		case t.slow <- tm:
		default:
			t.flying.done()
			if tm.drop != nil {
				tm.drop(tm.due)
			}
		}
	}
}

// run is the real-time runner: it sleeps until the next timer is due (or
// the queue or clock changes) and fires what is due.
func (t *timers) run() {
	defer t.wg.Done()
	for {
		t.fireDue()
		wait := time.Hour
		t.mu.Lock()
		if len(t.queue) > 0 {
			wait = t.queue[0].due.Sub(t.clock.now())
		}
		t.mu.Unlock()
		if t.clock.frozen && wait > 0 {
			wait = time.Hour // a frozen clock moves only when advanced (which pokes)
		}
		sleep := time.NewTimer(max(wait, 0))
		select {
		case <-sleep.C:
		case <-t.wake:
			sleep.Stop()
		case <-t.done:
			sleep.Stop()
			return
		}
	}
}

// poke wakes the runner to look at the queue and the clock again.
func (t *timers) poke() {
	select {
	case t.wake <- struct{}{}:
	default:
	}
}

// close stops the runner and waits for slow fires in flight; later timers
// are not armed.
func (t *timers) close() {
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return
	}
	t.closed = true
	t.queue = nil
	t.mu.Unlock()
	close(t.done)
	t.wg.Wait()
	t.drain() // lets an advance waiting for the backlog return
	t.firing.Lock()
	defer t.firing.Unlock()
	t.drain() // what a pass enqueued while closing
}

// drain drops the slow timers left in the backlog once the pool stopped.
func (t *timers) drain() {
	for {
		select {
		case <-t.slow:
			t.flying.done()
		default:
			return
		}
	}
}

// inFlight counts slow fires in the backlog or in flight. Unlike a
// sync.WaitGroup, it may be waited on while the runner adds to it (an
// advance waits while the real-time runner hands out more).
type inFlight struct {
	mu   sync.Mutex
	n    int
	zero *sync.Cond
}

// add counts one more.
func (f *inFlight) add() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.n++
}

// done counts one less, waking the waiters at zero.
func (f *inFlight) done() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.n--
	if f.n == 0 && f.zero != nil {
		f.zero.Broadcast()
	}
}

// wait returns once none is in flight.
func (f *inFlight) wait() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.zero == nil {
		f.zero = sync.NewCond(&f.mu)
	}
	for f.n > 0 {
		f.zero.Wait()
	}
}

// timerHeap orders timers by due time, then arming order.
type timerHeap []*timer

func (h timerHeap) Len() int { return len(h) }
func (h timerHeap) Less(i, j int) bool {
	if !h[i].due.Equal(h[j].due) {
		return h[i].due.Before(h[j].due)
	}
	return h[i].seq < h[j].seq
}
func (h timerHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *timerHeap) Push(x any)   { *h = append(*h, x.(*timer)) }
func (h *timerHeap) Pop() any {
	old := *h
	n := len(old)
	tm := old[n-1]
	old[n-1] = nil
	*h = old[:n-1]
	return tm
}
