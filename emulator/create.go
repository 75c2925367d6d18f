package emulator

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/alma-sandbox/alma-sandbox/emulator/replay"
	"github.com/alma-sandbox/alma-sandbox/scenarios"
)

// scenarioHeader names a scenario for a new payment.
const scenarioHeader = replay.FieldHeader

// createPayment answers POST /v1/payments: decode → validate → select the
// scenario → its create step → store the new payment.
func (s *Server) createPayment(w http.ResponseWriter, r *http.Request) {
	var req createRequest
	if aerr := decodeBody(r, &req); aerr != nil {
		writeError(w, aerr)
		return
	}
	if aerr := s.validateCreate(&req); aerr != nil {
		writeError(w, aerr)
		return
	}
	ref := ""
	if req.Order != nil {
		ref = req.Order.MerchantReference
	}
	header := r.Header.Get(scenarioHeader)
	t := tenantOf(r)
	view := scenarioView{s, t}
	sc, err := replay.Select(view, nil, header, ref)
	if err != nil { // Select's only error: the header names an unknown scenario
		writeError(w, fieldError(scenarioHeader, codeInvalidValue, "unknown scenario: "+header, header))
		return
	}
	if sc == nil { // armed for the tenant, else by the operator for any tenant
		if id := s.takeArmed(t); id != "" {
			sc, _ = view.Get(id)
		}
	}
	scID := scenarioID(sc)
	learn(w, r, "", scID)
	if warning := s.misfit(sc, req.Payment); warning != "" {
		w.Header().Set(WarningHeader, warning)
		info(r).warning = warning
		s.Logger.Warn("scenario does not fit the payment", "scenario", scID, "warning", warning)
	}
	key := info(r).apiKey
	buf := getBuffer()
	defer putBuffer(buf)
	step := s.createStep(t, sc, ref)
	if cs := s.chaosStep(r, string(scenarios.OpCreate)); cs != nil {
		step = cs // an outage: the scenario's create step waits for the next call
	}
	s.serveStep(w, r, step, func() answer {
		p := s.newPayment(&req, t, key, sc)
		learn(w, r, p.ID, scID)
		if s.Logger.Enabled(r.Context(), slog.LevelDebug) {
			s.Logger.Debug("payment created", "id", p.ID, "scenario", scID, "key", redactKey(key))
		}
		*buf = s.renderPayment((*buf)[:0], p) // rendered before another request can see p
		if evicted := s.store.add(p); len(evicted) > 0 {
			s.cancelTimers(evicted)
		}
		return ok(*buf)
	})
}

// WarningHeader carries, on an answer, why the scenario chosen for a payment
// cannot play out on it (the scenario is applied all the same).
const WarningHeader = "X-Alma-Sandbox-Warning"

// misfit says why sc's steps cannot apply to a payment created from p
// ("" when they can): a capture script on an automatic-capture payment, a
// trigger script without deferred trigger.
func (s *Server) misfit(sc *scenarios.Scenario, p *paymentRequest) string {
	if sc == nil {
		return ""
	}
	manual := p.CaptureMethod == "manual"
	switch {
	case len(sc.On[scenarios.OpCapture]) > 0 && !manual:
		return "scenario " + sc.ID + " scripts the capture, but the payment is not created with capture_method manual: its capture steps never run"
	case sc.Decision != nil && len(sc.On[scenarios.OpCustomer]) == 0:
		return "scenario " + sc.ID + " has a decision but no customer step leading to scored_maybe"
	}
	return ""
}

// scenarioID is sc's id, or "" for the happy path.
func scenarioID(sc *scenarios.Scenario) string {
	if sc == nil {
		return ""
	}
	return sc.ID
}

// newPayment builds a new payment of tenant t from a valid create request;
// it starts on t's clock (its offset is t's advance). It keeps nothing of
// the decoded body (detach): custom_data and the cart are stored once,
// compact and raw, escaped when written.
func (s *Server) newPayment(req *createRequest, t *tenant, apiKey string, sc *scenarios.Scenario) *payment {
	now := s.now(t)
	detach(req)
	in := req.Payment
	p := &payment{
		ID: s.gen.id("payment"), Created: now, State: stateNotStarted,
		Amount: *in.PurchaseAmount, Installments: installmentsOf(in),
		DeferredDays: in.DeferredDays, DeferredMonths: in.DeferredMonths,
		CustomData: compactRaw(in.CustomData), Locale: orDefault(in.Locale, "fr"),
		Origin: orDefault(in.Origin, "online"), CaptureMethod: orDefault(in.CaptureMethod, "automatic"),
		ReturnURL: in.ReturnURL, FailureReturnURL: in.FailureReturnURL,
		CustomerCancelURL: in.CustomerCancelURL, IPNCallbackURL: in.IPNCallbackURL,
		Trigger: in.Deferred == "trigger", Billing: in.BillingAddress, Shipping: in.ShippingAddress,
		Tenant: t.ID, APIKey: apiKey, Offset: t.advanced(), Script: replay.NewScript(sc),
	}
	if p.Trigger {
		p.TriggerText = in.DeferredDescription
	}
	if in.Cart != nil {
		p.Cart = compactRaw(marshalRaw(in.Cart))
	}
	if fp, ok := s.plans().find(p.Installments, p.DeferredDays, p.DeferredMonths); ok {
		p.Terms = fp
	}
	p.Plan = newPlan(p.Amount, p.terms(), now)
	p.Customer = s.customer(req.Customer, in.BillingAddress, now)
	if req.Order != nil {
		p.Orders = append(p.Orders, s.order(p.ID, req.Order, now))
	}
	if in.ExpiresAfter != nil {
		p.ExpiresAt = now.Add(time.Duration(*in.ExpiresAfter) * time.Minute)
	}
	p.note(now, "created", "payment created"+scenarioNote(scenarioID(sc)))
	return p
}

// compactRaw is raw JSON compacted into a buffer of its own size, not
// HTML-escaped (appendJSON escapes it when a payment is written); empty
// or invalid stays empty.
func compactRaw(raw json.RawMessage) json.RawMessage {
	if len(raw) == 0 {
		return nil
	}
	var out bytes.Buffer
	out.Grow(len(raw))
	if json.Compact(&out, raw) != nil {
		return nil
	}
	return bytes.Clone(out.Bytes())
}

// marshalRaw is v's JSON without HTML escapes (v is one of the
// emulator's plain request structs, which always marshal).
func marshalRaw(v any) json.RawMessage {
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	if enc.Encode(v) != nil {
		return nil
	}
	return out.Bytes()
}

// scenarioNote is " (scenario x)" or "".
func scenarioNote(id string) string {
	if id == "" {
		return ""
	}
	return " (scenario " + id + ")"
}

// customer builds the payment's customer from what the request sent: the
// customer object, else the billing address's names and contacts. What
// neither sent is null, as at Alma (nothing is invented).
func (s *Server) customer(c *customerRequest, billing *addressJSON, now time.Time) customerJSON {
	if c == nil {
		c = &customerRequest{}
	}
	if billing == nil {
		billing = &addressJSON{}
	}
	out := customerJSON{
		ID: s.gen.id("customer"), Created: now.Unix(),
		FirstName: optString(orDefault(c.FirstName, billing.FirstName)), LastName: optString(orDefault(c.LastName, billing.LastName)),
		Email: optString(orDefault(c.Email, billing.Email)), Phone: optString(orDefault(c.Phone, billing.Phone)),
		BirthDate: optString(c.BirthDate), Addresses: c.Addresses, IsBusiness: c.IsBusiness,
		BusinessName: optString(c.BusinessName), BusinessIDNumber: optString(c.BusinessIDNumber),
	}
	if out.Addresses == nil {
		out.Addresses = []addressJSON{}
	}
	return out
}

// order builds an order object for payment id.
func (s *Server) order(paymentID string, o *orderRequest, now time.Time) orderJSON {
	return orderJSON{
		ID: s.gen.id("order"), Created: now.Unix(), Updated: now.Unix(), Payment: paymentID,
		MerchantReference: optString(o.MerchantReference), MerchantURL: optString(o.MerchantURL),
		CustomerURL: optString(o.CustomerURL), Comment: optString(o.Comment), Data: compactRaw(orEmptyObject(o.Data)),
	}
}

// orDefault is s, or def when s is empty.
func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// orEmptyObject is raw, or {} when empty or null (an order's data is an
// object at Alma).
func orEmptyObject(raw json.RawMessage) json.RawMessage {
	if len(raw) == 0 || string(raw) == "null" {
		return emptyObject
	}
	return raw
}

// maxCreateCursors bounds how many create cursors (one per scenario and
// merchant reference) a tenant remembers; the oldest is forgotten first.
const maxCreateCursors = 10000

// CreateCursorTTL is how long a create cursor lives after its last create
// on the emulator's clock (docs/internals.md "Deterministic re-runs").
const CreateCursorTTL = time.Minute

// creates keeps a tenant's create steps' cursors: successive creates of a
// scenario with the same merchant reference walk its create steps, so
// "fail twice, then succeed" holds across a client's retries. So that the
// same test run twice gets the same answers, a cursor starts over once it
// has answered past its last step (the happy answer that ends the
// retries), after CreateCursorTTL without a create, and at the tenant's
// reset. It is safe for concurrent use.
type creates struct {
	mu    sync.Mutex
	byKey map[string]*createCursor
	order ring[string]
}

// createCursor is one (scenario, reference)'s walk.
type createCursor struct {
	script replay.Script
	last   time.Time // its last create
	done   bool      // it answered past its last step
}

// newCreates returns cursors for at most limit keys.
func newCreates(limit int) *creates {
	return &creates{byKey: make(map[string]*createCursor), order: newRing[string](limit)}
}

// next returns the step answering this create of sc for reference ref at
// now (nil: no create step: the happy answer). An empty ref is one shared
// cursor of the scenario.
func (c *creates) next(sc *scenarios.Scenario, ref string, now time.Time) *scenarios.Step {
	if sc == nil || len(sc.On[scenarios.OpCreate]) == 0 {
		return nil
	}
	key := sc.ID + "\x00" + ref
	c.mu.Lock()
	defer c.mu.Unlock()
	cur, ok := c.byKey[key]
	if !ok {
		if old, evicted := c.order.push(key); evicted {
			delete(c.byKey, old)
		}
		cur = &createCursor{}
		c.byKey[key] = cur
	}
	if !ok || cur.done || cur.script.Scenario() != sc || now.Sub(cur.last) > CreateCursorTTL {
		*cur = createCursor{script: replay.NewScript(sc)} // the catalog changed, or a new run
	}
	cur.last = now
	step := cur.script.Next(scenarios.OpCreate)
	cur.done = step == nil
	return step
}

// reset forgets every cursor.
func (c *creates) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.byKey)
	c.order.reset()
}
