package emulator_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// orderOf is the id of the first order of a created payment.
func orderOf(t testing.TB, p map[string]any) string {
	t.Helper()
	orders := p["orders"].([]any)
	require.NotEmpty(t, orders)
	return orders[0].(map[string]any)["id"].(string)
}

// TestGoldenClientCalls pins the answers of the calls Alma's PHP and
// Python clients make beyond payments.
func TestGoldenClientCalls(t *testing.T) {
	_, c := open(t, fixed)
	created := c.do(http.MethodPost, "/v1/payments", request(t, "create_full.json"))
	require.Equal(t, http.StatusOK, created.Status, "%s", created.Body)
	p := created.JSON(t)
	id, order := p["id"].(string), orderOf(t, p)
	merchantID := c.do(http.MethodGet, "/v1/me", nil).JSON(t)["id"].(string)
	hook := c.do(http.MethodPost, "/v1/webhooks", request(t, "webhook_create.json"))
	require.Equal(t, http.StatusOK, hook.Status, "%s", hook.Body)
	tests := []struct {
		golden, method, path string
		body                 any
	}{
		{"me_extended_data.json", http.MethodGet, "/v1/me/extended-data", nil},
		{"merchant.json", http.MethodGet, "/v1/merchants/" + merchantID, nil},
		{"webhook.json", http.MethodGet, "/v1/webhooks/" + hook.JSON(t)["id"].(string), nil},
		{"webhook_list.json", http.MethodGet, "/v1/webhooks", nil},
		{"integration_configuration.json", http.MethodPut, "/v1/integration-configuration/api", request(t, "integration_configuration.json")},
		{"order.json", http.MethodGet, "/v1/orders/" + order, nil},
		{"order_list.json", http.MethodGet, "/v1/orders?limit=20", nil},
		{"order_updated.json", http.MethodPost, "/v1/orders/" + order, request(t, "order_update.json")},
		{"order_shipment.json", http.MethodPost, "/v2/orders/" + order + "/shipment", request(t, "order_shipment.json")},
		{"order_status.json", http.MethodPost, "/v2/orders/" + order + "/status", request(t, "order_status.json")},
		{"order_status_by_reference.json", http.MethodPost, "/v1/payments/" + id + "/orders/order-42-b/status", request(t, "order_status.json")},
		{"send_sms.json", http.MethodPost, "/v1/payments/" + id + "/send-sms", nil},
		{"ask_acceptance.json", http.MethodGet, "/v1/payments/" + id + "/ask-acceptance", nil},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			res := c.do(tt.method, tt.path, tt.body)
			require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
			require.Equal(t, "application/json", res.Header.Get("Content-Type"))
			golden(t, tt.golden, res.Body)
		})
	}
	c.pay(id) // manual capture: scored_yes
	charged := c.do(http.MethodPost, "/v1/payments/"+id+"/charge-first-installment", `{}`)
	require.Equal(t, http.StatusOK, charged.Status, "%s", charged.Body)
	golden(t, "payment_first_installment_charged.json", charged.Body)
	for _, name := range []string{"business_event_order_confirmed.json", "business_event_cart_initiated.json"} {
		res := c.do(http.MethodPost, "/v1/me/business-events", request(t, name))
		assert.Equal(t, http.StatusNoContent, res.Status, "%s: %s", name, res.Body)
		assert.Empty(t, res.Body)
	}
}

// TestClientCallsNeedAKey: every new call answers Alma's 401 without a key.
func TestClientCallsNeedAKey(t *testing.T) {
	t.Parallel()
	_, c := open(t)
	calls := []struct{ method, path string }{
		{http.MethodGet, "/v1/me/extended-data"}, {http.MethodGet, "/v1/merchants/merchant_11x"},
		{http.MethodPost, "/v1/me/business-events"}, {http.MethodPut, "/v1/integration-configuration/api"},
		{http.MethodPost, "/v1/webhooks"}, {http.MethodGet, "/v1/webhooks"},
		{http.MethodGet, "/v1/webhooks/webhook_11x"}, {http.MethodDelete, "/v1/webhooks/webhook_11x"},
		{http.MethodGet, "/v1/orders"}, {http.MethodGet, "/v1/orders/order_11x"},
		{http.MethodPost, "/v1/orders/order_11x"}, {http.MethodPut, "/v1/orders/order_11x"},
		{http.MethodPost, "/v2/orders/order_11x/shipment"}, {http.MethodPost, "/v2/orders/order_11x/status"},
		{http.MethodPost, "/v1/payments/payment_11x/orders/ref/status"}, {http.MethodPost, "/v1/payments/payment_11x/send-sms"},
		{http.MethodGet, "/v1/payments/payment_11x/ask-acceptance"}, {http.MethodPost, "/v1/payments/payment_11x/charge-first-installment"},
	}
	for _, call := range calls {
		t.Run(call.method+" "+call.path, func(t *testing.T) {
			res := c.do(call.method, call.path, nil, "Authorization", "")
			assert.Equal(t, http.StatusUnauthorized, res.Status, "%s", res.Body)
			assert.Equal(t, "Credentials invalid or not supplied", res.JSON(t)["message"])
		})
	}
}

// TestClientCallsValidation: bad bodies get Alma's 400 naming the field;
// unknown objects get 404.
func TestClientCallsValidation(t *testing.T) {
	t.Parallel()
	_, c := open(t)
	p := c.create(20000)
	id, order := p["id"].(string), orderOf(t, p)
	long := strings.Repeat("x", 256)
	tests := []struct {
		name, method, path string
		body               any
		status             int
		field, code        string
	}{
		{"webhook without type", http.MethodPost, "/v1/webhooks", `{"url":"https://x.example/h"}`, 400, "type", "missing_field"},
		{"webhook unknown type", http.MethodPost, "/v1/webhooks", `{"type":"payment","url":"https://x.example/h"}`, 400, "type", "invalid_value"},
		{"webhook without url", http.MethodPost, "/v1/webhooks", `{"type":"integration_capabilities"}`, 400, "url", "missing_field"},
		{"webhook bad url", http.MethodPost, "/v1/webhooks", `{"type":"integration_capabilities","url":"ftp://x"}`, 400, "url", "invalid_value"},
		{"webhook mistyped", http.MethodPost, "/v1/webhooks", `{"type":1}`, 400, "type", "invalid_type"},
		{"webhook malformed", http.MethodPost, "/v1/webhooks", `{"type":`, 400, "body", "invalid_type"},
		{"event without type", http.MethodPost, "/v1/me/business-events", `{"cart_id":"7"}`, 400, "event_type", "missing_field"},
		{"event unknown type", http.MethodPost, "/v1/me/business-events", `{"event_type":"paid","cart_id":"7"}`, 400, "event_type", "invalid_value"},
		{"event without cart", http.MethodPost, "/v1/me/business-events", `{"event_type":"cart_initiated"}`, 400, "cart_id", "missing_field"},
		{"order confirmed without order", http.MethodPost, "/v1/me/business-events", `{"event_type":"order_confirmed","cart_id":"7"}`, 400, "order_id", "missing_field"},
		{"order confirmed without flags", http.MethodPost, "/v1/me/business-events", `{"event_type":"order_confirmed","cart_id":"7","order_id":"4"}`, 400, "is_alma_p1x", "missing_field"},
		{"alma order without payment id", http.MethodPost, "/v1/me/business-events", `{"event_type":"order_confirmed","cart_id":"7","order_id":"4","is_alma_p1x":true,"is_alma_bnpl":false,"was_bnpl_eligible":true}`, 400, "alma_payment_id", "missing_field"},
		{"other order with payment id", http.MethodPost, "/v1/me/business-events", `{"event_type":"order_confirmed","cart_id":"7","order_id":"4","is_alma_p1x":false,"is_alma_bnpl":false,"was_bnpl_eligible":true,"alma_payment_id":"payment_11x"}`, 400, "alma_payment_id", "incompatible_parameters"},
		{"flag mistyped", http.MethodPost, "/v1/me/business-events", `{"event_type":"order_confirmed","is_alma_p1x":"yes"}`, 400, "is_alma_p1x", "invalid_type"},
		{"configuration without url", http.MethodPut, "/v1/integration-configuration/api", `{}`, 400, "collect_data_url", "missing_field"},
		{"configuration bad url", http.MethodPut, "/v1/integration-configuration/api", `{"collect_data_url":"shop"}`, 400, "collect_data_url", "invalid_value"},
		{"order update bad url", http.MethodPost, "/v1/orders/" + order, `{"merchant_url":"nope"}`, 400, "merchant_url", "invalid_value"},
		{"order update long reference", http.MethodPut, "/v1/orders/" + order, `{"merchant_reference":"` + long + `"}`, 400, "merchant_reference", "too_long"},
		{"shipment without carrier", http.MethodPost, "/v2/orders/" + order + "/shipment", `{"tracking_number":"1"}`, 400, "carrier", "missing_field"},
		{"shipment without number", http.MethodPost, "/v2/orders/" + order + "/shipment", `{"carrier":"UPS"}`, 400, "tracking_number", "missing_field"},
		{"shipment bad url", http.MethodPost, "/v2/orders/" + order + "/shipment", `{"carrier":"UPS","tracking_number":"1","tracking_url":"x"}`, 400, "tracking_url", "invalid_value"},
		{"status missing", http.MethodPost, "/v2/orders/" + order + "/status", `{"is_shipped":true}`, 400, "status", "missing_field"},
		{"status shipped mistyped", http.MethodPost, "/v2/orders/" + order + "/status", `{"status":"sent","is_shipped":"yes"}`, 400, "is_shipped", "invalid_type"},
		{"status by reference missing", http.MethodPost, "/v1/payments/" + id + "/orders/order-42/status", `{}`, 400, "status", "missing_field"},
		{"charge body not an object", http.MethodPost, "/v1/payments/" + id + "/charge-first-installment", `[1]`, 400, "body", "invalid_type"},
		{"unknown merchant", http.MethodGet, "/v1/merchants/merchant_11nobody", nil, 404, "", "not_found"},
		{"unknown webhook", http.MethodGet, "/v1/webhooks/webhook_11nobody", nil, 404, "", "not_found"},
		{"unknown order", http.MethodGet, "/v1/orders/order_11nobody", nil, 404, "", "not_found"},
		{"unknown order shipped", http.MethodPost, "/v2/orders/order_11nobody/shipment", `{"carrier":"UPS","tracking_number":"1"}`, 404, "", "not_found"},
		{"unknown reference", http.MethodPost, "/v1/payments/" + id + "/orders/nobody/status", `{"status":"shipped"}`, 404, "", "not_found"},
		{"sms unknown payment", http.MethodPost, "/v1/payments/payment_11nobody/send-sms", nil, 404, "", "not_found"},
		{"orders bad limit", http.MethodGet, "/v1/orders?limit=0", nil, 400, "limit", "invalid_value"},
		{"orders unknown cursor", http.MethodGet, "/v1/orders?starting_after=order_11nobody", nil, 400, "starting_after", "invalid_value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := c.do(tt.method, tt.path, tt.body)
			require.Equal(t, tt.status, res.Status, "%s", res.Body)
			checkAlmaError(t, res.JSON(t), tt.field, tt.code)
		})
	}
}

// TestSendSMS: a payment awaiting its customer gets its link sent; one
// already paid is refused with 403.
func TestSendSMS(t *testing.T) {
	t.Parallel()
	_, c := open(t)
	fresh := c.create(20000)["id"].(string)
	res := c.do(http.MethodPost, "/v1/payments/"+fresh+"/send-sms", nil)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	assert.Equal(t, true, res.JSON(t)["success"])
	paid := accepted(c, 20000)
	res = c.do(http.MethodPost, "/v1/payments/"+paid+"/send-sms", nil)
	require.Equal(t, http.StatusForbidden, res.Status, "%s", res.Body)
	assert.Equal(t, "forbidden", res.JSON(t)["error_code"])
}

// TestChargeFirstInstallment: an accepted manual-capture payment is
// charged once; it then counts as captured.
func TestChargeFirstInstallment(t *testing.T) {
	t.Parallel()
	_, c := open(t)
	id := accepted(c, 30000, manual)
	path := "/v1/payments/" + id + "/charge-first-installment"
	res := c.do(http.MethodPost, path, nil)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	p := res.JSON(t)
	assert.Equal(t, "in_progress", p["state"])
	assert.Equal(t, "paid", p["payment_plan"].([]any)[0].(map[string]any)["state"])
	again := c.do(http.MethodPost, path, nil)
	assert.Equal(t, http.StatusForbidden, again.Status, "%s", again.Body)
	capture := c.do(http.MethodPost, "/v1/payments/"+id+"/capture", nil)
	assert.Equal(t, validationErr("payment", "payment_already_captured"), firstError(capture.JSON(t)))
	fresh := c.create(20000)["id"].(string)
	assert.Equal(t, http.StatusForbidden, c.do(http.MethodPost, "/v1/payments/"+fresh+"/charge-first-installment", nil).Status)
	ask := c.do(http.MethodPost, "/v1/payments/"+id+"/ask-acceptance", nil)
	assert.Equal(t, http.StatusForbidden, ask.Status, "a charged payment awaits nobody: %s", ask.Body)
}

// TestOrdersPages: GET /v1/orders pages newest first as the clients walk
// it (limit, starting_after, has_more) and filters by payment and reference.
func TestOrdersPages(t *testing.T) {
	t.Parallel()
	_, c := open(t)
	var ids []string
	for _, ref := range []string{"o-1", "o-2", "o-3"} {
		p := c.create(20000, func(b map[string]any) { b["order"] = map[string]any{"merchant_reference": ref} })
		ids = append(ids, orderOf(t, p))
	}
	first := c.do(http.MethodGet, "/v1/orders?limit=2", nil).JSON(t)
	assert.Equal(t, true, first["has_more"])
	data := first["data"].([]any)
	require.Len(t, data, 2)
	assert.Equal(t, ids[2], data[0].(map[string]any)["id"])
	assert.Equal(t, ids[1], data[1].(map[string]any)["id"])
	rest := c.do(http.MethodGet, "/v1/orders?limit=2&starting_after="+ids[1], nil).JSON(t)
	assert.Equal(t, false, rest["has_more"])
	require.Len(t, rest["data"].([]any), 1)
	assert.Equal(t, ids[0], rest["data"].([]any)[0].(map[string]any)["id"])
	byRef := c.do(http.MethodGet, "/v1/orders?merchant_reference=o-2", nil).JSON(t)["data"].([]any)
	require.Len(t, byRef, 1)
	assert.Equal(t, ids[1], byRef[0].(map[string]any)["id"])
}

// TestWebhooks: create, read, list, delete; a deleted webhook is gone.
func TestWebhooks(t *testing.T) {
	t.Parallel()
	_, c := open(t)
	created := c.do(http.MethodPost, "/v1/webhooks", map[string]any{"type": "integration_capabilities", "url": "https://shop.example.com/h"})
	require.Equal(t, http.StatusOK, created.Status, "%s", created.Body)
	hook := created.JSON(t)
	id := hook["id"].(string)
	assert.Regexp(t, `^webhook_11[0-9A-Za-z]{32}$`, id)
	assert.Equal(t, hook, c.do(http.MethodGet, "/v1/webhooks/"+id, nil).JSON(t))
	assert.Len(t, c.do(http.MethodGet, "/v1/webhooks", nil).JSON(t)["data"], 1)
	del := c.do(http.MethodDelete, "/v1/webhooks/"+id, nil)
	assert.Equal(t, http.StatusNoContent, del.Status, "%s", del.Body)
	assert.Equal(t, http.StatusNotFound, c.do(http.MethodGet, "/v1/webhooks/"+id, nil).Status)
	assert.Equal(t, http.StatusNotFound, c.do(http.MethodDelete, "/v1/webhooks/"+id, nil).Status)
	assert.Empty(t, c.do(http.MethodGet, "/v1/webhooks", nil).JSON(t)["data"])
	require.Less(t, c.do(http.MethodPost, "/v1/webhooks", hook).Status, 300)
	require.Len(t, c.do(http.MethodGet, "/v1/webhooks", nil).JSON(t)["data"], 1)
	require.Equal(t, http.StatusOK, c.do(http.MethodPost, "/__admin/reset", nil).Status)
	assert.Empty(t, c.do(http.MethodGet, "/v1/webhooks", nil).JSON(t)["data"], "reset forgets the webhooks")
}
