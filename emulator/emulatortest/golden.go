package emulatortest

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// Golden compares the JSON body, indented, with the file at path, and
// rewrites the file instead when update is true (tests pass their -update
// flag). It fails the test when they differ, when body is not JSON or when
// the file is missing.
func Golden(tb testing.TB, path string, body []byte, update bool) {
	tb.Helper()
	var buf bytes.Buffer
	if err := json.Indent(&buf, body, "", "  "); err != nil {
		tb.Fatalf("emulatortest: golden %s: body is not JSON (%v): %s", path, err, body)
	}
	buf.WriteByte('\n')
	if update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("emulatortest: golden %s: %v (run the test with -update to create it)", path, err)
	}
	if !bytes.Equal(want, buf.Bytes()) {
		tb.Errorf("emulatortest: %s differs from the answer (run with -update to accept it):\nwant:\n%s\ngot:\n%s", path, want, buf.Bytes())
	}
}
