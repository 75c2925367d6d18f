package emulator

import (
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/alma-sandbox/alma-sandbox/emulator/replay"
)

// Tenants: each secret key the emulator accepts is a merchant of its own
// (docs/internals.md "Tenants"). Its merchant id is derived from the key,
// so it is the same on every run and every replica; its payments, lists,
// journal, IPN log, armed scenarios, scenario overrides, create cursors,
// webhooks and clock are its own, and its reset touches nothing else.
//
// The operator (the admin API without a tenant: the admin token, or
// anyone on an open loopback emulator) sees every tenant, and what it arms,
// overrides or advances applies to every tenant: the global clock moves
// all of them, a scenario armed without a tenant is taken by the next
// create of any tenant whose own arms are empty.

// DefaultKey is the README's key: its merchant exists from the start (its
// merchant id answers the public calls before the key made any).
const DefaultKey = "sk_test_sandbox"

// knownKeys are the keys whose merchants exist from the start: APIKeys, or
// DefaultKey when any well-formed key is accepted.
func (s *Server) knownKeys() []string {
	if len(s.APIKeys) > 0 {
		return s.APIKeys
	}
	return []string{DefaultKey}
}

// DefaultMaxTenants bounds the merchants one emulator serves; a new key
// past it gets Alma's 401 with a message naming --max-tenants.
const DefaultMaxTenants = 256

// tenant is one merchant and everything scoped to it. It is safe for
// concurrent use.
type tenant struct {
	ID   string // merchant_…, derived from Key
	Key  string
	Name string

	offset      atomic.Int64 // its clock's advance over the emulator's, in ns
	arms        replay.Arms
	live        liveScenarios
	creates     *creates
	journal     *journal
	ipnLog      ipnLog
	chaos       chaos
	hooks       *webhooks
	integration *integration
}

// merchantID is the stable merchant id of a key, in the shape of Alma's
// ids (merchant_11 then idRandomLen characters) drawn from its SHA-256, so
// a key is the same merchant on every run and replica.
func merchantID(key string) string {
	sum := sha256.Sum256([]byte("alma-sandbox merchant\x00" + key))
	return "merchant_11" + inBase62(sum[:])[:idRandomLen]
}

// inBase62 writes b in the alphabet of Alma's ids, ten characters per 8
// bytes.
func inBase62(b []byte) string {
	const digits = base62
	var sb strings.Builder
	for len(b) >= 8 {
		n := binary.BigEndian.Uint64(b[:8])
		for range 10 {
			sb.WriteByte(digits[n%62])
			n /= 62
		}
		b = b[8:]
	}
	return sb.String()
}

// newTenant builds key's tenant: its name drawn from a generator seeded
// by its id, so it too is stable. A durable store records it, so other
// replicas know its merchant id, and keeps its clock offset.
func (s *Server) newTenant(key string) *tenant {
	id := merchantID(key)
	sum := sha256.Sum256([]byte(id))
	g := newGen(int64(binary.BigEndian.Uint64(sum[:8])))
	if s.durable != nil {
		s.durable.registerTenant(id, key)
	}
	t := &tenant{
		ID: id, Key: key, Name: g.company(),
		creates: newCreates(maxCreateCursors), journal: newJournal(s.MaxJournal),
		ipnLog: ipnLog{ring: newRing[delivery](maxIPNLog)}, hooks: &webhooks{}, integration: &integration{},
	}
	if s.budget != nil {
		s.budget.adopt(t)
	}
	return t
}

// advanced is how far the tenant's clock was advanced.
func (t *tenant) advanced() time.Duration { return time.Duration(t.offset.Load()) }

// advance moves the tenant's clock forward by d (saturating).
func (t *tenant) advance(d time.Duration) {
	for {
		old := t.offset.Load()
		if t.offset.CompareAndSwap(old, int64(addSaturating(time.Duration(old), d))) {
			return
		}
	}
}

// tenants is the registry of merchants, by key and by merchant id. It is
// safe for concurrent use.
type tenants struct {
	mu    sync.RWMutex
	byKey map[string]*tenant
	byID  map[string]*tenant
	max   int
	make  func(key string) *tenant
}

// newTenants returns a registry of at most max tenants built by make.
func newTenants(max int, make func(string) *tenant) *tenants {
	return &tenants{byKey: map[string]*tenant{}, byID: map[string]*tenant{}, max: max, make: make}
}

// errTooManyTenants refuses a new key past MaxTenants.
func errTooManyTenants(max int) *apiError {
	return &apiError{Code: codeUnauthorized, Message: fmt.Sprintf("this sandbox serves at most %d merchants (keys); start it with a larger --max-tenants", max)}
}

// of returns key's tenant, making it on first use; nil past the limit.
func (ts *tenants) of(key string) *tenant {
	ts.mu.RLock()
	t := ts.byKey[key]
	ts.mu.RUnlock()
	if t != nil {
		return t
	}
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if t := ts.byKey[key]; t != nil {
		return t
	}
	if len(ts.byKey) >= ts.max {
		return nil
	}
	t = ts.make(key)
	ts.byKey[key], ts.byID[t.ID] = t, t
	return t
}

// known returns key's tenant if it has one, or nil (it makes none).
func (ts *tenants) known(key string) *tenant {
	ts.mu.RLock()
	defer ts.mu.RUnlock()
	return ts.byKey[key]
}

// byMerchant returns the tenant of a merchant id, or nil.
func (ts *tenants) byMerchant(id string) *tenant {
	ts.mu.RLock()
	defer ts.mu.RUnlock()
	return ts.byID[id]
}

// all returns every tenant, by merchant id.
func (ts *tenants) all() []*tenant {
	ts.mu.RLock()
	out := make([]*tenant, 0, len(ts.byID))
	for _, t := range ts.byID {
		out = append(out, t)
	}
	ts.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// tenantOf is the request's tenant: the key's on the merchant API, the
// merchant id's on a public call, the one an admin call is scoped to; nil
// for the operator.
func tenantOf(r *http.Request) *tenant { return info(r).tenant }

// now is t's time: the emulator's clock plus t's advance (nil: the
// emulator's clock).
func (s *Server) now(t *tenant) time.Time {
	if t == nil {
		return s.clock.now()
	}
	return s.clock.now().Add(t.advanced())
}

// journalOf is t's journal; nil's is the journal of requests without a
// tenant.
func (s *Server) journalOf(t *tenant) *journal {
	if t == nil {
		return s.journal
	}
	return t.journal
}

// tenantOfPayment is p's tenant (a payment's tenant is never forgotten
// while the payment is stored).
func (s *Server) tenantOfPayment(p *payment) *tenant {
	if t := s.tenants.byMerchant(p.Tenant); t != nil {
		return t
	}
	return &tenant{ID: p.Tenant}
}

// update is store.update scoped to the request's tenant: another
// tenant's payment is not found (the operator and the customer's page
// reach every payment).
func (s *Server) update(r *http.Request, id string, f func(*payment) error) error {
	return s.store.update(id, scoped(tenantOf(r), f))
}

// read is store.read scoped to the request's tenant, as update is.
func (s *Server) read(r *http.Request, id string, f func(*payment) error) error {
	return s.store.read(id, scoped(tenantOf(r), f))
}

// scoped is f for t's payments only (nil: every payment); another's is
// errNoPayment.
func scoped(t *tenant, f func(*payment) error) func(*payment) error {
	return func(p *payment) error {
		if t != nil && p.Tenant != t.ID {
			return errNoPayment
		}
		return f(p)
	}
}

// tenantID is t's merchant id ("" for nil: every tenant).
func tenantID(t *tenant) string {
	if t == nil {
		return ""
	}
	return t.ID
}

// paymentIDs are t's payment ids (nil for the operator: every payment).
func (s *Server) paymentIDs(t *tenant) []string {
	if t == nil {
		return nil
	}
	return orEmpty(s.store.ids(t.ID))
}

// ipnLogOf is the IPN log of the tenant with merchant id tid.
func (s *Server) ipnLogOf(tid string) *ipnLog {
	if t := s.tenants.byMerchant(tid); t != nil {
		return &t.ipnLog
	}
	return &ipnLog{} // a payment's tenant is never forgotten: unreachable
}

// ipnRecent is up to limit IPN attempts of t (nil: of every tenant),
// newest first.
func (s *Server) ipnRecent(t *tenant, limit int) []delivery {
	if t != nil {
		return t.ipnLog.recent(limit)
	}
	var all []delivery
	for _, t := range s.tenants.all() {
		all = append(all, t.ipnLog.recent(limit)...)
	}
	slices.SortStableFunc(all, func(a, b delivery) int { return b.At.Compare(a.At) })
	return all[:min(limit, len(all))]
}

// journalRecent is up to limit journal entries keep accepts of t (nil:
// every tenant's and those without a tenant), newest first.
func (s *Server) journalRecent(t *tenant, limit int, keep func(journalEntry) bool) []journalEntry {
	if t != nil {
		return t.journal.recent(limit, keep)
	}
	all := s.journal.recent(limit, keep)
	for _, t := range s.tenants.all() {
		all = append(all, t.journal.recent(limit, keep)...)
	}
	slices.SortStableFunc(all, func(a, b journalEntry) int { return cmp.Compare(b.seq, a.seq) })
	if limit > 0 && len(all) > limit {
		all = all[:limit]
	}
	return all
}

// advanceTenant moves t's clock forward by d: its payments' clocks with
// it, and what falls due for them fires, in order, before it returns.
func (s *Server) advanceTenant(t *tenant, d time.Duration) {
	s.advanceTimers(func() {
		t.advance(d)
		s.saveTenant(t)
		now := s.clock.now()
		ids := s.paymentIDs(t)
		for _, id := range ids {
			_ = s.store.update(id, func(p *payment) error { p.advance(d, now); return nil })
		}
		s.shiftTimers(ids, d)
	})
}

// resetTenant forgets everything of t: payments and their timers, journal,
// IPN log, armed scenarios, API scenarios, create cursors, webhooks and
// the integration configuration; its clock is the emulator's again.
func (s *Server) resetTenant(t *tenant) {
	s.advanceTimers(func() { // the clock moves back: no firing meanwhile
		gone := s.store.reset(t.ID)
		for _, id := range gone {
			s.ipnLimits.forget(id)
		}
		s.cancelTimers(orEmpty(gone))
		s.armsOf(t).Reset()
		if s.durable != nil {
			s.durable.resetCursors(t.ID)
		}
		t.clear()
		s.saveTenant(t)
	})
}

// clear forgets t's own state (not its payments: the store holds those).
func (t *tenant) clear() {
	t.journal.reset()
	t.ipnLog.reset()
	t.creates.reset()
	t.live.reset()
	t.chaos.lift()
	t.hooks.reset()
	t.integration.reset()
	t.offset.Store(0)
}

// resetAll is the operator's reset: every tenant's, and the operator's
// arms, API scenarios, journal and the emulator's clock.
func (s *Server) resetAll() {
	s.advanceTimers(func() { // the clock moves back: no firing meanwhile
		s.cancelTimers(nil)
		s.store.reset("")
		s.ipnLimits.reset()
		for _, t := range s.tenants.all() {
			s.armsOf(t).Reset()
			t.clear()
		}
		s.journal.reset()
		s.armsOf(nil).Reset()
		s.live.reset()
		s.chaos.lift()
		s.clock.reset()
	})
}

// saveTenant records t's clock offset in the durable store, if any.
func (s *Server) saveTenant(t *tenant) {
	if s.durable != nil {
		s.durable.saveOffset(t.ID, t.advanced())
	}
}

// syncFromStore takes from the durable store what other replicas (or the
// run before a restart) changed: tenants and their clock offsets, and the
// emulator's clock offset.
func (s *Server) syncFromStore() {
	for _, row := range s.durable.tenants() {
		if t := s.tenants.of(row.key); t != nil && t.ID == row.id {
			t.offset.Store(int64(row.offset))
		}
	}
	s.clock.setOffset(s.durable.clockOffset())
}
