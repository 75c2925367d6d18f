package emulator

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"
)

// verifyBody is the matcher of POST /__admin/journal/verify: every field
// given must match (method and path exactly, status exactly or a class such
// as "5xx", payment by id); body fields by their dotted path in the JSON
// request body ("payment.purchase_amount": 30000).
type verifyBody struct {
	Method  string         `json:"method"`
	Path    string         `json:"path"`
	Status  string         `json:"status"`
	Payment string         `json:"payment"`
	Body    map[string]any `json:"body"`
}

// adminJournalVerify answers POST /__admin/journal/verify: how many journal
// entries match, as WireMock's verify does ({"count":n}).
func (s *Server) adminJournalVerify(w http.ResponseWriter, r *http.Request) {
	var m verifyBody
	if aerr := decodeBody(r, &m); aerr != nil {
		writeError(w, aerr)
		return
	}
	keep, aerr := journalFilter(m.Payment, m.Path, m.Method, m.Status, "")
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	count := len(s.journalRecent(tenantOf(r), 0, func(e journalEntry) bool { return keep(e) && bodyMatches(e.Request, m.Body) }))
	writeOK(w, map[string]int{"count": count})
}

// bodyMatches reports whether the JSON request body has each field at its
// dotted path with an equal value (compared as JSON). A body cut by the
// journal's bound matches no field.
func bodyMatches(body string, fields map[string]any) bool {
	if len(fields) == 0 {
		return true
	}
	var v any
	if json.Unmarshal([]byte(body), &v) != nil {
		return false
	}
	for path, want := range fields {
		got := v
		for _, k := range strings.Split(path, ".") {
			obj, ok := got.(map[string]any)
			if !ok {
				return false
			}
			got = obj[k]
		}
		a, _ := json.Marshal(got)
		b, _ := json.Marshal(want)
		if string(a) != string(b) {
			return false
		}
	}
	return true
}

// harLog is the journal in HTTP Archive 1.2 form, for browser tools.
type harLog struct {
	Log struct {
		Version string     `json:"version"`
		Creator harCreator `json:"creator"`
		Entries []harEntry `json:"entries"`
	} `json:"log"`
}

type harCreator struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

type harEntry struct {
	Started  string      `json:"startedDateTime"`
	Time     float64     `json:"time"`
	Request  harRequest  `json:"request"`
	Response harResponse `json:"response"`
	Cache    struct{}    `json:"cache"`
	Timings  harTimings  `json:"timings"`
	Comment  string      `json:"comment,omitempty"`
}

type harRequest struct {
	Method      string       `json:"method"`
	URL         string       `json:"url"`
	HTTPVersion string       `json:"httpVersion"`
	Headers     []harNV      `json:"headers"`
	QueryString []harNV      `json:"queryString"`
	Cookies     []harNV      `json:"cookies"`
	HeadersSize int          `json:"headersSize"`
	BodySize    int          `json:"bodySize"`
	PostData    *harPostData `json:"postData,omitempty"`
}

type harResponse struct {
	Status      int        `json:"status"`
	StatusText  string     `json:"statusText"`
	HTTPVersion string     `json:"httpVersion"`
	Headers     []harNV    `json:"headers"`
	Cookies     []harNV    `json:"cookies"`
	Content     harContent `json:"content"`
	RedirectURL string     `json:"redirectURL"`
	HeadersSize int        `json:"headersSize"`
	BodySize    int        `json:"bodySize"`
}

type harNV struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type harPostData struct {
	MimeType string `json:"mimeType"`
	Text     string `json:"text"`
}

type harContent struct {
	Size     int    `json:"size"`
	MimeType string `json:"mimeType"`
	Text     string `json:"text"`
}

type harTimings struct {
	Send    float64 `json:"send"`
	Wait    float64 `json:"wait"`
	Receive float64 `json:"receive"`
}

// adminJournalHAR answers GET /__admin/journal.har (the same filters as the
// journal), oldest first.
func (s *Server) adminJournalHAR(w http.ResponseWriter, r *http.Request) {
	entries, aerr := s.journalQuery(r)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	var out harLog
	out.Log.Version, out.Log.Creator = "1.2", harCreator{Name: "alma-sandbox", Version: "1"}
	out.Log.Entries = make([]harEntry, 0, len(entries))
	base := s.publicURL()
	for i := len(entries) - 1; i >= 0; i-- {
		out.Log.Entries = append(out.Log.Entries, harOf(entries[i], base))
	}
	writeOK(w, out)
}

// harOf is one journal entry as a HAR entry.
func harOf(e journalEntry, base string) harEntry {
	h := harEntry{
		Started: time.Unix(e.At, 0).UTC().Format(time.RFC3339), Time: e.DurationMS,
		Request: harRequest{Method: e.Method, URL: base + e.Path, HTTPVersion: "HTTP/1.1",
			Headers: []harNV{}, QueryString: []harNV{}, Cookies: []harNV{}, HeadersSize: -1, BodySize: len(e.Request)},
		Response: harResponse{Status: e.Status, StatusText: http.StatusText(e.Status), HTTPVersion: "HTTP/1.1",
			Headers: []harNV{}, Cookies: []harNV{}, HeadersSize: -1, BodySize: len(e.Answer),
			Content: harContent{Size: len(e.Answer), MimeType: contentTypeJSON, Text: e.Answer}},
		Timings: harTimings{Wait: e.DurationMS},
	}
	if e.Request != "" {
		h.Request.PostData = &harPostData{MimeType: contentTypeJSON, Text: e.Request}
	}
	if e.Scenario != "" {
		h.Comment = "scenario " + e.Scenario
		if e.PaymentID != "" {
			h.Comment += ", payment " + e.PaymentID
		}
	} else if e.PaymentID != "" {
		h.Comment = "payment " + e.PaymentID
	}
	return h
}
