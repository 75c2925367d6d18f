package emulator

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/alma-sandbox/alma-sandbox/emulator/replay"
)

// payment is one Alma payment as the emulator keeps it: Alma's view and the
// sandbox's. Its methods are the lifecycle: each takes the time (the
// payment's own clock, see at) and returns an error of the error table; none
// locks, writes JSON or sends anything. The store guards it (store.update).
type payment struct {
	ID                string
	Created           time.Time
	State             string
	Amount            int64 // purchase_amount, in cents
	Installments      int
	DeferredDays      int
	DeferredMonths    int
	CaptureMethod     string // automatic or manual
	Origin            string
	Locale            string
	CustomData        json.RawMessage // a JSON object, as sent
	ReturnURL         string
	FailureReturnURL  string
	CustomerCancelURL string
	IPNCallbackURL    string
	Trigger           bool // pay on trigger (deferred: "trigger")
	TriggerText       string
	TriggeredAt       time.Time // zero until triggered
	ExpiresAt         time.Time // zero: never; an unstarted payment expires then
	ExpiredAt         time.Time // zero until cancelled or expired
	Captured          bool
	Terms             FeePlan // the fee plan it was created on
	Plan              []installment
	Refunds           []refundJSON
	Orders            []orderJSON
	Customer          customerJSON
	Billing, Shipping *addressJSON
	Cart              json.RawMessage

	// The sandbox's side.
	Tenant    string        // its merchant's id (the tenant it belongs to)
	APIKey    string        // the key it was created with: signs its IPNs
	Offset    time.Duration // its own clock advance
	CardLast4 string
	Script    replay.Script `json:"-"` // walks its scenario; the zero value is the happy path
	Events    ring[event]   `json:"-"`
}

// installment is one line of a payment plan.
type installment struct {
	Due      time.Time
	Paid     time.Time // zero until paid
	Amount   int64
	Original int64  // the amount before a full refund zeroed it; 0: Amount
	Fee      int64  // the customer's fees due with it (the first carries them)
	Interest int64  // the customer's interest due with it
	State    string // installmentPending or installmentPaid
}

// total is what the customer pays for the installment.
func (in installment) total() int64 { return in.Amount + in.Fee + in.Interest }

// original is the installment's amount before any full refund.
func (in installment) original() int64 {
	if in.Original != 0 {
		return in.Original
	}
	return in.Amount
}

// The states of a payment.
const (
	stateNotStarted  = "not_started"
	stateScoredNo    = "scored_no"
	stateScoredMaybe = "scored_maybe"
	stateScoredYes   = "scored_yes"
	stateInProgress  = "in_progress"
	statePaid        = "paid"
)

// The states of an installment.
const (
	installmentPending = "pending"
	installmentPaid    = "paid"
)

// maxEvents bounds the sandbox events kept per payment.
const maxEvents = 64

// event is one line of a payment's sandbox history.
type event struct {
	At     int64  `json:"at"`
	Kind   string `json:"kind"`
	Detail string `json:"detail"`
}

// at is the time as p sees it: the emulator's clock plus p's own advance.
func (p *payment) at(clock time.Time) time.Time { return clock.Add(p.Offset) }

// note appends a sandbox event, dropping the oldest past maxEvents.
func (p *payment) note(now time.Time, kind, detail string) {
	if p.Events.limit == 0 {
		p.Events = newRing[event](maxEvents)
	}
	p.Events.push(event{At: now.Unix(), Kind: kind, Detail: detail})
}

// newPlan splits amount into the installments of the fee plan fp, the first
// due at start plus fp's deferral, then monthly; the remainder of the
// division goes to the first (200000 in 3 → 66668/66666/66666), as Alma's
// plans do, and so do the customer's fees (FeePlan.schedule).
func newPlan(amount int64, fp FeePlan, start time.Time) []installment {
	lines := fp.schedule(amount, start)
	out := make([]installment, len(lines))
	for i, l := range lines {
		out[i] = installment{Due: l.Due, Amount: l.Amount, Fee: l.Fee, Interest: l.Interest, State: installmentPending}
	}
	return out
}

// terms is p's fee plan: the one it was created on, else (a payment built
// without one) the plain plan of its installments.
func (p *payment) terms() FeePlan {
	if p.Terms.InstallmentsCount != 0 {
		return p.Terms
	}
	return FeePlan{Kind: kindGeneral, InstallmentsCount: p.Installments, DeferredDays: p.DeferredDays, DeferredMonths: p.DeferredMonths}
}

// customerCosts are the customer's fees and interest over p's plan.
func (p *payment) customerCosts() (fee, interest int64) {
	for _, in := range p.Plan {
		fee += in.Fee
		interest += in.Interest
	}
	return fee, interest
}

// split divides amount into n parts, the remainder on the first.
func split(amount int64, n int) []int64 {
	n = max(n, 1)
	base := amount / int64(n)
	out := make([]int64, n)
	for i := range out {
		out[i] = base
	}
	out[0] = amount - base*int64(n-1)
	return out
}

// settle applies the time: an unstarted payment past its expiry expires
// (at exactly ExpiresAt it has expired); an in-progress payment has its due
// installments paid, and becomes paid with the last.
func (p *payment) settle(now time.Time) {
	if !p.ExpiresAt.IsZero() && p.ExpiredAt.IsZero() && !p.anyPaid() && !now.Before(p.ExpiresAt) {
		p.ExpiredAt = p.ExpiresAt
	}
	if p.State != stateInProgress {
		return
	}
	for i := range p.Plan {
		if in := &p.Plan[i]; in.State == installmentPending && !in.Due.After(now) {
			in.pay(in.Due)
		}
	}
	if p.allPaid() {
		p.State = statePaid
	}
}

// pay marks the installment paid at a time.
func (in *installment) pay(at time.Time) {
	in.State = installmentPaid
	in.Paid = at
}

// payFirst charges the first installment now: the payment is in progress.
func (p *payment) payFirst(now time.Time) {
	if len(p.Plan) > 0 && p.Plan[0].State != installmentPaid {
		p.Plan[0].pay(now)
	}
	p.State = stateInProgress
}

// anyPaid reports whether an installment was paid.
func (p *payment) anyPaid() bool {
	return slices.ContainsFunc(p.Plan, func(in installment) bool { return in.State == installmentPaid })
}

// allPaid reports whether every installment was paid.
func (p *payment) allPaid() bool {
	return !slices.ContainsFunc(p.Plan, func(in installment) bool { return in.State != installmentPaid })
}

// charged is what the customer was charged or will be: the plan's sum.
func (p *payment) charged() int64 {
	var sum int64
	for _, in := range p.Plan {
		sum += in.Amount
	}
	return sum
}

// refunded is the sum of p's refunds.
func (p *payment) refunded() int64 {
	var sum int64
	for _, r := range p.Refunds {
		sum += r.Amount
	}
	return sum
}

// updated is the last time p changed: its latest sandbox event.
func (p *payment) updated() time.Time {
	if n := p.Events.len(); n > 0 {
		return time.Unix(p.Events.at(n-1).At, 0)
	}
	return p.Created
}

// processingStatus is Alma's processing_status: where the payment stands
// between the customer and the collection (our reading of the fixtures:
// awaiting_authorization before the customer acts).
func (p *payment) processingStatus() string {
	switch {
	case p.expired() && !p.anyPaid():
		return "canceled"
	case p.State == stateNotStarted:
		return "awaiting_authorization"
	case p.State == stateScoredNo:
		return "refused"
	case p.State == stateScoredMaybe:
		return "pending_review"
	case p.State == stateScoredYes:
		return "authorized"
	}
	return "captured"
}

// expired reports whether p was cancelled or expired.
func (p *payment) expired() bool { return !p.ExpiredAt.IsZero() }

// awaitingCustomer reports whether the customer can still pay.
func (p *payment) awaitingCustomer() bool {
	return !p.expired() && p.State == stateNotStarted
}

// force moves p to state as Alma's scoring or collection would: in progress
// pays the first installment, paid pays them all.
func (p *payment) force(state, why string, now time.Time) {
	switch state {
	case stateInProgress:
		p.payFirst(now)
	case statePaid:
		for i := range p.Plan {
			if p.Plan[i].State != installmentPaid {
				p.Plan[i].pay(now)
			}
		}
		p.State = statePaid
	default:
		p.State = state
	}
	p.note(now, "state", state+" ("+why+")")
}

// acceptedState is the state after the customer's card is accepted: a
// scenario's customer step decides first; else manual capture and pay on
// trigger wait (scored_yes), automatic capture charges (in_progress).
func (p *payment) acceptedState(stepState string) string {
	switch {
	case stepState != "":
		return stepState
	case p.CaptureMethod == "manual" || p.Trigger:
		return stateScoredYes
	}
	return stateInProgress
}

// pay is the customer paying with a card the bank judged (res): a refused
// card leaves p as it was; an accepted one moves p to the accepted state
// (stepState, when a scenario says so). It returns the new state.
func (p *payment) pay(res cardResult, stepState string, now time.Time) (string, *apiError) {
	if !p.awaitingCustomer() {
		return "", topError(codeForbidden, "payment is not awaiting the customer (state "+p.State+", or expired)")
	}
	p.CardLast4 = res.Last4
	if res.Code != "" {
		p.note(now, "customer", "card …"+res.Last4+" refused: "+res.Code)
		return p.State, nil
	}
	state := p.acceptedState(stepState)
	p.note(now, "customer", "card …"+res.Last4+" accepted")
	p.force(state, "customer", now)
	return state, nil
}

// decide is Alma's asynchronous decision on a scored_maybe payment; it
// reports whether p was still waiting for it.
func (p *payment) decide(state string, now time.Time) bool {
	if p.State != stateScoredMaybe {
		return false
	}
	p.force(state, "scenario decision", now)
	return true
}

// capture is the deferred capture of a manual-capture payment: it charges
// the first installment; a partial amount re-splits the plan over what is
// captured. One capture only.
func (p *payment) capture(amount *int64, now time.Time) *apiError {
	p.settle(now)
	switch {
	case p.Captured:
		return fieldError("payment", codeAlreadyCaptured, "Payment "+p.ID+" was already captured", nil)
	case p.CaptureMethod != "manual":
		return topError(codeForbidden, "Payment "+p.ID+" was not created with capture_method manual")
	case p.expired():
		return topError(codeForbidden, "Payment "+p.ID+" is cancelled or expired")
	case p.State != stateScoredYes:
		return topError(codeForbidden, "Payment "+p.ID+" is not authorized (state "+p.State+")")
	}
	if amount != nil && *amount != p.Amount {
		if *amount > p.Amount {
			return topError(codeInvalidAmount, fmt.Sprintf("capture amount %d exceeds the authorized %d", *amount, p.Amount))
		}
		p.Plan = newPlan(*amount, p.terms(), now)
	}
	p.payFirst(now)
	p.Captured = true
	p.note(now, "capture", fmt.Sprintf("captured %d", p.charged()))
	return nil
}

// trigger applies a pay-on-trigger payment's trigger: it is charged now.
func (p *payment) trigger(now time.Time) *apiError {
	p.settle(now)
	switch {
	case !p.Trigger:
		return topError(codeForbidden, "Payment "+p.ID+" was not created with deferred trigger")
	case !p.TriggeredAt.IsZero():
		return fieldError("payment", codeGeneric, "Payment "+p.ID+" was already triggered", nil)
	case p.expired():
		return topError(codeForbidden, "Payment "+p.ID+" is cancelled or expired")
	case p.State != stateScoredYes:
		return topError(codeForbidden, "Payment "+p.ID+" is not accepted by the customer (state "+p.State+")")
	}
	p.TriggeredAt = now
	p.payFirst(now)
	p.note(now, "capture", "deferred trigger applied")
	return nil
}

// refund records one refund of amount (nil: what remains) with id; refunds
// accumulate up to what was charged. The refund that reaches it closes the
// payment (closeRefunded).
func (p *payment) refund(id string, req amountRequest, now time.Time) *apiError {
	p.settle(now)
	if !p.anyPaid() {
		return topError(codeForbidden, "Payment "+p.ID+" has no paid installment to refund")
	}
	remaining := p.charged() - p.refunded()
	if remaining <= 0 {
		return topError(codeInvalidAmount, "Payment "+p.ID+" is already fully refunded")
	}
	amount := remaining
	if req.Amount != nil {
		amount = *req.Amount
	}
	if amount > remaining {
		return topError(codeInvalidAmount, fmt.Sprintf("refund amount %d exceeds the %d that remains refundable", amount, remaining))
	}
	p.Refunds = append(p.Refunds, refundJSON{
		ID: id, Created: now.Unix(), Amount: amount,
		MerchantReference: optString(req.MerchantReference), Comment: req.Comment, Payment: p.ID,
		PaymentRefundAmount: amount,
	})
	p.note(now, "refund", fmt.Sprintf("refunded %d", amount))
	if p.refunded() == p.charged() {
		p.closeRefunded(now)
	}
	return nil
}

// closeRefunded ends a fully refunded payment as Alma does: the installments
// still pending are zeroed (nothing more will be collected) and the payment
// is paid.
func (p *payment) closeRefunded(now time.Time) {
	for i := range p.Plan {
		if in := &p.Plan[i]; in.State == installmentPending {
			in.Original, in.Amount, in.Fee, in.Interest = in.Amount, 0, 0, 0
		}
	}
	p.State = statePaid
	p.note(now, "state", statePaid+" (fully refunded)")
}

// cancel is the merchant cancelling (the customer closed the In-Page modal):
// ExpiredAt is set; a payment with a paid installment cannot be cancelled.
func (p *payment) cancel(now time.Time) *apiError {
	p.settle(now)
	if p.anyPaid() {
		return topError(codeForbidden, "Payment "+p.ID+" cannot be cancelled: an installment was paid (refund it instead)")
	}
	if !p.expired() {
		p.ExpiredAt = now
		p.note(now, "cancel", "cancelled by the merchant")
	}
	return nil
}

// edit copies an edit's fields onto p.
func (p *payment) edit(req *editRequest) {
	e := req.Payment
	if e.CustomData != nil {
		p.CustomData = compactRaw(e.CustomData)
	}
	if e.Locale != nil {
		p.Locale = *e.Locale
	}
	for _, f := range []struct {
		dst *string
		src *string
	}{
		{&p.ReturnURL, e.ReturnURL}, {&p.FailureReturnURL, e.FailureReturnURL},
		{&p.CustomerCancelURL, e.CustomerCancelURL}, {&p.IPNCallbackURL, e.IPNCallbackURL},
	} {
		if f.src != nil {
			*f.dst = *f.src
		}
	}
	if e.ShippingAddress != nil {
		p.Shipping = e.ShippingAddress
	}
}

// setOrders adds (or, replacing, sets) p's orders, refusing to hold more
// than maxOrdersPerPayment.
func (p *payment) setOrders(list []orderJSON, replace bool, now time.Time) *apiError {
	if !replace && len(p.Orders)+len(list) > maxOrdersPerPayment {
		return tooManyOrders()
	}
	if replace {
		p.Orders = nil
	}
	p.Orders = append(p.Orders, list...)
	p.note(now, "state", "orders updated")
	return nil
}

// advance moves p's own clock forward by d, saturating rather than
// overflowing.
func (p *payment) advance(d time.Duration, now time.Time) {
	p.Offset = addSaturating(p.Offset, d)
	p.note(p.at(now), "state", "clock advanced by "+d.String())
}

// addSaturating is a+b for non-negative b, capped at maxAdvance.
func addSaturating(a, b time.Duration) time.Duration {
	if b >= maxAdvance || a > maxAdvance-b {
		return maxAdvance
	}
	return a + b
}

// maxAdvance bounds how far a clock can be advanced: a century, far from
// time.Duration's overflow.
const maxAdvance = 100 * 365 * 24 * time.Hour
