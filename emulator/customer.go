package emulator

import (
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/gorilla/mux"

	"github.com/alma-sandbox/alma-sandbox/scenarios"
)

// customerBody is the body of POST /__admin/payments/{id}/customer.
type customerBody struct {
	Action string    `json:"action"` // pay (default) or close
	Card   cardInput `json:"card"`
}

// customerOutcome is the answer of the customer step.
type customerOutcome struct {
	Outcome     string `json:"outcome"` // accepted, refused or closed
	State       string `json:"state"`
	ErrorCode   string `json:"error_code,omitempty"`
	Message     string `json:"message,omitempty"`
	RedirectURL string `json:"redirect_url,omitempty"`
}

// The outcomes of the customer step.
const (
	outcomeAccepted = "accepted"
	outcomeRefused  = "refused"
	outcomeClosed   = "closed"
)

// messageScoredNo is the customer step's message when Alma's scoring
// refuses the payment after a valid card.
const messageScoredNo = "Alma declined the payment in installments."

// customerStep answers POST /__admin/payments/{id}/customer: what a
// customer does on Alma's page, for tools and tests.
func (s *Server) customerStep(w http.ResponseWriter, r *http.Request) {
	s.serveCustomer(w, r, mux.Vars(r)["id"])
}

// customerOnPage answers POST /pay/{short}: the same step, posted by the
// payment page (and the widget's modal) to its own route.
func (s *Server) customerOnPage(w http.ResponseWriter, r *http.Request) {
	s.serveCustomer(w, r, "payment_"+mux.Vars(r)["short"])
}

// serveCustomer performs the customer's step on payment id.
func (s *Server) serveCustomer(w http.ResponseWriter, r *http.Request, id string) {
	var body customerBody
	if aerr := decodeBody(r, &body); aerr != nil {
		writeError(w, aerr)
		return
	}
	if body.Action == "" {
		body.Action = "pay"
	}
	if !slices.Contains([]string{"pay", "close"}, body.Action) {
		writeError(w, fieldError("action", codeInvalidValue, "action must be pay or close", body.Action))
		return
	}
	if cs := s.chaosStep(r, string(scenarios.OpCustomer)); cs != nil {
		s.serveStep(w, r, cs, func() answer { return paymentNotFound(id).answer() })
		return
	}
	var step *scenarios.Step
	if err := s.update(r, id, func(p *payment) error {
		learn(w, r, id, p.Script.ID())
		step = p.Script.Next(scenarios.OpCustomer)
		return nil
	}); err != nil {
		writeError(w, paymentNotFound(id))
		return
	}
	s.serveStep(w, r, step, func() answer {
		var out customerOutcome
		var aerr *apiError
		if err := s.update(r, id, func(p *payment) error {
			out, aerr = s.runCustomer(p, body, step, s.clock.now())
			return nil
		}); err != nil {
			return paymentNotFound(id).answer()
		}
		if aerr != nil {
			return aerr.answer()
		}
		return answer{status: http.StatusOK, body: appendJSON(nil, out)}
	})
}

// runCustomer performs the customer step on p at clock (the emulator's
// time): a card the bank refuses leaves p as it was; an accepted card moves
// p on, arms its IPN and, when scored_maybe under a scenario decision, the
// decision. Alma's scoring may still refuse (scored_no): the outcome is then
// refused, and the customer goes to failure_return_url (else return_url).
func (s *Server) runCustomer(p *payment, body customerBody, step *scenarios.Step, clock time.Time) (customerOutcome, *apiError) {
	now := p.at(clock)
	p.settle(now)
	if body.Action == "close" {
		p.note(now, "customer", "closed the widget")
		return customerOutcome{Outcome: outcomeClosed, State: p.State, RedirectURL: withPID(p.CustomerCancelURL, p.ID)}, nil
	}
	res := checkCard(body.Card, now)
	stepState := ""
	if step != nil {
		stepState = step.State
	}
	state, aerr := p.pay(res, stepState, now)
	switch {
	case aerr != nil:
		return customerOutcome{}, aerr
	case res.Code != "":
		return customerOutcome{Outcome: outcomeRefused, State: state, ErrorCode: res.Code, Message: res.Message}, nil
	}
	s.notify(p, p.Script.Next(scenarios.OpIPN), clock)
	s.armDecision(p, state, clock)
	if state == stateScoredNo {
		return customerOutcome{
			Outcome: outcomeRefused, State: state, ErrorCode: stateScoredNo, Message: messageScoredNo,
			RedirectURL: withPID(orDefault(p.FailureReturnURL, p.ReturnURL), p.ID),
		}, nil
	}
	return customerOutcome{Outcome: outcomeAccepted, State: state, Message: res.Message, RedirectURL: withPID(p.ReturnURL, p.ID)}, nil
}

// armDecision arms a scenario's asynchronous decision: scored_maybe
// becomes the decision's state after its delay on the emulator's clock,
// then an IPN goes out. It runs under p's lock.
func (s *Server) armDecision(p *payment, state string, clock time.Time) {
	sc := p.Script.Scenario()
	if state != stateScoredMaybe || sc == nil || sc.Decision == nil {
		return
	}
	s.arm(clock.Add(sc.Decision.After.Std()), timerSpec{Kind: timerDecision, PID: p.ID, State: sc.Decision.State})
}

// decideLater fires a decision timer: the payment takes the decision's
// state at its time, then its IPN goes out.
func (s *Server) decideLater(spec timerSpec, at time.Time) {
	_ = s.store.update(spec.PID, func(p *payment) error {
		if p.decide(spec.State, p.at(at)) {
			s.notify(p, p.Script.Next(scenarios.OpIPN), at)
		}
		return nil
	})
}

// withPID adds pid=<id> to a return URL ("" stays "").
func withPID(raw, id string) string {
	if raw == "" {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	q := u.Query()
	q.Set("pid", id)
	u.RawQuery = q.Encode()
	return u.String()
}
