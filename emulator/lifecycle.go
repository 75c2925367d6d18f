package emulator

import (
	"slices"
	"time"
)

// plan splits amount into n monthly installments, the first due at start;
// the remainder of the division goes to the first (200000 in 3 →
// 66668/66666/66666), as Alma's plans do.
func (svc *service) plan(amount int64, n int, start time.Time) []installment {
	parts := split(amount, n)
	out := make([]installment, len(parts))
	for i, part := range parts {
		out[i] = installment{
			DueDate:        start.AddDate(0, i, 0).Unix(),
			PurchaseAmount: part, OriginalPurchaseAmount: part, TotalAmount: part,
			State: installmentPending,
		}
	}
	return out
}

// split divides amount into n parts, the remainder on the first.
func split(amount int64, n int) []int64 {
	if n < 1 {
		n = 1
	}
	base := amount / int64(n)
	out := make([]int64, n)
	for i := range out {
		out[i] = base
	}
	out[0] = amount - base*int64(n-1)
	return out
}

// nowOf is the time as rec sees it: the emulator's clock plus rec's own
// advance.
func (svc *service) nowOf(rec *record) time.Time {
	return svc.clock.Now().Add(rec.offset)
}

// settle applies the clock to rec: an unstarted payment past its expiry
// expires; an in-progress payment has its due installments paid, and
// becomes paid with the last. The caller holds rec.mu.
func (svc *service) settle(rec *record) {
	now := svc.nowOf(rec).Unix()
	p := &rec.p
	if rec.expiresAt != 0 && p.ExpiredAt == nil && !anyPaid(p) && now >= rec.expiresAt {
		at := rec.expiresAt
		p.ExpiredAt = &at
	}
	if p.State != stateInProgress {
		return
	}
	for i := range p.PaymentPlan {
		in := &p.PaymentPlan[i]
		if in.State == installmentPending && in.DueDate <= now {
			payInstallment(in, in.DueDate)
		}
	}
	if allPaid(p) {
		p.State = statePaid
	}
}

// payInstallment marks one installment paid at a unix time.
func payInstallment(in *installment, at int64) {
	in.State = installmentPaid
	in.DatePaid = &at
}

// payFirst charges the first installment now: the payment is in progress.
func payFirst(p *paymentJSON, now time.Time) {
	if len(p.PaymentPlan) > 0 && p.PaymentPlan[0].State != installmentPaid {
		payInstallment(&p.PaymentPlan[0], now.Unix())
	}
	p.State = stateInProgress
}

// anyPaid reports whether an installment was paid.
func anyPaid(p *paymentJSON) bool {
	return slices.ContainsFunc(p.PaymentPlan, func(in installment) bool { return in.State == installmentPaid })
}

// allPaid reports whether every installment was paid.
func allPaid(p *paymentJSON) bool {
	return !slices.ContainsFunc(p.PaymentPlan, func(in installment) bool { return in.State != installmentPaid })
}

// paidTotal is what the customer was charged or will be: the plan's sum.
func paidTotal(p *paymentJSON) int64 {
	var sum int64
	for _, in := range p.PaymentPlan {
		sum += in.PurchaseAmount
	}
	return sum
}

// setState moves rec to state as Alma's scoring or collection would: in
// progress pays the first installment, paid pays them all. The caller
// holds rec.mu.
func (svc *service) setState(rec *record, state, why string) {
	now := svc.nowOf(rec)
	p := &rec.p
	switch state {
	case stateInProgress:
		payFirst(p, now)
	case statePaid:
		for i := range p.PaymentPlan {
			if p.PaymentPlan[i].State != installmentPaid {
				payInstallment(&p.PaymentPlan[i], now.Unix())
			}
		}
		p.State = statePaid
	default:
		p.State = state
	}
	rec.addEvent(now, "state", state+" ("+why+")")
}

// forceState locks rec and moves it to state.
func (svc *service) forceState(rec *record, state, why string) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	svc.setState(rec, state, why)
}

// acceptedState is the state after the customer's card is accepted: a
// scenario's customer step decides first; else manual capture and pay on
// trigger wait (scored_yes), automatic capture charges (in_progress).
func acceptedState(p *paymentJSON, stepState string) string {
	switch {
	case stepState != "":
		return stepState
	case p.CaptureMethod == "manual" || p.DeferredTrigger:
		return stateScoredYes
	}
	return stateInProgress
}

// awaitingCustomer reports whether the customer can still pay.
func awaitingCustomer(p *paymentJSON) bool {
	return p.ExpiredAt == nil && p.State == stateNotStarted
}
