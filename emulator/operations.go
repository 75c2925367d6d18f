package emulator

import (
	"fmt"
	"net/http"
	"time"

	"github.com/gorilla/mux"

	"github.com/alma-sandbox/alma-sandbox/scenarios"
)

// getPayment answers GET /v1/payments/{id} (the connector's Verify). A
// scenario's get step may move the state first, as Alma's scoring would.
func (s *Server) getPayment(w http.ResponseWriter, r *http.Request) {
	s.operate(w, r, scenarios.OpGet, func(*payment, time.Time) *apiError { return nil })
}

// editPayment answers POST /v1/payments/{id}: custom data, URLs, locale and
// shipping address may change.
func (s *Server) editPayment(w http.ResponseWriter, r *http.Request) {
	var req editRequest
	if aerr := decodeBody(r, &req); aerr != nil {
		writeError(w, aerr)
		return
	}
	if req.Payment == nil {
		writeError(w, fieldError("payment", codeMissingField, "payment is required", nil))
		return
	}
	if aerr := validateEdit(&req); aerr != nil {
		writeError(w, aerr)
		return
	}
	s.operate(w, r, scenarios.OpEdit, func(p *payment, _ time.Time) *apiError {
		p.edit(&req)
		return nil
	})
}

// validateEdit checks an edit's custom data, URLs and address.
func validateEdit(req *editRequest) *apiError {
	p := req.Payment
	if aerr := checkCustomData(p.CustomData); aerr != nil {
		return aerr
	}
	for _, u := range []struct {
		field string
		value *string
	}{
		{"payment.return_url", p.ReturnURL}, {"payment.failure_return_url", p.FailureReturnURL},
		{"payment.customer_cancel_url", p.CustomerCancelURL}, {"payment.ipn_callback_url", p.IPNCallbackURL},
	} {
		if u.value == nil {
			continue
		}
		if aerr := checkURL(u.field, *u.value); aerr != nil {
			return aerr
		}
	}
	return validateAddress("payment.shipping_address", p.ShippingAddress)
}

// cancelPayment answers PUT /v1/payments/{id}/cancel (the customer closed
// the In-Page modal): expired_at is set; a payment with a paid installment
// cannot be cancelled.
func (s *Server) cancelPayment(w http.ResponseWriter, r *http.Request) {
	s.operate(w, r, scenarios.OpCancel, (*payment).cancel)
}

// refundPayment answers POST /v1/payments/{id}/refund {amount?,
// merchant_reference, comment}: no amount refunds what remains; refunds
// accumulate up to what was charged.
func (s *Server) refundPayment(w http.ResponseWriter, r *http.Request) {
	req, aerr := decodeAmountRequest(r)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	if len(req.MerchantReference) > maxReferenceLen {
		writeError(w, fieldError("merchant_reference", codeTooLong, fmt.Sprintf("merchant_reference is longer than %d characters", maxReferenceLen), nil))
		return
	}
	if len(req.Comment) > maxCommentLen {
		writeError(w, fieldError("comment", codeTooLong, fmt.Sprintf("comment is longer than %d characters", maxCommentLen), nil))
		return
	}
	s.operate(w, r, scenarios.OpRefund, func(p *payment, now time.Time) *apiError {
		return p.refund(s.gen.id("refund"), req, now)
	})
}

// capturePayment answers POST /v1/payments/{id}/capture {"amount"?}: the
// deferred capture of a capture_method manual payment charges its first
// installment; a partial amount re-splits the plan over what is captured.
// One capture only.
func (s *Server) capturePayment(w http.ResponseWriter, r *http.Request) {
	req, aerr := decodeAmountRequest(r)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	s.operate(w, r, scenarios.OpCapture, func(p *payment, now time.Time) *apiError {
		return p.capture(req.Amount, now)
	})
}

// triggerPayment answers POST /v1/payments/{id}/trigger: a pay-on-trigger
// payment accepted by the customer is charged now.
func (s *Server) triggerPayment(w http.ResponseWriter, r *http.Request) {
	s.operate(w, r, opUnscripted, (*payment).trigger)
}

// operate answers an operation on the route's payment: the next step of
// its scenario for op (a get step's state applies at once, as Alma's
// scoring would), then act on the payment under its lock at its own time,
// then the settled payment, or act's error.
func (s *Server) operate(w http.ResponseWriter, r *http.Request, op scenarios.Op, act func(*payment, time.Time) *apiError) {
	id := mux.Vars(r)["id"]
	if h := r.Header.Get(scenarioHeader); h != "" {
		// A scenario is chosen when a payment is created: say so rather than
		// ignore the header.
		warning := scenarioHeader + " applies to POST /v1/payments only; ignored here (the payment keeps the scenario it was created with)"
		w.Header().Set(WarningHeader, warning)
		info(r).warning = warning
		s.Logger.Debug("scenario header ignored", "method", r.Method, "path", r.URL.Path, "header", h)
	}
	if cs := s.chaosStep(r, string(op)); cs != nil && op != opUnscripted {
		s.serveStep(w, r, cs, func() answer { return paymentNotFound(id).answer() })
		return
	}
	buf := getBuffer()
	defer putBuffer(buf)
	run := func(p *payment) answer {
		now := p.at(s.clock.now())
		if aerr := act(p, now); aerr != nil {
			return aerr.answer()
		}
		p.settle(now)
		*buf = s.renderPayment((*buf)[:0], p)
		return ok(*buf)
	}
	var step *scenarios.Step
	var a answer
	if op == scenarios.OpGet && s.durable != nil && s.getWithoutStep(w, r, id, run) {
		return
	}
	err := s.update(r, id, func(p *payment) error {
		learn(w, r, id, p.Script.ID())
		step = p.Script.Next(op)
		if step == nil {
			a = run(p) // the usual case: one lock, no step
			return nil
		}
		if op == scenarios.OpGet && step.State != "" {
			p.force(step.State, "scenario get step", p.at(s.clock.now()))
		}
		return nil
	})
	switch {
	case err != nil:
		learn(w, r, id, "")
		writeError(w, paymentNotFound(id))
	case step == nil:
		writeAnswer(w, a)
	default:
		s.serveStep(w, r, step, func() answer {
			if err := s.update(r, id, func(p *payment) error { a = run(p); return nil }); err != nil {
				return paymentNotFound(id).answer() // evicted during the step's delay
			}
			return a
		})
	}
}

// getWithoutStep answers a get whose payment has no get step left by
// reading it (a durable store then writes nothing and locks nothing) and
// reports whether it did.
func (s *Server) getWithoutStep(w http.ResponseWriter, r *http.Request, id string, run func(*payment) answer) bool {
	var a answer
	done := false
	err := s.read(r, id, func(p *payment) error {
		if p.Script.Peek(scenarios.OpGet) == nil {
			learn(w, r, id, p.Script.ID())
			a, done = run(p), true
		}
		return nil
	})
	if err != nil || !done {
		return false
	}
	writeAnswer(w, a)
	return true
}

// paymentNotFound is Alma's 404 for an unknown payment id.
func paymentNotFound(id string) *apiError {
	return topError(codeNotFound, "Payment "+id+" not found")
}

// opUnscripted is the op of an operation no scenario scripts.
const opUnscripted scenarios.Op = ""
