package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// bigPayment is a payment holding n bytes of custom_data.
func bigPayment(id, tenant string, n int) *payment {
	return &payment{ID: id, Tenant: tenant, CustomData: json.RawMessage(`{"pad":"` + strings.Repeat("a", n) + `"}`)}
}

// TestStoreCountsBytes: the store counts each payment's size in at add,
// again at update, and out at eviction and reset.
func TestStoreCountsBytes(t *testing.T) {
	t.Parallel()
	st := newStore(10, 10)
	st.maxBytes = 1 << 30
	a, b := bigPayment("payment_a", "merchant_a", 1000), bigPayment("payment_b", "merchant_b", 2000)
	sizeA, sizeB := sizeOf(a), sizeOf(b)
	assert.Greater(t, sizeA, int64(1000), "custom_data is counted")
	require.Empty(t, st.add(a))
	require.Empty(t, st.add(b))
	assert.Equal(t, sizeA+sizeB, st.size())

	comment := strings.Repeat("c", 500)
	require.NoError(t, st.update("payment_a", func(p *payment) error {
		p.Refunds = append(p.Refunds, refundJSON{Comment: comment})
		return nil
	}))
	grown := sizeOf(a)
	assert.Greater(t, grown, sizeA+500, "a refund's comment is counted")
	assert.Equal(t, grown+sizeB, st.size())

	assert.ElementsMatch(t, []string{"payment_a"}, st.reset("merchant_a"))
	assert.Equal(t, sizeB, st.size())
	assert.ElementsMatch(t, []string{"payment_b"}, st.reset(""))
	assert.Zero(t, st.size())
}

// TestStoreEvictsOldestPastItsBytes: past maxBytes the store evicts the
// oldest payments of all tenants, returns their ids, and keeps the newest
// even when it alone is over.
func TestStoreEvictsOldestPastItsBytes(t *testing.T) {
	t.Parallel()
	one := sizeOf(bigPayment("payment_x0", "merchant_a", 4000))
	st := newStore(100, 100)
	st.maxBytes = 3 * one
	var evicted []string
	for i := range 5 {
		tenant := []string{"merchant_a", "merchant_b"}[i%2]
		evicted = append(evicted, st.add(bigPayment(fmt.Sprintf("payment_x%d", i), tenant, 4000))...)
	}
	assert.Equal(t, []string{"payment_x0", "payment_x1"}, evicted, "the oldest first, across tenants")
	assert.Equal(t, []string{"payment_x4", "payment_x3", "payment_x2"}, st.ids(""))
	assert.Equal(t, 3*one, st.size())
	assert.ErrorIs(t, st.update("payment_x0", func(*payment) error { return nil }), errNoPayment)

	huge := bigPayment("payment_huge", "merchant_a", 20000)
	assert.Equal(t, []string{"payment_x2", "payment_x3", "payment_x4"}, st.add(huge))
	assert.Equal(t, []string{"payment_huge"}, st.ids(""), "the newest stays")
	assert.Equal(t, sizeOf(huge), st.size())
}

// TestSizeOfCountsWhatAPaymentHolds: sizeOf counts strings, raw values
// and slices a payment holds, but neither the shared scenario nor a time's
// location.
func TestSizeOfCountsWhatAPaymentHolds(t *testing.T) {
	t.Parallel()
	base := sizeOf(&payment{})
	assert.Equal(t, base+5+3, sizeOf(&payment{ID: "12345", CustomData: json.RawMessage("{ }")}))
	withPlan := &payment{Plan: make([]installment, 3)}
	assert.Equal(t, base+3*int64(unsafe.Sizeof(installment{})), sizeOf(withPlan))
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		loc = time.FixedZone("CET", 3600)
	}
	assert.Equal(t, base, sizeOf(&payment{Created: time.Now().In(loc)}), "a time's location is shared")
}

// entryOf is a journal entry whose captured request body is body.
func entryOf(path, body string) journalEntry {
	e := journalEntry{Method: http.MethodPost, Path: path}
	e.bodies[0].keep([]byte(body))
	return e
}

// TestJournalPoolCountsAndDropsTheOldest: journals in one pool count
// their records' bytes (a body at its size, not a capture buffer); past
// the pool's limit the oldest records of all its journals go first, down
// to 7/8 of it; a reset counts its bytes out.
func TestJournalPoolCountsAndDropsTheOldest(t *testing.T) {
	t.Parallel()
	body := strings.Repeat("b", 100)
	probe := recordOf(new(entryOf("/v1/payments", body)))
	one := probe.size()
	assert.Less(t, one, int64(maxCapturedBody), "a 100-byte body is kept at its size")

	p := newPool(10 * one)
	a, b := newJournal(100), newJournal(100)
	a.join(p)
	b.join(p)
	for i := range 10 {
		j := []*journal{a, b}[i%2]
		j.record(entryOf("/v1/payments", body))
	}
	assert.Equal(t, 10*one, p.used.Load(), "ten records, counted in")
	assert.Equal(t, 5*one, a.size())

	b.record(entryOf("/v1/payments", body)) // the 11th: over the limit
	assert.LessOrEqual(t, p.used.Load(), 10*one/8*7)
	assert.Equal(t, a.size()+b.size(), p.used.Load())
	assert.Len(t, a.recent(0, nil), 3, "a held records 0, 2, 4, 6, 8, b 1, 3, 5, 7, 9, 10: the three oldest of all (0, 1, 2) went")
	assert.Len(t, b.recent(0, nil), 5)

	a.reset()
	assert.Equal(t, b.size(), p.used.Load(), "a reset counts its bytes out")
}

// TestJournalCountEvictionCountsOut: a journal full in count drops its
// oldest and counts it out.
func TestJournalCountEvictionCountsOut(t *testing.T) {
	t.Parallel()
	p := newPool(1 << 30)
	j := newJournal(2)
	j.join(p)
	for _, body := range []string{strings.Repeat("x", 900), "y", "z"} {
		j.record(entryOf("/v1/payments", body))
	}
	small := recordOf(new(entryOf("/v1/payments", "y")))
	assert.Equal(t, 2*small.size(), p.used.Load())
	got := j.recent(0, nil)
	require.Len(t, got, 2)
	assert.Equal(t, "z", got[0].Request)
}

// TestIPNLogPoolDropsTheOldest: IPN logs in one pool count their attempts
// and drop the oldest of all past its limit.
func TestIPNLogPoolDropsTheOldest(t *testing.T) {
	t.Parallel()
	d := delivery{PaymentID: "payment_1", URL: "http://127.0.0.1:9/" + strings.Repeat("u", 500), Headers: map[string]string{"X-Alma-Signature": "00"}}
	one := sizeOf(&d)
	p := newPool(4 * one)
	a, b := &ipnLog{ring: newRing[delivery](100)}, &ipnLog{ring: newRing[delivery](100)}
	a.join(p)
	b.join(p)
	for i := range 4 {
		d.Attempt = i
		[]*ipnLog{a, b}[i%2].add(d)
	}
	assert.Equal(t, 4*one, p.used.Load())
	d.Attempt = 4
	b.add(d)
	assert.Equal(t, a.size()+b.size(), p.used.Load())
	assert.LessOrEqual(t, p.used.Load(), 4*one/8*7)
	got := append(a.recent(0), b.recent(0)...)
	attempts := make([]int, 0, len(got))
	for _, d := range got {
		attempts = append(attempts, d.Attempt)
	}
	assert.ElementsMatch(t, []int{2, 3, 4}, attempts, "the two oldest attempts of both logs went first")
	a.reset()
	b.reset()
	assert.Zero(t, p.used.Load())
}

// TestNewPaymentKeepsNothingOfTheBody: payments created from bodies with
// 16 KiB of custom_data hold about what they store, not the decoded body
// besides (goccy's strings point into its copy of it), and custom_data
// is stored raw: an & is one byte, escaped when written.
func TestNewPaymentKeepsNothingOfTheBody(t *testing.T) {
	s := NewServer()
	s.Handler()
	tn := s.tenants.of(DefaultKey)
	url := "http://127.0.0.1:9/ipn?pad=" + strings.Repeat("u", 2000)
	body := fmt.Sprintf(`{"payment":{"purchase_amount":30000,"installments_count":3,"ipn_callback_url":%q,"return_url":%q,"custom_data":{"pad":"%s"}}}`,
		url, url, strings.Repeat("a&", 8000))
	const n = 200
	kept := make([]*payment, 0, n)
	before := heapInUse()
	for range n {
		var req createRequest
		require.Nil(t, decodeJSON([]byte(body), &req))
		kept = append(kept, s.newPayment(&req, tn, DefaultKey, nil))
	}
	perPayment := (heapInUse() - before) / n
	stored := sizeOf(kept[0])
	t.Logf("a payment holds %d bytes (sizeOf %d) from a %d-byte body", perPayment, stored, len(body))
	assert.Less(t, perPayment, stored*5/4, "held per payment, against its counted size")
	assert.Len(t, kept[0].CustomData, len(`{"pad":""}`)+16000, "custom_data stored raw, not escaped")
	assert.Contains(t, string(s.renderPayment(nil, kept[0])), `a\u0026a\u0026`, "escaped when written")
	runtime.KeepAlive(kept)
}

// heapInUse is the live heap after a collection.
func heapInUse() int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}

// TestMaxMemoryEvictsPaymentsThroughTheAPI: a server with a small byte
// budget keeps the newest payments within it and answers 404 for the
// oldest, whose timers are gone.
func TestMaxMemoryEvictsPaymentsThroughTheAPI(t *testing.T) {
	t.Parallel()
	s := NewServer()
	s.MaxMemory = 1 << 20 // the payments: 768 KiB
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	body := fmt.Sprintf(`{"payment":{"purchase_amount":30000,"installments_count":3,"custom_data":{"pad":"%s"}}}`, strings.Repeat("a", 15000))
	var ids []string
	for range 80 { // 80 × ~16 KiB: above the share
		req, err := http.NewRequest(http.MethodPost, srv.URL+"/v1/payments", strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Authorization", "Alma-Auth "+DefaultKey)
		req.Header.Set("Content-Type", "application/json")
		res, err := srv.Client().Do(req)
		require.NoError(t, err)
		var created struct{ ID string }
		require.NoError(t, json.NewDecoder(res.Body).Decode(&created))
		require.NoError(t, res.Body.Close())
		require.Equal(t, http.StatusOK, res.StatusCode)
		ids = append(ids, created.ID)
	}
	st := s.store.(*store)
	assert.LessOrEqual(t, st.size(), int64(768<<10))
	assert.Less(t, st.len(), 80)
	status := func(id string) int {
		req, err := http.NewRequest(http.MethodGet, srv.URL+"/v1/payments/"+id, nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", "Alma-Auth "+DefaultKey)
		res, err := srv.Client().Do(req)
		require.NoError(t, err)
		require.NoError(t, res.Body.Close())
		return res.StatusCode
	}
	assert.Equal(t, http.StatusNotFound, status(ids[0]), "the oldest is evicted")
	assert.Equal(t, http.StatusOK, status(ids[len(ids)-1]), "the newest is kept")
	assert.Positive(t, s.journal.pool.limit, "the server's journal is in the budget")
	assert.Equal(t, s.tenants.of(DefaultKey).journal.pool, s.journal.pool, "so is every tenant's")
}

// TestMemoryLimitLeavesHeadroom: the runtime's limit is above the budget.
func TestMemoryLimitLeavesHeadroom(t *testing.T) {
	t.Parallel()
	for _, budget := range []int64{0, 1 << 20, DefaultMaxMemory, 1 << 30} {
		assert.Greater(t, MemoryLimit(budget), max(budget, minMaxMemory)*5/4, "budget %d", budget)
	}
}
