package emulator

import (
	"sync"
	"time"

	"github.com/alma-sandbox/alma-sandbox/emulator/replay"
)

// storeShards spreads payments over independently locked maps, so that
// parallel requests on different payments do not contend.
const storeShards = 32

// maxEvents bounds the sandbox events kept per payment.
const maxEvents = 64

// record is one stored payment: Alma's view (p) and the sandbox's. Its
// mutex guards every field; take it through store.get and hold it for one
// operation only.
type record struct {
	mu        sync.Mutex
	p         paymentJSON
	apiKey    string
	offset    time.Duration // this payment's own clock advance
	captured  bool
	expiresAt int64 // unix; 0 = never. An unstarted payment expires then.
	cardLast4 string
	script    *replay.Script // walks the payment's scenario; nil or scenario-less: the happy path
	events    []event
}

// scenarioID is the id of the payment's scenario, or "" for the happy path.
// It needs no lock: the script's scenario never changes.
func (rec *record) scenarioID() string { return scenarioID(rec.script.Scenario()) }

// event is one line of a payment's sandbox history.
type event struct {
	At     int64  `json:"at"`
	Kind   string `json:"kind"`
	Detail string `json:"detail"`
}

// addEvent appends an event, dropping the oldest past maxEvents. The caller
// holds rec.mu.
func (rec *record) addEvent(at time.Time, kind, detail string) {
	if len(rec.events) >= maxEvents {
		copy(rec.events, rec.events[1:])
		rec.events = rec.events[:len(rec.events)-1]
	}
	rec.events = append(rec.events, event{At: at.Unix(), Kind: kind, Detail: detail})
}

// store keeps at most max payments in memory, evicting the oldest. It is
// safe for concurrent use.
type store struct {
	shards [storeShards]shard

	mu    sync.Mutex // guards order, head, n
	order []string   // ring of ids, oldest at head
	head  int
	n     int
}

type shard struct {
	mu sync.RWMutex
	m  map[string]*record
}

// newStore returns a store holding at most max payments (at least 1).
func newStore(max int) *store {
	if max < 1 {
		max = 1
	}
	s := &store{order: make([]string, max)}
	for i := range s.shards {
		s.shards[i].m = make(map[string]*record)
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

// add stores rec under its id, evicting the oldest payment when full.
func (s *store) add(rec *record) {
	id := rec.p.ID
	s.mu.Lock()
	if s.n < len(s.order) {
		s.order[(s.head+s.n)%len(s.order)] = id
		s.n++
	} else {
		s.evict(s.order[s.head])
		s.order[s.head] = id
		s.head = (s.head + 1) % len(s.order)
	}
	sh := s.shardOf(id)
	sh.mu.Lock()
	sh.m[id] = rec
	sh.mu.Unlock()
	s.mu.Unlock()
}

// evict forgets one payment; the caller holds s.mu.
func (s *store) evict(id string) {
	sh := s.shardOf(id)
	sh.mu.Lock()
	delete(sh.m, id)
	sh.mu.Unlock()
}

// get returns the payment with this id.
func (s *store) get(id string) (*record, bool) {
	sh := s.shardOf(id)
	sh.mu.RLock()
	rec, ok := sh.m[id]
	sh.mu.RUnlock()
	return rec, ok
}

// ids returns the stored ids, newest first.
func (s *store) ids() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, s.n)
	for i := range s.n {
		out[s.n-1-i] = s.order[(s.head+i)%len(s.order)]
	}
	return out
}

// len is the number of stored payments.
func (s *store) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n
}

// reset forgets every payment.
func (s *store) reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.order {
		s.order[i] = ""
	}
	s.head, s.n = 0, 0
	for i := range s.shards {
		s.shards[i].mu.Lock()
		s.shards[i].m = make(map[string]*record)
		s.shards[i].mu.Unlock()
	}
}
