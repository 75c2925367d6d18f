package replay

import (
	"encoding/json"
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
	for _, s := range [][2]string{{"", ""}, {"verify_timeout", ""}, {"", "verify_timeout:1"}, {"", ":"}, {" ", "a:b"}, {"x", "\x00:"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, header, reference string) {
		_, err := Select(cat, nil, header, reference)
		if err == nil {
			return
		}
		se, ok := err.(*SelectError)
		if !ok || se.Value != header {
			t.Fatalf("Select(%q, %q): unexpected error %v", header, reference, err)
		}
	})
}

// FuzzPatch: no body panics Patch, and a patched body is JSON.
func FuzzPatch(f *testing.F) {
	for _, s := range []string{`{"id":"payment_1","purchase_amount":10000,"state":"in_progress"}`, `{}`, `[]`, `{"a":`, `  {"a":1}`, `null`, `{"a":1}{"b":2}`} {
		f.Add([]byte(s))
	}
	fields := map[string]any{"purchase_amount": 1}
	f.Fuzz(func(t *testing.T, body []byte) {
		out, err := Patch(body, fields)
		if err == nil && !json.Valid(out) {
			t.Fatalf("patching %q gave invalid JSON %q", body, out)
		}
		if err == nil && !json.Valid(body) {
			t.Fatalf("patching invalid JSON %q succeeded: %q", body, out)
		}
	})
}
