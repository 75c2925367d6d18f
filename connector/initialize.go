package connector

import (
	"context"
	"fmt"
)

// Flow is one of the connector's three payment flows.
type Flow string

// The flows; their values are the scenario files' flow names.
const (
	FlowCapture   Flow = "capture"   // 1-step: capture (direct debit)
	FlowAuthorize Flow = "authorize" // 2-step: authorization + capture
	FlowPending   Flow = "pending"   // 3-step: pending authorization + authorization + capture
)

// Initialize checks the session and creates the payment at Alma
// (POST /v1/payments, origin online_in_page; capture_method manual for the
// 2- and 3-step flows). On success the result is not_started (WAITING) and
// carries the Widget the page needs. A session that fails the check is
// SESSION_DATA_NOT_OK and nothing is sent. The create is never retried: after
// an UNCERTAIN result, call Reconcile.
func (c *Client) Initialize(ctx context.Context, s Session, flow Flow) Result {
	if reasons := c.checkSession(s, flow); len(reasons) > 0 {
		return c.done(ctx, "initialize", Result{Reasons: reasons}.with(pspSessionNotOK), "")
	}
	req := newCreateRequest(s, flow, c.plan(), c.IPNCallbackURL)
	a := c.call(ctx, "create", c.Timeouts.Create, "POST", "/v1/payments", req)
	r := classify(kindPayment, a)
	if r.Payment != nil {
		r.Widget = &Widget{
			PaymentID:         r.Payment.ID,
			MerchantID:        r.Payment.MerchantID,
			AmountInCents:     r.Payment.PurchaseAmount,
			InstallmentsCount: r.Payment.InstallmentsCount,
			URL:               r.Payment.URL,
		}
	}
	return c.done(ctx, "initialize", r, "")
}

// checkSession runs Check and refuses an unknown flow.
func (c *Client) checkSession(s Session, flow Flow) []string {
	reasons := Check(s, c.plan())
	switch flow {
	case FlowCapture, FlowAuthorize, FlowPending:
	default:
		reasons = append(reasons, fmt.Sprintf("flow: %q is not capture, authorize or pending", flow))
	}
	return reasons
}
