package emulator_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alma-sandbox/alma-sandbox/emulator"
)

// withToken protects the admin API with a token, as serve --admin-token.
func withToken(s *emulator.Server) { s.AdminToken = "s3cret-token" }

// noAuth sends a request without Authorization, as a customer's browser.
var noAuth = []string{"Authorization", ""}

// shortOf is a payment id without its payment_ prefix (the page's path).
func shortOf(id string) string { return strings.TrimPrefix(id, "payment_") }

// TestPayPageReadWithAdminToken: the payment page reads its payment at
// /pay/{short}/payment without the admin token or a key, sees what it
// shows (amount, plan, state, locale, return URLs, merchant name) and
// nothing secret, while the admin API stays closed.
func TestPayPageReadWithAdminToken(t *testing.T) {
	t.Parallel()
	_, c := open(t, withToken)
	p := c.create(30000, paymentField("ipn_callback_url", "https://shop.example.com/ipn"),
		paymentField("failure_return_url", "https://shop.example.com/failure"))
	id := p["id"].(string)

	admin := c.do(http.MethodGet, "/__admin/payments/"+id, nil, noAuth...)
	require.Equal(t, http.StatusUnauthorized, admin.Status, "the admin API needs the token: %s", admin.Body)

	res := c.do(http.MethodGet, "/pay/"+shortOf(id)+"/payment", nil, noAuth...)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	got := res.JSON(t)
	assert.Equal(t, id, got["id"])
	assert.Equal(t, "not_started", got["state"])
	assert.EqualValues(t, 30000, got["purchase_amount"])
	assert.EqualValues(t, 3, got["installments_count"])
	assert.Equal(t, "fr", got["locale"])
	assert.Equal(t, p["merchant_name"], got["merchant_name"])
	assert.Equal(t, p["return_url"], got["return_url"])
	assert.Equal(t, p["failure_return_url"], got["failure_return_url"])
	plan := got["payment_plan"].([]any)
	require.Len(t, plan, 3)
	assert.EqualValues(t, 10000, plan[0].(map[string]any)["total_amount"])
	for _, secret := range []string{"ipn_callback_url", "custom_data", "customer", "merchant_id", "billing_address", "orders"} {
		assert.NotContains(t, got, secret)
	}
	for _, leak := range []string{testKey, "shop.example.com/ipn", "order-42", "jeanne"} {
		assert.NotContains(t, string(res.Body), leak)
	}

	paid := c.do(http.MethodPost, "/pay/"+shortOf(id), map[string]any{
		"action": "pay", "card": map[string]any{"number": "4242 4242 4242 4242", "expiry": "04/42", "cvc": "424"},
	}, noAuth...)
	require.Equal(t, http.StatusOK, paid.Status, "%s", paid.Body)
	again := c.do(http.MethodGet, "/pay/"+shortOf(id)+"/payment", nil, noAuth...).JSON(t)
	assert.Equal(t, "in_progress", again["state"], "the page reads the payment as it is now")
}

// TestPayPageReadRefuses: an unknown payment is 404 in Alma's shape; the
// guard of /pay/ refuses a foreign Host; a write is not a read.
func TestPayPageReadRefuses(t *testing.T) {
	t.Parallel()
	_, c := open(t, withToken)
	id := c.create(30000)["id"].(string)
	tests := []struct {
		name, method, path string
		headers            []string
		status             int
	}{
		{"unknown payment", http.MethodGet, "/pay/11unknown/payment", noAuth, http.StatusNotFound},
		{"foreign host", http.MethodGet, "/pay/" + shortOf(id) + "/payment", append([]string{"Host", "evil.example"}, noAuth...), http.StatusMisdirectedRequest},
		{"not a write", http.MethodPost, "/pay/" + shortOf(id) + "/payment", noAuth, http.StatusMethodNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := c.do(tt.method, tt.path, nil, tt.headers...)
			assert.Equal(t, tt.status, res.Status, "%s", res.Body)
		})
	}
	checkAlmaError(t, c.do(http.MethodGet, "/pay/11unknown/payment", nil, noAuth...).JSON(t), "", "not_found")
}

// TestCheckoutReturnURLs: Alma's In-Page call answers the payment's return
// URLs and origin to any page, without a key, preflight included (the
// widget sends X-Alma-Agent); an unknown id is 404.
func TestCheckoutReturnURLs(t *testing.T) {
	t.Parallel()
	_, c := open(t, withToken)
	p := c.create(30000, paymentField("failure_return_url", "https://shop.example.com/failure"),
		paymentField("customer_cancel_url", "https://shop.example.com/cancel"))
	path := "/v1/checkout/payments/" + p["id"].(string) + "/return-urls"

	res := c.do(http.MethodGet, path, nil, "Authorization", "", "Origin", "https://shop.example.com", "X-Alma-Agent", "Alma In-Page/2.7.1")
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	assert.Equal(t, "*", res.Header.Get("Access-Control-Allow-Origin"))
	assert.Equal(t, map[string]any{
		"return_url": p["return_url"], "failure_return_url": p["failure_return_url"],
		"customer_cancel_url": p["customer_cancel_url"], "origin": "online_in_page",
	}, res.JSON(t))

	pre := c.do(http.MethodOptions, path, nil, "Authorization", "", "Origin", "https://shop.example.com",
		"Access-Control-Request-Method", "GET", "Access-Control-Request-Headers", "x-alma-agent")
	assert.Equal(t, http.StatusNoContent, pre.Status)
	assert.Contains(t, pre.Header.Get("Access-Control-Allow-Headers"), "X-Alma-Agent")
	assert.Equal(t, "*", pre.Header.Get("Access-Control-Allow-Origin"))

	for _, unknown := range []string{"payment_11unknown", "merchant_11x"} {
		res := c.do(http.MethodGet, "/v1/checkout/payments/"+unknown+"/return-urls", nil, noAuth...)
		assert.Equal(t, http.StatusNotFound, res.Status, "%s: %s", unknown, res.Body)
	}
}

// TestCheckoutReturnURLsFollowAllowOrigin: with --allow-origin set, the
// global CORS answers a listed origin with that origin.
func TestCheckoutReturnURLsFollowAllowOrigin(t *testing.T) {
	t.Parallel()
	_, c := open(t, func(s *emulator.Server) { s.AllowOrigins = []string{"https://shop.example.com"} })
	id := c.create(30000)["id"].(string)
	res := c.do(http.MethodGet, "/v1/checkout/payments/"+id+"/return-urls", nil, "Authorization", "", "Origin", "https://shop.example.com")
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	assert.Equal(t, "https://shop.example.com", res.Header.Get("Access-Control-Allow-Origin"))
}
