package connector

import (
	"context"
	"net/url"
)

// Cancel cancels a payment the customer abandoned, e.g. after closing the
// In-Page modal (PUT /v1/payments/{id}/cancel, no body). Accepted is
// SUCCESS; the payment's next Verify is ABORTED.
func (c *Client) Cancel(ctx context.Context, paymentID string) Result {
	if r, bad := checkAction(paymentID, 0); bad {
		return r
	}
	path := "/v1/payments/" + url.PathEscape(paymentID) + "/cancel"
	r := classify(kindAction, c.call(ctx, "cancel", c.Timeouts.Cancel, "PUT", path, nil))
	return c.done(ctx, "cancel", r, paymentID)
}
