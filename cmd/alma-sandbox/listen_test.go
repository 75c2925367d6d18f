package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alma-sandbox/alma-sandbox/connector"
	"github.com/alma-sandbox/alma-sandbox/emulator"
	"github.com/alma-sandbox/alma-sandbox/emulator/emulatortest"
)

// startListen runs `alma-sandbox listen` until the returned stop is called,
// and waits until the emulator counts it.
func startListen(t *testing.T, s *emulator.Server, forward string, out *syncBuffer) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"listen", "--url", s.URL(), "--forward-to", forward}, out, &syncBuffer{})
	}()
	deadline := time.Now().Add(10 * time.Second)
	for s.Listeners() == 0 {
		require.True(t, time.Now().Before(deadline), "listen did not connect")
		time.Sleep(10 * time.Millisecond)
	}
	return func() {
		cancel()
		require.Equal(t, 0, <-done)
		for s.Listeners() != 0 {
			time.Sleep(10 * time.Millisecond)
		}
	}
}

// TestListenRelaysIPNs: with `listen` connected, 50 notifications whose
// callback URL is not reachable from the emulator reach the local endpoint
// through the relay, signed (the connector's own IPN handler verifies them);
// a local 500 makes the emulator retry; a listener killed while a retry is
// pending loses nothing once a new one connects.
func TestListenRelaysIPNs(t *testing.T) {
	const key = "sk_test_listen"
	s := emulatortest.MustOpen(t, func(s *emulator.Server) {
		s.FrozenClock, s.IPNDelay, s.IPNRetryBase = true, time.Second, time.Minute
	})
	conn := connector.NewClient(s.URL(), key)
	var sessions sync.Map
	var verified atomic.Int32
	var failNext atomic.Int32
	handler := conn.IPNHandler(func(pid string) (connector.Session, bool) {
		v, ok := sessions.Load(pid)
		if !ok {
			return connector.Session{}, false
		}
		return v.(connector.Session), true
	}, func(r connector.Result) {
		if r.Status.State == connector.StateSuccess {
			verified.Add(1)
		}
	})
	local := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if failNext.Load() > 0 {
			failNext.Add(-1)
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		handler.ServeHTTP(w, r)
	}))
	t.Cleanup(local.Close)
	var out syncBuffer
	stop := startListen(t, s, local.URL+"/alma/ipn", &out)

	conn.IPNCallbackURL = "https://merchant.invalid/alma/ipn" // no public URL: only the relay reaches the laptop
	admin := emulatortest.NewAdmin(s.URL())
	ctx := context.Background()
	pay := func(ref string) string {
		session := connector.Session{Amount: 30000, Order: connector.Order{Reference: ref, CurrencyCode: "EUR", Redirection: "https://shop.example.com/return"}}
		r := conn.Initialize(ctx, session, connector.FlowCapture)
		require.NotEmpty(t, r.PaymentID, "%+v", r)
		sessions.Store(r.PaymentID, session)
		o, err := admin.Pay(ctx, r.PaymentID, emulatortest.YesCard)
		require.NoError(t, err)
		require.Equal(t, "accepted", o.Outcome)
		return r.PaymentID
	}
	for i := range 50 {
		pay("listen-" + strings.Repeat("x", i%3) + string(rune('a'+i%26)) + "-" + time.Now().Format("150405.000000"))
	}
	require.NoError(t, admin.Advance(ctx, time.Second))
	assert.Equal(t, int32(50), verified.Load(), "50 IPNs relayed and verified by the connector's handler")
	assert.Equal(t, 50, strings.Count(out.String(), "  200  "), "one line per delivery:\n%s", out.String())

	// A local 500: the emulator retries a minute later, through the relay.
	failNext.Store(1)
	id := pay("listen-retry")
	require.NoError(t, admin.Advance(ctx, time.Second))
	list, err := admin.Deliveries(ctx, id)
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.Equal(t, http.StatusInternalServerError, list[0].Status)

	// Kill the listener while the retry is pending, start another: nothing lost.
	stop()
	stop = startListen(t, s, local.URL+"/alma/ipn", &out)
	defer stop()
	require.NoError(t, admin.Advance(ctx, time.Minute))
	list, err = admin.Deliveries(ctx, id)
	require.NoError(t, err)
	require.Len(t, list, 2)
	assert.Equal(t, http.StatusOK, list[1].Status, "the retry reached the new listener")
	assert.Equal(t, int32(51), verified.Load())
}

func TestListenRefusesBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"listen"},
		{"listen", "--forward-to", "localhost:8000/ipn"},
		{"listen", "--forward-to", "http://localhost:8000/ipn", "--url", "127.0.0.1:4242"},
		{"listen", "--forward-to", "http://localhost:8000/ipn", "--key", "sk_live_x"},
	} {
		var errOut syncBuffer
		assert.Equal(t, 2, run(context.Background(), args, &syncBuffer{}, &errOut), "%v", args)
		assert.Contains(t, errOut.String(), "alma-sandbox listen", "%v", args)
	}
}

func TestForwardURLKeepsTheQuery(t *testing.T) {
	got, err := forwardURL("http://localhost:8000/alma/ipn?shop=1", "https://merchant.example/ipn?pid=payment_11x&order=7")
	require.NoError(t, err)
	assert.Equal(t, "http://localhost:8000/alma/ipn?order=7&pid=payment_11x&shop=1", got)
}

// TestIPNResend: `ipn resend` sends the notification now and prints the
// payment's attempts.
func TestIPNResend(t *testing.T) {
	const key = "sk_test_resend"
	s := emulatortest.MustOpen(t, func(s *emulator.Server) { s.FrozenClock, s.IPNDelay = true, time.Hour })
	rc := emulatortest.NewIPNReceiver(t, key)
	conn := connector.NewClient(s.URL(), key)
	conn.IPNCallbackURL = rc.URL + "/ipn"
	ctx := context.Background()
	r := conn.Initialize(ctx, connector.Session{Amount: 30000, Order: connector.Order{Reference: "resend-1", CurrencyCode: "EUR", Redirection: "https://shop.example.com/return"}}, connector.FlowCapture)
	require.NotEmpty(t, r.PaymentID)
	_, err := emulatortest.NewAdmin(s.URL()).Pay(ctx, r.PaymentID, emulatortest.YesCard)
	require.NoError(t, err)
	var out, errOut syncBuffer
	require.Equal(t, 0, run(ctx, []string{"ipn", "resend", r.PaymentID, "--url", s.URL()}, &out, &errOut), errOut.String())
	assert.Contains(t, out.String(), `attempt 1  200`)
	assert.Contains(t, out.String(), `{"success":true}`)
	assert.Equal(t, []string{r.PaymentID}, rc.PIDs())
	require.Equal(t, 0, run(ctx, []string{"ipn", "resend", r.PaymentID, "--url", s.URL(), "--bad-signature"}, &out, &errOut))
	assert.Contains(t, out.String(), "  401  ")
	assert.Equal(t, 2, run(ctx, []string{"ipn", "resend", "nope", "--url", s.URL()}, &out, &errOut))
	assert.Equal(t, 1, run(ctx, []string{"ipn", "resend", "payment_11nope", "--url", s.URL()}, &out, &errOut))
}
