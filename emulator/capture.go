package emulator

import (
	"fmt"
	"net/http"

	"github.com/alma-sandbox/alma-sandbox/emulator/replay"
	"github.com/alma-sandbox/alma-sandbox/scenarios"
)

// capturePayment answers POST /v1/payments/{id}/capture {"amount"?}: the
// deferred capture of a capture_method manual payment charges its first
// installment; a partial amount re-splits the plan over what is captured.
// One capture only.
func (svc *service) capturePayment(w http.ResponseWriter, r *http.Request) {
	rec, ok := svc.lookup(w, r)
	if !ok {
		return
	}
	req, aerr := decodeAmountRequest(r)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	svc.engine.Serve(w, r, rec.script.Next(scenarios.OpCapture), func() replay.Answer {
		rec.mu.Lock()
		defer rec.mu.Unlock()
		if aerr := svc.capture(rec, req.Amount); aerr != nil {
			return aerr.answer()
		}
		return svc.answer(rec)
	})
}

// capture charges rec's first installment. The caller holds rec.mu.
func (svc *service) capture(rec *record, amount *int64) *apiError {
	svc.settle(rec)
	p := &rec.p
	switch {
	case rec.captured:
		return fieldError("payment", codeAlreadyCaptured, "Payment "+p.ID+" was already captured", nil)
	case p.CaptureMethod != "manual":
		return topError(codeForbidden, "Payment "+p.ID+" was not created with capture_method manual")
	case p.ExpiredAt != nil:
		return topError(codeForbidden, "Payment "+p.ID+" is cancelled or expired")
	case p.State != stateScoredYes:
		return topError(codeForbidden, "Payment "+p.ID+" is not authorized (state "+p.State+")")
	}
	now := svc.nowOf(rec)
	if amount != nil && *amount != p.PurchaseAmount {
		if *amount > p.PurchaseAmount {
			return topError(codeInvalidAmount, fmt.Sprintf("capture amount %d exceeds the authorized %d", *amount, p.PurchaseAmount))
		}
		p.PaymentPlan = svc.plan(*amount, p.InstallmentsCount, now)
	}
	payFirst(p, now)
	rec.captured = true
	rec.addEvent(now, "capture", fmt.Sprintf("captured %d", paidTotal(p)))
	return nil
}

// triggerPayment answers POST /v1/payments/{id}/trigger: a pay-on-trigger
// payment accepted by the customer is charged now.
func (svc *service) triggerPayment(w http.ResponseWriter, r *http.Request) {
	rec, ok := svc.lookup(w, r)
	if !ok {
		return
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if aerr := svc.trigger(rec); aerr != nil {
		writeError(w, aerr)
		return
	}
	replay.WriteAnswer(w, svc.answer(rec))
}

// trigger applies a pay-on-trigger payment's trigger. The caller holds
// rec.mu.
func (svc *service) trigger(rec *record) *apiError {
	svc.settle(rec)
	p := &rec.p
	switch {
	case !p.DeferredTrigger:
		return topError(codeForbidden, "Payment "+p.ID+" was not created with deferred trigger")
	case p.DeferredTriggerApplied != nil:
		return fieldError("payment", codeGeneric, "Payment "+p.ID+" was already triggered", nil)
	case p.ExpiredAt != nil:
		return topError(codeForbidden, "Payment "+p.ID+" is cancelled or expired")
	case p.State != stateScoredYes:
		return topError(codeForbidden, "Payment "+p.ID+" is not accepted by the customer (state "+p.State+")")
	}
	now := svc.nowOf(rec)
	at := now.Unix()
	p.DeferredTriggerApplied = &at
	payFirst(p, now)
	rec.addEvent(now, "capture", "deferred trigger applied")
	return nil
}
