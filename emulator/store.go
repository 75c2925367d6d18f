package emulator

import (
	"cmp"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
)

// storeShards spreads payments over independently locked maps, so that
// parallel requests on different payments do not contend.
const storeShards = 32

// errNoPayment is store.update's answer for an id it does not hold.
var errNoPayment = errors.New("no such payment")

// paymentStore keeps the payments: the memory store below, or a durable
// one (durable.go). update is the one place a payment is locked.
type paymentStore interface {
	add(p *payment) []string
	update(id string, f func(*payment) error) error
	// read is update for a look that changes nothing worth keeping (a
	// settle, a render): a durable store writes nothing back.
	read(id string, f func(*payment) error) error
	// scan reads the payments of ids in that order (missing ones skipped)
	// until f returns false; like read, it writes nothing back.
	scan(ids []string, f func(*payment) bool)
	ids(tenant string) []string
	len() int
	reset(tenant string) []string
}

// store keeps payments in memory: at most perTenant of one tenant and max
// in all, evicting the tenant's oldest, then the oldest of all; and, with
// maxBytes set (the byte budget), at most maxBytes of payments, evicting
// the oldest of all. Its update is the one place a payment is locked. It
// is safe for concurrent use.
type store struct {
	shards [storeShards]shard
	bytes  atomic.Int64 // held by the stored payments (sizeOf)

	mu        sync.Mutex              // guards the rest
	order     map[string]*ring[entry] // per tenant, oldest first
	total     int
	seq       uint64
	max       int
	perTenant int
	maxBytes  int64 // 0: no byte budget
}

// entry is a stored payment's id in its tenant's order; seq orders
// payments across tenants.
type entry struct {
	id  string
	seq uint64
}

type shard struct {
	mu    sync.Mutex
	m     map[string]*payment
	sizes map[string]int64 // each payment's size, as last counted
}

// newStore returns a store holding at most max payments, perTenant of one
// tenant (each at least 1).
func newStore(limit, perTenant int) *store {
	s := &store{order: map[string]*ring[entry]{}, max: max(limit, 1), perTenant: max(min(perTenant, limit), 1)}
	for i := range s.shards {
		s.shards[i].m = make(map[string]*payment)
		s.shards[i].sizes = make(map[string]int64)
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

// add stores p, evicting its tenant's oldest payment when the tenant is
// full, then the oldest of all when the store is, in count or in bytes; it
// returns the evicted ids.
func (s *store) add(p *payment) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var evicted []string
	list := s.order[p.Tenant]
	if list == nil {
		r := newRing[entry](s.perTenant)
		list = &r
		s.order[p.Tenant] = list
	}
	if list.len() < s.perTenant && s.total >= s.max {
		evicted = append(evicted, s.evictLocked(s.oldestTenantLocked()))
	}
	s.seq++
	if old, full := list.push(entry{id: p.ID, seq: s.seq}); full {
		s.forgetLocked(old.id)
		evicted = append(evicted, old.id)
	} else {
		s.total++
	}
	size := sizeOf(p)
	sh := s.shardOf(p.ID)
	sh.mu.Lock()
	sh.m[p.ID] = p
	sh.sizes[p.ID] = size
	sh.mu.Unlock()
	s.bytes.Add(size)
	for s.maxBytes > 0 && s.bytes.Load() > s.maxBytes && s.total > 1 {
		evicted = append(evicted, s.evictLocked(s.oldestTenantLocked()))
	}
	return evicted
}

// oldestTenantLocked is the tenant holding the oldest payment.
func (s *store) oldestTenantLocked() string {
	best, seq := "", uint64(0)
	for t, list := range s.order {
		if list.len() > 0 && (seq == 0 || list.at(0).seq < seq) {
			best, seq = t, list.at(0).seq
		}
	}
	return best
}

// evictLocked forgets tenant's oldest payment and returns its id.
func (s *store) evictLocked(tenant string) string {
	list := s.order[tenant]
	old, _ := list.popOldest()
	if list.len() == 0 {
		delete(s.order, tenant)
	}
	s.total--
	s.forgetLocked(old.id)
	return old.id
}

// forgetLocked drops payment id from its shard and its bytes from the
// count.
func (s *store) forgetLocked(id string) {
	sh := s.shardOf(id)
	sh.mu.Lock()
	s.bytes.Add(-sh.sizes[id])
	delete(sh.m, id)
	delete(sh.sizes, id)
	sh.mu.Unlock()
}

// update runs f on the payment with this id under its lock and returns f's
// error, or errNoPayment. f must not block: it reads and changes the
// payment, renders it, nothing else. With a byte budget, the payment's
// size is counted again (a refund's comment, an order, events); the next
// add evicts what went over.
func (s *store) update(id string, f func(*payment) error) error {
	sh := s.shardOf(id)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	p, ok := sh.m[id]
	if !ok {
		return errNoPayment
	}
	err := f(p)
	if s.maxBytes > 0 {
		size := sizeOf(p)
		s.bytes.Add(size - sh.sizes[id])
		sh.sizes[id] = size
	}
	return err
}

// read is update: in memory a look costs nothing more.
func (s *store) read(id string, f func(*payment) error) error { return s.update(id, f) }

// scan runs f on each payment of ids under its lock, until f returns false.
func (s *store) scan(ids []string, f func(*payment) bool) {
	for _, id := range ids {
		more := true
		if s.update(id, func(p *payment) error { more = f(p); return nil }) == nil && !more {
			return
		}
	}
}

// size is the bytes the stored payments hold, as last counted.
func (s *store) size() int64 { return s.bytes.Load() }

// ids returns tenant's payment ids, newest first ("": every tenant's).
func (s *store) ids(tenant string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var all []entry
	if tenant != "" {
		if list := s.order[tenant]; list != nil {
			all = list.oldestFirst(nil)
		}
	} else {
		all = make([]entry, 0, s.total)
		for _, list := range s.order {
			all = append(all, list.oldestFirst(nil)...)
		}
		slices.SortFunc(all, func(a, b entry) int { return cmp.Compare(a.seq, b.seq) })
	}
	out := make([]string, len(all))
	for i, e := range all {
		out[len(all)-1-i] = e.id
	}
	return out
}

// len is the number of stored payments.
func (s *store) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.total
}

// reset forgets tenant's payments ("": every payment) and returns their
// ids.
func (s *store) reset(tenant string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var gone []string
	for t, list := range s.order {
		if tenant != "" && t != tenant {
			continue
		}
		for _, e := range list.oldestFirst(nil) {
			gone = append(gone, e.id)
			s.forgetLocked(e.id)
		}
		s.total -= list.len()
		delete(s.order, t)
	}
	return gone
}
