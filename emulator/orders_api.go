package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gorilla/mux"
)

// The order calls of Alma's clients beyond a payment's own orders list:
// GET /v1/orders (a page), GET|POST|PUT /v1/orders/{id} (the 2.x PHP client
// updates with POST, 3.x with PUT), POST /v2/orders/{id}/shipment and
// /status, and POST /v1/payments/{id}/orders/{merchant_reference}/status.
// Orders live in their payments; an order id is looked up across them.

// shipmentRequest is the body of POST /v2/orders/{id}/shipment.
type shipmentRequest struct {
	Carrier        string  `json:"carrier"`
	TrackingNumber string  `json:"tracking_number"`
	TrackingURL    *string `json:"tracking_url"`
}

// statusRequest is the body of the order status calls.
type statusRequest struct {
	Status    string `json:"status"`
	IsShipped *bool  `json:"is_shipped"`
}

// orderNotFound is the 404 of an unknown order.
func orderNotFound(id string) *apiError {
	return topError(codeNotFound, "Order "+id+" not found")
}

// findOrder runs f (when not nil) on the order with id, under its
// payment's lock at the payment's time, and returns the order as f left it.
func (s *Server) findOrder(w http.ResponseWriter, r *http.Request, id string, f func(p *payment, o *orderJSON, now time.Time)) (orderJSON, *apiError) {
	for _, pid := range s.store.ids(tenantID(tenantOf(r))) {
		var out orderJSON
		found := false
		has := false
		_ = s.read(r, pid, func(p *payment) error {
			has = slices.ContainsFunc(p.Orders, func(o orderJSON) bool { return o.ID == id })
			return nil
		})
		if !has {
			continue
		}
		_ = s.update(r, pid, func(p *payment) error {
			i := slices.IndexFunc(p.Orders, func(o orderJSON) bool { return o.ID == id })
			if i < 0 {
				return nil
			}
			found = true
			learn(w, r, p.ID, p.Script.ID())
			if f != nil {
				f(p, &p.Orders[i], p.at(s.clock.now()))
			}
			out = p.Orders[i]
			return nil
		})
		if found {
			return out, nil
		}
	}
	return orderJSON{}, orderNotFound(id)
}

// getOrder answers GET /v1/orders/{id}.
func (s *Server) getOrder(w http.ResponseWriter, r *http.Request) {
	o, aerr := s.findOrder(w, r, mux.Vars(r)["id"], nil)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	writeOK(w, o)
}

// orderUpdate is the body of an order update: only the fields sent change.
type orderUpdate struct {
	MerchantReference *string         `json:"merchant_reference"`
	MerchantURL       *string         `json:"merchant_url"`
	CustomerURL       *string         `json:"customer_url"`
	Comment           *string         `json:"comment"`
	Data              json.RawMessage `json:"data"`
}

// asRequest is u as an order request, for the order's validation.
func (u *orderUpdate) asRequest() orderRequest {
	deref := func(s *string) string {
		if s == nil {
			return ""
		}
		return *s
	}
	return orderRequest{
		MerchantReference: deref(u.MerchantReference), MerchantURL: deref(u.MerchantURL),
		CustomerURL: deref(u.CustomerURL), Comment: deref(u.Comment), Data: u.Data,
	}
}

// validateOrderUpdate checks an update as an order; its fields are at the
// body's top level.
func validateOrderUpdate(u *orderUpdate) *apiError {
	o := u.asRequest()
	aerr := validateOrder("order", &o)
	if aerr == nil {
		return nil
	}
	if aerr.Field == "order" {
		aerr.Field = "body"
	}
	aerr.Field = strings.TrimPrefix(aerr.Field, "order.")
	return aerr
}

// apply copies the fields sent onto o at now.
func (u *orderUpdate) apply(o *orderJSON, now time.Time) {
	for _, f := range []struct {
		dst **string
		src *string
	}{
		{&o.MerchantReference, u.MerchantReference}, {&o.MerchantURL, u.MerchantURL},
		{&o.CustomerURL, u.CustomerURL}, {&o.Comment, u.Comment},
	} {
		if f.src != nil {
			*f.dst = optString(*f.src)
		}
	}
	if len(u.Data) > 0 {
		o.Data = compactRaw(u.Data)
	}
	o.Updated = now.Unix()
}

// updateOrder answers POST and PUT /v1/orders/{id} with the updated order.
func (s *Server) updateOrder(w http.ResponseWriter, r *http.Request) {
	var u orderUpdate
	if aerr := decodeBody(r, &u); aerr != nil {
		writeError(w, aerr)
		return
	}
	if aerr := validateOrderUpdate(&u); aerr != nil {
		writeError(w, aerr)
		return
	}
	o, aerr := s.findOrder(w, r, mux.Vars(r)["id"], func(p *payment, o *orderJSON, now time.Time) {
		u.apply(o, now)
		p.note(now, "state", "order "+o.ID+" updated")
	})
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	writeOK(w, o)
}

// validateShipment checks a shipment: carrier and tracking number are
// required, the tracking URL optional.
func validateShipment(req *shipmentRequest) *apiError {
	for _, f := range []struct{ name, value string }{{"carrier", req.Carrier}, {"tracking_number", req.TrackingNumber}} {
		if f.value == "" {
			return fieldError(f.name, codeMissingField, f.name+" is required", nil)
		}
		if len(f.value) > maxReferenceLen {
			return fieldError(f.name, codeTooLong, fmt.Sprintf("%s is longer than %d characters", f.name, maxReferenceLen), nil)
		}
	}
	if u := req.TrackingURL; u != nil && *u != "" && !validURL(*u) {
		return fieldError("tracking_url", codeInvalidValue, "must be an absolute http(s) URL", *u)
	}
	return nil
}

// orderShipment answers POST /v2/orders/{id}/shipment {carrier,
// tracking_number, tracking_url?} with the order carrying its tracking.
func (s *Server) orderShipment(w http.ResponseWriter, r *http.Request) {
	var req shipmentRequest
	if aerr := decodeBody(r, &req); aerr != nil {
		writeError(w, aerr)
		return
	}
	if aerr := validateShipment(&req); aerr != nil {
		writeError(w, aerr)
		return
	}
	o, aerr := s.findOrder(w, r, mux.Vars(r)["id"], func(p *payment, o *orderJSON, now time.Time) {
		o.Carrier, o.TrackingNumber = optString(req.Carrier), optString(req.TrackingNumber)
		o.TrackingURL = nil
		if req.TrackingURL != nil {
			o.TrackingURL = optString(*req.TrackingURL)
		}
		o.Updated = now.Unix()
		p.note(now, "state", "order "+o.ID+" shipped with "+req.Carrier)
	})
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	writeOK(w, o)
}

// decodeStatus reads an order status body: status is required,
// is_shipped a boolean or null.
func decodeStatus(r *http.Request) (statusRequest, *apiError) {
	var req statusRequest
	if aerr := decodeBody(r, &req); aerr != nil {
		return req, aerr
	}
	switch {
	case req.Status == "":
		return req, fieldError("status", codeMissingField, "status is required", nil)
	case len(req.Status) > maxReferenceLen:
		return req, fieldError("status", codeTooLong, fmt.Sprintf("status is longer than %d characters", maxReferenceLen), nil)
	}
	return req, nil
}

// note records the status on o and in p's sandbox events.
func (req statusRequest) note(p *payment, o *orderJSON, now time.Time) {
	shipped := "unknown"
	if req.IsShipped != nil {
		shipped = fmt.Sprint(*req.IsShipped)
	}
	o.Updated = now.Unix()
	p.note(now, "state", "order "+o.ID+" status "+req.Status+" (shipped: "+shipped+")")
}

// orderStatus answers POST /v2/orders/{id}/status {status, is_shipped}
// with the order; the status is kept in the payment's sandbox events.
func (s *Server) orderStatus(w http.ResponseWriter, r *http.Request) {
	req, aerr := decodeStatus(r)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	o, aerr := s.findOrder(w, r, mux.Vars(r)["id"], func(p *payment, o *orderJSON, now time.Time) { req.note(p, o, now) })
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	writeOK(w, o)
}

// orderStatusByReference answers POST
// /v1/payments/{id}/orders/{merchant_reference}/status {status,
// is_shipped}: the payment's last order with that reference, or 404.
func (s *Server) orderStatusByReference(w http.ResponseWriter, r *http.Request) {
	req, aerr := decodeStatus(r)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	id, ref := mux.Vars(r)["id"], mux.Vars(r)["merchant_reference"]
	var o orderJSON
	found := false
	err := s.update(r, id, func(p *payment) error {
		learn(w, r, id, p.Script.ID())
		for i := len(p.Orders) - 1; i >= 0 && !found; i-- {
			if mr := p.Orders[i].MerchantReference; mr != nil && *mr == ref {
				found = true
				req.note(p, &p.Orders[i], p.at(s.clock.now()))
				o = p.Orders[i]
			}
		}
		return nil
	})
	switch {
	case err != nil:
		writeError(w, paymentNotFound(id))
	case !found:
		writeError(w, topError(codeNotFound, "Payment "+id+" has no order "+ref))
	default:
		writeOK(w, o)
	}
}

// listOrders answers GET /v1/orders?limit=&starting_after=&payment=&merchant_reference=:
// orders newest first (by payment, then by order), {"data":[…],"has_more":bool}.
// Other query parameters are ignored.
func (s *Server) listOrders(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, aerr := parseLimit(q.Get("limit"), defaultListLimit, maxListLimit)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	all := s.ordersNewestFirst(r, q.Get("payment"), q.Get("merchant_reference"))
	if after := q.Get("starting_after"); after != "" {
		i := slices.IndexFunc(all, func(o orderJSON) bool { return o.ID == after })
		if i < 0 {
			writeError(w, fieldError("starting_after", codeInvalidValue, "no order "+after, after))
			return
		}
		all = all[i+1:]
	}
	more := len(all) > limit
	if more {
		all = all[:limit]
	}
	writeOK(w, struct {
		Data    []orderJSON `json:"data"`
		HasMore bool        `json:"has_more"`
	}{Data: orEmpty(all), HasMore: more})
}

// ordersNewestFirst is every order of the request's tenant, newest first,
// of the payment with id paymentID (all when empty) with merchant
// reference ref (any when empty).
func (s *Server) ordersNewestFirst(r *http.Request, paymentID, ref string) []orderJSON {
	var out []orderJSON
	for _, id := range s.store.ids(tenantID(tenantOf(r))) {
		if paymentID != "" && id != paymentID {
			continue
		}
		_ = s.read(r, id, func(p *payment) error {
			for i := len(p.Orders) - 1; i >= 0; i-- {
				if mr := p.Orders[i].MerchantReference; ref == "" || (mr != nil && *mr == ref) {
					out = append(out, p.Orders[i])
				}
			}
			return nil
		})
	}
	return out
}
