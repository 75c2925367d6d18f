package replay

import (
	"net/http"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/alma-sandbox/alma-sandbox/scenarios"
)

// TestNotifierCloseLeavesNoGoroutine runs alone (not parallel): after Close,
// the goroutine count returns to what it was before the notifier existed,
// although deliveries were waiting to start, waiting to retry and in flight.
func TestNotifierCloseLeavesNoGoroutine(t *testing.T) {
	before := runtime.NumGoroutine()
	func() {
		rc := newReceiver(t, 500, 500, 500, 500)
		defer rc.srv.Close()
		tr := &http.Transport{DisableKeepAlives: true}
		defer tr.CloseIdleConnections()
		n := NewNotifier(NotifierOptions{Client: &http.Client{Transport: tr}, RetryBase: time.Hour})
		n.Notify("waiting_retry", rc.srv.URL, testKey, &scenarios.Step{Duplicate: 3})
		n.Notify("waiting_start", rc.srv.URL, testKey, &scenarios.Step{Delay: &scenarios.Delay{Fixed: scenarios.Duration(time.Hour)}})
		awaitDeliveries(t, n, "waiting_retry", 4)
		n.Close()
	}()
	// Poll here rather than with assert.Eventually, whose own goroutines count.
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if after := runtime.NumGoroutine(); !assert.LessOrEqual(t, after, before, "goroutines left running") {
		buf := make([]byte, 1<<20)
		t.Logf("goroutines:\n%s", buf[:runtime.Stack(buf, true)])
	}
}
