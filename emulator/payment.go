package emulator

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"github.com/alma-sandbox/alma-sandbox/emulator/replay"
	"github.com/alma-sandbox/alma-sandbox/scenarios"
)

// createPayment answers POST /v1/payments: decode → validate → select the
// scenario → (scripted) create.
func (svc *service) createPayment(w http.ResponseWriter, r *http.Request) {
	var req createRequest
	if aerr := decodeBody(r, &req); aerr != nil {
		writeError(w, aerr)
		return
	}
	if aerr := svc.validateCreate(&req); aerr != nil {
		writeError(w, aerr)
		return
	}
	ref := ""
	if req.Order != nil {
		ref = req.Order.MerchantReference
	}
	header := r.Header.Get(scenarioHeader)
	sc, err := svc.engine.Select(header, ref)
	if err != nil { // Select's only error: the header names an unknown scenario
		writeError(w, fieldError(scenarioHeader, codeInvalidValue, "unknown scenario: "+header, header))
		return
	}
	scID := scenarioID(sc)
	note(w, "", scID)
	key := apiKeyOf(w)
	svc.servePooled(w, r, svc.engine.CreateStep(sc, ref), func(dst []byte) replay.Answer {
		rec := svc.newRecord(&req, key, sc)
		note(w, rec.p.ID, scID)
		if svc.log.Enabled(r.Context(), slog.LevelDebug) {
			svc.log.Debug("payment created", "id", rec.p.ID, "scenario", scID, "key", redactKey(key))
		}
		a := answerInto(rec, dst) // rendered before another request can see rec
		svc.store.add(rec)
		return a
	})
}

// scenarioID is sc's id, or "" for the happy path.
func scenarioID(sc *scenarios.Scenario) string {
	if sc == nil {
		return ""
	}
	return sc.ID
}

// getPayment answers GET /v1/payments/{id} (the connector's Verify). A
// scenario's get step may move the state first, as Alma's scoring would.
func (svc *service) getPayment(w http.ResponseWriter, r *http.Request) {
	rec, ok := svc.lookup(w, r)
	if !ok {
		return
	}
	step := rec.script.Next(scenarios.OpGet)
	if step != nil && step.State != "" {
		svc.forceState(rec, step.State, "scenario get step")
	}
	svc.servePooled(w, r, step, func(dst []byte) replay.Answer { return svc.current(rec, dst) })
}

// current settles rec against the clock and renders it into dst.
func (svc *service) current(rec *record, dst []byte) replay.Answer {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	svc.settle(rec)
	return answerInto(rec, dst)
}

// lookup finds the payment of the route's {id}, answering 404 if unknown.
func (svc *service) lookup(w http.ResponseWriter, r *http.Request) (*record, bool) {
	id := mux.Vars(r)["id"]
	rec, ok := svc.store.get(id)
	if !ok {
		note(w, id, "")
		writeError(w, topError(codeNotFound, "Payment "+id+" not found"))
		return nil, false
	}
	note(w, id, rec.scenarioID())
	return rec, true
}

// editPayment answers POST /v1/payments/{id}: custom data, URLs, locale and
// shipping address may change.
func (svc *service) editPayment(w http.ResponseWriter, r *http.Request) {
	rec, ok := svc.lookup(w, r)
	if !ok {
		return
	}
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
	svc.engine.Serve(w, r, rec.script.Next(scenarios.OpEdit), func() replay.Answer {
		rec.mu.Lock()
		defer rec.mu.Unlock()
		applyEdit(&rec.p, &req)
		svc.settle(rec)
		return svc.answer(rec)
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
		if u.value != nil && *u.value != "" && !validURL(*u.value) {
			return fieldError(u.field, codeInvalidValue, "must be an absolute http(s) URL", *u.value)
		}
	}
	return validateAddress("payment.shipping_address", p.ShippingAddress)
}

// applyEdit copies the edited fields onto p.
func applyEdit(p *paymentJSON, req *editRequest) {
	e := req.Payment
	if e.CustomData != nil {
		p.CustomData = normalizeRaw(e.CustomData)
	}
	if e.Locale != nil {
		p.Locale = *e.Locale
	}
	for _, f := range []struct {
		dst **string
		src *string
	}{
		{&p.ReturnURL, e.ReturnURL}, {&p.FailureReturnURL, e.FailureReturnURL},
		{&p.CustomerCancelURL, e.CustomerCancelURL}, {&p.IPNCallbackURL, e.IPNCallbackURL},
	} {
		if f.src != nil {
			*f.dst = optString(*f.src)
		}
	}
	if e.ShippingAddress != nil {
		p.ShippingAddress = e.ShippingAddress
	}
}

// answer renders rec's payment. The caller holds rec.mu.
func (svc *service) answer(rec *record) replay.Answer {
	return answerInto(rec, make([]byte, 0, paymentJSONSize))
}

// answerInto renders rec's payment into dst. The caller holds rec.mu.
func answerInto(rec *record, dst []byte) replay.Answer {
	return replay.Answer{Status: http.StatusOK, Body: appendPayment(dst, &rec.p), Header: jsonHeader()}
}

// servePooled serves a payment answer rendered by render into a pooled
// buffer, recycled once the answer is written.
func (svc *service) servePooled(w http.ResponseWriter, r *http.Request, step *scenarios.Step, render func(dst []byte) replay.Answer) {
	buf := getBuffer()
	svc.engine.Serve(w, r, step, func() replay.Answer {
		a := render((*buf)[:0])
		*buf = a.Body[:0]
		return a
	})
	putBuffer(buf)
}

// paymentJSONSize is the usual size of a rendered payment, to allocate once.
const paymentJSONSize = 3072

// newRecord builds a new payment from a valid create request.
func (svc *service) newRecord(req *createRequest, apiKey string, sc *scenarios.Scenario) *record {
	now := svc.clock.Now()
	p := req.Payment
	id := svc.gen.id("payment")
	pay := paymentJSON{
		ID: id, Created: now.Unix(), State: stateNotStarted, Kind: "installments",
		PurchaseAmount: *p.PurchaseAmount, InstallmentsCount: installmentsOf(p),
		CustomData: normalizeRaw(p.CustomData), URL: svc.publicURL() + "/pay/" + strings.TrimPrefix(id, "payment_"),
		ReturnURL: optString(p.ReturnURL), FailureReturnURL: optString(p.FailureReturnURL),
		CustomerCancelURL: optString(p.CustomerCancelURL), IPNCallbackURL: optString(p.IPNCallbackURL),
		Locale: orDefault(p.Locale, "fr"), Origin: orDefault(p.Origin, "online"),
		CaptureMethod: orDefault(p.CaptureMethod, "automatic"),
		MerchantID:    svc.merchant.ID, MerchantName: svc.merchant.Name,
		DeferredTrigger: p.Deferred == "trigger", Refunds: []refundJSON{}, Orders: []orderJSON{},
		BillingAddress: p.BillingAddress, ShippingAddress: p.ShippingAddress,
	}
	if pay.DeferredTrigger {
		pay.DeferredTriggerDescription = optString(p.DeferredDescription)
	}
	if p.Cart != nil {
		pay.Cart, _ = json.Marshal(p.Cart) // plain structs always marshal
	}
	pay.PaymentPlan = svc.plan(pay.PurchaseAmount, pay.InstallmentsCount, now)
	pay.Customer = svc.customer(req.Customer, p.BillingAddress, now)
	if req.Order != nil {
		pay.Orders = append(pay.Orders, svc.order(id, req.Order, now))
	}
	rec := &record{p: pay, apiKey: apiKey, script: replay.NewScript(sc)}
	if p.ExpiresAfter != nil {
		rec.expiresAt = now.Add(time.Duration(*p.ExpiresAfter) * time.Minute).Unix()
	}
	rec.addEvent(now, "created", "payment created"+scenarioNote(rec.scenarioID()))
	return rec
}

// scenarioNote is " (scenario x)" or "".
func scenarioNote(id string) string {
	if id == "" {
		return ""
	}
	return " (scenario " + id + ")"
}

// customer builds the payment's customer, filling what the request leaves
// out with seeded fake data.
func (svc *service) customer(c *customerRequest, billing *addressJSON, now time.Time) customerJSON {
	if c == nil {
		c = &customerRequest{}
	}
	out := customerJSON{
		ID: svc.gen.id("customer"), Created: now.Unix(),
		FirstName: c.FirstName, LastName: c.LastName, Email: c.Email, Phone: c.Phone,
		BirthDate: optString(c.BirthDate), Addresses: c.Addresses, IsBusiness: c.IsBusiness,
		BusinessName: optString(c.BusinessName), BusinessIDNumber: optString(c.BusinessIDNumber),
	}
	if billing != nil {
		out.FirstName = orDefault(out.FirstName, billing.FirstName)
		out.LastName = orDefault(out.LastName, billing.LastName)
		out.Email = orDefault(out.Email, billing.Email)
		out.Phone = orDefault(out.Phone, billing.Phone)
	}
	if out.FirstName == "" || out.LastName == "" || out.Email == "" || out.Phone == "" {
		fake := svc.gen.person()
		out.FirstName = orDefault(out.FirstName, fake.FirstName)
		out.LastName = orDefault(out.LastName, fake.LastName)
		out.Email = orDefault(out.Email, fake.Email)
		out.Phone = orDefault(out.Phone, fake.Phone)
	}
	if out.Addresses == nil {
		out.Addresses = []addressJSON{}
	}
	return out
}

// order builds an order object for payment id.
func (svc *service) order(paymentID string, o *orderRequest, now time.Time) orderJSON {
	return orderJSON{
		ID: svc.gen.id("order"), Created: now.Unix(), Updated: now.Unix(), Payment: paymentID,
		MerchantReference: optString(o.MerchantReference), MerchantURL: optString(o.MerchantURL),
		CustomerURL: optString(o.CustomerURL), Comment: optString(o.Comment), Data: normalizeRaw(orNull(o.Data)),
	}
}

// optString is nil for "", else &s (JSON null or the string).
func optString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// orDefault is s, or def when s is empty.
func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// orNull is raw, or JSON null when empty.
func orNull(raw json.RawMessage) json.RawMessage {
	if len(raw) == 0 {
		return json.RawMessage("null")
	}
	return raw
}
