package emulator_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alma-sandbox/alma-sandbox/emulator"
)

// TestCrossSiteRequestsChangeNothing: what a page on another origin can send
// without a preflight (a no-cors fetch with text/plain, a form post) is
// refused by the admin API and the customer's page, and changes nothing.
func TestCrossSiteRequestsChangeNothing(t *testing.T) {
	t.Parallel()
	_, c := open(t, func(s *emulator.Server) { s.AllowOrigins = []string{"*"} })
	id := c.create(20000)["id"].(string)
	short := strings.TrimPrefix(id, "payment_")
	card := `{"action":"pay","card":{"number":"4242 4242 4242 4242","expiry":"04/42","cvc":"424"}}`
	for _, tt := range []struct{ path, body, ct string }{
		{"/__admin/payments/" + id + "/customer", card, "text/plain"},
		{"/pay/" + short, card, "text/plain;charset=UTF-8"},
		{"/__admin/payments/" + id + "/state", `{"state":"paid"}`, "application/x-www-form-urlencoded"},
		{"/__admin/scenarios/create_server_error/arm", `{"count":1000}`, "multipart/form-data; boundary=x"},
		{"/__admin/clock/advance", `{"by":"8760h"}`, ""},
		{"/__admin/reset", ``, "text/plain"},
	} {
		res := c.do(http.MethodPost, tt.path, tt.body, "Content-Type", tt.ct, "Origin", "https://evil.example")
		assert.Equal(t, http.StatusUnsupportedMediaType, res.Status, "%s: %s", tt.path, res.Body)
		assert.Contains(t, res.JSON(t)["message"], "application/json")
		assert.Empty(t, res.Header.Get("Access-Control-Allow-Origin"), "* never opens the admin API")
	}
	got := c.do(http.MethodGet, "/v1/payments/"+id, nil).JSON(t)
	assert.Equal(t, "not_started", got["state"], "nothing was paid or forced")
	assert.Equal(t, "0s", c.do(http.MethodGet, "/__admin/clock", nil).JSON(t)["offset"])
	assert.Empty(t, c.do(http.MethodGet, "/__admin/scenarios", nil).JSON(t)["armed"])

	preflight := c.do(http.MethodOptions, "/__admin/reset", nil, "Origin", "https://evil.example", "Access-Control-Request-Method", "POST")
	assert.Empty(t, preflight.Header.Get("Access-Control-Allow-Origin"), "no preflight is granted on the admin API")
	api := c.do(http.MethodGet, "/v1/payments/"+id, nil, "Origin", "https://shop.example")
	assert.Equal(t, "*", api.Header.Get("Access-Control-Allow-Origin"), "the merchant API answers * literally, never the echoed origin")
}

// TestCustomerStepOnThePagesOwnRoute: the payment page posts JSON to /pay/{id}.
func TestCustomerStepOnThePagesOwnRoute(t *testing.T) {
	t.Parallel()
	_, c := open(t)
	id := c.create(20000)["id"].(string)
	res := c.do(http.MethodPost, "/pay/"+strings.TrimPrefix(id, "payment_"),
		map[string]any{"action": "pay", "card": map[string]string{"number": "4242424242424242", "expiry": "04/42", "cvc": "424"}})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	assert.Equal(t, "accepted", res.JSON(t)["outcome"])
	assert.Equal(t, http.StatusNotFound, c.do(http.MethodPost, "/pay/nope", map[string]any{}).Status)
}

// TestForeignHostRefused: a DNS-rebinding page (Host: its own name) reads
// nothing from the admin API; IP addresses, localhost, the public URL's host
// and AllowedHosts are answered; the merchant API is not guarded.
func TestForeignHostRefused(t *testing.T) {
	t.Parallel()
	_, c := open(t, func(s *emulator.Server) {
		s.PublicURL = "https://sandbox.example.test"
		s.AllowedHosts = []string{"alma-sandbox:4242"}
	})
	for host, want := range map[string]int{
		"rebind.attacker.example": http.StatusMisdirectedRequest, "rebind.attacker.example:4242": http.StatusMisdirectedRequest,
		"127.0.0.1:4242": http.StatusOK, "[::1]:4242": http.StatusOK, "localhost:4242": http.StatusOK,
		"sandbox.example.test": http.StatusOK, "alma-sandbox:9999": http.StatusOK,
	} {
		res := c.do(http.MethodGet, "/__admin/payments", nil, "Host", host)
		assert.Equal(t, want, res.Status, "Host %s: %s", host, res.Body)
	}
	res := c.do(http.MethodGet, "/__admin/ui", nil, "Host", "rebind.attacker.example")
	assert.Equal(t, http.StatusMisdirectedRequest, res.Status, "the dashboard too")
	assert.Contains(t, string(res.Body), "--allowed-host rebind.attacker.example")
	assert.Equal(t, http.StatusOK, c.do(http.MethodGet, "/v1/me", nil, "Host", "other-container:4242").Status)
}

// TestGuardRefusalsAreJournaled: a refused cross-site write or foreign
// Host leaves an entry in the (operator's) journal, naming why.
func TestGuardRefusalsAreJournaled(t *testing.T) {
	t.Parallel()
	_, c := open(t)
	id := c.create(20000)["id"].(string)
	require.Equal(t, http.StatusUnsupportedMediaType, c.do(http.MethodPost, "/__admin/payments/"+id+"/state", `{"state":"paid"}`, "Content-Type", "text/plain", "Authorization", "").Status)
	require.Equal(t, http.StatusMisdirectedRequest, c.do(http.MethodGet, "/__admin/payments", nil, "Host", "rebind.test", "Authorization", "").Status)
	var warnings []string
	for _, e := range c.do(http.MethodGet, "/__admin/journal", nil, "Authorization", "").JSON(t)["data"].([]any) {
		if w, ok := e.(map[string]any)["warning"].(string); ok {
			warnings = append(warnings, w)
		}
	}
	assert.Contains(t, warnings, "refused by the guard: not JSON (a cross-site form or no-cors fetch?)")
	assert.Contains(t, warnings, "refused by the guard: foreign Host rebind.test")
}
