package connector

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
)

// paymentList is the answer of GET /v1/payments.
type paymentList struct {
	Data    []json.RawMessage `json:"data"`
	HasMore bool              `json:"has_more"`
}

// Reconcile looks for the payment an UNCERTAIN Initialize may have created
// for the session's order: it lists Alma's payments newest first
// (GET /v1/payments?limit=…&starting_after=…), at most ReconcilePages
// pages, and matches custom_data.order_reference. Found: the payment's row
// (as Initialize would have answered) and its id. Not found: TIMEOUT
// (UNCERTAIN), not a final ERROR, since a create that timed out may still
// commit at Alma later; the reason says no payment was found yet for the
// order and to check again before creating another. A list call that fails
// is classified as a main call (and stays UNCERTAIN if it was).
func (c *Client) Reconcile(ctx context.Context, s Session) Result {
	ref := s.Order.Reference
	if ref == "" {
		return Result{Reasons: []string{"order.reference: required"}}.with(pspSessionNotOK)
	}
	after := ""
	pages := max(c.ReconcilePages, 1)
	for page := 1; page <= pages; page++ {
		r, list := c.listPage(ctx, after)
		if list == nil {
			return c.done(ctx, "reconcile", r, "")
		}
		if found, ok := findOrder(list.Data, ref); ok {
			r.Payment, r.PaymentID = found, found.ID
			r.Reasons = []string{fmt.Sprintf("found payment %s for order %q", found.ID, ref)}
			return c.done(ctx, "reconcile", r.with(stateRow(found)), found.ID)
		}
		if !list.HasMore || len(list.Data) == 0 {
			return c.done(ctx, "reconcile", notFoundYet(r, ref, page, "all payments"), "")
		}
		after = lastID(list.Data)
	}
	return c.done(ctx, "reconcile", notFoundYet(Result{}, ref, pages, "the newest pages"), "")
}

// listPage fetches one page; list is nil when the call failed, r then says why.
func (c *Client) listPage(ctx context.Context, after string) (Result, *paymentList) {
	q := url.Values{"limit": {strconv.Itoa(max(c.ReconcilePageSize, 1))}}
	if after != "" {
		q.Set("starting_after", after)
	}
	a := c.call(ctx, "reconcile", c.Timeouts.Reconcile, "GET", "/v1/payments?"+q.Encode(), nil)
	r := classify(kindData, a)
	if r.Status.PSPStatus != pspSuccess {
		return r, nil
	}
	r.Payment, r.PaymentID = nil, ""
	var list paymentList
	if err := json.Unmarshal(a.body, &list); err != nil || list.Data == nil {
		r.Err = errors.Join(errors.New("decode payment list: no data"), err)
		return r.with(pspBadResponse), nil
	}
	return r, &list
}

// findOrder returns the first listed payment whose custom_data names ref.
// Entries that do not parse are skipped.
func findOrder(data []json.RawMessage, ref string) (*Payment, bool) {
	for _, raw := range data {
		p, err := decodePayment(raw)
		if err == nil && p.OrderReference() == ref {
			return p, true
		}
	}
	return nil, false
}

// lastID is the id of the page's last payment, for starting_after.
func lastID(data []json.RawMessage) string {
	var p struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(data[len(data)-1], &p) // an unreadable entry restarts nothing: the loop is bounded
	return p.ID
}

// notFoundYet is the result of a search that found nothing: UNCERTAIN
// (TIMEOUT, the create's outcome is still unknown), never a final failure.
func notFoundYet(r Result, ref string, pages int, scope string) Result {
	r.Reasons = []string{fmt.Sprintf("no payment found yet for order %q: none in %s (%d page(s) searched); "+
		"the timed-out create may still commit at Alma, so check again before creating another", ref, scope, pages)}
	return r.with(pspTimeout)
}
