package emulator

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/gorilla/mux"
)

// The calls that reach the customer of a payment: POST send-sms (both PHP
// clients, Python), GET|POST ask-acceptance and POST
// charge-first-installment (the Python client). None is scripted by
// scenarios.

// sendSMS is Alma sending the payment link to the customer's phone. The
// feature is off (403, as Alma answers an account without it) for a
// payment whose customer has no phone; a payment that no longer awaits
// its customer is refused too.
func (p *payment) sendSMS(now time.Time) *apiError {
	p.settle(now)
	switch {
	case p.Customer.Phone == nil:
		return topError(codeForbidden, "SMS sending is not enabled for payment "+p.ID+": its customer has no phone")
	case !p.awaitingCustomer():
		return topError(codeForbidden, "Payment "+p.ID+" is not awaiting the customer (state "+p.State+", or expired)")
	}
	p.note(now, "customer", "payment link sent by SMS")
	return nil
}

// askAcceptance is the merchant asking the customer to accept the payment
// (recorded); only a payment awaiting its customer can be asked.
func (p *payment) askAcceptance(now time.Time) *apiError {
	p.settle(now)
	if !p.awaitingCustomer() {
		return topError(codeForbidden, "Payment "+p.ID+" is not awaiting the customer (state "+p.State+", or expired)")
	}
	p.note(now, "customer", "acceptance asked")
	return nil
}

// chargeFirst charges the first installment of a payment the customer
// accepted but was not charged for (scored_yes: manual capture or pay on
// trigger); it counts as that payment's capture or trigger.
func (p *payment) chargeFirst(now time.Time) *apiError {
	p.settle(now)
	switch {
	case p.expired():
		return topError(codeForbidden, "Payment "+p.ID+" is cancelled or expired")
	case p.State != stateScoredYes:
		return topError(codeForbidden, "Payment "+p.ID+" has no first installment to charge (state "+p.State+")")
	}
	p.payFirst(now)
	p.Captured = p.Captured || p.CaptureMethod == "manual"
	if p.Trigger {
		p.TriggeredAt = now
	}
	p.note(now, "capture", "first installment charged")
	return nil
}

// sendSMSCall answers POST /v1/payments/{id}/send-sms: {"success":true},
// or 403 when SMS is off for the payment (sendSMS).
func (s *Server) sendSMSCall(w http.ResponseWriter, r *http.Request) {
	id := mux.Vars(r)["id"]
	var aerr *apiError
	err := s.update(r, id, func(p *payment) error {
		learn(w, r, id, p.Script.ID())
		aerr = p.sendSMS(p.at(s.clock.now()))
		return nil
	})
	switch {
	case err != nil:
		writeError(w, paymentNotFound(id))
	case aerr != nil:
		writeError(w, aerr)
	default:
		writeOK(w, map[string]bool{"success": true})
	}
}

// askAcceptanceCall answers GET and POST /v1/payments/{id}/ask-acceptance
// with the payment (the Python client sends GET).
func (s *Server) askAcceptanceCall(w http.ResponseWriter, r *http.Request) {
	s.operate(w, r, opUnscripted, (*payment).askAcceptance)
}

// chargeFirstCall answers POST /v1/payments/{id}/charge-first-installment
// with the charged payment. The body, when sent, must be a JSON object;
// its content is not read.
func (s *Server) chargeFirstCall(w http.ResponseWriter, r *http.Request) {
	var body map[string]json.RawMessage
	if aerr := decodeBody(r, &body); aerr != nil {
		writeError(w, aerr)
		return
	}
	s.operate(w, r, opUnscripted, (*payment).chargeFirst)
}
