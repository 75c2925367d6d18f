package connector

import (
	"context"
	"fmt"
	"net/url"
	"time"
)

// maxBackoff caps Verify's doubling wait.
const maxBackoff = 30 * time.Second

// Verify fetches the payment (GET /v1/payments/{id}) and maps its state:
// not_started, scored_* (WAITING or ERROR), in_progress and paid (SUCCESS),
// ABORTED when it was cancelled or expired unpaid (scored_no stays
// scored_no: Alma refused it, the customer did not abort). A
// purchase_amount other than the session's amount is ERROR, reported to
// Alma as potential fraud (amount_mismatch). 5xx answers and transport errors are retried per
// VerifyRetry; if they persist the result stays UNCERTAIN (VERIFY_*).
func (c *Client) Verify(ctx context.Context, paymentID string, s Session) Result {
	if reasons := verifyArgs(paymentID, s); reasons != nil {
		return c.done(ctx, "verify", Result{Reasons: reasons}.with(pspSessionNotOK), paymentID)
	}
	path := "/v1/payments/" + url.PathEscape(paymentID)
	var r Result
	for attempt, wait := 1, c.VerifyRetry.Backoff; ; attempt++ {
		r = classify(kindVerify, c.call(ctx, "verify", c.Timeouts.Verify, "GET", path, nil))
		if !r.Status.Uncertain() || attempt >= c.VerifyRetry.Attempts || !sleep(ctx, wait) {
			break
		}
		wait = min(2*wait, maxBackoff)
	}
	if r.Payment != nil && r.Payment.PurchaseAmount != s.Amount.Cents() {
		r = c.amountMismatch(ctx, r, s)
	}
	return c.done(ctx, "verify", r, paymentID)
}

// verifyArgs refuses what Verify cannot check: no payment id, or a session
// without an amount (every payment would look like a fraud).
func verifyArgs(paymentID string, s Session) []string {
	var reasons []string
	if paymentID == "" {
		reasons = append(reasons, "payment id: required")
	}
	if s.Amount <= 0 {
		reasons = append(reasons, "amount: the session's amount is required to check the payment's")
	}
	return reasons
}

// amountMismatch turns a result into ERROR and reports the payment to Alma's
// potential-fraud endpoint; the report's own outcome is only a reason.
func (c *Client) amountMismatch(ctx context.Context, r Result, s Session) Result {
	r.Reasons = append(r.Reasons, fmt.Sprintf("amount_mismatch: Alma's purchase_amount %d cents, session amount %d cents",
		r.Payment.PurchaseAmount, s.Amount.Cents()))
	path := "/v1/payments/" + url.PathEscape(r.Payment.ID) + "/potential-fraud"
	a := c.call(ctx, "potential_fraud", c.Timeouts.Verify, "POST", path, map[string]string{"reason": "amount_mismatch"})
	if rep := classify(kindAction, a); rep.Status.PSPStatus == pspSuccess {
		r.Reasons = append(r.Reasons, "potential fraud reported to Alma")
	} else {
		r.Reasons = append(r.Reasons, "potential fraud report failed: "+rep.String())
	}
	return r.with(pspError)
}

// sleep waits d or until ctx is done; it reports whether d elapsed.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
