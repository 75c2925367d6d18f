package emulator_test

import (
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/alma-sandbox/alma-sandbox/emulator"
)

// request reads a golden request body from testdata/requests.
func request(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "requests", name))
	require.NoError(t, err)
	return b
}

// TestGoldenPayment pins the payment shape through its life: created
// (full and minimal requests), accepted, captured, refunded, listed.
func TestGoldenPayment(t *testing.T) {
	// The IPN is never due during the test: no delivery, no network.
	_, c := open(t, fixed, func(s *emulator.Server) { s.IPNDelay = time.Hour })
	created := c.do(http.MethodPost, "/v1/payments", request(t, "create_full.json"))
	require.Equal(t, http.StatusOK, created.Status, "%s", created.Body)
	golden(t, "payment_created.json", created.Body)
	id := created.JSON(t)["id"].(string)

	minimal := c.do(http.MethodPost, "/v1/payments", request(t, "create_minimal.json"))
	require.Equal(t, http.StatusOK, minimal.Status, "%s", minimal.Body)
	golden(t, "payment_minimal.json", minimal.Body)

	outcome := c.pay(id)
	require.Equal(t, "scored_yes", outcome["state"])
	captured := c.do(http.MethodPost, "/v1/payments/"+id+"/capture", request(t, "capture_partial.json"))
	require.Equal(t, http.StatusOK, captured.Status, "%s", captured.Body)
	refunded := c.do(http.MethodPost, "/v1/payments/"+id+"/refund", request(t, "refund_partial.json"))
	require.Equal(t, http.StatusOK, refunded.Status, "%s", refunded.Body)
	golden(t, "payment_captured_refunded.json", refunded.Body)

	list := c.do(http.MethodGet, "/v1/payments?limit=1", nil)
	require.Equal(t, http.StatusOK, list.Status, "%s", list.Body)
	golden(t, "payment_list.json", list.Body)

	admin := c.do(http.MethodGet, "/__admin/payments/"+id, nil)
	require.Equal(t, http.StatusOK, admin.Status, "%s", admin.Body)
	golden(t, "admin_payment.json", admin.Body)
}

// TestGoldenEligibility pins eligibility v1 (single, array), v2, the
// merchant and its fee plans.
func TestGoldenEligibility(t *testing.T) {
	_, c := open(t, fixed)
	tests := []struct {
		golden, method, path string
		body                 []byte
	}{
		{"eligibility_v1.json", http.MethodPost, "/v1/payments/eligibility", request(t, "eligibility_v1.json")},
		{"eligibility_v1_array.json", http.MethodPost, "/v1/payments/eligibility", request(t, "eligibility_v1_array.json")},
		{"eligibility_v2.json", http.MethodPost, "/v2/payments/eligibility", request(t, "eligibility_v2.json")},
		{"me.json", http.MethodGet, "/v1/me", nil},
		{"fee_plans.json", http.MethodGet, "/v1/me/fee-plans?kind=general&only=all&deferred=true", nil},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			var body any
			if tt.body != nil {
				body = tt.body
			}
			res := c.do(tt.method, tt.path, body)
			require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
			golden(t, tt.golden, res.Body)
		})
	}
}

// TestGoldenErrors pins each error shape of the error table.
func TestGoldenErrors(t *testing.T) {
	_, c := open(t, fixed)
	paid := accepted(c, 20000)
	manualID := accepted(c, 20000, manual)
	require.Equal(t, http.StatusOK, c.do(http.MethodPost, "/v1/payments/"+manualID+"/capture", nil).Status)
	tests := []struct {
		golden, method, path string
		body                 any
		headers              []string
		status               int
	}{
		{"error_validation.json", http.MethodPost, "/v1/payments", `{"payment":{"purchase_amount":100}}`, nil, 400},
		{"error_malformed.json", http.MethodPost, "/v1/payments", `{"payment":`, nil, 400},
		{"error_unauthorized.json", http.MethodGet, "/v1/me", nil, []string{"Authorization", ""}, 401},
		{"error_live_key.json", http.MethodGet, "/v1/me", nil, []string{"Authorization", "Alma-Auth sk_live_x"}, 401},
		{"error_not_found.json", http.MethodGet, "/v1/payments/payment_11missing", nil, nil, 404},
		{"error_forbidden.json", http.MethodPut, "/v1/payments/" + paid + "/cancel", nil, nil, 403},
		{"error_invalid_amount.json", http.MethodPost, "/v1/payments/" + paid + "/refund", `{"amount":999999}`, nil, 400},
		{"error_already_captured.json", http.MethodPost, "/v1/payments/" + manualID + "/capture", nil, nil, 400},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			res := c.do(tt.method, tt.path, tt.body, tt.headers...)
			require.Equal(t, tt.status, res.Status, "%s", res.Body)
			require.Equal(t, "application/json", res.Header.Get("Content-Type"))
			golden(t, tt.golden, res.Body)
		})
	}
}
