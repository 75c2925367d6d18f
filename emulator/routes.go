package emulator

import (
	"net/http"

	"github.com/gorilla/mux"

	"github.com/alma-sandbox/alma-sandbox/emulator/inpage"

	"github.com/alma-sandbox/alma-sandbox/emulator/replay"
)

// Methods, short.
const (
	get  = http.MethodGet
	post = http.MethodPost
	put  = http.MethodPut
)

// routes mounts every route: health, the public eligibility calls, the
// merchant API behind its key, the admin API and the In-Page pages; then
// the middleware: recover → journal → CORS → router.
func (svc *service) routes() http.Handler {
	r := mux.NewRouter()
	r.NotFoundHandler = http.HandlerFunc(notFound)
	r.MethodNotAllowedHandler = http.HandlerFunc(methodNotAllowed)
	r.HandleFunc("/healthz", health).Methods(get, http.MethodHead)

	public := func(h http.HandlerFunc) http.Handler { return svc.withPublicAuth(h) }
	r.Handle("/v1/payments/eligibility", public(svc.eligibilityV1)).Methods(post)
	r.Handle("/v2/payments/eligibility", public(svc.eligibilityV2)).Methods(post)

	api := r.PathPrefix("/v1").Subrouter()
	api.Use(svc.withSecretKey)
	api.HandleFunc("/payments", svc.createPayment).Methods(post)
	api.HandleFunc("/payments", svc.listPayments).Methods(get)
	api.HandleFunc("/payments/{id}", svc.getPayment).Methods(get)
	api.HandleFunc("/payments/{id}", svc.editPayment).Methods(post)
	api.HandleFunc("/payments/{id}/cancel", svc.cancelPayment).Methods(put, post)
	api.HandleFunc("/payments/{id}/refund", svc.refundPayment).Methods(post)
	api.HandleFunc("/payments/{id}/capture", svc.capturePayment).Methods(post)
	api.HandleFunc("/payments/{id}/trigger", svc.triggerPayment).Methods(post)
	api.HandleFunc("/payments/{id}/potential-fraud", svc.potentialFraud).Methods(post)
	api.HandleFunc("/payments/{id}/orders", svc.orders).Methods(get, put, post)
	api.HandleFunc("/me", svc.me).Methods(get)
	api.HandleFunc("/me/fee-plans", svc.feePlans).Methods(get)

	svc.adminRoutes(r.PathPrefix("/__admin").Subrouter())
	inpage.Register(r)
	return svc.withRecover(svc.withJournal(svc.withCORS(r)))
}

// adminRoutes mounts the admin API (no auth).
func (svc *service) adminRoutes(a *mux.Router) {
	a.HandleFunc("/payments", svc.adminPayments).Methods(get)
	a.HandleFunc("/payments/{id}", svc.adminPayment).Methods(get)
	a.HandleFunc("/payments/{id}/customer", svc.customerStep).Methods(post)
	a.HandleFunc("/payments/{id}/state", svc.adminState).Methods(post)
	a.HandleFunc("/payments/{id}/advance", svc.adminAdvance).Methods(post)
	a.HandleFunc("/clock", svc.adminClock).Methods(get)
	a.HandleFunc("/clock/advance", svc.adminClockAdvance).Methods(post)
	a.HandleFunc("/journal", svc.adminJournal).Methods(get)
	a.HandleFunc("/scenarios", svc.adminScenarios).Methods(get)
	a.HandleFunc("/scenarios/{id}", svc.adminScenario).Methods(get)
	a.HandleFunc("/scenarios/{id}/arm", svc.adminArm).Methods(post)
	a.HandleFunc("/ipn", svc.adminIPN).Methods(get)
	a.HandleFunc("/reset", svc.adminReset).Methods(post)
}

// health answers GET /healthz.
func health(w http.ResponseWriter, r *http.Request) {
	replay.WriteAnswer(w, jsonAnswer(map[string]string{"status": "ok"}))
}

// notFound answers an unknown route in Alma's shape.
func notFound(w http.ResponseWriter, r *http.Request) {
	writeError(w, topError(codeNotFound, "No route "+r.Method+" "+r.URL.Path))
}

// methodNotAllowed answers a known route with another method.
func methodNotAllowed(w http.ResponseWriter, r *http.Request) {
	writeError(w, &apiError{Status: http.StatusMethodNotAllowed})
}
