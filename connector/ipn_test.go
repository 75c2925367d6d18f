package connector_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alma-sandbox/alma-sandbox/connector"
)

// sign is Alma's X-Alma-Signature, computed independently of the connector.
func sign(key, pid string) string {
	m := hmac.New(sha256.New, []byte(key))
	m.Write([]byte(pid))
	return hex.EncodeToString(m.Sum(nil))
}

// ipnServer serves the connector's IPN handler on 127.0.0.1:0 and records
// the results it hands over.
type ipnServer struct {
	url     string
	mu      sync.Mutex
	results []connector.Result
}

func newIPNServer(t *testing.T, c *connector.Client, known map[string]connector.Session) *ipnServer {
	t.Helper()
	s := &ipnServer{}
	lookup := func(pid string) (connector.Session, bool) { sess, ok := known[pid]; return sess, ok }
	srv := httptest.NewServer(c.IPNHandler(lookup, func(r connector.Result) {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.results = append(s.results, r)
	}))
	t.Cleanup(srv.Close)
	s.url = srv.URL
	return s
}

func (s *ipnServer) got() []connector.Result {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]connector.Result(nil), s.results...)
}

func TestIPNHandler(t *testing.T) {
	tests := []struct {
		name      string
		method    string
		pid       string
		signature string
		status    int
		body      string
		verified  bool
	}{
		{"good signature", "GET", payID, sign(testKey, payID), 200, `{"success":true}`, true},
		{"uppercase hex", "GET", payID, strings.ToUpper(sign(testKey, payID)), 200, `{"success":true}`, true},
		{"forged with another key", "GET", payID, sign("sk_test_other", payID), 401, `{"success":false}`, false},
		{"signature of another payment", "GET", payID, sign(testKey, "payment_11other"), 401, `{"success":false}`, false},
		{"missing signature", "GET", payID, "", 401, `{"success":false}`, false},
		{"garbage signature", "GET", payID, "zz", 401, `{"success":false}`, false},
		// Only the whole signature is valid: a prefix or a longer string is forged.
		{"truncated signature", "GET", payID, sign(testKey, payID)[:16], 401, `{"success":false}`, false},
		{"one character short", "GET", payID, sign(testKey, payID)[:63], 401, `{"success":false}`, false},
		{"signature with a suffix", "GET", payID, sign(testKey, payID) + "00", 401, `{"success":false}`, false},
		{"no pid", "GET", "", sign(testKey, ""), 400, `{"success":false}`, false},
		{"unknown payment", "GET", "payment_11unknown", sign(testKey, "payment_11unknown"), 404, `{"success":false}`, false},
		{"wrong method", "DELETE", payID, sign(testKey, payID), 405, `{"success":false}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, alma := newStub(t, reply(200, paymentJSON("scored_yes", 27092, nil)))
			ipn := newIPNServer(t, c, map[string]connector.Session{payID: minimalSession(27092)})
			req, err := http.NewRequestWithContext(context.Background(), tt.method, ipn.url+"/alma/ipn?pid="+tt.pid, nil)
			require.NoError(t, err)
			if tt.signature != "" {
				req.Header.Set("X-Alma-Signature", tt.signature)
			}
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			assert.Equal(t, tt.status, resp.StatusCode)
			assert.JSONEq(t, tt.body, string(body))
			assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
			if !tt.verified {
				assert.Empty(t, alma.requests(), "no Verify without a valid notification")
				assert.Empty(t, ipn.got())
				return
			}
			results := ipn.got()
			require.Len(t, results, 1)
			assert.Equal(t, "scored_yes", results[0].Status.PSPStatus, describe(results[0]))
			assert.Equal(t, payID, results[0].PaymentID)
			reqs := alma.requests()
			require.Len(t, reqs, 1)
			assert.Equal(t, "/v1/payments/"+payID, reqs[0].Path)
		})
	}
}

func TestIPNHandlerVerifyFailureStillAnswers(t *testing.T) {
	c, _ := newStub(t, reply(500, `{}`))
	ipn := newIPNServer(t, c, map[string]connector.Session{payID: minimalSession(27092)})
	req, err := http.NewRequest("GET", ipn.url+"/?pid="+payID, nil)
	require.NoError(t, err)
	req.Header.Set("X-Alma-Signature", sign(testKey, payID))
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 200, resp.StatusCode)
	results := ipn.got()
	require.Len(t, results, 1)
	assert.Equal(t, "VERIFY_PARTNER_ERROR", results[0].Status.PSPStatus, "an uncertain Verify stays uncertain")
}

func TestSignMatchesAlma(t *testing.T) {
	c := connector.NewClient("http://127.0.0.1:1", testKey)
	assert.Equal(t, sign(testKey, payID), c.Sign(payID))
}
