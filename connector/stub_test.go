package connector_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/alma-sandbox/alma-sandbox/connector"
)

// testKey is the API key the stub expects; tests check it never leaks.
const testKey = "sk_test_SECRETsecret0123456789wxyz"

// recorded is one request the stub received.
type recorded struct {
	Method string
	Path   string
	Raw    string // the escaped path as sent
	Query  string
	Header http.Header
	Body   []byte
}

// stub is a real HTTP server on 127.0.0.1:0 standing in for Alma: it
// records every request and answers with a test's handler.
type stub struct {
	srv  *httptest.Server
	mu   sync.Mutex
	reqs []recorded
	logs bytes.Buffer // the connector's slog output
}

// newStub starts a stub answering with h and a client pointed at it with
// short timeouts and a 1 ms Verify backoff.
func newStub(t testing.TB, h http.HandlerFunc) (*connector.Client, *stub) {
	t.Helper()
	s := &stub{}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.reqs = append(s.reqs, recorded{r.Method, r.URL.Path, r.URL.EscapedPath(), r.URL.RawQuery, r.Header.Clone(), body})
		s.mu.Unlock()
		r.Body = io.NopCloser(bytes.NewReader(body))
		h(w, r)
	}))
	t.Cleanup(s.srv.Close)
	c := connector.NewClient(s.srv.URL, testKey)
	c.Timeouts = connector.Timeouts{Create: time.Second, Verify: time.Second, Capture: time.Second,
		Cancel: time.Second, Refund: time.Second, Reconcile: time.Second, Eligibility: time.Second}
	c.VerifyRetry = connector.Retry{Attempts: 3, Backoff: time.Millisecond}
	c.IPNCallbackURL = "https://shop.example/alma/ipn"
	c.Logger = slog.New(slog.NewJSONHandler(&lockedWriter{mu: &s.mu, w: &s.logs}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	return c, s
}

// requests returns a copy of what the stub received.
func (s *stub) requests() []recorded {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]recorded(nil), s.reqs...)
}

// log returns the connector's log output so far.
func (s *stub) log() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.logs.String()
}

// lockedWriter serialises writes to a buffer shared with the stub.
type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// failIfHit is a handler for calls that must never leave the process.
func failIfHit(t *testing.T) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("unexpected request %s %s", r.Method, r.URL.Path)
		w.WriteHeader(http.StatusTeapot)
	}
}

// reply answers status with a JSON body (Content-Type exactly application/json).
func reply(status int, body string) http.HandlerFunc {
	return replyAs(status, "application/json", body)
}

// replyAs answers status with a body of the given content type.
func replyAs(status int, contentType, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}

// hang holds the request until the client gives up.
func hang(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }

// reset closes the connection with a TCP RST and no answer.
func reset(w http.ResponseWriter, r *http.Request) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

// closeConn closes the connection without writing a byte.
func closeConn(w http.ResponseWriter, r *http.Request) {
	if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
		_ = conn.Close()
	}
}

// stall sends the headers and half a body, then holds the rest until the
// client gives up.
func stall(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, `{"id":"payment_11abc",`)
	_ = http.NewResponseController(w).Flush()
	<-r.Context().Done()
}

// truncated announces a body it does not finish.
func truncated(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", "400")
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, `{"id":"payment_11abc","state":"in_pro`)
}

// paymentJSON is an Alma payment in state, for amount cents; extra fields
// are merged in.
func paymentJSON(state string, amount int64, extra map[string]any) string {
	p := map[string]any{
		"id": "payment_11testTESTtest", "state": state, "purchase_amount": amount,
		"installments_count": 4, "deferred_days": 0, "deferred_months": 0, "customer_fee": 0,
		"customer_interest": 0, "custom_data": map[string]any{"order_reference": "order-42"},
		"expired_at": nil, "kind": "installments", "orders": []any{}, "payment_plan": []any{},
		"url": "https://pay.example/11testTESTtest", "amount_already_refunded": 0,
		"merchant_id": "merchant_11merchant",
	}
	for k, v := range extra {
		p[k] = v
	}
	b, _ := json.Marshal(p)
	return string(b)
}

// loadSession decodes a testdata session.
func loadSession(t testing.TB, name string) connector.Session {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	require.NoError(t, err)
	defer f.Close()
	s, err := connector.DecodeSession(f)
	require.NoError(t, err)
	return s
}

// minimalSession is a valid session of amount cents.
func minimalSession(cents int64) connector.Session {
	return connector.Session{
		Amount: connector.Amount(cents),
		Order: connector.Order{Reference: "order-42", CurrencyCode: "EUR",
			Redirection: "https://shop.example/return"},
	}
}

// sequence answers successive calls with successive handlers, the last one
// repeating.
func sequence(hs ...http.HandlerFunc) http.HandlerFunc {
	var mu sync.Mutex
	n := 0
	return func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		h := hs[min(n, len(hs)-1)]
		n++
		mu.Unlock()
		h(w, r)
	}
}

// describe prints a result for failure messages.
func describe(r connector.Result) string { return fmt.Sprint(r) }
