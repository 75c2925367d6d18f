package emulator_test

import (
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alma-sandbox/alma-sandbox/emulator"
	"github.com/alma-sandbox/alma-sandbox/scenarios"
)

// failingReceiver is an IPN receiver answering 500, counting its calls.
func failingReceiver(t *testing.T) (*httptest.Server, *atomic.Int32) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.WriteHeader(http.StatusInternalServerError)
	}))
	t.Cleanup(srv.Close)
	return srv, &calls
}

// duplicating is a catalogue whose scenario "dup10" sends every
// notification 11 times.
func duplicating(t *testing.T) func(*emulator.Server) {
	cat, err := scenarios.NewCatalog([]*scenarios.Scenario{{ID: "dup10", On: map[scenarios.Op][]scenarios.Step{
		scenarios.OpIPN: {{Duplicate: scenarios.MaxDuplicate, Times: -1}},
	}}})
	require.NoError(t, err)
	return func(s *emulator.Server) { s.Scenarios = cat }
}

// TestIPNAttemptsCappedPerPayment: copies and retries together make at most
// IPNMaxPerPayment GETs for one payment, however the receiver answers.
func TestIPNAttemptsCappedPerPayment(t *testing.T) {
	t.Parallel()
	fail, calls := failingReceiver(t)
	_, c := open(t, duplicating(t), frozen(time.Second)) // all fire in the advance
	id := c.create(20000, set("order.merchant_reference", "dup10:o"), paymentField("ipn_callback_url", fail.URL))["id"].(string)
	c.pay(id)
	advance(t, c, "8760h") // every retry of every copy falls due
	assert.EqualValues(t, emulator.DefaultIPNMaxPerPayment, calls.Load(), "11 copies × 8 attempts without the cap")
	capped := 0
	for _, d := range ipnOf(t, c, id) {
		if d["error"] == "dropped: the payment's attempts are used up" {
			capped++
		}
	}
	assert.Positive(t, capped, "the attempts past the cap are logged as dropped")
}

// TestIPNUnreachableHidesTheOSError: the delivery log says "unreachable",
// whether the port refuses or nothing answers, never the OS's text.
func TestIPNUnreachableHidesTheOSError(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	closed := "http://" + ln.Addr().String() + "/ipn"
	require.NoError(t, ln.Close())
	_, c := open(t, frozen(0), func(s *emulator.Server) { s.IPNMaxAttempts = 1 })
	id := c.create(20000, paymentField("ipn_callback_url", closed))["id"].(string)
	c.pay(id)
	advance(t, c, "1s")
	ipn := ipnOf(t, c, id)
	require.Len(t, ipn, 1)
	assert.Equal(t, "unreachable", ipn[0]["error"])
}

// TestIPNAllow: with IPNAllow, a destination it does not name gets
// nothing; one it names is notified.
func TestIPNAllow(t *testing.T) {
	t.Parallel()
	fail, calls := failingReceiver(t)
	_, port, err := net.SplitHostPort(fail.Listener.Addr().String())
	require.NoError(t, err)
	tests := []struct {
		name  string
		allow []string
		want  int32
	}{
		{"another host", []string{"shop.test"}, 0},
		{"another port", []string{"127.0.0.1:1"}, 0},
		{"a wildcard that does not match", []string{"*.example.com"}, 0},
		{"the host, any port", []string{"shop.test", "127.0.0.1"}, 1},
		{"the host and port", []string{"127.0.0.1:" + port}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, c := open(t, frozen(0), func(s *emulator.Server) { s.IPNAllow = tt.allow; s.IPNMaxAttempts = 1 })
			before := calls.Load()
			id := c.create(20000, paymentField("ipn_callback_url", fail.URL+"/ipn"))["id"].(string)
			c.pay(id)
			advance(t, c, "1s")
			assert.Equal(t, tt.want, calls.Load()-before)
			ipn := ipnOf(t, c, id)
			require.Len(t, ipn, 1)
			if tt.want == 0 {
				assert.Equal(t, "destination not allowed (--ipn-allow)", ipn[0]["error"])
			}
		})
	}
}

// TestIPNPerHostLimit: a receiver that never answers holds at most
// IPNPerHost attempts at once, however many payments point at it; the
// others are logged as dropped, /healthz keeps answering, and once the
// server closes the goroutines are back to where they were.
func TestIPNPerHostLimit(t *testing.T) {
	goroutines := runtimeGoroutines()
	release := make(chan struct{})
	var now, most atomic.Int32
	silent := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := now.Add(1)
		defer now.Add(-1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	s, c := open(t, func(s *emulator.Server) { s.IPNDelay = time.Nanosecond; s.IPNMaxAttempts = 1 })
	const payments = 20
	var ids []string
	for range payments {
		id := c.create(20000, paymentField("ipn_callback_url", silent.URL))["id"].(string)
		c.pay(id)
		ids = append(ids, id)
	}
	require.Eventually(t, func() bool {
		n := 0
		for _, id := range ids {
			n += len(ipnOf(t, c, id))
		}
		return n == payments-emulator.DefaultIPNPerHost
	}, 10*time.Second, 10*time.Millisecond, "every attempt past the limit is logged as dropped")
	require.Eventually(t, func() bool { return now.Load() == int32(emulator.DefaultIPNPerHost) }, 10*time.Second, 10*time.Millisecond,
		"the admitted attempts all reach the receiver (they may still be on their way when the others are logged)")
	assert.Equal(t, http.StatusOK, c.do(http.MethodGet, "/healthz", nil).Status)
	close(release)
	require.NoError(t, s.Close())
	silent.Close()
	http.DefaultClient.CloseIdleConnections()
	c.http.CloseIdleConnections()
	assert.LessOrEqual(t, most.Load(), int32(emulator.DefaultIPNPerHost))
	assert.Eventually(t, func() bool { return runtimeGoroutines() <= goroutines+2 }, 5*time.Second, 10*time.Millisecond,
		"goroutines back to %d", goroutines)
}

var goroutineMu sync.Mutex

// runtimeGoroutines is the process's goroutine count.
func runtimeGoroutines() int {
	goroutineMu.Lock()
	defer goroutineMu.Unlock()
	return runtime.NumGoroutine()
}
