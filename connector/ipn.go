package connector

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"net/http"
	"strings"
)

// SessionLookup finds the session a payment was created for; ok is false
// for a payment the merchant does not know.
type SessionLookup func(paymentID string) (s Session, ok bool)

// IPNHandler answers Alma's notifications (GET <ipn_callback_url>?pid=<id>).
// It checks X-Alma-Signature, the lowercase hex HMAC-SHA256 of the pid keyed
// with the API key, in constant time: missing or wrong → 401
// {"success":false}. A signed notification for a known payment runs Verify
// against its session, hands the result to onResult and answers 200
// {"success":true}; an unknown payment → 404 {"success":false}.
func (c *Client) IPNHandler(lookup SessionLookup, onResult func(Result)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		pid := r.URL.Query().Get("pid")
		switch {
		case r.Method != http.MethodGet && r.Method != http.MethodPost:
			w.Header().Set("Allow", "GET, POST")
			writeIPN(w, http.StatusMethodNotAllowed, false)
		case pid == "":
			writeIPN(w, http.StatusBadRequest, false)
		case !c.validSignature(pid, r.Header.Get("X-Alma-Signature")):
			c.logger().LogAttrs(r.Context(), slog.LevelWarn, "ipn refused: bad signature", slog.String("payment", pid))
			writeIPN(w, http.StatusUnauthorized, false)
		default:
			c.serveIPN(r.Context(), w, pid, lookup, onResult)
		}
	})
}

// serveIPN verifies a signed notification's payment.
func (c *Client) serveIPN(ctx context.Context, w http.ResponseWriter, pid string, lookup SessionLookup, onResult func(Result)) {
	s, ok := lookup(pid)
	if !ok {
		c.logger().LogAttrs(ctx, slog.LevelWarn, "ipn for an unknown payment", slog.String("payment", pid))
		writeIPN(w, http.StatusNotFound, false)
		return
	}
	res := c.Verify(ctx, pid, s)
	if onResult != nil {
		onResult(res)
	}
	writeIPN(w, http.StatusOK, true)
}

// Sign returns the X-Alma-Signature of a payment id under the client's key.
func (c *Client) Sign(paymentID string) string {
	m := hmac.New(sha256.New, []byte(c.APIKey))
	m.Write([]byte(paymentID))
	return hex.EncodeToString(m.Sum(nil))
}

// validSignature compares a received signature with the expected one in
// constant time.
func (c *Client) validSignature(pid, got string) bool {
	if got == "" || c.APIKey == "" {
		return false
	}
	return hmac.Equal([]byte(c.Sign(pid)), []byte(strings.ToLower(strings.TrimSpace(got))))
}

// writeIPN answers Alma with {"success":ok}.
func writeIPN(w http.ResponseWriter, status int, ok bool) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if ok {
		_, _ = w.Write([]byte(`{"success":true}` + "\n"))
		return
	}
	_, _ = w.Write([]byte(`{"success":false}` + "\n"))
}
