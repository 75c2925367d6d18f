package emulator

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"

	"github.com/alma-sandbox/alma-sandbox/emulator/replay"
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

// customerStep answers POST /__admin/payments/{id}/customer: what a
// customer does on Alma's page (the widget and the payment page call it).
func (svc *service) customerStep(w http.ResponseWriter, r *http.Request) {
	rec, ok := svc.lookup(w, r)
	if !ok {
		return
	}
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
	step := rec.script.Next(scenarios.OpCustomer)
	svc.engine.Serve(w, r, step, func() replay.Answer {
		out, aerr := svc.runCustomer(rec, body, step)
		if aerr != nil {
			return aerr.answer()
		}
		return jsonAnswer(out)
	})
}

// runCustomer performs the customer step on rec; an accepted payment gets
// its IPN and, when scored_maybe under a scenario decision, its timer.
func (svc *service) runCustomer(rec *record, body customerBody, step *scenarios.Step) (customerOutcome, *apiError) {
	rec.mu.Lock()
	svc.settle(rec)
	now := svc.nowOf(rec)
	p := &rec.p
	if body.Action == "close" {
		rec.addEvent(now, "customer", "closed the widget")
		out := customerOutcome{Outcome: "closed", State: p.State, RedirectURL: withPID(deref(p.CustomerCancelURL), p.ID)}
		rec.mu.Unlock()
		return out, nil
	}
	if !awaitingCustomer(p) {
		state := p.State
		rec.mu.Unlock()
		return customerOutcome{}, topError(codeForbidden, "payment is not awaiting the customer (state "+state+", or expired)")
	}
	res := checkCard(body.Card, now)
	rec.cardLast4 = res.Last4
	if res.Code != "" {
		rec.addEvent(now, "customer", "card …"+res.Last4+" refused: "+res.Code)
		out := customerOutcome{Outcome: "refused", State: p.State, ErrorCode: res.Code, Message: res.Message}
		rec.mu.Unlock()
		return out, nil
	}
	stepState := ""
	if step != nil {
		stepState = step.State
	}
	state := acceptedState(p, stepState)
	rec.addEvent(now, "customer", "card …"+res.Last4+" accepted")
	svc.setState(rec, state, "customer")
	redirect := deref(p.ReturnURL)
	if state == stateScoredNo {
		redirect = deref(p.FailureReturnURL)
	}
	out := customerOutcome{Outcome: "accepted", State: state, Message: res.Message, RedirectURL: withPID(redirect, p.ID)}
	rec.mu.Unlock()
	svc.notify(rec)
	svc.scheduleDecision(rec, state)
	return out, nil
}

// scheduleDecision arms a scenario's asynchronous decision: scored_maybe
// becomes the decision's state after its delay, then an IPN goes out.
func (svc *service) scheduleDecision(rec *record, state string) {
	sc := rec.script.Scenario()
	if state != stateScoredMaybe || sc == nil || sc.Decision == nil {
		return
	}
	d := sc.Decision
	svc.timers.after(d.After.Std(), func() {
		rec.mu.Lock()
		if rec.p.State != stateScoredMaybe {
			rec.mu.Unlock()
			return
		}
		svc.setState(rec, d.State, "scenario decision")
		rec.mu.Unlock()
		svc.notify(rec)
	})
}

// notify sends rec's IPN when it has a callback URL, signed with the key
// the payment was created with.
func (svc *service) notify(rec *record) {
	rec.mu.Lock()
	id, callback, key := rec.p.ID, deref(rec.p.IPNCallbackURL), rec.apiKey
	if callback != "" {
		rec.addEvent(svc.nowOf(rec), "ipn", "notification to "+callback)
	}
	rec.mu.Unlock()
	if callback == "" {
		return
	}
	svc.notifier.Notify(id, callback, key, rec.script.Next(scenarios.OpIPN))
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

// deref is *s, or "".
func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// jsonAnswer marshals v as a 200 JSON answer.
func jsonAnswer(v any) replay.Answer {
	return statusAnswer(http.StatusOK, v)
}

// statusAnswer marshals v as a JSON answer with status.
func statusAnswer(status int, v any) replay.Answer {
	b, err := json.Marshal(v)
	if err != nil {
		return (&apiError{Code: codeGeneric, Message: "answer could not be encoded", Status: http.StatusBadRequest}).answer()
	}
	return replay.Answer{Status: status, Body: b, Header: jsonHeader()}
}
