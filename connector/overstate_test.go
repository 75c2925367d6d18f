package connector_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alma-sandbox/alma-sandbox/connector"
)

// rawServer is a TCP server on 127.0.0.1:0 that reads one HTTP request per
// connection, writes what answer writes, then holds the connection open
// until the client closes it. Each connection the client closed is counted
// on hungUp; the server itself never closes one before the test ends.
type rawServer struct {
	url    string
	hungUp chan struct{}
}

// newRawServer starts a rawServer answering with answer.
func newRawServer(t *testing.T, answer func(w io.Writer)) *rawServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	s := &rawServer{url: "http://" + ln.Addr().String(), hungUp: make(chan struct{}, 16)}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	t.Cleanup(func() {
		_ = ln.Close()
		mu.Lock()
		for _, c := range conns {
			_ = c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, conn)
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				s.serve(conn, answer)
			}()
		}
	}()
	return s
}

// serve answers one request on conn and waits for the client to hang up.
func (s *rawServer) serve(conn net.Conn, answer func(w io.Writer)) {
	br := bufio.NewReader(conn)
	req, err := http.ReadRequest(br)
	if err != nil {
		return
	}
	_, _ = io.Copy(io.Discard, req.Body)
	answer(conn)
	_, _ = io.Copy(io.Discard, br) // returns when the client closes the connection
	select {
	case s.hungUp <- struct{}{}:
	default:
	}
}

// withinGuard runs call and returns its result. Like waitHangUp's, its
// bound only turns a connector that never returns into a failure instead of
// a stalled suite.
func withinGuard(t *testing.T, call func() connector.Result) connector.Result {
	t.Helper()
	done := make(chan connector.Result, 1)
	go func() { done <- call() }()
	select {
	case r := <-done:
		return r
	case <-time.After(time.Minute):
		t.Fatal("the call did not return: a wait is not bounded by its deadline")
		return connector.Result{}
	}
}

// waitHangUp waits for the client to close a connection. The bound only
// keeps a broken connector from stalling the suite for go test's 10
// minutes; it is not a speed check (the deadlines are 200 ms).
func (s *rawServer) waitHangUp(t *testing.T) {
	t.Helper()
	select {
	case <-s.hungUp:
	case <-time.After(time.Minute):
		t.Fatal("the connector never closed the connection")
	}
}

// TestInformationalAnswersAreBoundedAndUncertain: a 101 Switching Protocols
// (whose body is the raw connection), an early hint never followed by a
// final answer, and a flood of 102s: each call ends by its deadline, hangs
// up, and is UNCERTAIN (no final answer), never a final failure.
func TestInformationalAnswersAreBoundedAndUncertain(t *testing.T) {
	tests := []struct {
		name   string
		answer func(w io.Writer)
	}{
		{"101 switching protocols", func(w io.Writer) {
			_, _ = io.WriteString(w, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
		}},
		{"103 early hints, then nothing", func(w io.Writer) {
			_, _ = io.WriteString(w, "HTTP/1.1 103 Early Hints\r\nLink: </x>; rel=preload\r\n\r\n")
		}},
		{"102 processing, many times", func(w io.Writer) {
			for range 2000 {
				if _, err := io.WriteString(w, "HTTP/1.1 102 Processing\r\nX-Pad: "+strings.Repeat("p", 64)+"\r\n\r\n"); err != nil {
					return
				}
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newRawServer(t, tt.answer)
			c := connector.NewClient(srv.url, testKey)
			d := 200 * time.Millisecond
			c.Timeouts = connector.Timeouts{Create: d, Verify: d, Capture: d, Cancel: d, Refund: d, Reconcile: d, Eligibility: d}
			c.VerifyRetry.Attempts = 1
			ctx := context.Background()
			for _, call := range []struct {
				op   string
				run  func() connector.Result
				want string
			}{
				{"initialize", func() connector.Result { return c.Initialize(ctx, minimalSession(27092), connector.FlowCapture) }, "TIMEOUT"},
				{"verify", func() connector.Result { return c.Verify(ctx, "payment_11x", minimalSession(27092)) }, "VERIFY_TIMEOUT"},
				{"capture", func() connector.Result { return c.Capture(ctx, "payment_11x", 0) }, "TIMEOUT"},
			} {
				r := withinGuard(t, call.run)
				assert.Equal(t, call.want, r.Status.PSPStatus, "%s: %s", call.op, describe(r))
				assert.True(t, r.Status.Uncertain(), "%s: no final answer is never final", call.op)
				assert.Error(t, r.Err, call.op)
				srv.waitHangUp(t)
			}
		})
	}
}

// TestBodyClosedAtDeadline: a 200 whose body never ends is cut at the
// deadline, whatever the transport, and is UNCERTAIN.
func TestBodyClosedAtDeadline(t *testing.T) {
	srv := newRawServer(t, func(w io.Writer) {
		_, _ = io.WriteString(w, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{\"id\":")
	})
	c := connector.NewClient(srv.url, testKey)
	c.Timeouts.Verify = 200 * time.Millisecond
	c.VerifyRetry.Attempts = 1
	r := withinGuard(t, func() connector.Result { return c.Verify(context.Background(), "payment_11x", minimalSession(27092)) })
	assert.Equal(t, "VERIFY_TIMEOUT", r.Status.PSPStatus, describe(r))
	srv.waitHangUp(t)
}

// largePayment is a paid payment as large as the emulator can make one:
// 50 orders of 16 KiB, 16 KiB of custom_data, and refunds with 1 MiB
// comments, about 6 MiB in all.
func largePayment(t *testing.T, amount int64) string {
	t.Helper()
	orders := make([]any, 50)
	for i := range orders {
		orders[i] = map[string]any{"merchant_reference": fmt.Sprintf("order-%d", i), "data": strings.Repeat("o", 16<<10-64)}
	}
	refunds := make([]any, 5)
	for i := range refunds {
		refunds[i] = map[string]any{"id": fmt.Sprintf("refund_%d", i), "amount": 1, "comment": strings.Repeat("c", 1<<20)}
	}
	body := paymentJSON("paid", amount, map[string]any{
		"orders": orders, "refunds": refunds, "amount_already_refunded": 5,
		"custom_data": map[string]any{"order_reference": "order-42", "pad": strings.Repeat("d", 16<<10-64)},
	})
	require.Greater(t, len(body), 4<<20, "larger than the old 4 MiB cut")
	return body
}

// TestVerifyLargeAnswer: the largest payment the emulator can produce is
// read whole; an answer over MaxAnswerBytes is VERIFY_PARTNER_ERROR
// (UNCERTAIN: the payment may be paid), and a create whose answer is too
// large keeps row 35.
func TestVerifyLargeAnswer(t *testing.T) {
	body := largePayment(t, 27092)
	c, _ := newStub(t, reply(200, body))
	c.Timeouts.Verify, c.Timeouts.Create = 10*time.Second, 10*time.Second
	r := c.Verify(context.Background(), payID, minimalSession(27092))
	assert.Equal(t, "paid", r.Status.PSPStatus, describe(r))

	c.MaxAnswerBytes = 1 << 20
	c.VerifyRetry.Attempts = 1
	r = c.Verify(context.Background(), payID, minimalSession(27092))
	assert.Equal(t, "VERIFY_PARTNER_ERROR", r.Status.PSPStatus, describe(r))
	require.Error(t, r.Err)
	assert.Contains(t, r.Err.Error(), "MaxAnswerBytes")

	r = c.Initialize(context.Background(), minimalSession(27092), connector.FlowCapture)
	assert.Equal(t, "PARTNER_RESPONSE_VALIDATION_FAILED", r.Status.PSPStatus, describe(r))
}

// TestVerifyUnreadableIsUncertain: a Verify answered 2xx with a body that is
// not a payment is retried, then stays VERIFY_PARTNER_ERROR.
func TestVerifyUnreadableIsUncertain(t *testing.T) {
	for _, tt := range []struct {
		name   string
		answer http.HandlerFunc
	}{
		{"cut", truncated},
		{"empty", reply(200, ``)},
		{"garbage", reply(200, `garbage`)},
		{"HTML", replyAs(200, "text/html", "<html>maintenance</html>")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, st := newStub(t, tt.answer)
			r := c.Verify(context.Background(), payID, minimalSession(27092))
			assert.Equal(t, "VERIFY_PARTNER_ERROR", r.Status.PSPStatus, describe(r))
			assert.True(t, r.Status.Uncertain())
			assert.Len(t, st.requests(), 3, "retried as any uncertain Verify")
		})
	}
}

// TestUnreadableCreateThenReconcile: a create answered 200 with garbage is
// row 35 (nothing is charged before the customer acts), and Reconcile then
// finds the payment that was created.
func TestUnreadableCreateThenReconcile(t *testing.T) {
	list := `{"data":[` + paymentJSON("not_started", 27092, map[string]any{"return_url": "https://shop.example/return"}) + `],"has_more":false}`
	c, _ := newStub(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method == "POST" {
			reply(200, `{"id":"payment_11testTE`)(w, r)
			return
		}
		reply(200, list)(w, r)
	})
	s := minimalSession(27092)
	r := c.Initialize(context.Background(), s, connector.FlowCapture)
	assert.Equal(t, "PARTNER_RESPONSE_VALIDATION_FAILED", r.Status.PSPStatus, describe(r))
	r = c.Reconcile(context.Background(), s)
	assert.Equal(t, "not_started", r.Status.PSPStatus, describe(r))
	assert.Equal(t, payID, r.PaymentID)
}

// TestReconcileChecksTheSession: a payment naming the order but not the
// session's (another amount, plan or return URL, e.g. planted with another
// key) is skipped and said so; the session's own is found behind it.
func TestReconcileChecksTheSession(t *testing.T) {
	ours := paymentJSON("not_started", 27092, map[string]any{"id": "payment_11ours"})
	tests := []struct {
		name    string
		planted map[string]any
		why     string
	}{
		{"other amount", map[string]any{"purchase_amount": 100}, "purchase_amount is 100 cents"},
		{"other plan", map[string]any{"installments_count": 3}, "installments_count is 3"},
		{"other return url", map[string]any{"return_url": "https://evil.example/"}, "return_url"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			planted := paymentJSON("not_started", 27092, merge(map[string]any{"id": "payment_11planted"}, tt.planted))
			c, _ := newStub(t, reply(200, `{"data":[`+planted+`,`+ours+`],"has_more":false}`))
			r := c.Reconcile(context.Background(), minimalSession(27092))
			assert.Equal(t, "payment_11ours", r.PaymentID, describe(r))
			assert.Contains(t, strings.Join(r.Reasons, "\n"), "skipped payment payment_11planted")

			c, _ = newStub(t, reply(200, `{"data":[`+planted+`],"has_more":false}`))
			r = c.Reconcile(context.Background(), minimalSession(27092))
			assert.Equal(t, "TIMEOUT", r.Status.PSPStatus, describe(r))
			assert.Empty(t, r.PaymentID)
			assert.Contains(t, strings.Join(r.Reasons, "\n"), tt.why)
		})
	}
}

// merge returns a with b's keys set.
func merge(a, b map[string]any) map[string]any {
	for k, v := range b {
		a[k] = v
	}
	return a
}

// TestReconcileEvictedCursorIsUncertain: the second page's cursor names a
// payment Alma evicted meanwhile and is refused as the emulator does (400
// invalid_value on starting_after): the search is UNCERTAIN, not a final
// error.
func TestReconcileEvictedCursorIsUncertain(t *testing.T) {
	first := pagedList(25, nil)
	c, st := newStub(t, func(w http.ResponseWriter, r *http.Request) {
		if after := r.URL.Query().Get("starting_after"); after != "" {
			reply(400, `{"error_code":"validation_error","errors":[{"field":"starting_after","error_code":"invalid_value","message":"no payment `+after+`"}]}`)(w, r)
			return
		}
		first(w, r)
	})
	c.ReconcilePageSize = 10
	r := c.Reconcile(context.Background(), minimalSession(27092))
	assert.Equal(t, "TIMEOUT", r.Status.PSPStatus, describe(r))
	assert.True(t, r.Status.Uncertain())
	assert.Len(t, st.requests(), 2)
	assert.Contains(t, strings.Join(r.Reasons, "\n"), "page cursor")
}

// TestServerMessagesRedacted: a key Alma echoes in an error message, a
// field error or an error code is redacted in the result and in the log.
func TestServerMessagesRedacted(t *testing.T) {
	body, err := json.Marshal(map[string]any{
		"error_code": "bad " + testKey, "message": "Invalid API key " + testKey + " (also sk_live_OTHERother0123456789abcd)",
		"errors": []any{map[string]any{"field": testKey, "error_code": "invalid_value", "message": "key " + testKey}},
	})
	require.NoError(t, err)
	c, st := newStub(t, reply(400, string(body)))
	r := c.Initialize(context.Background(), minimalSession(27092), connector.FlowCapture)
	require.NotNil(t, r.AlmaError, describe(r))
	assert.NotContains(t, describe(r), testKey)
	assert.NotContains(t, describe(r), "OTHERother0123456789")
	assert.Contains(t, r.AlmaError.Message, "sk_test_…wxyz")
	assert.NotContains(t, st.log(), testKey)
	assert.NotContains(t, st.log(), "OTHERother0123456789")
	assert.Contains(t, st.log(), "sk_test_…wxyz", "the log still says which key")
}

// TestNoLoggerIsSilent: a Client from NewClient, and one whose Logger is
// nil, write nothing through Go's default loggers.
func TestNoLoggerIsSilent(t *testing.T) {
	var out strings.Builder
	var mu sync.Mutex
	w := &lockedWriter{mu: &mu, w: &out}
	prevSlog, prevLog := slog.Default(), log.Writer()
	log.SetOutput(w)
	t.Cleanup(func() { slog.SetDefault(prevSlog); log.SetOutput(prevLog) })

	srv := newStubServer(t, reply(503, `{}`))
	c := connector.NewClient(srv, testKey)
	c.VerifyRetry.Backoff = time.Millisecond
	_ = c.Initialize(context.Background(), minimalSession(27092), connector.FlowCapture)
	_ = c.Verify(context.Background(), payID, minimalSession(27092))
	slog.SetDefault(slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug})))
	_ = c.Reconcile(context.Background(), minimalSession(27092))
	mu.Lock()
	defer mu.Unlock()
	assert.Empty(t, out.String())
}

// newStubServer is a bare server on loopback answering with h.
func newStubServer(t *testing.T, h http.HandlerFunc) string {
	t.Helper()
	_, st := newStub(t, h)
	return st.srv.URL
}
