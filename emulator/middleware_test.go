package emulator

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRecoverAnswersAlmaShape(t *testing.T) {
	t.Parallel()
	s := NewServer()
	s.Handler()
	h := s.withRecover(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") }))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/v1/me", nil))
	assert.Equal(t, http.StatusInternalServerError, rec.Code)
	assert.JSONEq(t, `{"message":"Internal Server Error"}`, rec.Body.String())
	assert.Equal(t, "application/json", rec.Header().Get("Content-Type"))
	assert.Equal(t, int64(1), s.Panics())
}

func TestRecoverLetsAbortThrough(t *testing.T) {
	t.Parallel()
	s := NewServer()
	s.Handler()
	h := s.withRecover(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic(http.ErrAbortHandler) }))
	require.PanicsWithValue(t, http.ErrAbortHandler, func() {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
	})
	assert.Zero(t, s.Panics())
}

func TestStoreEvictsOldest(t *testing.T) {
	t.Parallel()
	st := newStore(2, 2)
	var evicted []string
	for _, id := range []string{"payment_11a", "payment_11b", "payment_11c"} {
		evicted = append(evicted, st.add(&payment{ID: id, Tenant: "merchant_a"})...)
	}
	assert.Equal(t, []string{"payment_11a"}, evicted)
	assert.ErrorIs(t, st.update("payment_11a", func(*payment) error { return nil }), errNoPayment)
	assert.Equal(t, []string{"payment_11c", "payment_11b"}, st.ids("merchant_a"))
	assert.Equal(t, 2, st.len())
}

// One tenant past its own cap evicts its own oldest, never another's; the
// store past its global cap evicts the oldest of all.
func TestStoreEvictsPerTenantThenGlobally(t *testing.T) {
	t.Parallel()
	st := newStore(4, 2)
	add := func(id, tenant string) []string { return st.add(&payment{ID: id, Tenant: tenant}) }
	assert.Empty(t, add("payment_a1", "merchant_a"))
	assert.Empty(t, add("payment_b1", "merchant_b"))
	assert.Empty(t, add("payment_a2", "merchant_a"))
	assert.Equal(t, []string{"payment_a1"}, add("payment_a3", "merchant_a"), "a's own cap")
	assert.Equal(t, []string{"payment_b1"}, st.ids("merchant_b"), "b untouched by a's eviction")
	assert.Empty(t, add("payment_c1", "merchant_c"))
	assert.Equal(t, []string{"payment_b1"}, add("payment_c2", "merchant_c"), "global cap: the oldest of all")
	assert.Equal(t, []string{"payment_c2", "payment_c1", "payment_a3", "payment_a2"}, st.ids(""))
	assert.ElementsMatch(t, []string{"payment_a2", "payment_a3"}, st.reset("merchant_a"))
	assert.Equal(t, 2, st.len())
	assert.Equal(t, []string{"payment_c2", "payment_c1"}, st.ids(""))
}

func TestJournalRing(t *testing.T) {
	t.Parallel()
	j := newJournal(3)
	for i := range 5 {
		j.record(journalEntry{Status: i})
	}
	got := j.recent(10, nil)
	require.Len(t, got, 3)
	assert.Equal(t, []int{4, 3, 2}, []int{got[0].Status, got[1].Status, got[2].Status})
	assert.Len(t, j.recent(1, nil), 1)
}

func TestRequestLogRedactsKey(t *testing.T) {
	t.Parallel()
	var buf syncBuffer
	s := NewServer()
	s.Logger = slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	h := s.Handler()
	req := httptest.NewRequest(http.MethodPost, "/v1/payments", strings.NewReader(`{"payment":{"purchase_amount":20000}}`))
	req.Header.Set("Authorization", "Alma-Auth sk_test_supersecretkey1234")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	require.Equal(t, http.StatusOK, rec.Code)
	out := buf.String()
	assert.Contains(t, out, "sk_test_…1234")
	assert.NotContains(t, out, "supersecret")
}

// syncBuffer is a bytes.Buffer safe for concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestLogRequestsAtInfo(t *testing.T) {
	t.Parallel()
	var buf syncBuffer
	s := NewServer()
	s.LogRequests = true
	s.Logger = slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo}))
	req := httptest.NewRequest(http.MethodGet, "/v1/payments/payment_11nope", nil)
	req.Header.Set("Authorization", "Alma-Auth sk_test_supersecretkey1234")
	s.Handler().ServeHTTP(httptest.NewRecorder(), req)
	out := buf.String()
	assert.Contains(t, out, "level=INFO msg=request method=GET path=/v1/payments/payment_11nope status=404")
	assert.Contains(t, out, "key=sk_test_…1234")
	assert.NotContains(t, out, "err=")

	var quiet syncBuffer
	q := NewServer()
	q.Logger = slog.New(slog.NewTextHandler(&quiet, &slog.HandlerOptions{Level: slog.LevelInfo}))
	q.Handler().ServeHTTP(httptest.NewRecorder(), req)
	assert.Empty(t, quiet.String(), "without LogRequests the line is debug")
}
