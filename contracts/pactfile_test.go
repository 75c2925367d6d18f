//go:build pact

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
	diffs, err := pactDiff(want, got)
	require.NoError(t, err)
	for _, d := range diffs {
		t.Error(d)
	}
	if len(diffs) > 0 {
		t.Errorf("the consumer tests no longer produce the committed contract %s (- from the tests, + committed); "+
			"if the change is intended, run go test ./contracts -update and commit the new pact", committed)
	}
}

// checkFFIVersion reads the version of the native library that wrote the
// pact (metadata.pactRust.ffi, from pactffi_version at run time) and insists
// on the 0.4 line pact-go v2.4.2 is built for.
func checkFFIVersion(t *testing.T, generatedDir string) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(generatedDir, pactFile))
	require.NoError(t, err, "the consumer tests wrote no pact")
	var doc struct {
		Metadata struct {
			PactRust struct {
				FFI string `json:"ffi"`
			} `json:"pactRust"`
		} `json:"metadata"`
	}
	require.NoError(t, json.Unmarshal(raw, &doc))
	ffi := doc.Metadata.PactRust.FFI
	require.True(t, strings.HasPrefix(ffi, "0.4."),
		"libpact_ffi %q is linked; pact-go v2.4.2 needs 0.4.x (make pact-lib installs 0.4.28)", ffi)
	t.Logf("libpact_ffi %s", ffi)
}

// pactDiff lists the differences between two normalized pacts: the parties
// and spec version, then each interaction (by description and states)
// added, removed or changed, a changed one with a line diff.
func pactDiff(want, got []byte) ([]string, error) {
	w, err := splitPact(want)
	if err != nil {
		return nil, err
	}
	g, err := splitPact(got)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, k := range unionKeys(w, g) {
		switch a, b := w[k], g[k]; {
		case b == "":
			out = append(out, fmt.Sprintf("%s: only in the consumer tests' pact (new)", k))
		case a == "":
			out = append(out, fmt.Sprintf("%s: only in the committed pact (gone)", k))
		case a != b:
			out = append(out, fmt.Sprintf("%s changed:\n%s", k, lineDiff(a, b)))
		}
	}
	return out, nil
}

// splitPact indexes a pact's parts as indented JSON: "pact" for everything
// but the interactions, and one entry per interaction.
func splitPact(raw []byte) (map[string]string, error) {
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("parse pact: %w", err)
	}
	list, _ := doc["interactions"].([]any)
	delete(doc, "interactions")
	parts := map[string]string{}
	add := func(key string, v any) {
		b, _ := json.MarshalIndent(v, "", "  ") // values decoded from JSON always encode
		parts[key] = string(b)
	}
	add("pact", doc)
	for _, in := range list {
		m, _ := in.(map[string]any)
		states, _ := json.Marshal(m["providerStates"])
		add(fmt.Sprintf("interaction %q given %s", m["description"], states), in)
	}
	return parts, nil
}

// unionKeys returns the keys of both maps, sorted.
func unionKeys(a, b map[string]string) []string {
	seen := map[string]bool{}
	for k := range a {
		seen[k] = true
	}
	for k := range b {
		seen[k] = true
	}
	keys := make([]string, 0, len(seen))
	for k := range seen {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// lineDiff writes the lines of a missing from b ("-") and of b missing from
// a ("+"), in order, by longest common subsequence.
func lineDiff(a, b string) string {
	x, y := strings.Split(a, "\n"), strings.Split(b, "\n")
	lcs := make([][]int, len(x)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(y)+1)
	}
	for i := len(x) - 1; i >= 0; i-- {
		for j := len(y) - 1; j >= 0; j-- {
			if x[i] == y[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out strings.Builder
	i, j := 0, 0
	for i < len(x) || j < len(y) {
		switch {
		case i < len(x) && j < len(y) && x[i] == y[j]:
			i, j = i+1, j+1
		case i < len(x) && (j == len(y) || lcs[i+1][j] >= lcs[i][j+1]):
			fmt.Fprintf(&out, "- %s\n", x[i])
			i++
		default:
			fmt.Fprintf(&out, "+ %s\n", y[j])
			j++
		}
	}
	return out.String()
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

// TestPactDiff: the drift check names each interaction added, removed or
// changed, and shows a changed one's lines.
func TestPactDiff(t *testing.T) {
	pact := func(interactions string) []byte {
		b, err := normalizePact([]byte(`{"consumer":{"name":"c"},"provider":{"name":"p"},"interactions":[` +
			interactions + `],"metadata":{"pactSpecification":{"version":"3.0.0"}}}`))
		require.NoError(t, err)
		return b
	}
	get := `{"description":"get","providerStates":[{"name":"s"}],"response":{"status":200}}`
	tests := []struct {
		name      string
		want, got string
		diffs     []string // a substring of each difference, in order
	}{
		{"same", get, get, nil},
		{"new interaction", get + `,{"description":"cancel","response":{"status":200}}`, get,
			[]string{`interaction "cancel" given null: only in the consumer tests' pact`}},
		{"gone interaction", get, get + `,{"description":"cancel","response":{"status":200}}`,
			[]string{`interaction "cancel" given null: only in the committed pact`}},
		{"changed status", get, strings.Replace(get, "200", "201", 1),
			[]string{"interaction \"get\" given [{\"name\":\"s\"}] changed:\n- " + `    "status": 200` + "\n+ " + `    "status": 201` + "\n"}},
		{"renamed state", get, strings.Replace(get, `"s"`, `"t"`, 1),
			[]string{`given [{"name":"s"}]: only in the consumer`, `given [{"name":"t"}]: only in the committed`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			diffs, err := pactDiff(pact(tt.want), pact(tt.got))
			require.NoError(t, err)
			require.Len(t, diffs, len(tt.diffs), "%q", diffs)
			for i, d := range tt.diffs {
				assert.Contains(t, diffs[i], d)
			}
		})
	}
	_, err := pactDiff([]byte("{"), pact(get))
	require.Error(t, err)
}
