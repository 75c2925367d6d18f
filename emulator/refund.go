package emulator

import (
	"fmt"
	"net/http"

	"github.com/alma-sandbox/alma-sandbox/emulator/replay"
	"github.com/alma-sandbox/alma-sandbox/scenarios"
)

// refundPayment answers POST /v1/payments/{id}/refund {amount?,
// merchant_reference, comment}: no amount refunds what remains; refunds
// accumulate up to what was charged.
func (svc *service) refundPayment(w http.ResponseWriter, r *http.Request) {
	rec, ok := svc.lookup(w, r)
	if !ok {
		return
	}
	req, aerr := decodeAmountRequest(r)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	if len(req.MerchantReference) > maxReferenceLen {
		writeError(w, fieldError("merchant_reference", codeTooLong, fmt.Sprintf("merchant_reference is longer than %d characters", maxReferenceLen), nil))
		return
	}
	svc.engine.Serve(w, r, rec.script.Next(scenarios.OpRefund), func() replay.Answer {
		rec.mu.Lock()
		defer rec.mu.Unlock()
		if aerr := svc.refund(rec, req); aerr != nil {
			return aerr.answer()
		}
		return svc.answer(rec)
	})
}

// refund records one refund on rec. The caller holds rec.mu.
func (svc *service) refund(rec *record, req amountRequest) *apiError {
	svc.settle(rec)
	p := &rec.p
	if !anyPaid(p) {
		return topError(codeForbidden, "Payment "+p.ID+" has no paid installment to refund")
	}
	remaining := paidTotal(p) - p.AmountAlreadyRefunded
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
	now := svc.nowOf(rec)
	p.Refunds = append(p.Refunds, refundJSON{
		ID: svc.gen.id("refund"), Created: now.Unix(), Amount: amount,
		MerchantReference: req.MerchantReference, Comment: req.Comment, Payment: p.ID,
	})
	p.AmountAlreadyRefunded += amount
	rec.addEvent(now, "refund", fmt.Sprintf("refunded %d", amount))
	return nil
}

// cancelPayment answers PUT /v1/payments/{id}/cancel (the customer closed
// the In-Page modal): expired_at is set; a payment with a paid installment
// cannot be cancelled.
func (svc *service) cancelPayment(w http.ResponseWriter, r *http.Request) {
	rec, ok := svc.lookup(w, r)
	if !ok {
		return
	}
	svc.engine.Serve(w, r, rec.script.Next(scenarios.OpCancel), func() replay.Answer {
		rec.mu.Lock()
		defer rec.mu.Unlock()
		svc.settle(rec)
		p := &rec.p
		if anyPaid(p) {
			return topError(codeForbidden, "Payment "+p.ID+" cannot be cancelled: an installment was paid (refund it instead)").answer()
		}
		if p.ExpiredAt == nil {
			now := svc.nowOf(rec)
			at := now.Unix()
			p.ExpiredAt = &at
			rec.addEvent(now, "cancel", "cancelled by the merchant")
		}
		return svc.answer(rec)
	})
}
