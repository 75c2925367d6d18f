package emulator_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/alma-sandbox/alma-sandbox/emulator"
)

// validationErr is Alma's validation error body for one field.
func validationErr(field, code string) map[string]any {
	return map[string]any{"error_code": "validation_error", "errors": []any{map[string]any{"field": field, "error_code": code}}}
}

// firstError is the errors[0] of a body without its message and value.
func firstError(body map[string]any) map[string]any {
	errs, ok := body["errors"].([]any)
	if !ok || len(errs) == 0 {
		return body
	}
	e := errs[0].(map[string]any)
	return map[string]any{"error_code": body["error_code"], "errors": []any{map[string]any{"field": e["field"], "error_code": e["error_code"]}}}
}

func without(key string) func(map[string]any) {
	return func(b map[string]any) { delete(b["payment"].(map[string]any), key) }
}

func set(path string, v any) func(map[string]any) {
	return func(b map[string]any) {
		parts := strings.Split(path, ".")
		m := b
		for _, p := range parts[:len(parts)-1] {
			next, ok := m[p].(map[string]any)
			if !ok {
				next = map[string]any{}
				m[p] = next
			}
			m = next
		}
		m[parts[len(parts)-1]] = v
	}
}

func TestCreateValidation(t *testing.T) {
	t.Parallel()
	_, c := open(t)
	item := func(k string) map[string]any {
		it := map[string]any{"title": "Chair", "quantity": 1, "line_price": 20000}
		delete(it, k)
		return it
	}
	tests := []struct {
		name  string
		body  any
		field string
		code  string
	}{
		{"no payment", map[string]any{"customer": map[string]any{}}, "payment", "missing_field"},
		{"no amount", createBody(20000, without("purchase_amount")), "payment.purchase_amount", "missing_field"},
		{"amount as string", createBody(20000, set("payment.purchase_amount", "200")), "payment.purchase_amount", "invalid_type"},
		{"amount not integer", createBody(20000, set("payment.purchase_amount", 200.5)), "payment.purchase_amount", "invalid_type"},
		{"amount below minimum", createBody(4999), "payment.purchase_amount", "invalid_value"},
		{"amount above maximum", createBody(200001), "payment.purchase_amount", "invalid_value"},
		{"installments not offered", createBody(20000, set("payment.installments_count", 5)), "payment.installments_count", "invalid_value"},
		{"installments as string", createBody(20000, set("payment.installments_count", "3")), "payment.installments_count", "invalid_type"},
		{"deferred plan not enabled", createBody(20000, set("payment.deferred_days", 15)), "payment.deferred_days", "invalid_value"},
		{"negative deferred months", createBody(20000, set("payment.deferred_months", -1)), "payment.deferred_days", "invalid_value"},
		{"unknown capture method", createBody(20000, set("payment.capture_method", "later")), "payment.capture_method", "invalid_value"},
		{"unknown origin", createBody(20000, set("payment.origin", "pos")), "payment.origin", "invalid_value"},
		{"unknown deferred", createBody(20000, set("payment.deferred", "later")), "payment.deferred", "invalid_value"},
		{"manual with trigger", createBody(20000, set("payment.capture_method", "manual"), set("payment.deferred", "trigger")), "payment.capture_method", "incompatible_parameters"},
		{"expires_after zero", createBody(20000, set("payment.expires_after", 0)), "payment.expires_after", "invalid_value"},
		{"relative return url", createBody(20000, set("payment.return_url", "/return")), "payment.return_url", "invalid_value"},
		{"ftp ipn url", createBody(20000, set("payment.ipn_callback_url", "ftp://x/ipn")), "payment.ipn_callback_url", "invalid_value"},
		{"bad failure url", createBody(20000, set("payment.failure_return_url", "nope")), "payment.failure_return_url", "invalid_value"},
		{"bad cancel url", createBody(20000, set("payment.customer_cancel_url", "nope")), "payment.customer_cancel_url", "invalid_value"},
		{"custom_data any JSON is fine but locale mistyped", createBody(20000, set("payment.locale", 12)), "payment.locale", "invalid_type"},
		{"billing country not ISO2", createBody(20000, set("payment.billing_address.country", "FRA")), "payment.billing_address.country", "invalid_value"},
		{"shipping email", createBody(20000, set("payment.shipping_address.email", "nope")), "payment.shipping_address.email", "invalid_value"},
		{"cart item without title", createBody(20000, set("payment.cart", map[string]any{"items": []any{item("title")}})), "payment.cart.items[0].title", "missing_field"},
		{"cart item empty title", createBody(20000, set("payment.cart", map[string]any{"items": []any{map[string]any{"title": " ", "quantity": 1, "line_price": 1}}})), "payment.cart.items[0].title", "too_short"},
		{"cart item without quantity", createBody(20000, set("payment.cart", map[string]any{"items": []any{item("quantity")}})), "payment.cart.items[0].quantity", "missing_field"},
		{"cart item zero quantity", createBody(20000, set("payment.cart", map[string]any{"items": []any{map[string]any{"title": "x", "quantity": 0, "line_price": 1}}})), "payment.cart.items[0].quantity", "invalid_value"},
		{"cart item without line price", createBody(20000, set("payment.cart", map[string]any{"items": []any{item("line_price")}})), "payment.cart.items[0].line_price", "missing_field"},
		{"cart item negative line price", createBody(20000, set("payment.cart", map[string]any{"items": []any{map[string]any{"title": "x", "quantity": 1, "line_price": -1}}})), "payment.cart.items[0].line_price", "invalid_value"},
		{"cart items not an array", createBody(20000, set("payment.cart", map[string]any{"items": "x"})), "payment.cart.items", "invalid_type"},
		{"customer email", createBody(20000, set("customer.email", "nope")), "customer.email", "invalid_value"},
		{"customer birth date", createBody(20000, set("customer.birth_date", "01/02/1990")), "customer.birth_date", "invalid_value"},
		{"customer address country", createBody(20000, set("customer.addresses", []any{map[string]any{"country": "France"}})), "customer.addresses[0].country", "invalid_value"},
		{"order reference too long", createBody(20000, set("order.merchant_reference", strings.Repeat("x", 256))), "order.merchant_reference", "too_long"},
		{"order merchant url", createBody(20000, set("order.merchant_url", "x")), "order.merchant_url", "invalid_value"},
		{"malformed JSON", `{"payment":`, "body", "invalid_type"},
		{"JSON array", `[1,2]`, "body", "invalid_type"},
		{"empty body", ``, "payment", "missing_field"},
		{"payment not an object", `{"payment":3}`, "payment", "invalid_type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := c.do(http.MethodPost, "/v1/payments", tt.body)
			assert.Equal(t, http.StatusBadRequest, res.Status, "%s", res.Body)
			assert.Equal(t, "application/json", res.Header.Get("Content-Type"))
			assert.Equal(t, validationErr(tt.field, tt.code), firstError(res.JSON(t)))
		})
	}
}

func TestCreateValidationHeaderAndSize(t *testing.T) {
	t.Parallel()
	s, c := open(t, func(s *emulator.Server) { s.MaxBodyBytes = 2048 })
	_ = s
	tests := []struct {
		name    string
		body    any
		headers []string
		field   string
		code    string
	}{
		{"unknown scenario header", createBody(20000), []string{"X-Alma-Sandbox-Scenario", "no_such_scenario"}, "X-Alma-Sandbox-Scenario", "invalid_value"},
		{"oversized body", createBody(20000, set("payment.custom_data", strings.Repeat("x", 4096))), nil, "body", "too_long"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := c.do(http.MethodPost, "/v1/payments", tt.body, tt.headers...)
			assert.Equal(t, http.StatusBadRequest, res.Status, "%s", res.Body)
			assert.Equal(t, validationErr(tt.field, tt.code), firstError(res.JSON(t)))
		})
	}
}

func TestAuth(t *testing.T) {
	t.Parallel()
	_, c := open(t)
	bad := map[string]any{"message": "Credentials invalid or not supplied"}
	live := map[string]any{"message": "alma-sandbox never accepts live keys (sk_live_…); use a sk_test_ key"}
	tests := []struct {
		name, method, path, auth string
		status                   int
		want                     map[string]any
	}{
		{"missing", http.MethodGet, "/v1/me", "", 401, bad},
		{"wrong scheme", http.MethodGet, "/v1/me", "Bearer sk_test_x", 401, bad},
		{"bare prefix", http.MethodGet, "/v1/me", "Alma-Auth sk_test_", 401, bad},
		{"not a key", http.MethodGet, "/v1/payments", "Alma-Auth hello", 401, bad},
		{"live key", http.MethodPost, "/v1/payments", "Alma-Auth sk_live_abcdef", 401, live},
		{"merchant auth not enough for payments", http.MethodGet, "/v1/payments", "Alma-Merchant-Auth merchant_11x", 401, bad},
		{"eligibility without auth", http.MethodPost, "/v1/payments/eligibility", "", 401, bad},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := c.do(tt.method, tt.path, nil, "Authorization", tt.auth)
			assert.Equal(t, tt.status, res.Status)
			assert.Equal(t, tt.want, res.JSON(t))
		})
	}
	merchantID := c.do(http.MethodGet, "/v1/me", nil).JSON(t)["id"].(string)
	body := `{"payment":{"purchase_amount":20000,"installments_count":3}}`
	res := c.do(http.MethodPost, "/v1/payments/eligibility", body, "Authorization", "Alma-Merchant-Auth "+merchantID)
	assert.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	res = c.do(http.MethodPost, "/v1/payments/eligibility", body, "Authorization", "Alma-Merchant-Auth merchant_11unknown")
	assert.Equal(t, http.StatusUnauthorized, res.Status, "a merchant Alma does not know")
	assert.Equal(t, bad, res.JSON(t))
}

// TestKeyRule: without APIKeys any well-formed sk_test_ key works; a bare,
// malformed or live key never does; with APIKeys, only those.
func TestKeyRule(t *testing.T) {
	t.Parallel()
	_, open1 := open(t)
	_, closed := open(t, func(s *emulator.Server) { s.APIKeys = []string{"sk_test_team_a"} })
	for _, tt := range []struct {
		key        string
		open, list int
	}{
		{"sk_test_sandbox", 200, 401},
		{"sk_test_team_a", 200, 200},
		{"sk_test_team_a ", 200, 200},
		{"sk_test_", 401, 401},
		{"sk_test_tea m", 401, 401},
		{"sk_tset_team_a", 401, 401},
		{"sk_test_" + strings.Repeat("x", 121), 401, 401},
		{"sk_live_team_a", 401, 401},
	} {
		assert.Equal(t, tt.open, open1.do(http.MethodGet, "/v1/me", nil, "Authorization", "Alma-Auth "+tt.key).Status, "open: %q", tt.key)
		assert.Equal(t, tt.list, closed.do(http.MethodGet, "/v1/me", nil, "Authorization", "Alma-Auth "+tt.key).Status, "APIKeys: %q", tt.key)
	}
}

func TestUnknownPaymentAndRoute(t *testing.T) {
	t.Parallel()
	_, c := open(t)
	for _, path := range []string{"/v1/payments/payment_11nope", "/v1/payments/payment_11nope/refund", "/v1/payments/payment_11nope/capture", "/v1/payments/payment_11nope/cancel"} {
		method := http.MethodPost
		if strings.HasSuffix(path, "nope") {
			method = http.MethodGet
		}
		if strings.HasSuffix(path, "cancel") {
			method = http.MethodPut
		}
		res := c.do(method, path, nil)
		assert.Equal(t, http.StatusNotFound, res.Status, path)
		assert.Equal(t, map[string]any{"error_code": "not_found", "message": "Payment payment_11nope not found"}, res.JSON(t), path)
	}
	res := c.do(http.MethodGet, "/v1/nothing", nil)
	assert.Equal(t, http.StatusNotFound, res.Status)
	assert.Equal(t, "not_found", res.JSON(t)["error_code"])
}
