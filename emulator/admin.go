package emulator

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/gorilla/mux"

	"github.com/alma-sandbox/alma-sandbox/scenarios"
)

// Admin list limits.
const (
	defaultAdminLimit = 50
	defaultJournal    = 100
	maxAdminLimit     = 500
)

// adminPayment is a payment as the admin API shows it: Alma's JSON plus
// what only the sandbox knows.
type adminPayment struct {
	Payment json.RawMessage `json:"payment"`
	Sandbox sandboxJSON     `json:"sandbox"`
}

// sandboxJSON is the sandbox's side of a payment.
type sandboxJSON struct {
	Tenant    string     `json:"merchant_id"`
	Scenario  string     `json:"scenario"`
	CardLast4 string     `json:"card_last4"`
	Offset    string     `json:"clock_offset"`
	Events    []event    `json:"events"`
	IPN       []delivery `json:"ipn"`
}

// adminView renders p, settled, for the admin API. It runs under p's lock.
func (s *Server) adminView(p *payment) adminPayment {
	p.settle(p.at(s.clock.now()))
	return adminPayment{Payment: s.renderPayment(nil, p), Sandbox: sandboxJSON{
		Tenant: p.Tenant, Scenario: p.Script.ID(), CardLast4: p.CardLast4, Offset: p.Offset.String(),
		Events: p.Events.oldestFirst(nil),
	}}
}

// view returns the admin view of payment id, with its IPN deliveries, if
// it is in the request's scope.
func (s *Server) view(r *http.Request, id string) (adminPayment, bool) {
	var v adminPayment
	if s.read(r, id, func(p *payment) error { v = s.adminView(p); return nil }) != nil {
		return v, false
	}
	v.Sandbox.IPN = s.ipnLogOf(v.Sandbox.Tenant).of(id)
	return v, true
}

// writeView answers the admin view of payment id, or 404.
func (s *Server) writeView(w http.ResponseWriter, r *http.Request, id string) {
	v, found := s.view(r, id)
	if !found {
		writeError(w, paymentNotFound(id))
		return
	}
	writeOK(w, v)
}

// adminPayments answers GET /__admin/payments?limit=50&starting_after=ID,
// newest first, in pages of at most maxAdminLimit: {"data":[…],
// "has_more":bool}.
func (s *Server) adminPayments(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, aerr := parseLimit(q.Get("limit"), defaultAdminLimit, maxAdminLimit)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	ids := s.store.ids(tenantID(tenantOf(r)))
	if after := q.Get("starting_after"); after != "" {
		i := slices.Index(ids, after)
		if i < 0 {
			writeError(w, fieldError("starting_after", codeInvalidValue, "no payment "+after, after))
			return
		}
		ids = ids[i+1:]
	}
	out := []adminPayment{}
	more := false
	for _, id := range ids {
		if len(out) == limit {
			more = true
			break
		}
		if v, found := s.view(r, id); found {
			out = append(out, v)
		}
	}
	writeOK(w, map[string]any{"data": out, "has_more": more})
}

// adminPayment answers GET /__admin/payments/{id}.
func (s *Server) adminPayment(w http.ResponseWriter, r *http.Request) {
	s.writeView(w, r, mux.Vars(r)["id"])
}

// adminState answers POST /__admin/payments/{id}/state {"state":"paid"}.
func (s *Server) adminState(w http.ResponseWriter, r *http.Request) {
	var body struct {
		State string `json:"state"`
	}
	if aerr := decodeBody(r, &body); aerr != nil {
		writeError(w, aerr)
		return
	}
	if !slices.Contains(scenarios.AlmaStates(), body.State) {
		writeError(w, fieldError("state", codeInvalidValue, "unknown state", body.State))
		return
	}
	id := mux.Vars(r)["id"]
	_ = s.update(r, id, func(p *payment) error {
		p.force(body.State, "admin", p.at(s.clock.now()))
		return nil
	})
	s.writeView(w, r, id)
}

// durationBody is {"by":"720h"}.
type durationBody struct {
	By string `json:"by"`
}

// parseBy reads a positive duration body, at most maxAdvance.
func parseBy(r *http.Request) (time.Duration, *apiError) {
	var body durationBody
	if aerr := decodeBody(r, &body); aerr != nil {
		return 0, aerr
	}
	d, err := time.ParseDuration(body.By)
	if err != nil || d <= 0 || d > maxAdvance {
		return 0, fieldError("by", codeInvalidValue, `by must be a positive duration of at most 876000h, such as "720h"`, body.By)
	}
	return d, nil
}

// adminAdvance answers POST /__admin/payments/{id}/advance {"by":"720h"}:
// this payment's clock only; what falls due for it fires before the answer.
func (s *Server) adminAdvance(w http.ResponseWriter, r *http.Request) {
	d, aerr := parseBy(r)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	id := mux.Vars(r)["id"]
	if s.update(r, id, func(p *payment) error { p.advance(d, s.clock.now()); return nil }) != nil {
		writeError(w, paymentNotFound(id))
		return
	}
	s.advanceTimers(func() { s.shiftTimers([]string{id}, d) })
	s.writeView(w, r, id)
}

// clockJSON is the emulator's clock.
type clockJSON struct {
	Now     int64  `json:"now"`
	Offset  string `json:"offset"`
	Frozen  bool   `json:"frozen"`
	Pending int    `json:"pending_timers"`
}

// adminClock answers GET /__admin/clock: the scope's clock (a tenant's
// offset adds to the emulator's).
func (s *Server) adminClock(w http.ResponseWriter, r *http.Request) {
	t := tenantOf(r)
	offset := s.clock.advanced()
	if t != nil {
		offset += t.advanced()
	}
	writeOK(w, clockJSON{Now: s.now(t).Unix(), Offset: offset.String(), Frozen: s.clock.frozen, Pending: s.pendingTimers(s.paymentIDs(t))})
}

// adminClockAdvance answers POST /__admin/clock/advance {"by":"720h"}: the
// tenant's clock, or the operator's (every tenant's); everything that falls
// due fires, in order, before the answer.
func (s *Server) adminClockAdvance(w http.ResponseWriter, r *http.Request) {
	d, aerr := parseBy(r)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	if t := tenantOf(r); t != nil {
		s.advanceTenant(t, d)
	} else {
		s.Advance(d)
	}
	s.adminClock(w, r)
}

// adminJournal answers GET /__admin/journal?limit=100&payment=&path=&method=&status=&since=,
// newest first, filtered on the server.
func (s *Server) adminJournal(w http.ResponseWriter, r *http.Request) {
	entries, aerr := s.journalQuery(r)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	writeList(w, entries)
}

// journalQuery is the journal's entries the request's limit and filters
// select, newest first.
func (s *Server) journalQuery(r *http.Request) ([]journalEntry, *apiError) {
	q := r.URL.Query()
	limit, aerr := parseLimit(q.Get("limit"), defaultJournal, maxAdminLimit)
	if aerr != nil {
		return nil, aerr
	}
	keep, aerr := journalFilter(q.Get("payment"), q.Get("path"), q.Get("method"), q.Get("status"), q.Get("since"))
	if aerr != nil {
		return nil, aerr
	}
	return s.journalRecent(tenantOf(r), limit, keep), nil
}

// journalFilter keeps the entries matching every filter given: payment id,
// path, method (exact), status (exact, or "4xx"), since (unix seconds).
func journalFilter(pid, path, method, status, since string) (func(journalEntry) bool, *apiError) {
	var from int64
	if since != "" {
		n, err := strconv.ParseInt(since, 10, 64)
		if err != nil {
			return nil, fieldError("since", codeInvalidValue, "since must be unix seconds", since)
		}
		from = n
	}
	var lo, hi int
	if status != "" {
		if len(status) == 3 && status[1:] == "xx" && status[0] >= '1' && status[0] <= '5' {
			lo = int(status[0]-'0') * 100
			hi = lo + 99
		} else if n, err := strconv.Atoi(status); err == nil && n >= 100 && n <= 999 {
			lo, hi = n, n
		} else {
			return nil, fieldError("status", codeInvalidValue, `status must be a status such as 402 or a class such as "5xx"`, status)
		}
	}
	return func(e journalEntry) bool {
		return (pid == "" || e.PaymentID == pid) && (path == "" || e.Path == path) &&
			(method == "" || e.Method == method) && (status == "" || (e.Status >= lo && e.Status <= hi)) &&
			e.At >= from
	}, nil
}

// adminScenarios answers GET /__admin/scenarios: the catalogue (files and
// the API's), where each came from (embedded, folder, api) and what is
// armed.
func (s *Server) adminScenarios(w http.ResponseWriter, r *http.Request) {
	list, sources := scenarioView{s, tenantOf(r)}.list()
	writeOK(w, map[string]any{"data": orEmpty(list), "sources": sources, "armed": s.armsOf(tenantOf(r)).Armed()})
}

// adminScenario answers GET /__admin/scenarios/{id}.
func (s *Server) adminScenario(w http.ResponseWriter, r *http.Request) {
	id := mux.Vars(r)["id"]
	sc, found := scenarioView{s, tenantOf(r)}.Get(id)
	if !found {
		writeError(w, topError(codeNotFound, "Scenario "+id+" not found"))
		return
	}
	writeOK(w, sc)
}

// adminArm answers POST /__admin/scenarios/{id}/arm {"count":1}; count 0
// disarms.
func (s *Server) adminArm(w http.ResponseWriter, r *http.Request) {
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
	if _, found := (scenarioView{s, tenantOf(r)}).Get(id); !found {
		writeError(w, topError(codeNotFound, "Scenario "+id+" not found"))
		return
	}
	arms := s.armsOf(tenantOf(r))
	if err := arms.Arm(id, count); err != nil {
		writeError(w, fieldError("count", codeInvalidValue, err.Error(), count))
		return
	}
	writeOK(w, map[string]any{"armed": arms.Armed()})
}

// adminIPN answers GET /__admin/ipn?payment=ID: delivery attempts of one
// payment (oldest first), or the latest of all (newest first).
func (s *Server) adminIPN(w http.ResponseWriter, r *http.Request) {
	var list []delivery
	if id := r.URL.Query().Get("payment"); id != "" {
		tid := ""
		if s.read(r, id, func(p *payment) error { tid = p.Tenant; return nil }) == nil {
			list = s.ipnLogOf(tid).of(id)
		}
	} else {
		list = s.ipnRecent(tenantOf(r), defaultJournal)
	}
	writeList(w, list)
}

// adminReset answers POST /__admin/reset: the tenant's payments, journal,
// IPN log, armed scenarios, scenarios added through the API, create
// cursors, webhooks and pending timers are forgotten and its clock is back
// to the emulator's; the operator's reset does that for every tenant and
// its own, and brings the emulator's clock back to its base.
func (s *Server) adminReset(w http.ResponseWriter, r *http.Request) {
	if t := tenantOf(r); t != nil {
		s.resetTenant(t)
	} else {
		s.resetAll()
	}
	writeOK(w, map[string]bool{"reset": true})
}

// tablesJSON is the emulator's tables, for the dashboard and tools: each
// fact written once in Go and read from here.
type tablesJSON struct {
	States []string          `json:"states"`
	Faults []scenarios.Fault `json:"faults"`
	Ops    []scenarios.Op    `json:"operations"`
	Flows  []scenarios.Flow  `json:"flows"`
	Cards  []TestCard        `json:"test_cards"`
}

// adminTables answers GET /__admin/tables.
func (s *Server) adminTables(w http.ResponseWriter, r *http.Request) {
	writeOK(w, tablesJSON{
		States: scenarios.AlmaStates(), Faults: scenarios.Faults(), Ops: scenarios.Ops(),
		Flows: scenarios.Flows(), Cards: TestCards(),
	})
}

// resendBody is the body of POST /__admin/payments/{id}/ipn.
type resendBody struct {
	BadSignature bool `json:"bad_signature"`
	Duplicate    int  `json:"duplicate"`
}

// adminResendIPN answers POST /__admin/payments/{id}/ipn: the payment's
// notification is sent again now (signed with a wrong key with
// bad_signature, duplicate extra copies at once), its attempts logged
// before the answer, which lists the payment's deliveries.
func (s *Server) adminResendIPN(w http.ResponseWriter, r *http.Request) {
	var body resendBody
	if aerr := decodeBody(r, &body); aerr != nil {
		writeError(w, aerr)
		return
	}
	if body.Duplicate < 0 || body.Duplicate > scenarios.MaxDuplicate {
		writeError(w, fieldError("duplicate", codeInvalidValue, "duplicate must be between 0 and 10", body.Duplicate))
		return
	}
	id := mux.Vars(r)["id"]
	var aerr *apiError
	tid := ""
	if s.update(r, id, func(p *payment) error {
		tid = p.Tenant
		if p.IPNCallbackURL == "" {
			aerr = fieldError("payment.ipn_callback_url", codeMissingField, "the payment has no ipn_callback_url to notify", nil)
			return nil
		}
		s.notifyAfter(p, &scenarios.Step{BadSignature: body.BadSignature, Duplicate: body.Duplicate}, s.clock.now(), 0)
		return nil
	}) != nil {
		writeError(w, paymentNotFound(id))
		return
	}
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	s.advanceTimers(func() {}) // send it now, before the answer
	writeOK(w, map[string]any{"data": orEmpty(s.ipnLogOf(tid).of(id))})
}
