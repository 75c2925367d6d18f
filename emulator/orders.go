package emulator

import (
	"fmt"
	"net/http"

	"github.com/alma-sandbox/alma-sandbox/emulator/replay"
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
func (svc *service) orders(w http.ResponseWriter, r *http.Request) {
	rec, ok := svc.lookup(w, r)
	if !ok {
		return
	}
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
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if r.Method != http.MethodGet {
		if aerr := svc.setOrders(rec, list, r.Method == http.MethodPost); aerr != nil {
			writeError(w, aerr)
			return
		}
	}
	replay.WriteAnswer(w, jsonAnswer(rec.p.Orders))
}

// tooManyOrders refuses orders past maxOrdersPerPayment.
func tooManyOrders() *apiError {
	return fieldError("orders", codeTooLong, fmt.Sprintf("a payment holds at most %d orders", maxOrdersPerPayment), nil)
}

// setOrders adds (or, replacing, sets) rec's orders, refusing to hold more
// than maxOrdersPerPayment. The caller holds rec.mu.
func (svc *service) setOrders(rec *record, list []orderRequest, replace bool) *apiError {
	if !replace && len(rec.p.Orders)+len(list) > maxOrdersPerPayment {
		return tooManyOrders()
	}
	now := svc.nowOf(rec)
	if replace {
		rec.p.Orders = []orderJSON{}
	}
	for i := range list {
		rec.p.Orders = append(rec.p.Orders, svc.order(rec.p.ID, &list[i], now))
	}
	rec.addEvent(now, "state", "orders updated")
	return nil
}

// potentialFraud answers POST /v1/payments/{id}/potential-fraud
// {"reason":"amount_mismatch"}: recorded in the payment's sandbox events.
func (svc *service) potentialFraud(w http.ResponseWriter, r *http.Request) {
	rec, ok := svc.lookup(w, r)
	if !ok {
		return
	}
	var body fraudBody
	if aerr := decodeBody(r, &body); aerr != nil {
		writeError(w, aerr)
		return
	}
	if body.Reason == "" {
		writeError(w, fieldError("reason", codeMissingField, "reason is required", nil))
		return
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	rec.addEvent(svc.nowOf(rec), "state", "potential fraud reported: "+body.Reason)
	replay.WriteAnswer(w, jsonAnswer(map[string]bool{"success": true}))
}
