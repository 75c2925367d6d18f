package emulator_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestHappyPathAutomaticCapture(t *testing.T) {
	t.Parallel()
	_, c := open(t)
	p := c.create(200000)
	id := p["id"].(string)
	assert.Equal(t, "not_started", p["state"])
	plan := p["payment_plan"].([]any)
	require.Len(t, plan, 3)
	for i, want := range []float64{66668, 66666, 66666} {
		assert.Equal(t, want, plan[i].(map[string]any)["purchase_amount"])
	}
	out := c.pay(id)
	assert.Equal(t, "accepted", out["outcome"])
	assert.Equal(t, "in_progress", out["state"])
	assert.Equal(t, "https://shop.example.com/return?pid="+id, out["redirect_url"])
	got := c.do(http.MethodGet, "/v1/payments/"+id, nil)
	require.Equal(t, http.StatusOK, got.Status)
	assert.Equal(t, "application/json", got.Header.Get("Content-Type"))
	g := got.JSON(t)
	assert.Equal(t, "in_progress", g["state"])
	first := g["payment_plan"].([]any)[0].(map[string]any)
	assert.Equal(t, "paid", first["state"])
	assert.NotNil(t, first["date_paid"])
}

// manual makes a manual-capture payment.
var manual = paymentField("capture_method", "manual")

// accepted makes a payment and has the customer pay it.
func accepted(c *client, amount int64, extra ...func(map[string]any)) string {
	c.t.Helper()
	id := c.create(amount, extra...)["id"].(string)
	c.pay(id)
	return id
}

func TestManualCapture(t *testing.T) {
	t.Parallel()
	_, c := open(t)
	id := accepted(c, 90000, manual)
	assert.Equal(t, "scored_yes", c.do(http.MethodGet, "/v1/payments/"+id, nil).JSON(t)["state"])
	res := c.do(http.MethodPost, "/v1/payments/"+id+"/capture", nil)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	p := res.JSON(t)
	assert.Equal(t, "in_progress", p["state"])
	assert.Equal(t, "paid", p["payment_plan"].([]any)[0].(map[string]any)["state"])
	again := c.do(http.MethodPost, "/v1/payments/"+id+"/capture", nil)
	assert.Equal(t, http.StatusBadRequest, again.Status)
	assert.Equal(t, validationErr("payment", "payment_already_captured"), firstError(again.JSON(t)))
}

func TestPartialCapture(t *testing.T) {
	t.Parallel()
	_, c := open(t)
	id := accepted(c, 90000, manual)
	res := c.do(http.MethodPost, "/v1/payments/"+id+"/capture", map[string]any{"amount": 60000})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	p := res.JSON(t)
	assert.Equal(t, float64(90000), p["purchase_amount"])
	assert.Equal(t, float64(20000), p["payment_plan"].([]any)[0].(map[string]any)["purchase_amount"])
	over := c.do(http.MethodPost, "/v1/payments/"+id+"/refund", map[string]any{"amount": 60001})
	assert.Equal(t, http.StatusBadRequest, over.Status)
	assert.Equal(t, "invalid_amount", over.JSON(t)["error_code"])
}

func TestRefundsAccumulate(t *testing.T) {
	t.Parallel()
	_, c := open(t)
	id := accepted(c, 30000)
	path := "/v1/payments/" + id + "/refund"
	res := c.do(http.MethodPost, path, map[string]any{"amount": 10000, "merchant_reference": "r1", "comment": "size"})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	assert.Equal(t, float64(10000), res.JSON(t)["amount_already_refunded"])
	over := c.do(http.MethodPost, path, map[string]any{"amount": 20001})
	assert.Equal(t, http.StatusBadRequest, over.Status)
	assert.Equal(t, "invalid_amount", over.JSON(t)["error_code"])
	rest := c.do(http.MethodPost, path, nil)
	require.Equal(t, http.StatusOK, rest.Status, "%s", rest.Body)
	p := rest.JSON(t)
	assert.Equal(t, float64(30000), p["amount_already_refunded"])
	refunds := p["refunds"].([]any)
	require.Len(t, refunds, 2)
	first := refunds[0].(map[string]any)
	assert.Equal(t, "r1", first["merchant_reference"])
	assert.Equal(t, id, first["payment"])
	assert.Regexp(t, `^refund_11[0-9A-Za-z]{32}$`, first["id"])
	done := c.do(http.MethodPost, path, map[string]any{"amount": 1})
	assert.Equal(t, http.StatusBadRequest, done.Status)
	assert.Equal(t, "invalid_amount", done.JSON(t)["error_code"])
}

// TestFullRefund: a refund that reaches what was charged zeroes the
// installments still to come and the payment is paid, as Alma's fixtures
// show; a partial one leaves the plan alone.
func TestFullRefund(t *testing.T) {
	t.Parallel()
	_, c := open(t)
	id := accepted(c, 30000)
	path := "/v1/payments/" + id + "/refund"
	part := c.do(http.MethodPost, path, map[string]any{"amount": 5000})
	require.Equal(t, http.StatusOK, part.Status, "%s", part.Body)
	assert.Equal(t, "in_progress", part.JSON(t)["state"])
	full := c.do(http.MethodPost, path, nil)
	require.Equal(t, http.StatusOK, full.Status, "%s", full.Body)
	p := full.JSON(t)
	assert.Equal(t, "paid", p["state"])
	assert.Equal(t, float64(30000), p["amount_already_refunded"])
	plan := p["payment_plan"].([]any)
	require.Len(t, plan, 3)
	assert.Equal(t, float64(10000), plan[0].(map[string]any)["purchase_amount"])
	for _, in := range plan[1:] {
		in := in.(map[string]any)
		assert.Equal(t, float64(0), in["purchase_amount"])
		assert.Equal(t, float64(0), in["total_amount"])
		assert.Equal(t, float64(10000), in["original_purchase_amount"])
	}
	again := c.do(http.MethodGet, "/v1/payments/"+id, nil)
	assert.Equal(t, "paid", again.JSON(t)["state"])
}

// TestPotentialFraudReasonOptional: the report is accepted without a
// reason, whichever way the clients send none.
func TestPotentialFraudReasonOptional(t *testing.T) {
	t.Parallel()
	_, c := open(t)
	id := accepted(c, 20000)
	for _, body := range []any{nil, "[]", " [ ] ", "{}", "null", map[string]any{"reason": ""}, map[string]any{"reason": "amount_mismatch"}} {
		res := c.do(http.MethodPost, "/v1/payments/"+id+"/potential-fraud", body)
		require.Equal(t, http.StatusOK, res.Status, "body %v: %s", body, res.Body)
		assert.Equal(t, true, res.JSON(t)["success"])
	}
	res := c.do(http.MethodPost, "/v1/payments/payment_11missing/potential-fraud", nil)
	assert.Equal(t, http.StatusNotFound, res.Status)
}

func TestRefusedTransitions(t *testing.T) {
	t.Parallel()
	_, c := open(t)
	fresh := func() string { return c.create(20000)["id"].(string) }
	freshManual := func() string { return c.create(20000, manual)["id"].(string) }
	paid := func() string { return accepted(c, 20000) }
	cancelled := func() string {
		id := freshManual()
		require.Equal(t, http.StatusOK, c.do(http.MethodPut, "/v1/payments/"+id+"/cancel", nil).Status)
		return id
	}
	refundedInFull := func() string {
		id := paid()
		require.Equal(t, http.StatusOK, c.do(http.MethodPost, "/v1/payments/"+id+"/refund", nil).Status)
		return id
	}
	tests := []struct {
		name    string
		payment func() string
		method  string
		op      string
		body    any
		status  int
		code    string
		field   string
	}{
		{"cancel a paid payment", paid, http.MethodPut, "cancel", nil, 403, "forbidden", ""},
		{"capture an automatic payment", paid, http.MethodPost, "capture", nil, 403, "forbidden", ""},
		{"capture before acceptance", freshManual, http.MethodPost, "capture", nil, 403, "forbidden", ""},
		{"capture a cancelled payment", cancelled, http.MethodPost, "capture", nil, 403, "forbidden", ""},
		{"capture more than authorized", func() string { return accepted(c, 20000, manual) }, http.MethodPost, "capture", map[string]any{"amount": 20001}, 400, "invalid_amount", ""},
		{"capture zero", func() string { return accepted(c, 20000, manual) }, http.MethodPost, "capture", map[string]any{"amount": 0}, 400, "invalid_value", "amount"},
		{"refund an unpaid payment", fresh, http.MethodPost, "refund", nil, 403, "forbidden", ""},
		{"refund more than paid", paid, http.MethodPost, "refund", map[string]any{"amount": 20001}, 400, "invalid_amount", ""},
		{"refund a negative amount", paid, http.MethodPost, "refund", map[string]any{"amount": -5}, 400, "invalid_value", "amount"},
		{"refund amount mistyped", paid, http.MethodPost, "refund", map[string]any{"amount": "all"}, 400, "invalid_type", "amount"},
		{"trigger a normal payment", paid, http.MethodPost, "trigger", nil, 403, "forbidden", ""},
		{"trigger before acceptance", func() string { return c.create(20000, paymentField("deferred", "trigger"))["id"].(string) }, http.MethodPost, "trigger", nil, 403, "forbidden", ""},
		{"customer pays a paid payment", paid, http.MethodPost, "customer", map[string]any{"card": map[string]any{"number": "4242424242424242", "expiry": "04/42", "cvc": "424"}}, 403, "forbidden", ""},
		{"customer pays a cancelled payment", cancelled, http.MethodPost, "customer", map[string]any{"card": map[string]any{"number": "4242424242424242", "expiry": "04/42", "cvc": "424"}}, 403, "forbidden", ""},
		{"customer unknown action", fresh, http.MethodPost, "customer", map[string]any{"action": "dance"}, 400, "invalid_value", "action"},
		{"potential fraud with a mistyped reason", paid, http.MethodPost, "potential-fraud", map[string]any{"reason": 7}, 400, "invalid_type", "reason"},
		{"potential fraud with a list of reasons", paid, http.MethodPost, "potential-fraud", `["amount_mismatch"]`, 400, "invalid_type", "body"},
		{"potential fraud with a long reason", paid, http.MethodPost, "potential-fraud", map[string]any{"reason": strings.Repeat("x", 1001)}, 400, "too_long", "reason"},
		{"refund a cancelled payment", cancelled, http.MethodPost, "refund", nil, 403, "forbidden", ""},
		{"refund a fully refunded payment", refundedInFull, http.MethodPost, "refund", map[string]any{"amount": 1}, 400, "invalid_amount", ""},
		{"cancel a fully refunded payment", refundedInFull, http.MethodPut, "cancel", nil, 403, "forbidden", ""},
		{"force an unknown state", fresh, http.MethodPost, "state", map[string]any{"state": "done"}, 400, "invalid_value", "state"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := tt.payment()
			path := "/v1/payments/" + id + "/" + tt.op
			if tt.op == "customer" || tt.op == "state" {
				path = "/__admin/payments/" + id + "/" + tt.op
			}
			res := c.do(tt.method, path, tt.body)
			assert.Equal(t, tt.status, res.Status, "%s", res.Body)
			checkAlmaError(t, res.JSON(t), tt.field, tt.code)
		})
	}
}

func TestCancelSetsExpiredAt(t *testing.T) {
	t.Parallel()
	_, c := open(t)
	id := c.create(20000)["id"].(string)
	res := c.do(http.MethodPut, "/v1/payments/"+id+"/cancel", nil)
	require.Equal(t, http.StatusOK, res.Status)
	p := res.JSON(t)
	assert.Equal(t, "not_started", p["state"])
	assert.NotNil(t, p["expired_at"])
	again := c.do(http.MethodPut, "/v1/payments/"+id+"/cancel", nil)
	assert.Equal(t, http.StatusOK, again.Status, "cancel is idempotent")
	assert.Equal(t, p["expired_at"], again.JSON(t)["expired_at"])
}

func TestTrigger(t *testing.T) {
	t.Parallel()
	_, c := open(t)
	id := accepted(c, 20000, paymentField("deferred", "trigger"), paymentField("deferred_description", "at shipping"))
	res := c.do(http.MethodPost, "/v1/payments/"+id+"/trigger", nil)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	p := res.JSON(t)
	assert.Equal(t, "in_progress", p["state"])
	assert.NotNil(t, p["deferred_trigger_applied"])
	again := c.do(http.MethodPost, "/v1/payments/"+id+"/trigger", nil)
	assert.Equal(t, validationErr("payment", "generic_error"), firstError(again.JSON(t)))
}

func TestClockPaysInstallments(t *testing.T) {
	t.Parallel()
	_, c := open(t)
	id := accepted(c, 30000)
	res := c.do(http.MethodPost, "/__admin/payments/"+id+"/advance", map[string]any{"by": "800h"})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	p := c.do(http.MethodGet, "/v1/payments/"+id, nil).JSON(t)
	plan := p["payment_plan"].([]any)
	assert.Equal(t, "paid", plan[1].(map[string]any)["state"])
	assert.Equal(t, "pending", plan[2].(map[string]any)["state"])
	assert.Equal(t, "in_progress", p["state"])
	other := accepted(c, 30000)
	require.Equal(t, http.StatusOK, c.do(http.MethodPost, "/__admin/clock/advance", map[string]any{"by": "1500h"}).Status)
	assert.Equal(t, "paid", c.do(http.MethodGet, "/v1/payments/"+other, nil).JSON(t)["state"])
	assert.Equal(t, "paid", c.do(http.MethodGet, "/v1/payments/"+id, nil).JSON(t)["state"])
	bad := c.do(http.MethodPost, "/__admin/clock/advance", map[string]any{"by": "-1h"})
	assert.Equal(t, validationErr("by", "invalid_value"), firstError(bad.JSON(t)))
}

func TestExpiry(t *testing.T) {
	t.Parallel()
	_, c := open(t)
	id := c.create(20000, paymentField("expires_after", 30))["id"].(string)
	assert.Nil(t, c.do(http.MethodGet, "/v1/payments/"+id, nil).JSON(t)["expired_at"])
	c.do(http.MethodPost, "/__admin/payments/"+id+"/advance", map[string]any{"by": "31m"})
	assert.NotNil(t, c.do(http.MethodGet, "/v1/payments/"+id, nil).JSON(t)["expired_at"])
}

func TestForceState(t *testing.T) {
	t.Parallel()
	_, c := open(t)
	id := c.create(20000)["id"].(string)
	res := c.do(http.MethodPost, "/__admin/payments/"+id+"/state", map[string]any{"state": "paid"})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	p := c.do(http.MethodGet, "/v1/payments/"+id, nil).JSON(t)
	assert.Equal(t, "paid", p["state"])
	for _, in := range p["payment_plan"].([]any) {
		assert.Equal(t, "paid", in.(map[string]any)["state"])
	}
}
