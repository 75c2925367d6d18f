package replay

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alma-sandbox/alma-sandbox/scenarios"
)

const testKey = "sk_test_notifier"

// almaSignature computes Alma's IPN signature independently of Sign.
func almaSignature(key, pid string) string {
	m := hmac.New(sha256.New, []byte(key))
	m.Write([]byte(pid))
	return hex.EncodeToString(m.Sum(nil))
}

// receiver is a merchant's IPN endpoint that answers the scripted statuses
// in turn (then 200) and records each notification.
type receiver struct {
	mu       sync.Mutex
	statuses []int
	got      []http.Request
	srv      *httptest.Server
}

// newReceiver starts a receiver on 127.0.0.1.
func newReceiver(t *testing.T, statuses ...int) *receiver {
	t.Helper()
	rc := &receiver{statuses: statuses}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc.mu.Lock()
		rc.got = append(rc.got, *r.Clone(r.Context()))
		status := http.StatusOK
		if len(rc.statuses) > 0 {
			status, rc.statuses = rc.statuses[0], rc.statuses[1:]
		}
		rc.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(`{"success":true}`))
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

// requests returns the notifications received so far.
func (rc *receiver) requests() []http.Request {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]http.Request(nil), rc.got...)
}

// notifier returns a fast notifier closed at cleanup.
func notifier(t *testing.T, opt NotifierOptions) *Notifier {
	t.Helper()
	if opt.RetryBase == 0 {
		opt.RetryBase = time.Millisecond
	}
	n := NewNotifier(opt)
	t.Cleanup(n.Close)
	return n
}

// awaitDeliveries waits until pid has want logged attempts.
func awaitDeliveries(t *testing.T, n *Notifier, pid string, want int) []Delivery {
	t.Helper()
	require.Eventually(t, func() bool { return len(n.Deliveries(pid)) >= want }, 10*time.Second, time.Millisecond)
	return n.Deliveries(pid)
}

func TestNotifySigned(t *testing.T) {
	t.Parallel()
	rc := newReceiver(t)
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	n := notifier(t, NotifierOptions{Now: func() time.Time { return at }})
	n.Notify("payment_11abc", rc.srv.URL+"/ipn?shop=7", testKey, nil)
	got := awaitDeliveries(t, n, "payment_11abc", 1)
	n.Close()

	reqs := rc.requests()
	require.Len(t, reqs, 1)
	r := reqs[0]
	assert.Equal(t, http.MethodGet, r.Method)
	assert.Equal(t, "/ipn", r.URL.Path)
	assert.Equal(t, "7", r.URL.Query().Get("shop"))
	assert.Equal(t, "payment_11abc", r.URL.Query().Get("pid"))
	assert.Equal(t, almaSignature(testKey, "payment_11abc"), r.Header.Get("X-Alma-Signature"))
	assert.Equal(t, []Delivery{{PaymentID: "payment_11abc", Attempt: 1, At: at,
		URL: rc.srv.URL + "/ipn?shop=7&pid=payment_11abc", Status: 200, SignatureOK: true}}, got)
}

func TestNotifyRetriesUntil2xx(t *testing.T) {
	t.Parallel()
	rc := newReceiver(t, 500, 500)
	n := notifier(t, NotifierOptions{})
	n.Notify("payment_1", rc.srv.URL, testKey, nil)
	got := awaitDeliveries(t, n, "payment_1", 3)
	n.Close()

	assert.Len(t, rc.requests(), 3, "a receiver answering 500 twice gets it a third time")
	require.Len(t, got, 3)
	for i, want := range []int{500, 500, 200} {
		assert.Equal(t, i+1, got[i].Attempt)
		assert.Equal(t, want, got[i].Status)
	}
}

func TestNotifyGivesUpAfterMaxAttempts(t *testing.T) {
	t.Parallel()
	rc := newReceiver(t, 503, 503, 503, 503, 503)
	n := notifier(t, NotifierOptions{MaxAttempts: 3})
	n.Notify("payment_1", rc.srv.URL, testKey, nil)
	awaitDeliveries(t, n, "payment_1", 3)
	n.Close() // waits for the delivery goroutine: no fourth attempt can follow
	assert.Len(t, rc.requests(), 3)
	assert.Len(t, n.Deliveries("payment_1"), 3)
}

func TestNotifyTransportErrorRetried(t *testing.T) {
	t.Parallel()
	rc := newReceiver(t)
	url := rc.srv.URL
	rc.srv.Close() // nothing listens there any more
	n := notifier(t, NotifierOptions{MaxAttempts: 2})
	n.Notify("payment_1", url, testKey, nil)
	got := awaitDeliveries(t, n, "payment_1", 2)
	for i, d := range got {
		assert.Equal(t, i+1, d.Attempt)
		assert.Zero(t, d.Status)
		assert.Contains(t, d.Error, "ipn get")
	}
}

func TestNotifyScenarioSteps(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		step     scenarios.Step
		requests int
		sigOK    bool
	}{
		{name: "duplicate", step: scenarios.Step{Duplicate: 2}, requests: 3, sigOK: true},
		{name: "duplicate past the cap", step: scenarios.Step{Duplicate: 1_000_000}, requests: 1 + scenarios.MaxDuplicate, sigOK: true},
		{name: "bad signature", step: scenarios.Step{BadSignature: true}, requests: 1, sigOK: false},
		{name: "late", step: scenarios.Step{Delay: &scenarios.Delay{Fixed: scenarios.Duration(time.Millisecond)}}, requests: 1, sigOK: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rc := newReceiver(t)
			n := notifier(t, NotifierOptions{})
			n.Notify("payment_2", rc.srv.URL, testKey, &tt.step)
			got := awaitDeliveries(t, n, "payment_2", tt.requests)
			n.Close()
			reqs := rc.requests()
			require.Len(t, reqs, tt.requests)
			for i, r := range reqs {
				sig := r.Header.Get("X-Alma-Signature")
				assert.Equal(t, tt.sigOK, sig == almaSignature(testKey, "payment_2"), "signature %s", sig)
				assert.Equal(t, tt.sigOK, got[i].SignatureOK)
			}
		})
	}
}

func TestNotifySkip(t *testing.T) {
	t.Parallel()
	rc := newReceiver(t)
	n := notifier(t, NotifierOptions{})
	n.Notify("payment_3", rc.srv.URL, testKey, &scenarios.Step{Skip: true})
	n.Close() // waits for any delivery goroutine
	assert.Empty(t, rc.requests())
	got := n.Deliveries("payment_3")
	require.Len(t, got, 1)
	assert.Zero(t, got[0].Attempt)
	assert.Equal(t, errSkipped, got[0].Error)
}

func TestNotifyNothingToSend(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, url string
		logged    bool
	}{
		{name: "no callback url", url: ""},
		{name: "bad url", url: "http://[::1", logged: true},
		{name: "not http", url: "ftp://127.0.0.1/ipn", logged: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			n := notifier(t, NotifierOptions{})
			n.Notify("payment_4", tt.url, testKey, nil)
			n.Close()
			got := n.Deliveries("payment_4")
			if !tt.logged {
				assert.Empty(t, got)
				return
			}
			require.Len(t, got, 1)
			assert.Contains(t, got[0].Error, "ipn callback url")
		})
	}
}

func TestNotifierCloseStopsPending(t *testing.T) {
	t.Parallel()
	rc := newReceiver(t)
	n := NewNotifier(NotifierOptions{Delay: time.Hour})
	n.Notify("payment_5", rc.srv.URL, testKey, nil)
	n.Close() // returns although the delivery waits an hour
	n.Close()
	n.Notify("payment_5", rc.srv.URL, testKey, nil) // after Close: dropped
	assert.Empty(t, rc.requests())
	assert.Empty(t, n.Deliveries("payment_5"))
}

func TestNotifierCloseStopsRetries(t *testing.T) {
	t.Parallel()
	rc := newReceiver(t, 500, 500, 500)
	n := NewNotifier(NotifierOptions{RetryBase: time.Hour})
	n.Notify("payment_6", rc.srv.URL, testKey, nil)
	awaitDeliveries(t, n, "payment_6", 1)
	n.Close() // returns although the retry waits an hour
	assert.Len(t, rc.requests(), 1)
}

func TestDeliveryLogBounded(t *testing.T) {
	t.Parallel()
	n := notifier(t, NotifierOptions{MaxLog: 3})
	for _, pid := range []string{"p1", "p2", "p3", "p4", "p5"} {
		n.Notify(pid, "http://127.0.0.1/ipn", testKey, &scenarios.Step{Skip: true})
	}
	ids := func(ds []Delivery) []string {
		out := make([]string, len(ds))
		for i, d := range ds {
			out[i] = d.PaymentID
		}
		return out
	}
	assert.Equal(t, []string{"p5", "p4", "p3"}, ids(n.Recent(0)))
	assert.Equal(t, []string{"p5", "p4"}, ids(n.Recent(2)))
	assert.Empty(t, n.Deliveries("p1"), "evicted")
	assert.Len(t, n.Deliveries("p4"), 1)
}

func TestIPNURL(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"http://shop.test/ipn", "http://shop.test/ipn?pid=payment_1"},
		{"http://shop.test/ipn?a=1&b=2", "http://shop.test/ipn?a=1&b=2&pid=payment_1"},
		{"https://shop.test/ipn?x=%2F#frag", "https://shop.test/ipn?x=%2F&pid=payment_1#frag"},
	}
	for _, tt := range tests {
		got, err := ipnURL(tt.in, "payment_1")
		require.NoError(t, err, tt.in)
		assert.Equal(t, tt.want, got)
	}
	got, err := ipnURL("http://shop.test/ipn", "a&b=c")
	require.NoError(t, err)
	assert.Equal(t, "http://shop.test/ipn?pid=a%26b%3Dc", got)
}

func TestSign(t *testing.T) {
	t.Parallel()
	// A fixed vector: HMAC-SHA256(key="key", msg="The quick brown fox jumps over the lazy dog").
	assert.Equal(t, "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8",
		Sign("key", "The quick brown fox jumps over the lazy dog"))
	assert.Equal(t, almaSignature(testKey, "payment_1"), Sign(testKey, "payment_1"))
}
