package emulator

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// requestInfo is what the emulator learns about a request while serving it
// (the key the auth accepted, the payment and scenario a handler found): it
// travels in the request's context, and the journal records it.
type requestInfo struct {
	tenant    *tenant // the merchant the request acts for; nil: none, or the operator
	apiKey    string
	paymentID string
	scenario  string
	warning   string // why the scenario cannot play out on the payment
}

type infoKey struct{}

// info is the request's requestInfo (an empty one outside the middleware).
func info(r *http.Request) *requestInfo {
	if in, ok := r.Context().Value(infoKey{}).(*requestInfo); ok {
		return in
	}
	return &requestInfo{}
}

// ScenarioAppliedHeader names, on an answer, the scenario that answered the
// request's payment.
const ScenarioAppliedHeader = "X-Alma-Sandbox-Scenario-Applied"

// learn records the request's payment and scenario for the journal and
// names the scenario on the answer.
func learn(w http.ResponseWriter, r *http.Request, paymentID, scenario string) {
	in := info(r)
	in.paymentID, in.scenario = paymentID, scenario
	if scenario != "" {
		w.Header().Set(ScenarioAppliedHeader, scenario)
	}
}

// recorder remembers the status a handler wrote, and the start of the
// answer, for the journal.
type recorder struct {
	http.ResponseWriter
	status int
	answer *captured // nil: not journaled
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
	if rw.answer != nil {
		rw.answer.keep(b)
	}
	return rw.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection (faults hijack
// it).
func (rw *recorder) Unwrap() http.ResponseWriter { return rw.ResponseWriter }

// withJournal puts a requestInfo in every request's context, limits its
// body, and records every merchant API request (/v1, /v2) in the journal.
func (s *Server) withJournal(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.inflight.Add(1)
		defer s.inflight.Add(-1)
		start := time.Now()
		in := &requestInfo{}
		rw := &recorder{ResponseWriter: w}
		r = r.WithContext(context.WithValue(r.Context(), infoKey{}, in))
		api := isAPIPath(r.URL.Path)
		var bodies *[2]captured
		if api {
			bodies = capturePool.Get().(*[2]captured)
			bodies[0].n, bodies[0].more, bodies[1].n, bodies[1].more = 0, false, 0, false
			defer capturePool.Put(bodies)
			rw.answer = &bodies[1]
		}
		if r.Body != nil {
			r.Body = http.MaxBytesReader(rw, r.Body, s.MaxBodyBytes)
			if api {
				r.Body = teeBody{ReadCloser: r.Body, c: &bodies[0]}
			}
		}
		if len(r.URL.Path) > maxPathLen || len(r.URL.RawQuery) > maxQueryLen {
			writeError(rw, fieldError("path", codeTooLong, fmt.Sprintf("a path is at most %d characters and a query %d", maxPathLen, maxQueryLen), nil))
		} else {
			next.ServeHTTP(rw, r)
		}
		refused := guarded(r.URL.Path) && (rw.status == http.StatusMisdirectedRequest || rw.status == http.StatusUnsupportedMediaType)
		if !api && !refused {
			return
		}
		e := journalEntry{
			At: s.clock.now().Unix(), Method: r.Method, Path: clip(r.URL.Path, maxJournalPath), Status: rw.status,
			DurationMS: durationMS(time.Since(start)), PaymentID: in.paymentID, Scenario: in.scenario,
			Warning: in.warning,
		}
		if bodies != nil {
			e.bodies = *bodies
		}
		if refused { // the guard's refusals (another site's page, a foreign Host), for whoever looks
			e.Warning = "refused by the guard: " + map[int]string{http.StatusMisdirectedRequest: "foreign Host " + clip(r.Host, 200), http.StatusUnsupportedMediaType: "not JSON (a cross-site form or no-cors fetch?)"}[rw.status]
		}
		s.journalOf(in.tenant).record(e)
		s.logRequest(r, &e, in.apiKey)
	})
}

// logRequest logs one merchant API request, at info level with
// LogRequests, else at debug level; the key shows its last four characters
// only, and a warning when there is one.
func (s *Server) logRequest(r *http.Request, e *journalEntry, apiKey string) {
	level := slog.LevelDebug
	if s.LogRequests {
		level = slog.LevelInfo
	}
	if !s.Logger.Enabled(r.Context(), level) {
		return
	}
	attrs := []slog.Attr{
		slog.String("method", e.Method), slog.String("path", e.Path), slog.Int("status", e.Status),
		slog.Float64("duration_ms", e.DurationMS), slog.String("key", redactKey(apiKey)),
	}
	if e.PaymentID != "" {
		attrs = append(attrs, slog.String("payment", e.PaymentID))
	}
	if e.Scenario != "" {
		attrs = append(attrs, slog.String("scenario", e.Scenario))
	}
	if e.Warning != "" {
		attrs = append(attrs, slog.String("warning", e.Warning))
	}
	s.Logger.LogAttrs(r.Context(), level, "request", attrs...)
}

// capturePool recycles the journal's body captures (2 KiB each).
var capturePool = sync.Pool{New: func() any { return new([2]captured) }}

// Bounds of a request's path and query (longer: 400 too_long), and of the
// path the journal keeps.
const (
	maxPathLen     = 2048
	maxQueryLen    = 8192
	maxJournalPath = 256
)

// clip is s cut to n bytes, with "…" when cut.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// isAPIPath reports whether path is Alma's merchant API.
func isAPIPath(path string) bool {
	return strings.HasPrefix(path, "/v1/") || strings.HasPrefix(path, "/v2/")
}

// withRecover turns a handler panic into Alma's 500 shape and counts it: a
// bug (tests assert the count stays zero). http.ErrAbortHandler, the way to
// drop a connection, passes through.
func (s *Server) withRecover(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if err, ok := v.(error); ok && errors.Is(err, http.ErrAbortHandler) {
				panic(v)
			}
			s.panics.Add(1)
			s.Logger.Error("emulator: handler panic", "method", r.Method, "path", r.URL.Path, "panic", v)
			writeError(w, &apiError{Status: http.StatusInternalServerError})
		}()
		next.ServeHTTP(w, r)
	})
}

// CORS headers the emulator allows.
const (
	corsMethods = "GET, POST, PUT, DELETE, OPTIONS"
	corsHeaders = "Authorization, Content-Type, Accept, X-Alma-Sandbox-Scenario, X-Customer-Session-Id, X-Alma-Agent"
)

// withCORS adds Access-Control-Allow-* for the configured origins and
// answers their preflight requests.
func (s *Server) withCORS(next http.Handler) http.Handler {
	if len(s.AllowOrigins) == 0 {
		return next
	}
	any := slices.Contains(s.AllowOrigins, "*")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		listed := slices.Contains(s.AllowOrigins, strings.TrimRight(origin, "/"))
		if origin == "" || (!any && !listed) || (guarded(r.URL.Path) && !listed) {
			next.ServeHTTP(w, r) // "*" never opens the admin API or the customer's page
			return
		}
		h := w.Header()
		if listed {
			h.Set("Access-Control-Allow-Origin", origin)
		} else {
			h.Set("Access-Control-Allow-Origin", "*") // any origin, never with credentials
		}
		h.Add("Vary", "Origin")
		h.Set("Access-Control-Allow-Methods", corsMethods)
		h.Set("Access-Control-Allow-Headers", corsHeaders)
		h.Set("Access-Control-Expose-Headers", ScenarioAppliedHeader)
		h.Set("Access-Control-Max-Age", "600")
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		next.ServeHTTP(w, r)
	})
}
