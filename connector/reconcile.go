package connector

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// paymentList is the answer of GET /v1/payments.
type paymentList struct {
	Data    []json.RawMessage `json:"data"`
	HasMore bool              `json:"has_more"`
}

// Reconcile looks for the payment an UNCERTAIN Initialize may have created
// for the session, or one whose create answer could not be read
// (PARTNER_RESPONSE_VALIDATION_FAILED): it lists Alma's payments newest first
// (GET /v1/payments?limit=…&starting_after=…), at most ReconcilePages pages,
// and returns the first that is the session's (see sessionMismatch: its
// custom_data.order_reference, purchase_amount, installments_count and
// return_url). Found: the payment's row (as Initialize would have answered)
// and its id. A payment naming the order that is not the session's is
// skipped, and said so in Reasons. Not found, or not known (a page that
// cannot be read, a page cursor Alma no longer knows): TIMEOUT
// (UNCERTAIN), never a final ERROR, since a create that timed out may still
// commit at Alma later; the reason says to check again before creating
// another. A first page that fails is classified as a main call (and stays
// UNCERTAIN if it was).
func (c *Client) Reconcile(ctx context.Context, s Session) Result {
	ref := s.Order.Reference
	if ref == "" {
		return Result{Reasons: []string{"order.reference: required"}}.with(pspSessionNotOK)
	}
	after := ""
	var skipped []string
	pages := max(c.ReconcilePages, 1)
	for page := 1; page <= pages; page++ {
		r, list := c.listPage(ctx, after)
		if list == nil {
			r.Reasons = append(r.Reasons, skipped...)
			return c.done(ctx, "reconcile", r, "")
		}
		found, why := c.findSession(list.Data, s)
		skipped = append(skipped, why...)
		if found != nil {
			r.Payment, r.PaymentID = found, found.ID
			r.Reasons = append([]string{fmt.Sprintf("found payment %s for order %q", found.ID, ref)}, skipped...)
			return c.done(ctx, "reconcile", r.with(stateRow(found)), found.ID)
		}
		if !list.HasMore || len(list.Data) == 0 {
			return c.done(ctx, "reconcile", notFoundYet(r, ref, page, "all payments", skipped), "")
		}
		after = lastID(list.Data)
	}
	return c.done(ctx, "reconcile", notFoundYet(Result{}, ref, pages, "the newest pages", skipped), "")
}

// listPage fetches one page; list is nil when the call failed, r then says
// why. A page that cannot be read, or a later page whose cursor Alma
// refuses (the payment it names was evicted), leaves the search UNCERTAIN:
// it proves nothing about the order.
func (c *Client) listPage(ctx context.Context, after string) (Result, *paymentList) {
	q := url.Values{"limit": {strconv.Itoa(max(c.ReconcilePageSize, 1))}}
	if after != "" {
		q.Set("starting_after", after)
	}
	a := c.call(ctx, "reconcile", c.Timeouts.Reconcile, "GET", "/v1/payments?"+q.Encode(), nil)
	r := classify(kindData, a)
	switch {
	case a.status >= 200 && a.status < 300 && r.Status.PSPStatus != pspSuccess: // HTML, cut, not JSON
		return unknownYet(r, "a page of payments could not be read"), nil
	case after != "" && a.status >= 400 && a.status < 500:
		return unknownYet(r, fmt.Sprintf("Alma refused the page cursor starting_after=%s (evicted?)", after)), nil
	case r.Status.PSPStatus != pspSuccess:
		return r, nil
	}
	r.Payment, r.PaymentID = nil, ""
	var list paymentList
	if err := json.Unmarshal(a.body, &list); err != nil || list.Data == nil {
		r.Err = errors.Join(errors.New("decode payment list: no data"), err)
		return unknownYet(r, "a page of payments could not be read"), nil
	}
	return r, &list
}

// unknownYet is an interrupted search: UNCERTAIN (TIMEOUT), with why.
func unknownYet(r Result, why string) Result {
	r.Reasons = append(r.Reasons, why+": whether a payment was created for the order is not known yet; check again before creating another")
	return r.with(pspTimeout)
}

// findSession returns the first listed payment that is the session's, and
// why each payment naming the order was not. Entries that do not parse are
// skipped.
func (c *Client) findSession(data []json.RawMessage, s Session) (*Payment, []string) {
	var skipped []string
	for _, raw := range data {
		p, err := decodePayment(raw)
		if err != nil || p.OrderReference() != s.Order.Reference {
			continue
		}
		why := sessionMismatch(p, s, c.plan())
		if why == "" {
			return p, skipped
		}
		skipped = append(skipped, fmt.Sprintf("skipped payment %s: it names order %q but %s", p.ID, s.Order.Reference, why))
	}
	return nil, skipped
}

// sessionMismatch says how a payment naming the session's order differs
// from what Initialize would have created for it; "" when it does not.
func sessionMismatch(p *Payment, s Session, plan Plan) string {
	switch {
	case p.PurchaseAmount != s.Amount.Cents():
		return fmt.Sprintf("its purchase_amount is %d cents, the session's %d", p.PurchaseAmount, s.Amount.Cents())
	case p.InstallmentsCount != plan.Installments:
		return fmt.Sprintf("its installments_count is %d, the plan's %d", p.InstallmentsCount, plan.Installments)
	case p.ReturnURL != "" && withoutPID(p.ReturnURL, p.ID) != s.Order.Redirection:
		return "its return_url is not the session's order.redirection"
	}
	return ""
}

// withoutPID is an echoed URL without the pid=<id> Alma adds to it.
func withoutPID(u, id string) string {
	for _, sep := range []string{"?", "&"} {
		if rest, ok := strings.CutSuffix(u, sep+"pid="+id); ok {
			return rest
		}
	}
	return u
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
func notFoundYet(r Result, ref string, pages int, scope string, skipped []string) Result {
	r.Reasons = append([]string{fmt.Sprintf("no payment found yet for order %q: none in %s (%d page(s) searched); "+
		"the timed-out create may still commit at Alma, so check again before creating another", ref, scope, pages)}, skipped...)
	return r.with(pspTimeout)
}
