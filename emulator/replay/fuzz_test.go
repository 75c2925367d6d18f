package replay

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/alma-sandbox/alma-sandbox/scenarios"
)

// FuzzSelect: no header or reference panics Select, and an error is always
// a *SelectError naming the header as sent.
func FuzzSelect(f *testing.F) {
	cat, err := scenarios.NewCatalog([]*scenarios.Scenario{{ID: "verify_timeout"}, {ID: "a:b"}})
	if err != nil {
		f.Fatal(err)
	}
	e := New(cat, Options{})
	for _, s := range [][2]string{{"", ""}, {"verify_timeout", ""}, {"", "verify_timeout:1"}, {"", ":"}, {" ", "a:b"}, {"x", "\x00:"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, header, reference string) {
		_, err := e.Select(header, reference)
		if err == nil {
			return
		}
		se, ok := err.(*SelectError)
		if !ok || se.Value != header {
			t.Fatalf("Select(%q, %q): unexpected error %v", header, reference, err)
		}
	})
}

// FuzzPatch: no body panics Serve's patch, and a patched body is JSON.
func FuzzPatch(f *testing.F) {
	for _, s := range []string{paymentBody, `{}`, `[]`, `{"a":`, `  {"a":1}`, `null`, `{"a":1}{"b":2}`} {
		f.Add([]byte(s))
	}
	e := New(nil, Options{})
	step := &scenarios.Step{Patch: map[string]any{"purchase_amount": 1}}
	f.Fuzz(func(t *testing.T, body []byte) {
		rec := httptest.NewRecorder()
		e.Serve(rec, httptest.NewRequest(http.MethodGet, "/", nil), step, func() Answer { return Answer{Body: body} })
		if json.Valid(body) && !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("patching %q gave invalid JSON %q", body, rec.Body.Bytes())
		}
	})
}
