package connector

import (
	"context"
	"net/url"
)

// refundRequest is the body of POST /v1/payments/{id}/refund.
type refundRequest struct {
	Amount            int64  `json:"amount,omitempty"` // omitted: the whole remaining amount
	MerchantReference string `json:"merchant_reference"`
	Comment           string `json:"comment"`
}

// Refund refunds a payment, wholly (amountCents 0) or partly
// (POST /v1/payments/{id}/refund). reference is the merchant's refund
// reference. Accepted is SUCCESS; a refund above what remains is Alma's
// invalid_amount (or its validation error).
func (c *Client) Refund(ctx context.Context, paymentID string, amountCents int64, reference string) Result {
	if r, bad := checkAction(paymentID, amountCents); bad {
		return r
	}
	body := refundRequest{Amount: amountCents, MerchantReference: reference, Comment: "refund " + reference}
	path := "/v1/payments/" + url.PathEscape(paymentID) + "/refund"
	r := classify(kindAction, c.call(ctx, "refund", c.Timeouts.Refund, "POST", path, body))
	return c.done(ctx, "refund", r, paymentID)
}
