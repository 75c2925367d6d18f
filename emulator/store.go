package emulator

import (
	"errors"
	"sync"
)

// storeShards spreads payments over independently locked maps, so that
// parallel requests on different payments do not contend.
const storeShards = 32

// errNoPayment is store.update's answer for an id it does not hold.
var errNoPayment = errors.New("no such payment")

// store keeps at most max payments in memory, evicting the oldest. Its
// update is the one place a payment is locked. It is safe for concurrent use.
type store struct {
	shards [storeShards]shard

	mu    sync.Mutex   // guards order
	order ring[string] // ids, oldest first
}

type shard struct {
	mu sync.Mutex
	m  map[string]*payment
}

// newStore returns a store holding at most max payments (at least 1).
func newStore(max int) *store {
	s := &store{order: newRing[string](max)}
	for i := range s.shards {
		s.shards[i].m = make(map[string]*payment)
	}
	return s
}

// shardOf picks a shard from the id's last (random) character.
func (s *store) shardOf(id string) *shard {
	if id == "" {
		return &s.shards[0]
	}
	return &s.shards[int(id[len(id)-1])%storeShards]
}

// add stores p, evicting the oldest payment when full; it returns the
// evicted id, or "".
func (s *store) add(p *payment) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	old, evicted := s.order.push(p.ID)
	if evicted {
		sh := s.shardOf(old)
		sh.mu.Lock()
		delete(sh.m, old)
		sh.mu.Unlock()
	}
	sh := s.shardOf(p.ID)
	sh.mu.Lock()
	sh.m[p.ID] = p
	sh.mu.Unlock()
	if evicted {
		return old
	}
	return ""
}

// update runs f on the payment with this id under its lock and returns f's
// error, or errNoPayment. f must not block: it reads and changes the
// payment, renders it, nothing else.
func (s *store) update(id string, f func(*payment) error) error {
	sh := s.shardOf(id)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	p, ok := sh.m[id]
	if !ok {
		return errNoPayment
	}
	return f(p)
}

// ids returns the stored ids, newest first.
func (s *store) ids() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.order.newestFirst(0, nil)
}

// len is the number of stored payments.
func (s *store) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.order.len()
}

// reset forgets every payment.
func (s *store) reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.order.reset()
	for i := range s.shards {
		s.shards[i].mu.Lock()
		s.shards[i].m = make(map[string]*payment)
		s.shards[i].mu.Unlock()
	}
}
