package emulator

import (
	"net/http"

	"github.com/gorilla/mux"

	"github.com/alma-sandbox/alma-sandbox/emulator/inpage"
)

// Methods, short.
const (
	get  = http.MethodGet
	post = http.MethodPost
	put  = http.MethodPut
)

// routes mounts every route: health, the public eligibility calls, the
// merchant API behind its key, the admin API and the In-Page pages; then
// the middleware: recover → journal → CORS → guard → outage → router.
func (s *Server) routes() http.Handler {
	r := mux.NewRouter()
	r.NotFoundHandler = http.HandlerFunc(notFound)
	r.MethodNotAllowedHandler = http.HandlerFunc(methodNotAllowed)
	r.HandleFunc("/healthz", health).Methods(get, http.MethodHead)

	public := func(h http.HandlerFunc) http.Handler { return s.withPublicAuth(h) }
	r.Handle("/v1/payments/eligibility", public(s.eligibilityV1)).Methods(post)
	r.Handle("/v2/payments/eligibility", public(s.eligibilityV2)).Methods(post)
	// Alma's In-Page widget reads where to send the customer (pay_read.go).
	r.HandleFunc("/v1/checkout/payments/{id}/return-urls", s.checkoutReturnURLs).Methods(get, http.MethodOptions)

	api := r.PathPrefix("/v1").Subrouter()
	api.Use(s.withSecretKey)
	api.HandleFunc("/payments", s.createPayment).Methods(post)
	api.HandleFunc("/payments", s.listPayments).Methods(get)
	api.HandleFunc("/payments/{id}", s.getPayment).Methods(get)
	api.HandleFunc("/payments/{id}", s.editPayment).Methods(post)
	api.HandleFunc("/payments/{id}/cancel", s.cancelPayment).Methods(put, post)
	api.HandleFunc("/payments/{id}/refund", s.refundPayment).Methods(post)
	api.HandleFunc("/payments/{id}/capture", s.capturePayment).Methods(post)
	api.HandleFunc("/payments/{id}/trigger", s.triggerPayment).Methods(post)
	api.HandleFunc("/payments/{id}/potential-fraud", s.potentialFraud).Methods(post)
	api.HandleFunc("/payments/{id}/orders", s.orders).Methods(get, put, post)
	api.HandleFunc("/me", s.me).Methods(get)
	api.HandleFunc("/me/fee-plans", s.feePlans).Methods(get)
	api.HandleFunc("/me/extended-data", s.extendedData).Methods(get)
	api.HandleFunc("/me/business-events", s.businessEvents).Methods(post)
	api.HandleFunc("/merchants/{id}", s.merchantByID).Methods(get)
	api.HandleFunc("/integration-configuration/api", s.integrationConfiguration).Methods(put)
	api.HandleFunc("/payments/{id}/send-sms", s.sendSMSCall).Methods(post)
	api.HandleFunc("/payments/{id}/ask-acceptance", s.askAcceptanceCall).Methods(get, post)
	api.HandleFunc("/payments/{id}/charge-first-installment", s.chargeFirstCall).Methods(post)
	api.HandleFunc("/payments/{id}/orders/{merchant_reference}/status", s.orderStatusByReference).Methods(post)
	api.HandleFunc("/orders", s.listOrders).Methods(get)
	api.HandleFunc("/orders/{id}", s.getOrder).Methods(get)
	api.HandleFunc("/orders/{id}", s.updateOrder).Methods(post, put)
	api.HandleFunc("/webhooks", s.createWebhook).Methods(post)
	api.HandleFunc("/webhooks", s.listWebhooks).Methods(get)
	api.HandleFunc("/webhooks/{id}", s.getWebhook).Methods(get)
	api.HandleFunc("/webhooks/{id}", s.deleteWebhook).Methods(http.MethodDelete)

	v2 := r.PathPrefix("/v2/orders").Subrouter()
	v2.Use(s.withSecretKey)
	v2.HandleFunc("/{id}/shipment", s.orderShipment).Methods(post)
	v2.HandleFunc("/{id}/status", s.orderStatus).Methods(post)

	admin := r.PathPrefix("/__admin").Subrouter()
	admin.Use(s.withAdmin)
	s.adminRoutes(admin)
	r.HandleFunc("/pay/{short:[A-Za-z0-9]+}", s.customerOnPage).Methods(post)
	r.HandleFunc("/pay/{short:[A-Za-z0-9]+}/payment", s.payPageRead).Methods(get, http.MethodHead)
	inpage.Register(r, s.knownMerchant)
	return s.withRecover(s.withJournal(s.withCORS(s.withGuard(s.withOutage(r)))))
}

// adminRoutes mounts the admin API (its scope and access: admin_auth.go).
func (s *Server) adminRoutes(a *mux.Router) {
	a.HandleFunc("/tenants", s.adminTenants).Methods(get)
	a.HandleFunc("/state", s.adminSnapshot).Methods(get, post)
	a.HandleFunc("/payments", s.adminPayments).Methods(get)
	a.HandleFunc("/payments/{id}", s.adminPayment).Methods(get)
	a.HandleFunc("/payments/{id}/customer", s.customerStep).Methods(post)
	a.HandleFunc("/payments/{id}/state", s.adminState).Methods(post)
	a.HandleFunc("/payments/{id}/advance", s.adminAdvance).Methods(post)
	a.HandleFunc("/payments/{id}/ipn", s.adminResendIPN).Methods(post)
	a.HandleFunc("/clock", s.adminClock).Methods(get)
	a.HandleFunc("/clock/advance", s.adminClockAdvance).Methods(post)
	a.HandleFunc("/journal", s.adminJournal).Methods(get)
	a.HandleFunc("/journal/verify", s.adminJournalVerify).Methods(post)
	a.HandleFunc("/journal.har", s.adminJournalHAR).Methods(get)
	a.HandleFunc("/scenarios", s.adminScenarios).Methods(get)
	a.HandleFunc("/scenarios/{id}", s.adminScenario).Methods(get)
	a.HandleFunc("/scenarios/{id}", s.adminPutScenario).Methods(put)
	a.HandleFunc("/scenarios/{id}", s.adminDeleteScenario).Methods(http.MethodDelete)
	a.HandleFunc("/scenarios/{id}/arm", s.adminArm).Methods(post)
	a.HandleFunc("/ipn", s.adminIPN).Methods(get)
	a.HandleFunc("/ipn/listen", s.adminIPNListen).Methods(get)
	a.HandleFunc("/reset", s.adminReset).Methods(post)
	a.HandleFunc("/tables", s.adminTables).Methods(get)
	a.HandleFunc("/chaos", s.adminChaos).Methods(get, post, http.MethodDelete)
}

// health answers GET /healthz.
func health(w http.ResponseWriter, r *http.Request) {
	writeOK(w, map[string]string{"status": "ok"})
}

// notFound answers an unknown route in Alma's shape.
func notFound(w http.ResponseWriter, r *http.Request) {
	writeError(w, topError(codeNotFound, "No route "+r.Method+" "+r.URL.Path))
}

// methodNotAllowed answers a known route with another method.
func methodNotAllowed(w http.ResponseWriter, r *http.Request) {
	writeError(w, &apiError{Status: http.StatusMethodNotAllowed})
}
