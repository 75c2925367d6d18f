package connector

import (
	"context"
	"net/url"
)

// Capture charges a payment created with capture_method manual
// (POST /v1/payments/{id}/capture). amountCents 0 captures the whole
// amount; otherwise the body carries {"amount": amountCents}. An accepted
// capture (any 2xx, even one whose body is cut short or not JSON: Err then
// says so) is SUCCESS, as for Cancel and Refund; a refused card is its card
// row; no answer is UNCERTAIN and must be checked with Verify, never assumed.
func (c *Client) Capture(ctx context.Context, paymentID string, amountCents int64) Result {
	if r, bad := checkAction(paymentID, amountCents); bad {
		return r
	}
	var body any = struct{}{}
	if amountCents > 0 {
		body = map[string]int64{"amount": amountCents}
	}
	path := "/v1/payments/" + url.PathEscape(paymentID) + "/capture"
	r := classify(kindAction, c.call(ctx, "capture", c.Timeouts.Capture, "POST", path, body))
	return c.done(ctx, "capture", r, paymentID)
}

// checkAction refuses an empty payment id or a negative amount before any
// call.
func checkAction(paymentID string, amountCents int64) (Result, bool) {
	var reasons []string
	if paymentID == "" {
		reasons = append(reasons, "payment id: required")
	}
	if amountCents < 0 {
		reasons = append(reasons, "amount: must not be negative")
	}
	if reasons == nil {
		return Result{}, false
	}
	return Result{PaymentID: paymentID, Reasons: reasons}.with(pspSessionNotOK), true
}

// done sets the payment id asked about (when there is one), logs and
// returns an operation's result.
func (c *Client) done(ctx context.Context, op string, r Result, paymentID string) Result {
	if paymentID != "" {
		r.PaymentID = paymentID
	}
	c.log(ctx, op, r)
	return r
}
