package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/gorilla/mux"
)

// ordersBody is the body of the orders calls: one order, or a list.
type ordersBody struct {
	Order  *orderRequest  `json:"order"`
	Orders []orderRequest `json:"orders"`
}

// fraudBody is the body of POST /v1/payments/{id}/potential-fraud.
type fraudBody struct {
	Reason string `json:"reason"`
}

// orders answers GET, PUT (add) and POST (replace) /v1/payments/{id}/orders
// with the payment's orders.
func (s *Server) orders(w http.ResponseWriter, r *http.Request) {
	var list []orderRequest
	if r.Method != http.MethodGet {
		var body ordersBody
		if aerr := decodeBody(r, &body); aerr != nil {
			writeError(w, aerr)
			return
		}
		if list = body.Orders; body.Order != nil {
			list = append([]orderRequest{*body.Order}, list...)
		}
		if len(list) == 0 {
			writeError(w, fieldError("order", codeMissingField, "order is required", nil))
			return
		}
		if len(list) > maxOrdersPerPayment {
			writeError(w, tooManyOrders())
			return
		}
		for i := range list {
			if aerr := validateOrder("order", &list[i]); aerr != nil {
				writeError(w, aerr)
				return
			}
		}
	}
	id := mux.Vars(r)["id"]
	var orders []orderJSON
	var aerr *apiError
	err := s.update(r, id, func(p *payment) error {
		learn(w, r, id, p.Script.ID())
		if r.Method != http.MethodGet {
			now := p.at(s.clock.now())
			made := make([]orderJSON, len(list))
			for i := range list {
				made[i] = s.order(p.ID, &list[i], now)
			}
			aerr = p.setOrders(made, r.Method == http.MethodPost, now)
		}
		orders = append([]orderJSON{}, p.Orders...)
		return nil
	})
	switch {
	case err != nil:
		writeError(w, paymentNotFound(id))
	case aerr != nil:
		writeError(w, aerr)
	default:
		writeOK(w, orders)
	}
}

// tooManyOrders refuses orders past maxOrdersPerPayment.
func tooManyOrders() *apiError {
	return fieldError("orders", codeTooLong, fmt.Sprintf("a payment holds at most %d orders", maxOrdersPerPayment), nil)
}

// maxFraudReason bounds the reason of a potential-fraud report.
const maxFraudReason = 1000

// potentialFraud answers POST /v1/payments/{id}/potential-fraud
// {"reason":"amount_mismatch"}: recorded in the payment's sandbox events.
// The reason is optional, as at Alma: the 2.x PHP client sends no body
// without one, the 3.x client sends [].
func (s *Server) potentialFraud(w http.ResponseWriter, r *http.Request) {
	body, aerr := decodeFraud(r)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	id := mux.Vars(r)["id"]
	detail := "potential fraud reported"
	if body.Reason != "" {
		detail += ": " + body.Reason
	}
	if s.update(r, id, func(p *payment) error {
		learn(w, r, id, p.Script.ID())
		p.note(p.at(s.clock.now()), "state", detail)
		return nil
	}) != nil {
		writeError(w, paymentNotFound(id))
		return
	}
	writeOK(w, map[string]bool{"success": true})
}

// decodeFraud reads a potential-fraud body: none, an empty JSON array (what
// PHP encodes an empty array as) or {"reason":"…"}.
func decodeFraud(r *http.Request) (fraudBody, *apiError) {
	var raw json.RawMessage
	var body fraudBody
	if aerr := decodeBody(r, &raw); aerr != nil {
		return body, aerr
	}
	if trimmed := bytes.TrimSpace(raw); len(trimmed) == 0 || bytes.Equal(trimmed, []byte("null")) || emptyArray(trimmed) {
		return body, nil
	}
	if aerr := decodeJSON(raw, &body); aerr != nil {
		return body, aerr
	}
	if len(body.Reason) > maxFraudReason {
		return body, fieldError("reason", codeTooLong, fmt.Sprintf("reason is longer than %d characters", maxFraudReason), nil)
	}
	return body, nil
}

// emptyArray reports whether b is the JSON array [] (spaces allowed).
func emptyArray(b []byte) bool {
	return len(b) >= 2 && b[0] == '[' && b[len(b)-1] == ']' && len(bytes.TrimSpace(b[1:len(b)-1])) == 0
}
