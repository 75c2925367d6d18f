package emulatortest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// IPNReceiver is a merchant's IPN endpoint on 127.0.0.1: it checks Alma's
// signature (X-Alma-Signature: hex HMAC-SHA256 of the pid, keyed with the
// API key), answers 200 {"success":true} to a signed notification and 401
// to a forged one, and records the pid of each signed one.
type IPNReceiver struct {
	// URL is the endpoint to put in ipn_callback_url.
	URL string

	key  string
	mu   sync.Mutex
	pids []string
	bad  int
	seen chan string
}

// NewIPNReceiver starts a receiver checking signatures with apiKey, closed
// when the test ends.
func NewIPNReceiver(tb testing.TB, apiKey string) *IPNReceiver {
	tb.Helper()
	rc := &IPNReceiver{key: apiKey, seen: make(chan string, 1024)}
	srv := httptest.NewServer(http.HandlerFunc(rc.serve))
	tb.Cleanup(srv.Close)
	rc.URL = srv.URL
	return rc
}

// serve answers one notification.
func (rc *IPNReceiver) serve(w http.ResponseWriter, r *http.Request) {
	pid := r.URL.Query().Get("pid")
	mac := hmac.New(sha256.New, []byte(rc.key))
	mac.Write([]byte(pid))
	if !hmac.Equal([]byte(r.Header.Get("X-Alma-Signature")), []byte(hex.EncodeToString(mac.Sum(nil)))) {
		rc.mu.Lock()
		rc.bad++
		rc.mu.Unlock()
		http.Error(w, `{"success":false}`, http.StatusUnauthorized)
		return
	}
	rc.mu.Lock()
	rc.pids = append(rc.pids, pid)
	rc.mu.Unlock()
	select {
	case rc.seen <- pid:
	default:
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(`{"success":true}`))
}

// PIDs lists the pid of each signed notification so far, in arrival order.
func (rc *IPNReceiver) PIDs() []string {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]string(nil), rc.pids...)
}

// Forged is how many notifications failed the signature check.
func (rc *IPNReceiver) Forged() int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.bad
}

// Wait returns the pid of the next signed notification, failing the test
// after timeout.
func (rc *IPNReceiver) Wait(tb testing.TB, timeout time.Duration) string {
	tb.Helper()
	select {
	case pid := <-rc.seen:
		return pid
	case <-time.After(timeout):
		tb.Fatalf("emulatortest: no signed IPN within %v", timeout)
		return ""
	}
}
