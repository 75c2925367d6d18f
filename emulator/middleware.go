package emulator

import (
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
)

// recorder is the ResponseWriter every handler gets: it remembers the status
// for the journal and carries what handlers learn about the request (the
// payment and scenario), without a context allocation.
type recorder struct {
	http.ResponseWriter
	status    int
	paymentID string
	scenario  string
	apiKey    string
}

// WriteHeader records the status.
func (rw *recorder) WriteHeader(status int) {
	if rw.status == 0 {
		rw.status = status
	}
	rw.ResponseWriter.WriteHeader(status)
}

// Write records an implicit 200.
func (rw *recorder) Write(b []byte) (int, error) {
	if rw.status == 0 {
		rw.status = http.StatusOK
	}
	return rw.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection (the replay
// engine hijacks it for transport faults).
func (rw *recorder) Unwrap() http.ResponseWriter { return rw.ResponseWriter }

// note records what a handler learnt about the request, for the journal.
func note(w http.ResponseWriter, paymentID, scenario string) {
	if rw, ok := w.(*recorder); ok {
		rw.paymentID, rw.scenario = paymentID, scenario
	}
}

// apiKeyOf is the secret key the auth middleware accepted for this request.
func apiKeyOf(w http.ResponseWriter) string {
	if rw, ok := w.(*recorder); ok {
		return rw.apiKey
	}
	return ""
}

var recorderPool = sync.Pool{New: func() any { return new(recorder) }}

// withJournal records every merchant API request (/v1, /v2) in the journal
// and limits every request's body.
func (svc *service) withJournal(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		svc.inflight.Add(1)
		defer svc.inflight.Add(-1)
		start := svc.cfg.now()
		rw := recorderPool.Get().(*recorder)
		*rw = recorder{ResponseWriter: w}
		defer func() {
			if isAPIPath(r.URL.Path) {
				e := journalEntry{
					At: start.Unix(), Method: r.Method, Path: r.URL.Path, Status: rw.status,
					DurationMS: durationMS(svc.cfg.now().Sub(start)), PaymentID: rw.paymentID, Scenario: rw.scenario,
				}
				svc.journal.record(e)
				svc.logRequest(r, e, rw.apiKey)
			}
			*rw = recorder{}
			recorderPool.Put(rw)
		}()
		if r.Body != nil {
			r.Body = http.MaxBytesReader(rw, r.Body, svc.cfg.maxBody)
		}
		next.ServeHTTP(rw, r)
	})
}

// logRequest logs one merchant API request at debug level; the key shows
// its last four characters only.
func (svc *service) logRequest(r *http.Request, e journalEntry, apiKey string) {
	if !svc.log.Enabled(r.Context(), slog.LevelDebug) {
		return
	}
	svc.log.Debug("request", "method", e.Method, "path", e.Path, "status", e.Status,
		"duration_ms", e.DurationMS, "payment", e.PaymentID, "scenario", e.Scenario, "key", redactKey(apiKey))
}

// isAPIPath reports whether path is Alma's merchant API.
func isAPIPath(path string) bool {
	return strings.HasPrefix(path, "/v1/") || strings.HasPrefix(path, "/v2/")
}

// withRecover turns a handler panic into Alma's 500 shape and counts it: a
// bug (tests assert the count stays zero). http.ErrAbortHandler, the way to
// drop a connection, passes through.
func (svc *service) withRecover(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if err, ok := v.(error); ok && errors.Is(err, http.ErrAbortHandler) {
				panic(v)
			}
			svc.panics.Add(1)
			svc.log.Error("emulator: handler panic", "method", r.Method, "path", r.URL.Path, "panic", v)
			writeError(w, &apiError{Status: http.StatusInternalServerError})
		}()
		next.ServeHTTP(w, r)
	})
}

// CORS headers the emulator allows.
const (
	corsMethods = "GET, POST, PUT, DELETE, OPTIONS"
	corsHeaders = "Authorization, Content-Type, Accept, X-Alma-Sandbox-Scenario, X-Customer-Session-Id"
)

// withCORS adds Access-Control-Allow-* for the configured origins and
// answers their preflight requests.
func (svc *service) withCORS(next http.Handler) http.Handler {
	if len(svc.cfg.allowOrigins) == 0 {
		return next
	}
	any := slices.Contains(svc.cfg.allowOrigins, "*")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		if origin == "" || (!any && !slices.Contains(svc.cfg.allowOrigins, strings.TrimRight(origin, "/"))) {
			next.ServeHTTP(w, r)
			return
		}
		h := w.Header()
		h.Set("Access-Control-Allow-Origin", origin)
		h.Add("Vary", "Origin")
		h.Set("Access-Control-Allow-Methods", corsMethods)
		h.Set("Access-Control-Allow-Headers", corsHeaders)
		h.Set("Access-Control-Max-Age", "600")
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		next.ServeHTTP(w, r)
	})
}
