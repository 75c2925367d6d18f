package emulator

import (
	"encoding/json"
	"net/http"
	"slices"
	"time"

	"github.com/gorilla/mux"

	"github.com/alma-sandbox/alma-sandbox/emulator/replay"
	"github.com/alma-sandbox/alma-sandbox/scenarios"
)

// Admin list limits.
const (
	defaultAdminLimit = 50
	defaultJournal    = 100
	maxAdminLimit     = 10000
)

// adminPayment is a payment as the admin API shows it: Alma's JSON plus
// what only the sandbox knows.
type adminPayment struct {
	Payment json.RawMessage `json:"payment"`
	Sandbox sandboxJSON     `json:"sandbox"`
}

// sandboxJSON is the sandbox's side of a payment.
type sandboxJSON struct {
	Scenario  string            `json:"scenario"`
	CardLast4 string            `json:"card_last4"`
	Offset    string            `json:"clock_offset"`
	Events    []event           `json:"events"`
	IPN       []replay.Delivery `json:"ipn"`
}

// adminView renders rec for the admin API.
func (svc *service) adminView(rec *record) adminPayment {
	rec.mu.Lock()
	svc.settle(rec)
	v := adminPayment{Payment: svc.answer(rec).Body, Sandbox: sandboxJSON{
		Scenario: rec.scenarioID(), CardLast4: rec.cardLast4, Offset: rec.offset.String(),
		Events: slices.Clone(rec.events),
	}}
	id := rec.p.ID
	rec.mu.Unlock()
	v.Sandbox.IPN = svc.notifier.Deliveries(id)
	if v.Sandbox.IPN == nil {
		v.Sandbox.IPN = []replay.Delivery{}
	}
	return v
}

// adminPayments answers GET /__admin/payments?limit=50, newest first.
func (svc *service) adminPayments(w http.ResponseWriter, r *http.Request) {
	limit, aerr := parseLimit(r.URL.Query().Get("limit"), defaultAdminLimit, maxAdminLimit)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	out := []adminPayment{}
	for _, id := range svc.store.ids() {
		if len(out) == limit {
			break
		}
		if rec, ok := svc.store.get(id); ok {
			out = append(out, svc.adminView(rec))
		}
	}
	replay.WriteAnswer(w, jsonAnswer(map[string]any{"data": out}))
}

// adminPayment answers GET /__admin/payments/{id}.
func (svc *service) adminPayment(w http.ResponseWriter, r *http.Request) {
	if rec, ok := svc.lookup(w, r); ok {
		replay.WriteAnswer(w, jsonAnswer(svc.adminView(rec)))
	}
}

// adminState answers POST /__admin/payments/{id}/state {"state":"paid"}.
func (svc *service) adminState(w http.ResponseWriter, r *http.Request) {
	rec, ok := svc.lookup(w, r)
	if !ok {
		return
	}
	var body struct {
		State string `json:"state"`
	}
	if aerr := decodeBody(r, &body); aerr != nil {
		writeError(w, aerr)
		return
	}
	if !slices.Contains(paymentStates, body.State) {
		writeError(w, fieldError("state", codeInvalidValue, "unknown state", body.State))
		return
	}
	svc.forceState(rec, body.State, "admin")
	replay.WriteAnswer(w, jsonAnswer(svc.adminView(rec)))
}

// durationBody is {"by":"720h"}.
type durationBody struct {
	By string `json:"by"`
}

// parseBy reads a positive duration body.
func parseBy(r *http.Request) (time.Duration, *apiError) {
	var body durationBody
	if aerr := decodeBody(r, &body); aerr != nil {
		return 0, aerr
	}
	d, err := time.ParseDuration(body.By)
	if err != nil || d <= 0 {
		return 0, fieldError("by", codeInvalidValue, `by must be a positive duration such as "720h"`, body.By)
	}
	return d, nil
}

// adminAdvance answers POST /__admin/payments/{id}/advance {"by":"720h"}:
// this payment's clock only.
func (svc *service) adminAdvance(w http.ResponseWriter, r *http.Request) {
	rec, ok := svc.lookup(w, r)
	if !ok {
		return
	}
	d, aerr := parseBy(r)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	rec.mu.Lock()
	rec.offset += d
	rec.addEvent(svc.nowOf(rec), "state", "clock advanced by "+d.String())
	rec.mu.Unlock()
	replay.WriteAnswer(w, jsonAnswer(svc.adminView(rec)))
}

// clockJSON is the emulator's clock.
type clockJSON struct {
	Now    int64  `json:"now"`
	Offset string `json:"offset"`
}

// adminClock answers GET /__admin/clock.
func (svc *service) adminClock(w http.ResponseWriter, r *http.Request) {
	replay.WriteAnswer(w, jsonAnswer(clockJSON{Now: svc.clock.Now().Unix(), Offset: svc.clock.Offset().String()}))
}

// adminClockAdvance answers POST /__admin/clock/advance {"by":"720h"}.
func (svc *service) adminClockAdvance(w http.ResponseWriter, r *http.Request) {
	d, aerr := parseBy(r)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	svc.clock.Advance(d)
	svc.adminClock(w, r)
}

// adminJournal answers GET /__admin/journal?limit=100, newest first.
func (svc *service) adminJournal(w http.ResponseWriter, r *http.Request) {
	limit, aerr := parseLimit(r.URL.Query().Get("limit"), defaultJournal, maxAdminLimit)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	replay.WriteAnswer(w, jsonAnswer(map[string]any{"data": svc.journal.recent(limit)}))
}

// adminScenarios answers GET /__admin/scenarios: the catalogue and what is
// armed.
func (svc *service) adminScenarios(w http.ResponseWriter, r *http.Request) {
	list := svc.engine.Catalog().List()
	if list == nil {
		list = []*scenarios.Scenario{}
	}
	replay.WriteAnswer(w, jsonAnswer(map[string]any{"data": list, "armed": svc.engine.Armed()}))
}

// adminScenario answers GET /__admin/scenarios/{id}.
func (svc *service) adminScenario(w http.ResponseWriter, r *http.Request) {
	id := mux.Vars(r)["id"]
	sc, ok := svc.engine.Catalog().Get(id)
	if !ok {
		writeError(w, topError(codeNotFound, "Scenario "+id+" not found"))
		return
	}
	replay.WriteAnswer(w, jsonAnswer(sc))
}

// adminArm answers POST /__admin/scenarios/{id}/arm {"count":1}.
func (svc *service) adminArm(w http.ResponseWriter, r *http.Request) {
	id := mux.Vars(r)["id"]
	body := struct {
		Count *int `json:"count"`
	}{}
	if aerr := decodeBody(r, &body); aerr != nil {
		writeError(w, aerr)
		return
	}
	count := 1
	if body.Count != nil {
		count = *body.Count
	}
	if _, ok := svc.engine.Catalog().Get(id); !ok {
		writeError(w, topError(codeNotFound, "Scenario "+id+" not found"))
		return
	}
	if err := svc.engine.Arm(id, count); err != nil {
		writeError(w, fieldError("count", codeInvalidValue, err.Error(), count))
		return
	}
	replay.WriteAnswer(w, jsonAnswer(map[string]any{"armed": svc.engine.Armed()}))
}

// adminIPN answers GET /__admin/ipn?payment=ID: delivery attempts of one
// payment (oldest first), or the latest of all (newest first).
func (svc *service) adminIPN(w http.ResponseWriter, r *http.Request) {
	var list []replay.Delivery
	if id := r.URL.Query().Get("payment"); id != "" {
		list = svc.notifier.Deliveries(id)
	} else {
		list = svc.notifier.Recent(defaultJournal)
	}
	if list == nil {
		list = []replay.Delivery{}
	}
	replay.WriteAnswer(w, jsonAnswer(map[string]any{"data": list}))
}

// adminReset answers POST /__admin/reset: payments, journal, armed
// scenarios and pending decisions are forgotten; the clock is real time.
func (svc *service) adminReset(w http.ResponseWriter, r *http.Request) {
	svc.timers.reset()
	svc.store.reset()
	svc.journal.reset()
	svc.engine.Reset()
	svc.clock.Reset()
	replay.WriteAnswer(w, jsonAnswer(map[string]bool{"reset": true}))
}
