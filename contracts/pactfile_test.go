package contracts

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pactFile is the name pact-go gives the contract between the two parties.
const pactFile = consumerName + "-" + providerName + ".json"

// committedPactDir is where the contract lives in the repository.
const committedPactDir = "pacts"

// normalizePact returns the semantic content of a pact file as indented
// JSON: interactions sorted by description then provider states, and the
// metadata reduced to the Pact specification version (the library versions
// that wrote the file are volatile and not part of the contract).
func normalizePact(raw []byte) ([]byte, error) {
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("parse pact: %w", err)
	}
	if meta, ok := doc["metadata"].(map[string]any); ok {
		doc["metadata"] = map[string]any{"pactSpecification": meta["pactSpecification"]}
	}
	if list, ok := doc["interactions"].([]any); ok {
		sortInteractions(list)
	}
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode pact: %w", err)
	}
	return append(out, '\n'), nil
}

// sortInteractions orders interactions by a key that names them uniquely:
// description, then provider states.
func sortInteractions(list []any) {
	key := func(v any) string {
		m, _ := v.(map[string]any)
		states, _ := json.Marshal(m["providerStates"])
		return fmt.Sprintf("%v\x00%s", m["description"], states)
	}
	sort.SliceStable(list, func(i, j int) bool { return key(list[i]) < key(list[j]) })
}

// checkPactDrift compares the pact the consumer tests just wrote in
// generatedDir with the committed one. With -update it rewrites the committed
// file (normalized, so its diffs stay readable) instead.
func checkPactDrift(t *testing.T, generatedDir string) {
	t.Helper()
	generated, err := os.ReadFile(filepath.Join(generatedDir, pactFile))
	require.NoError(t, err, "the consumer tests wrote no pact")
	want, err := normalizePact(generated)
	require.NoError(t, err)

	committed := filepath.Join(committedPactDir, pactFile)
	if *update {
		require.NoError(t, os.MkdirAll(committedPactDir, 0o755))
		require.NoError(t, os.WriteFile(committed, want, 0o644))
		t.Logf("rewrote %s", committed)
		return
	}
	raw, err := os.ReadFile(committed)
	require.NoError(t, err, "no committed pact: run go test ./contracts -update and commit %s", committed)
	got, err := normalizePact(raw)
	require.NoError(t, err, committed)
	assert.Equal(t, string(want), string(got),
		"the consumer tests no longer produce the committed contract %s: review the diff (-want from the tests, +got committed); if the change is intended, run go test ./contracts -update and commit it", committed)
}

// TestNormalizePact pins what the drift check ignores and what it does not.
func TestNormalizePact(t *testing.T) {
	base := `{"consumer":{"name":"c"},"provider":{"name":"p"},
	  "interactions":[{"description":"b","providerStates":[{"name":"s"}],"response":{"status":200}},
	                  {"description":"a","response":{"status":404}}],
	  "metadata":{"pactRust":{"ffi":"0.4.28"},"pactSpecification":{"version":"3.0.0"}}}`
	tests := []struct {
		name  string
		other string
		same  bool
	}{
		{"library versions ignored", `{"consumer":{"name":"c"},"provider":{"name":"p"},
		  "interactions":[{"description":"b","providerStates":[{"name":"s"}],"response":{"status":200}},
		                  {"description":"a","response":{"status":404}}],
		  "metadata":{"pactRust":{"ffi":"0.4.99"},"pact-go":{"version":"9"},"pactSpecification":{"version":"3.0.0"}}}`, true},
		{"interaction order ignored", `{"consumer":{"name":"c"},"provider":{"name":"p"},
		  "interactions":[{"description":"a","response":{"status":404}},
		                  {"description":"b","providerStates":[{"name":"s"}],"response":{"status":200}}],
		  "metadata":{"pactSpecification":{"version":"3.0.0"}}}`, true},
		{"a status change counts", strings.Replace(base, `"status":200`, `"status":201`, 1), false},
		{"a state change counts", strings.Replace(base, `{"name":"s"}`, `{"name":"t"}`, 1), false},
		{"the spec version counts", strings.Replace(base, `"3.0.0"`, `"4.0"`, 1), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := normalizePact([]byte(base))
			require.NoError(t, err)
			b, err := normalizePact([]byte(tt.other))
			require.NoError(t, err)
			assert.Equal(t, tt.same, bytes.Equal(a, b), "a:\n%s\nb:\n%s", a, b)
		})
	}
	_, err := normalizePact([]byte("{"))
	require.Error(t, err)
}
