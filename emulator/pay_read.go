package emulator

import (
	"net/http"
	"strings"

	"github.com/gorilla/mux"
)

// The customer's reads: what the payment page and the In-Page widget read
// of a payment without the admin API, so they work on an emulator started
// with --admin-token. Both are public by payment id, as Alma's checkout is,
// and show nothing secret: no key, no IPN URL, no custom_data, no customer.

// pagePayment is what the payment page (pay.js) shows of a payment:
// GET /pay/{short}/payment.
type pagePayment struct {
	ID                string            `json:"id"`
	State             string            `json:"state"`
	PurchaseAmount    int64             `json:"purchase_amount"`
	InstallmentsCount int               `json:"installments_count"`
	PaymentPlan       []pageInstallment `json:"payment_plan"`
	Locale            string            `json:"locale"`
	ExpiredAt         *int64            `json:"expired_at"`
	ReturnURL         *string           `json:"return_url"`
	FailureReturnURL  *string           `json:"failure_return_url"`
	CustomerCancelURL *string           `json:"customer_cancel_url"`
	MerchantName      string            `json:"merchant_name"`
}

// pageInstallment is one line of the plan the page shows.
type pageInstallment struct {
	DueDate          int64  `json:"due_date"`
	PurchaseAmount   int64  `json:"purchase_amount"`
	CustomerFee      int64  `json:"customer_fee"`
	CustomerInterest int64  `json:"customer_interest"`
	TotalAmount      int64  `json:"total_amount"`
	State            string `json:"state"`
}

// returnURLs is the answer of Alma's In-Page call
// GET /v1/checkout/payments/{id}/return-urls: where the widget sends the
// customer (docs/internals.md "In-Page and pages" says which keys rest on
// a public source and which are our choice).
type returnURLs struct {
	ReturnURL         *string `json:"return_url"`
	FailureReturnURL  *string `json:"failure_return_url"`
	CustomerCancelURL *string `json:"customer_cancel_url"`
	Origin            string  `json:"origin"`
}

// pageOf is the page's view of a payment in Alma's shape.
func pageOf(j paymentJSON) pagePayment {
	out := pagePayment{
		ID: j.ID, State: j.State, PurchaseAmount: j.PurchaseAmount, InstallmentsCount: j.InstallmentsCount,
		PaymentPlan: make([]pageInstallment, len(j.PaymentPlan)), Locale: j.Locale, ExpiredAt: j.ExpiredAt,
		ReturnURL: j.ReturnURL, FailureReturnURL: j.FailureReturnURL, CustomerCancelURL: j.CustomerCancelURL,
		MerchantName: j.MerchantName,
	}
	for i, in := range j.PaymentPlan {
		out.PaymentPlan[i] = pageInstallment{
			DueDate: in.DueDate, PurchaseAmount: in.PurchaseAmount, CustomerFee: in.CustomerFee,
			CustomerInterest: in.CustomerInterest, TotalAmount: in.TotalAmount, State: in.State,
		}
	}
	return out
}

// customerView renders payment id, settled at its time, in Alma's shape;
// false when no payment has that id.
func (s *Server) customerView(r *http.Request, id string) (paymentJSON, bool) {
	var j paymentJSON
	err := s.update(r, id, func(p *payment) error {
		p.settle(p.at(s.clock.now()))
		j = toJSON(p, s.tenantOfPayment(p), s.publicURL())
		return nil
	})
	return j, err == nil
}

// payPageRead answers GET /pay/{short}/payment: the payment as its page
// shows it. The guard's rules apply (it is under /pay/), the admin token
// does not.
func (s *Server) payPageRead(w http.ResponseWriter, r *http.Request) {
	id := "payment_" + mux.Vars(r)["short"]
	j, found := s.customerView(r, id)
	if !found {
		writeError(w, paymentNotFound(id))
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeOK(w, pageOf(j))
}

// checkoutCORSHeaders are the headers a merchant page's widget may send to
// the checkout call: Alma's widget sends X-Alma-Agent.
const checkoutCORSHeaders = "Accept, Content-Type, X-Alma-Agent"

// checkoutReturnURLs answers GET /v1/checkout/payments/{id}/return-urls,
// the call Alma's In-Page widget makes in startPayment, and its CORS
// preflight. It needs no key and any origin may read it (the widget runs
// on every merchant's page); --allow-origin, when set, answers first.
func (s *Server) checkoutReturnURLs(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	if h.Get("Access-Control-Allow-Origin") == "" {
		h.Set("Access-Control-Allow-Origin", "*")
		h.Set("Access-Control-Allow-Methods", "GET, OPTIONS")
		h.Set("Access-Control-Allow-Headers", checkoutCORSHeaders)
		h.Set("Access-Control-Max-Age", "600")
	}
	if r.Method == http.MethodOptions {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	id := mux.Vars(r)["id"]
	j, found := s.customerView(r, id)
	if !found || !strings.HasPrefix(id, "payment_") {
		writeError(w, paymentNotFound(id))
		return
	}
	writeOK(w, returnURLs{ReturnURL: j.ReturnURL, FailureReturnURL: j.FailureReturnURL, CustomerCancelURL: j.CustomerCancelURL, Origin: j.Origin})
}
