package emulator

import (
	"fmt"
	"net/http"
	"slices"
	"sync"

	"github.com/gorilla/mux"
)

// The merchant's other calls, as Alma's clients make them: the extended
// profile both PHP clients' me() read, another merchant by id (Python),
// business events and the integration configuration (PHP 3.x and 2.x).

// extendedMerchantJSON is GET /v1/me/extended-data: the merchant with the
// fields the 2.x PHP client's Merchant entity reads (state,
// manually_reviewed, fee_plans).
type extendedMerchantJSON struct {
	merchantJSON
	State            string        `json:"state"`
	ManuallyReviewed bool          `json:"manually_reviewed"`
	FeePlans         []feePlanJSON `json:"fee_plans"`
}

// merchantState is the state of the sandbox's merchant account (our
// choice: an account that may take payments).
const merchantState = "activated"

// extendedData answers GET /v1/me/extended-data.
func (s *Server) extendedData(w http.ResponseWriter, r *http.Request) {
	writeOK(w, extendedMerchantJSON{
		merchantJSON: s.merchantJSON(tenantOf(r)), State: merchantState, FeePlans: s.feePlanList(tenantOf(r), func(FeePlan) bool { return true }),
	})
}

// merchantByID answers GET /v1/merchants/{id}: the key's own merchant, or
// 404 for any other id (another tenant's included).
func (s *Server) merchantByID(w http.ResponseWriter, r *http.Request) {
	id := mux.Vars(r)["id"]
	t := tenantOf(r)
	if id != t.ID {
		writeError(w, topError(codeNotFound, "Merchant "+id+" not found"))
		return
	}
	writeOK(w, s.merchantJSON(t))
}

// businessEvent is the body of POST /v1/me/business-events, as the 3.x PHP
// client's CartInitiated and OrderConfirmed events send it.
type businessEvent struct {
	EventType       string `json:"event_type"`
	CartID          string `json:"cart_id"`
	OrderID         string `json:"order_id"`
	AlmaPaymentID   string `json:"alma_payment_id"`
	IsAlmaP1X       *bool  `json:"is_alma_p1x"`
	IsAlmaBNPL      *bool  `json:"is_alma_bnpl"`
	WasBNPLEligible *bool  `json:"was_bnpl_eligible"`
}

// The business event types.
const (
	eventCartInitiated  = "cart_initiated"
	eventOrderConfirmed = "order_confirmed"
)

// businessEvents answers POST /v1/me/business-events: 204 for a valid
// event (nothing is kept but the journal line), Alma's 400 otherwise.
func (s *Server) businessEvents(w http.ResponseWriter, r *http.Request) {
	var ev businessEvent
	if aerr := decodeBody(r, &ev); aerr != nil {
		writeError(w, aerr)
		return
	}
	if aerr := validateBusinessEvent(&ev); aerr != nil {
		writeError(w, aerr)
		return
	}
	writeNoContent(w)
}

// validateBusinessEvent checks an event's type and the fields its type
// requires: a cart id always; for a confirmed order its id, the three
// flags, and an Alma payment id exactly when Alma took the payment.
func validateBusinessEvent(ev *businessEvent) *apiError {
	switch {
	case ev.EventType == "":
		return fieldError("event_type", codeMissingField, "event_type is required", nil)
	case !slices.Contains([]string{eventCartInitiated, eventOrderConfirmed}, ev.EventType):
		return fieldError("event_type", codeInvalidValue, "event_type must be cart_initiated or order_confirmed", ev.EventType)
	case ev.CartID == "":
		return fieldError("cart_id", codeMissingField, "cart_id is required", nil)
	}
	for _, f := range []struct{ name, value string }{{"cart_id", ev.CartID}, {"order_id", ev.OrderID}, {"alma_payment_id", ev.AlmaPaymentID}} {
		if len(f.value) > maxReferenceLen {
			return fieldError(f.name, codeTooLong, fmt.Sprintf("%s is longer than %d characters", f.name, maxReferenceLen), nil)
		}
	}
	if ev.EventType == eventCartInitiated {
		return nil
	}
	return validateOrderConfirmed(ev)
}

// validateOrderConfirmed checks an order_confirmed event.
func validateOrderConfirmed(ev *businessEvent) *apiError {
	if ev.OrderID == "" {
		return fieldError("order_id", codeMissingField, "order_id is required", nil)
	}
	for _, f := range []struct {
		name  string
		value *bool
	}{{"is_alma_p1x", ev.IsAlmaP1X}, {"is_alma_bnpl", ev.IsAlmaBNPL}, {"was_bnpl_eligible", ev.WasBNPLEligible}} {
		if f.value == nil {
			return fieldError(f.name, codeMissingField, f.name+" is required", nil)
		}
	}
	alma := *ev.IsAlmaP1X || *ev.IsAlmaBNPL
	switch {
	case alma && ev.AlmaPaymentID == "":
		return fieldError("alma_payment_id", codeMissingField, "alma_payment_id is required for an Alma payment", nil)
	case !alma && ev.AlmaPaymentID != "":
		return fieldError("alma_payment_id", codeIncompatible, "alma_payment_id is only for an Alma payment", ev.AlmaPaymentID)
	}
	return nil
}

// integration is the merchant's integration configuration: the URL Alma
// would collect the integration's data from. It is safe for concurrent use.
type integration struct {
	mu             sync.Mutex
	collectDataURL string
}

// integrationJSON is the body and the answer of PUT
// /v1/integration-configuration/api.
type integrationJSON struct {
	CollectDataURL string `json:"collect_data_url"`
}

// integrationConfiguration answers PUT /v1/integration-configuration/api
// {"collect_data_url"}: the configuration as kept (the emulator never
// calls the URL).
func (s *Server) integrationConfiguration(w http.ResponseWriter, r *http.Request) {
	var req integrationJSON
	if aerr := decodeBody(r, &req); aerr != nil {
		writeError(w, aerr)
		return
	}
	switch {
	case req.CollectDataURL == "":
		writeError(w, fieldError("collect_data_url", codeMissingField, "collect_data_url is required", nil))
		return
	case len(req.CollectDataURL) > maxReferenceLen:
		writeError(w, fieldError("collect_data_url", codeTooLong, fmt.Sprintf("collect_data_url is longer than %d characters", maxReferenceLen), nil))
		return
	case !validURL(req.CollectDataURL):
		writeError(w, fieldError("collect_data_url", codeInvalidValue, "must be an absolute http(s) URL", req.CollectDataURL))
		return
	}
	in := tenantOf(r).integration
	in.mu.Lock()
	in.collectDataURL = req.CollectDataURL
	in.mu.Unlock()
	writeOK(w, req)
}

// reset forgets the integration configuration.
func (c *integration) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.collectDataURL = ""
}
