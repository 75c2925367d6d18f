package demo

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"

	"github.com/alma-sandbox/alma-sandbox/connector"
	"github.com/alma-sandbox/alma-sandbox/scenarios"
)

// The product the demo shop sells.
const (
	productName  = "Vélo de ville"
	productCents = 24000 // 240.00 EUR: within the 4x plan's 50–2000 EUR
)

// createRequest is the page's POST /demo/orders body.
type createRequest struct {
	// Scenario, optional, makes the emulator replay that scenario for this
	// payment: it is sent in the X-Alma-Sandbox-Scenario header (an id the
	// emulator does not serve is answered 400) and starts the order
	// reference.
	Scenario string `json:"scenario"`
}

// createAnswer is POST /demo/orders's answer: the order and the parameters
// of Alma.InPage.initialize / startPayment.
type createAnswer struct {
	Order  Order             `json:"order"`
	Widget *connector.Widget `json:"widget,omitempty"`
}

// createOrder handles POST /demo/orders: a session for the product, then
// connector.Initialize in the 1-step capture flow.
func (s *Server) createOrder(w http.ResponseWriter, r *http.Request) {
	var req createRequest
	if err := json.NewDecoder(io.LimitReader(r.Body, 4096)).Decode(&req); err != nil && !errors.Is(err, io.EOF) {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "body: " + err.Error()})
		return
	}
	if req.Scenario != "" && !scenarios.ValidID(req.Scenario) {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "scenario: not a scenario id"})
		return
	}
	ref := newReference(req.Scenario)
	sess := s.session(ref, s.baseURL(r)+"/demo/return?order="+url.QueryEscape(ref))
	if !s.orders.add(sess) {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "too many orders; restart the demo"})
		return
	}
	res := withScenario(s.Connector, req.Scenario).Initialize(r.Context(), sess, connector.FlowCapture)
	s.orders.update(ref, func(o *Order) {
		o.PaymentID = res.PaymentID
		if res.Widget != nil {
			o.merchantID = res.Widget.MerchantID
		}
		o.Initialize = newOutcome(res, s.now())
	})
	s.logger().Info("demo: initialize", "order", ref, "result", res.String())
	order, _, _ := s.orders.get(ref)
	if res.Widget == nil {
		writeJSON(w, http.StatusBadGateway, createAnswer{Order: order})
		return
	}
	writeJSON(w, http.StatusCreated, createAnswer{Order: order, Widget: res.Widget})
}

// session is the orchestrator's session for one product: the four
// mandatory fields and a customer.
func (s *Server) session(ref, returnURL string) connector.Session {
	return connector.Session{
		Amount: connector.Amount(productCents),
		Order: connector.Order{
			Reference: ref, CurrencyCode: "EUR", Redirection: returnURL,
		},
		Customer: connector.Customer{
			FirstName: "Camille", LastName: "Martin",
			BillingAddress: connector.Address{
				AddressLines: []string{"12 rue de la Paix"}, City: "Paris", PostalCode: "75002",
				CountryCode: "FR", Email: "camille.martin@example.com",
			},
		},
		Shipments: []connector.Shipment{{ItemLines: []connector.ItemLine{{
			TypeCode: "product", SKUReference: "VELO-1", Name: productName,
			Price: connector.Amount(productCents), Quantity: 1, Amount: connector.Amount(productCents),
		}}}},
	}
}

// orderStatus handles GET /demo/orders/{ref}.
func (s *Server) orderStatus(w http.ResponseWriter, r *http.Request) {
	order, _, ok := s.orders.get(r.PathValue("ref"))
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "no such order"})
		return
	}
	writeJSON(w, http.StatusOK, order)
}

// cancelOrder handles POST /demo/orders/{ref}/cancel, which the page calls
// from onUserCloseModal: cancel the payment at Alma, then verify it, which
// reports ABORTED.
func (s *Server) cancelOrder(w http.ResponseWriter, r *http.Request) {
	ref := r.PathValue("ref")
	order, sess, ok := s.orders.get(ref)
	if !ok || order.PaymentID == "" {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "no such order"})
		return
	}
	cancel := s.Connector.Cancel(r.Context(), order.PaymentID)
	verify := s.Connector.Verify(r.Context(), order.PaymentID, sess)
	s.orders.update(ref, func(o *Order) {
		o.Cancel = newOutcome(cancel, s.now())
		o.Abort = newOutcome(verify, s.now())
	})
	s.logger().Info("demo: customer closed the widget", "order", ref, "cancel", cancel.String(), "verify", verify.String())
	order, _, _ = s.orders.get(ref)
	writeJSON(w, http.StatusOK, order)
}

// returnPage handles GET /demo/return?order=…&pid=…: Alma sends the
// customer here; the merchant never trusts the URL and verifies at Alma.
func (s *Server) returnPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	order, sess, ok := s.orders.get(q.Get("order"))
	if !ok {
		order, sess, ok = s.orders.byPaymentID(q.Get("pid"))
	}
	if !ok || order.PaymentID == "" {
		s.render(w, http.StatusNotFound, "return.html", returnView{Error: "Unknown order."})
		return
	}
	res := s.Connector.Verify(r.Context(), order.PaymentID, sess)
	s.orders.update(order.Reference, func(o *Order) { o.Return = newOutcome(res, s.now()) })
	s.logger().Info("demo: return", "order", order.Reference, "result", res.String())
	order, _, _ = s.orders.get(order.Reference)
	s.render(w, http.StatusOK, "return.html", returnView{Order: order, Result: order.Return})
}

// ipnHandler is the connector's IPN handler: it checks the signature,
// verifies the payment and hands the result to the order book.
func (s *Server) ipnHandler() http.Handler {
	lookup := func(pid string) (connector.Session, bool) {
		_, sess, ok := s.orders.byPaymentID(pid)
		return sess, ok
	}
	return s.Connector.IPNHandler(lookup, func(res connector.Result) {
		order, _, ok := s.orders.byPaymentID(res.PaymentID)
		if !ok {
			return
		}
		s.orders.update(order.Reference, func(o *Order) { o.IPN = newOutcome(res, s.now()) })
		s.logger().Info("demo: ipn", "order", order.Reference, "result", res.String())
	})
}

// writeJSON writes v with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
