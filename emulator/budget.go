package emulator

import (
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/alma-sandbox/alma-sandbox/emulator/replay"
)

// DefaultMaxMemory is Server.MaxMemory's default: the bytes the payments,
// the journals and the IPN logs hold together. Its payments' share holds
// the default 4000 payments of about 3 KB (a plain payment with a few
// events), fewer when they carry custom_data, URLs or comments at their
// caps (about 25 KB each).
const DefaultMaxMemory = 8 << 20

// minMaxMemory is the smallest byte budget a Server takes (serve refuses
// less): enough for a few payments at every cap.
const minMaxMemory = 1 << 20

// The byte budget's shares, in eighths: an eighth for the journals (a
// full journal of 1000 requests with bodies at their 1 KiB cap takes about
// 2.3 MB), an eighth for the IPN logs, the rest for the payments (the
// memory store).
const (
	journalEighths = 1
	ipnEighths     = 1
)

// trimTo is the fraction of its share a pool trims down to once over it
// (7/8), so that trimming, which copies a ring, is rare.
const trimNum, trimDen = 7, 8

// budget splits Server.MaxMemory between the payments, the journals and the
// IPN logs.
type budget struct {
	payments int64
	journal  *pool
	ipn      *pool
}

// newBudget divides limit bytes (at least minMaxMemory) into the shares.
func newBudget(limit int64) *budget {
	limit = max(limit, minMaxMemory)
	journal, ipn := limit/8*journalEighths, limit/8*ipnEighths
	return &budget{payments: limit - journal - ipn, journal: newPool(journal), ipn: newPool(ipn)}
}

// MemoryLimit is the Go runtime's soft memory limit (debug.SetMemoryLimit)
// for a server whose byte budget is maxMemory: the budget, half more for
// what it does not count (maps, the rendering buffers, garbage not yet
// collected) and 12 MiB for the runtime and the rest of the emulator (its
// scenarios, the widget, the goroutines of its connections). The runtime
// then collects before the heap doubles the live data; a tighter limit
// made the collector run so often that creates slowed fourfold (wrk: 9k
// against 29k req/s at the default budget).
func MemoryLimit(maxMemory int64) int64 {
	maxMemory = max(maxMemory, minMaxMemory)
	return maxMemory + maxMemory/2 + 12<<20
}

// ipnSeq numbers IPN attempts across IPN logs, oldest first (journals
// number their entries with journalSeq).
var ipnSeq atomic.Uint64

// pool is a byte budget shared by bounded logs of every tenant (the
// journals, or the IPN logs): past its limit, the oldest entries of all its
// members are dropped first. It is safe for concurrent use.
type pool struct {
	limit int64
	used  atomic.Int64

	mu      sync.Mutex // guards members; taken before any member's lock
	members []member
	trimmer sync.Mutex // one trim at a time
}

// member is a log a pool trims: its entries are numbered in one sequence
// across members, oldest first.
type member interface {
	// oldest is the sequence number of its oldest entry (false: empty).
	oldest() (uint64, bool)
	// dropBefore drops its oldest entries numbered below seq until it has
	// freed need bytes, and returns the bytes freed.
	dropBefore(seq uint64, need int64) int64
}

// newPool returns a pool of limit bytes.
func newPool(limit int64) *pool { return &pool{limit: limit} }

// join adds m to the pool's members.
func (p *pool) join(m member) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.members = append(p.members, m)
}

// charge counts n more bytes (n < 0: fewer).
func (p *pool) charge(n int64) {
	if p != nil {
		p.used.Add(n)
	}
}

// over reports whether the pool holds more than its limit.
func (p *pool) over() bool { return p != nil && p.used.Load() > p.limit }

// trim drops the oldest entries across the members until the pool holds
// at most trimNum/trimDen of its limit. Callers hold no member's lock.
func (p *pool) trim() {
	if !p.over() {
		return
	}
	p.trimmer.Lock()
	defer p.trimmer.Unlock()
	target := p.limit / trimDen * trimNum
	for {
		need := p.used.Load() - target
		if need <= 0 {
			return
		}
		m, next := p.oldestMember()
		if m == nil {
			return // nothing left to drop
		}
		if m.dropBefore(next, need) == 0 {
			return // a member that frees nothing: stop rather than spin
		}
	}
}

// oldestMember is the member holding the oldest entry, and the oldest
// sequence number of the others (max: none), up to which it may drop.
func (p *pool) oldestMember() (member, uint64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	var best member
	first, second := ^uint64(0), ^uint64(0)
	for _, m := range p.members {
		seq, ok := m.oldest()
		switch {
		case !ok:
		case seq < first:
			best, first, second = m, seq, first
		case seq < second:
			second = seq
		}
	}
	return best, max(second, first+1)
}

// dropOldest removes the k oldest values of r (all when k ≥ its length).
func dropOldest[T any](r *ring[T], k int) {
	for range min(k, r.len()) {
		r.popOldest()
	}
}

// sizeOf is the bytes a value holds: its own size and, through pointers,
// slices, maps and strings, what it refers to. A payment's scenario script
// refers to the catalogue's scenario, shared, and is counted for its own
// size only.
func sizeOf[T any](v *T) int64 {
	return int64(unsafe.Sizeof(*v)) + heldBy(reflect.ValueOf(v).Elem())
}

// scriptType is replay.Script's type, which sizeOf does not follow; nor
// does it follow a time's location (shared, and large for a real zone).
var (
	scriptType = reflect.TypeFor[replay.Script]()
	timeType   = reflect.TypeFor[time.Time]()
)

// refsCache remembers, per type, whether a value of it can refer to
// memory sizeOf counts (refersOut).
var refsCache sync.Map // reflect.Type → bool

// refersOut reports whether a value of type t can hold strings, slices,
// maps or pointers that sizeOf follows.
func refersOut(t reflect.Type) bool {
	if v, ok := refsCache.Load(t); ok {
		return v.(bool)
	}
	refs := false
	switch t.Kind() {
	case reflect.String, reflect.Pointer, reflect.Slice, reflect.Map:
		refs = true
	case reflect.Array:
		refs = refersOut(t.Elem())
	case reflect.Struct:
		if t == scriptType || t == timeType {
			break
		}
		for i := range t.NumField() {
			refs = refs || refersOut(t.Field(i).Type)
		}
	}
	refsCache.Store(t, refs)
	return refs
}

// heldBy is what v refers to, beyond its own size.
func heldBy(v reflect.Value) int64 {
	if !refersOut(v.Type()) {
		return 0
	}
	switch v.Kind() {
	case reflect.String:
		return int64(v.Len())
	case reflect.Pointer:
		if v.IsNil() {
			return 0
		}
		return int64(v.Type().Elem().Size()) + heldBy(v.Elem())
	case reflect.Slice:
		if v.IsNil() {
			return 0
		}
		n := int64(v.Cap()) * int64(v.Type().Elem().Size())
		if v.Type().Elem().Kind() == reflect.Uint8 || !refersOut(v.Type().Elem()) {
			return n
		}
		for i := range v.Len() {
			n += heldBy(v.Index(i))
		}
		return n
	case reflect.Map:
		n := int64(v.Len()) * int64(v.Type().Key().Size()+v.Type().Elem().Size())
		for it := v.MapRange(); it.Next(); {
			n += heldBy(it.Key()) + heldBy(it.Value())
		}
		return n
	case reflect.Struct:
		var n int64
		for i := range v.NumField() {
			n += heldBy(v.Field(i))
		}
		return n
	case reflect.Array:
		var n int64
		for i := range v.Len() {
			n += heldBy(v.Index(i))
		}
		return n
	}
	return 0
}

// detach gives every string and byte slice reachable from v (a pointer
// to a decoded request) its own copy. goccy/go-json's strings and raw
// values point into its copy of the whole body: one of them kept would
// keep the whole body.
func detach(v any) {
	detachValue(reflect.ValueOf(v))
}

// detachValue is detach on a settable value.
func detachValue(v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		if v.CanSet() && v.Len() > 0 {
			v.SetString(strings.Clone(v.String()))
		}
	case reflect.Pointer:
		if !v.IsNil() {
			detachValue(v.Elem())
		}
	case reflect.Slice:
		if v.IsNil() {
			return
		}
		if v.Type().Elem().Kind() == reflect.Uint8 {
			if v.CanSet() {
				v.SetBytes(append([]byte(nil), v.Bytes()...))
			}
			return
		}
		for i := range v.Len() {
			detachValue(v.Index(i))
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				detachValue(v.Field(i))
			}
		}
	case reflect.Map:
		// A decoded map's keys and values would need rebuilding; the
		// requests the emulator keeps hold none.
	}
}

// useBudget applies MaxMemory: the memory store keeps payments within
// their share and the operator's journal joins its pool (each tenant's
// journal and IPN log join theirs in newTenant).
func (s *Server) useBudget() {
	s.budget = newBudget(s.MaxMemory)
	if st, ok := s.store.(*store); ok {
		st.maxBytes = s.budget.payments
	}
	s.journal.join(s.budget.journal)
}

// adopt puts t's journal and IPN log in the budget's pools.
func (b *budget) adopt(t *tenant) {
	t.journal.join(b.journal)
	t.ipnLog.join(b.ipn)
}
