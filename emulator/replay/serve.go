package replay

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"github.com/alma-sandbox/alma-sandbox/scenarios"
)

// Answer is the normal answer of an operation, as the emulator would write it.
type Answer struct {
	Status int         // 0 = 200
	Body   []byte      // written as is
	Header http.Header // set on the response (value slices shared, never modified); Content-Type defaults to application/json when Body is not empty
}

// contentTypeJSON is the one Content-Type of JSON answers.
const contentTypeJSON = "application/json"

// jsonContentType is the header value of JSON answers, shared so the hot
// path does not allocate it; it is never modified.
var jsonContentType = []string{contentTypeJSON}

// Serve answers one request as step says: delay → (Commit: act) → fault |
// error | status+body → else act's answer (with Patch merged into a
// JSON-object body). nil step = just act and write.
//
// act performs the operation and returns its normal answer; Serve calls it at
// most once, and not at all when the step answers with a fault, error or
// status without Commit, or when the client leaves during the delay.
func (e *Engine) Serve(w http.ResponseWriter, r *http.Request, step *scenarios.Step, act func() Answer) {
	if step == nil {
		WriteAnswer(w, act())
		return
	}
	if !e.wait(r, e.delay(step.Delay)) {
		return
	}
	var ans Answer
	acted := false
	if step.Commit {
		ans, acted = act(), true
	}
	if e.serveScripted(w, r, step, ans, acted) {
		return
	}
	if !acted {
		ans = act()
	}
	if len(step.Patch) > 0 {
		ans.Body = e.patch(ans, step.Patch)
	}
	WriteAnswer(w, ans)
}

// serveScripted writes the step's own answer (fault, error, body or bare
// status) and reports whether it did.
func (e *Engine) serveScripted(w http.ResponseWriter, r *http.Request, step *scenarios.Step, ans Answer, acted bool) bool {
	switch {
	case step.Fault != "":
		e.logFault(r, step)
		e.fault(w, r, step, ans, acted)
	case step.Error != nil:
		e.opt.WriteError(w, *step.Error, step.Status)
	case step.Body != "":
		writeRaw(w, statusOr(step.Status, http.StatusOK), []byte(step.Body))
	case step.Status != 0:
		writeStatus(w, step.Status)
	default:
		return false
	}
	return true
}

// logFault records an injected fault.
func (e *Engine) logFault(r *http.Request, step *scenarios.Step) {
	e.opt.Logger.Info("scenario fault", "fault", string(step.Fault), "method", r.Method, "path", r.URL.Path)
}

// WriteAnswer writes ans: its header (value slices shared, not copied), a
// Content-Type application/json when ans has a body and sets none, its
// status (200 when 0), its body. The emulator writes every answer with it,
// inside the engine or not.
func WriteAnswer(w http.ResponseWriter, ans Answer) {
	h := w.Header()
	for k, v := range ans.Header {
		h[k] = v
	}
	if len(ans.Body) > 0 && h.Get("Content-Type") == "" {
		h["Content-Type"] = jsonContentType
	}
	w.WriteHeader(statusOr(ans.Status, http.StatusOK))
	_, _ = w.Write(ans.Body)
}

// writeRaw writes a scripted body: application/json when it is valid JSON,
// text/plain otherwise.
func writeRaw(w http.ResponseWriter, status int, body []byte) {
	ct := "text/plain; charset=utf-8"
	if json.Valid(body) {
		ct = contentTypeJSON
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// writeStatus writes a bare status in Alma's shape: {"message":"<status text>"}.
func writeStatus(w http.ResponseWriter, status int) {
	text := http.StatusText(status)
	if text == "" {
		text = "Status " + strconv.Itoa(status)
	}
	body, _ := json.Marshal(map[string]string{"message": text}) // a string map always marshals
	writeRaw(w, status, body)
}

// writeErrorMinimal is the default Options.WriteError: Alma's error shape,
// status 400 unless given.
func writeErrorMinimal(w http.ResponseWriter, e scenarios.Error, status int) {
	var v any = map[string]string{"error_code": e.Code, "message": e.Message}
	if e.Field != "" {
		v = map[string]any{
			"error_code": "validation_error",
			"errors":     []map[string]string{{"field": e.Field, "error_code": e.Code, "message": e.Message}},
		}
	}
	body, err := json.Marshal(v)
	if err != nil {
		body = []byte(`{"message":"Bad Request"}`)
	}
	writeRaw(w, statusOr(status, http.StatusBadRequest), body)
}

// statusOr returns status, or def when status is not a valid HTTP status.
func statusOr(status, def int) int {
	if status < 100 || status > 999 {
		return def
	}
	return status
}

// patch merges the step's fields into the top-level JSON object of a 2xx
// JSON answer; any other answer's body is returned unchanged.
func (e *Engine) patch(ans Answer, fields map[string]any) []byte {
	status := statusOr(ans.Status, http.StatusOK)
	ct := ans.Header.Get("Content-Type")
	if status < 200 || status > 299 || (ct != "" && ct != contentTypeJSON) {
		return ans.Body
	}
	out, err := mergeJSON(ans.Body, fields)
	if err != nil {
		e.opt.Logger.Warn("scenario patch not applied", "err", err)
		return ans.Body
	}
	return out
}

// mergeJSON sets each field on the JSON object body and re-encodes the
// object: the other members keep their values (equal as JSON), but members
// come out sorted by key, without insignificant whitespace, with <, > and &
// in strings escaped as \u003c, \u003e and \u0026, and a key repeated in
// body keeps its last value only.
func mergeJSON(body []byte, fields map[string]any) ([]byte, error) {
	if !bytes.HasPrefix(bytes.TrimSpace(body), []byte("{")) {
		return nil, fmt.Errorf("patch: body is not a JSON object")
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(body, &obj); err != nil {
		return nil, fmt.Errorf("patch: decode body: %w", err)
	}
	for k, v := range fields {
		raw, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("patch field %s: %w", k, err)
		}
		obj[k] = raw
	}
	out, err := json.Marshal(obj)
	if err != nil {
		return nil, fmt.Errorf("patch: encode body: %w", err)
	}
	return out, nil
}
