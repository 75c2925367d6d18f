package connector_test

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alma-sandbox/alma-sandbox/connector"
)

// answerCase is one kind of answer and the row it must give on a main call
// (Initialize) and on Verify.
type answerCase struct {
	name   string
	answer http.HandlerFunc
	main   string
	verify string
}

// validationError is Alma's 400 body with one errors[] entry.
func validationError(code string) string {
	return fmt.Sprintf(`{"error_code":"validation_error","errors":[{"field":"payment.purchase_amount","error_code":%q,"message":"bad"}]}`, code)
}

func answerCases() []answerCase {
	const amount = 27092
	same := func(name string, h http.HandlerFunc, psp string) answerCase { return answerCase{name, h, psp, psp} }
	cases := []answerCase{
		same("expired unpaid", reply(200, paymentJSON("not_started", amount, map[string]any{"expired_at": 1700000000})), "ABORTED"),
		same("expired scored_yes unpaid", reply(200, paymentJSON("scored_yes", amount, map[string]any{"expired_at": 1700000000,
			"payment_plan": []any{map[string]any{"state": "pending", "date_paid": nil, "purchase_amount": 6773}}})), "ABORTED"),
		// Either sign of a paid installment (its state, its date_paid) means the customer did
		// not abort, whatever the payment's own state says.
		same("expired, an installment in state paid", reply(200, paymentJSON("scored_yes", amount, map[string]any{"expired_at": 1700000000,
			"payment_plan": []any{map[string]any{"state": "paid", "date_paid": nil, "purchase_amount": 6773}}})), "scored_yes"),
		same("expired, an installment with a date_paid", reply(200, paymentJSON("scored_yes", amount, map[string]any{"expired_at": 1700000000,
			"payment_plan": []any{map[string]any{"state": "pending", "date_paid": 1700000000, "purchase_amount": 6773}}})), "scored_yes"),
		same("expired after a paid installment", reply(200, paymentJSON("in_progress", amount, map[string]any{"expired_at": 1700000000})), "in_progress"),
		same("scored_no, then expired", reply(200, paymentJSON("scored_no", amount, map[string]any{"expired_at": 1700000000})), "scored_no"),
		same("collection state", reply(200, paymentJSON("late", amount, nil)), "UNKNOWN_PARTNER_ERROR"),
		{"2xx not JSON", reply(200, `{"id":`), "PARTNER_RESPONSE_VALIDATION_FAILED", "VERIFY_PARTNER_ERROR"},
		{"2xx empty", reply(200, ``), "PARTNER_RESPONSE_VALIDATION_FAILED", "VERIFY_PARTNER_ERROR"},
		{"2xx no id", reply(200, `{"state":"paid","purchase_amount":27092}`), "PARTNER_RESPONSE_VALIDATION_FAILED", "VERIFY_PARTNER_ERROR"},
		{"2xx no state", reply(200, `{"id":"payment_11x","purchase_amount":27092}`), "PARTNER_RESPONSE_VALIDATION_FAILED", "VERIFY_PARTNER_ERROR"},
		{"2xx wrong types", reply(200, `{"id":"payment_11x","state":"paid","purchase_amount":"lots"}`), "PARTNER_RESPONSE_VALIDATION_FAILED", "VERIFY_PARTNER_ERROR"},
		{"2xx truncated", truncated, "PARTNER_RESPONSE_VALIDATION_FAILED", "VERIFY_PARTNER_ERROR"},
		{"2xx HTML", replyAs(200, "text/html; charset=utf-8", "<html><body>maintenance</body></html>"), "UNKNOWN_PARTNER_ERROR", "VERIFY_PARTNER_ERROR"},
		same("400 unknown sub-code", reply(400, validationError("weird")), "validation_error"),
		same("400 errors[] too_many_requests", reply(400, validationError("too_many_requests")), "validation_error_too_many_request"),
		same("400 top-level validation_error", reply(400, `{"error_code":"validation_error","message":"bad"}`), "validation_error"),
		same("400 empty object", reply(400, `{}`), "validation_error"),
		same("400 HTML", replyAs(400, "text/html", "<h1>Bad Request</h1>"), "UNKNOWN_PARTNER_ERROR"),
		same("401", reply(401, `{"message":"Credentials invalid or not supplied"}`), "validation_error_unauthorized"),
		same("401 empty", reply(401, ``), "validation_error_unauthorized"),
		same("402 unknown card code", reply(402, `{"error_code":"do_not_honor","message":"no"}`), "card_declined"),
		same("402 no code", reply(402, `{"message":"Payment Required"}`), "card_declined"),
		same("403 with errors[]", reply(403, validationError("merchant_cant_create_payments")), "validation_error_merchant_cant_create_payments"),
		same("403 forbidden", reply(403, `{"error_code":"forbidden","message":"no"}`), "ERROR"),
		same("409", reply(409, `{"message":"Conflict"}`), "ERROR"),
		same("422", reply(422, `{"message":"Unprocessable Entity"}`), "ERROR"),
		same("404", reply(404, `{"error_code":"not_found","message":"Payment payment_11x not found"}`), "UNKNOWN_PARTNER_ERROR"),
		same("418", reply(418, `{"message":"I'm a teapot"}`), "UNKNOWN_PARTNER_ERROR"),
		same("302", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/elsewhere", http.StatusFound) }, "UNKNOWN_PARTNER_ERROR"),
		same("429", reply(429, `{"error_code":"too_many_requests","message":"slow down"}`), "validation_error_too_many_request"),
		same("429 empty", reply(429, ``), "validation_error_too_many_request"),
		{"500", reply(500, `{"message":"Internal Server Error"}`), "PARTNER_SERVER_ERROR", "VERIFY_PARTNER_ERROR"},
		{"500 HTML", replyAs(500, "text/html", "<h1>oops</h1>"), "PARTNER_SERVER_ERROR", "VERIFY_PARTNER_ERROR"},
		{"501", reply(501, `{"message":"Not Implemented"}`), "PARTNER_SERVER_ERROR", "VERIFY_PARTNER_ERROR"},
		{"502", reply(502, `{"message":"Bad Gateway"}`), "PARTNER_BAD_GATEWAY", "VERIFY_PARTNER_ERROR"},
		{"503", reply(503, ``), "PARTNER_UNAVAILABLE", "VERIFY_PARTNER_ERROR"},
		{"504", reply(504, `{"message":"Gateway Timeout"}`), "TIMEOUT", "VERIFY_TIMEOUT"},
		{"no answer in time", hang, "TIMEOUT", "VERIFY_TIMEOUT"},
		{"body stalls past the deadline", stall, "TIMEOUT", "VERIFY_TIMEOUT"},
		{"connection reset", reset, "TIMEOUT", "VERIFY_TIMEOUT"},
		{"connection closed, no byte", closeConn, "TIMEOUT", "VERIFY_TIMEOUT"},
	}
	for _, st := range []string{"not_started", "scored_no", "scored_yes", "scored_maybe", "in_progress", "paid"} {
		cases = append(cases, same("state "+st, reply(200, paymentJSON(st, amount, nil)), st))
	}
	for _, code := range []string{"missing_field", "invalid_type", "invalid_value", "too_short", "too_long", "unique_violated",
		"merchant_cant_create_payments", "incompatible_parameters", "unauthorized", "generic_error", "payment_already_captured"} {
		cases = append(cases, same("400 errors[] "+code, reply(400, validationError(code)), "validation_error_"+code))
	}
	for _, code := range []string{"invalid_amount", "missing_field", "invalid_value"} {
		cases = append(cases, same("400 top-level "+code, reply(400, fmt.Sprintf(`{"error_code":%q,"message":"refused"}`, code)), code))
	}
	for _, code := range []string{"card_declined", "three_d_s_impossible", "incorrect_cvc", "incorrect_expiration_date",
		"incorrect_number", "insufficient_funds", "expired_card"} {
		cases = append(cases, same("402 "+code, reply(402, fmt.Sprintf(`{"error_code":%q,"message":"refused"}`, code)), code))
	}
	return cases
}

// Deadlines: an answer the client must wait out (hang, stall) gets a short
// one; every other answer gets a long one, so a loaded CI box running -race
// does not turn a prompt answer into a TIMEOUT.
const (
	shortDeadline = 100 * time.Millisecond
	longDeadline  = 2 * time.Second
)

// outlasts names the cases whose answer never completes before the deadline.
var outlasts = map[string]bool{"no answer in time": true, "body stalls past the deadline": true, "hang": true}

// deadlineFor is the per-call deadline for the case called name.
func deadlineFor(name string) time.Duration {
	if outlasts[name] {
		return shortDeadline
	}
	return longDeadline
}

// TestClassification drives Initialize (a main call) and Verify against a
// real server answering each kind of answer, and checks that together with
// the action and amount cases below every row an HTTP answer can produce is
// produced.
func TestClassification(t *testing.T) {
	reached := map[string]bool{}
	session := minimalSession(27092)
	for _, tt := range answerCases() {
		t.Run(tt.name, func(t *testing.T) {
			c, st := newStub(t, tt.answer)
			d := deadlineFor(tt.name)
			c.Timeouts.Create, c.Timeouts.Verify = d, d
			c.VerifyRetry.Attempts = 1

			m := c.Initialize(context.Background(), session, connector.FlowCapture)
			assert.Equal(t, tt.main, m.Status.PSPStatus, "main: %s", describe(m))
			v := c.Verify(context.Background(), "payment_11testTESTtest", session)
			assert.Equal(t, tt.verify, v.Status.PSPStatus, "verify: %s", describe(v))
			assert.Len(t, st.requests(), 2)
			assertExplained(t, m)
			assertExplained(t, v)
			reached[m.Status.PSPStatus], reached[v.Status.PSPStatus] = true, true
		})
	}
	for _, psp := range actionRows(t) {
		reached[psp] = true
	}
	var missing []string
	for _, r := range connector.Statuses() {
		if !reached[r.PSPStatus] && r.PSPStatus != "SESSION_DATA_NOT_OK" {
			missing = append(missing, r.PSPStatus)
		}
	}
	sort.Strings(missing)
	assert.Empty(t, missing, "rows no HTTP answer produced")
}

// assertExplained checks a result carries why: its HTTP status, and Alma's
// error for a JSON error answer.
func assertExplained(t *testing.T, r connector.Result) {
	t.Helper()
	require.NotZero(t, r.Status.N)
	if r.HTTPStatus == 0 {
		assert.Error(t, r.Err, "no answer: the transport error says why")
	}
	if r.HTTPStatus >= 400 && r.HTTPStatus < 500 && r.Status.PSPStatus != "UNKNOWN_PARTNER_ERROR" && r.AlmaError == nil {
		assert.Contains(t, []int{401, 429}, r.HTTPStatus, "4xx rows carry Alma's error")
	}
}

// actionRows exercises the rows only actions and Verify's amount check
// produce, and returns them.
func actionRows(t *testing.T) []string {
	t.Helper()
	var out []string
	c, _ := newStub(t, reply(200, paymentJSON("in_progress", 27092, nil)))
	for _, r := range []connector.Result{
		c.Capture(context.Background(), "payment_11x", 0),
		c.Cancel(context.Background(), "payment_11x"),
		c.Refund(context.Background(), "payment_11x", 0, "r-1"),
	} {
		assert.Equal(t, "SUCCESS", r.Status.PSPStatus, describe(r))
		out = append(out, r.Status.PSPStatus)
	}
	mismatch := c.Verify(context.Background(), "payment_11x", minimalSession(10000))
	assert.Equal(t, "ERROR", mismatch.Status.PSPStatus, describe(mismatch))
	return append(out, mismatch.Status.PSPStatus)
}

func TestClassificationOfActions(t *testing.T) {
	tests := []struct {
		name   string
		answer http.HandlerFunc
		want   string
	}{
		{"payment answer", reply(200, paymentJSON("in_progress", 27092, nil)), "SUCCESS"},
		{"no body", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) }, "SUCCESS"},
		// The 2xx status line says Alma did it; a bad body is kept in Err.
		{"not JSON", reply(200, `{"id":"pay`), "SUCCESS"},
		{"truncated", truncated, "SUCCESS"},
		{"HTML", replyAs(200, "text/html", "<html></html>"), "UNKNOWN_PARTNER_ERROR"},
		{"already captured", reply(400, validationError("payment_already_captured")), "validation_error_payment_already_captured"},
		{"card refused at capture", reply(402, `{"error_code":"insufficient_funds","message":"no"}`), "insufficient_funds"},
		{"forbidden", reply(403, `{"error_code":"forbidden","message":"not manual"}`), "ERROR"},
		{"500", reply(500, `{"message":"Internal Server Error"}`), "PARTNER_SERVER_ERROR"},
		{"502", reply(502, `{"message":"Bad Gateway"}`), "PARTNER_BAD_GATEWAY"},
		{"503", reply(503, `{"message":"Service Unavailable"}`), "PARTNER_UNAVAILABLE"},
		{"hang", hang, "TIMEOUT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := newStub(t, tt.answer)
			d := deadlineFor(tt.name)
			c.Timeouts.Capture, c.Timeouts.Cancel, c.Timeouts.Refund = d, d, d
			for op, r := range map[string]connector.Result{
				"capture": c.Capture(context.Background(), "payment_11x", 1000),
				"cancel":  c.Cancel(context.Background(), "payment_11x"),
				"refund":  c.Refund(context.Background(), "payment_11x", 1000, "r-1"),
			} {
				assert.Equal(t, tt.want, r.Status.PSPStatus, "%s: %s", op, describe(r))
				assert.Equal(t, "payment_11x", r.PaymentID, op)
				if tt.name == "not JSON" || tt.name == "truncated" {
					assert.Error(t, r.Err, "%s: the body problem is kept", op)
				}
			}
		})
	}
}
