package emulator

import (
	"bufio"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/alma-sandbox/alma-sandbox/emulator/replay"
	"github.com/alma-sandbox/alma-sandbox/scenarios"
)

// The one writer: every response the emulator sends goes through writeRaw,
// and every scenario step is applied by serveStep.

// answer is an operation's normal answer: a status and a JSON body.
type answer struct {
	status int
	body   []byte
}

// ok is a 200 answer with body.
func ok(body []byte) answer { return answer{status: http.StatusOK, body: body} }

// contentTypeJSON is the one Content-Type of JSON answers, exactly as Alma
// sends it (no charset: Alma's PHP client ignores the body then).
const contentTypeJSON = "application/json"

// jsonContentType is the header value of JSON answers, shared so the hot
// path does not allocate it; it is never modified.
var jsonContentType = []string{contentTypeJSON}

// writeRaw writes status and body with contentType: the one place a
// response is written.
func writeRaw(w http.ResponseWriter, status int, contentType []string, body []byte) {
	h := w.Header()
	h["Content-Type"] = contentType
	h["Content-Length"] = []string{strconv.Itoa(len(body))}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// writeAnswer writes a JSON answer.
func writeAnswer(w http.ResponseWriter, a answer) {
	writeRaw(w, statusOr(a.status, http.StatusOK), jsonContentType, a.body)
}

// writeValue marshals v as a JSON answer with status.
func writeValue(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		writeError(w, &apiError{Code: codeGeneric, Message: "answer could not be encoded", Status: http.StatusInternalServerError})
		return
	}
	writeAnswer(w, answer{status: status, body: b})
}

// writeList writes {"data":[…]} item by item, so that a long admin list
// is never held encoded in one piece (items are the emulator's own shapes:
// they always marshal).
func writeList[T any](w http.ResponseWriter, items []T) {
	w.Header()["Content-Type"] = jsonContentType
	w.WriteHeader(http.StatusOK)
	bw := bufio.NewWriterSize(w, 16<<10)
	bw.WriteString(`{"data":[`)
	for i := range items {
		if i > 0 {
			bw.WriteByte(',')
		}
		b, _ := json.Marshal(items[i])
		bw.Write(b)
	}
	bw.WriteString(`]}`)
	_ = bw.Flush()
}

// writeOK marshals v as a 200 JSON answer.
func writeOK(w http.ResponseWriter, v any) { writeValue(w, http.StatusOK, v) }

// writeError writes e in Alma's shape.
func writeError(w http.ResponseWriter, e *apiError) { writeAnswer(w, e.answer()) }

// writeScripted writes a step's literal body: application/json when it is
// valid JSON, text/plain otherwise.
func writeScripted(w http.ResponseWriter, status int, body []byte) {
	ct := []string{"text/plain; charset=utf-8"}
	if json.Valid(body) {
		ct = jsonContentType
	}
	writeRaw(w, status, ct, body)
}

// statusOr returns status, or def when status is not a valid HTTP status.
func statusOr(status, def int) int {
	if status < 100 || status > 999 {
		return def
	}
	return status
}

// serveStep answers one request as step says: delay → (Commit: act) →
// fault | error | body | bare status → else act's answer (Patch merged into
// a 2xx JSON object). A nil step: just act and write.
//
// act performs the operation and returns its normal answer; serveStep calls
// it at most once, and not at all when the step answers with a fault, error
// or status without Commit, or when the client leaves during the delay.
func (s *Server) serveStep(w http.ResponseWriter, r *http.Request, step *scenarios.Step, act func() answer) {
	if step == nil {
		writeAnswer(w, act())
		return
	}
	if !replay.Wait(r, s.sampler.Draw(step.Delay, s.HangLimit), s.done) {
		return
	}
	var a answer
	acted := false
	if step.Commit {
		a, acted = act(), true
	}
	if s.writeStep(w, r, step, a, acted) {
		return
	}
	if !acted {
		a = act()
	}
	if len(step.Patch) > 0 && a.status >= 200 && a.status <= 299 {
		if patched, err := replay.Patch(a.body, step.Patch); err != nil {
			s.Logger.Warn("scenario patch not applied", "path", r.URL.Path, "err", err)
		} else {
			a.body = patched
		}
	}
	writeAnswer(w, a)
}

// writeStep writes the step's own answer (fault, error, body or bare
// status) and reports whether it did. a is act's answer when acted.
func (s *Server) writeStep(w http.ResponseWriter, r *http.Request, step *scenarios.Step, a answer, acted bool) bool {
	switch {
	case step.Fault != "":
		in := info(r)
		s.Logger.Info("scenario fault", "fault", string(step.Fault), "scenario", in.scenario,
			"payment", in.paymentID, "method", r.Method, "path", r.URL.Path)
		s.fault(w, r, step, a, acted)
	case step.Error != nil:
		writeError(w, scenarioError(*step.Error, step.Status))
	case step.Body != "":
		writeScripted(w, statusOr(step.Status, http.StatusOK), []byte(step.Body))
	case step.Status != 0:
		writeError(w, &apiError{Status: step.Status})
	default:
		return false
	}
	return true
}

// fault injects step's transport fault; a is act's answer when acted.
func (s *Server) fault(w http.ResponseWriter, r *http.Request, step *scenarios.Step, a answer, acted bool) {
	var err error
	switch step.Fault {
	case scenarios.FaultHang:
		replay.Wait(r, s.HangLimit, s.done)
		err = replay.Drop(w, false)
	case scenarios.FaultReset:
		err = replay.Drop(w, true)
	case scenarios.FaultEmpty:
		err = replay.Drop(w, false)
	case scenarios.FaultMalformed:
		writeRaw(w, statusOr(step.Status, http.StatusOK), jsonContentType, []byte(replay.MalformedBody))
	case scenarios.FaultTruncated:
		body := []byte(replay.TruncatedFallback)
		if acted && len(a.body) > 1 {
			body = a.body
		}
		err = replay.Truncate(w, statusOr(step.Status, http.StatusOK), body)
	case scenarios.FaultStall:
		body := []byte(replay.TruncatedFallback)
		if acted && len(a.body) > 1 {
			body = a.body
		}
		err = replay.Stall(w, statusOr(step.Status, http.StatusOK), body, s.holdStalled)
	case scenarios.FaultHTML:
		writeRaw(w, statusOr(step.Status, http.StatusOK), []string{"text/html; charset=utf-8"}, []byte(replay.HTMLPage))
	default:
		s.Logger.Warn("unknown scenario fault; answering 500", "fault", string(step.Fault))
		writeError(w, &apiError{Status: http.StatusInternalServerError})
	}
	if err != nil { // the connection could not be taken (HTTP/2, a recorder)
		s.Logger.Warn("scenario fault needs an HTTP/1 connection; answering 500", "err", err)
		writeError(w, &apiError{Status: http.StatusInternalServerError})
	}
}

// holdStalled holds a stalled answer until the client hangs up, the hang
// limit passes or the server closes.
func (s *Server) holdStalled(clientGone <-chan struct{}) {
	t := time.NewTimer(s.HangLimit)
	defer t.Stop()
	select {
	case <-t.C:
	case <-s.done:
	case <-clientGone:
	}
}
