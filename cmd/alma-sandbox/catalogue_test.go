package main

import (
	"bytes"
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/alma-sandbox/alma-sandbox/scenarios"
)

var updateReadme = flag.Bool("update-readme", false, "rewrite the README's scenario catalogue from the scenario files")

const (
	catalogueBegin = "<!-- catalogue:begin (generated: go test ./cmd/alma-sandbox -run README -update-readme) -->\n"
	catalogueEnd   = "<!-- catalogue:end -->"
)

// TestREADMECatalogueIsCurrent keeps the README's scenario catalogue equal to
// the embedded scenario files: adding, removing or re-describing a scenario
// without regenerating it fails here.
func TestREADMECatalogueIsCurrent(t *testing.T) {
	cat, err := scenarios.Default()
	require.NoError(t, err)
	var want bytes.Buffer
	require.NoError(t, writeCatalogueMarkdown(&want, cat))

	const path = "../../README.md"
	readme, err := os.ReadFile(path)
	require.NoError(t, err)
	head, rest, ok := strings.Cut(string(readme), catalogueBegin)
	require.True(t, ok, "README.md has no %q marker", strings.TrimSpace(catalogueBegin))
	got, tail, ok := strings.Cut(rest, catalogueEnd)
	require.True(t, ok, "README.md has no %q marker", catalogueEnd)

	if *updateReadme {
		out := head + catalogueBegin + want.String() + catalogueEnd + tail
		require.NoError(t, os.WriteFile(path, []byte(out), 0o644))
		return
	}
	require.Equal(t, want.String(), got, "the README's catalogue is stale: go test ./cmd/alma-sandbox -run README -update-readme")
}

func TestScenariosListMarkdownNamesEveryRow(t *testing.T) {
	var out, errOut bytes.Buffer
	code := run(t.Context(), []string{"scenarios", "list", "--markdown"}, &out, &errOut)
	require.Equal(t, 0, code, errOut.String())
	require.Contains(t, out.String(), "| 41 | `VERIFY_TIMEOUT` | UNCERTAIN / TECHNICAL_ISSUE_TO_CONTACT_PARTNER | `verify_timeout` |")
	require.Contains(t, out.String(), "| 31 | `SESSION_DATA_NOT_OK` | ERROR / BAD_REQUEST | `session_data_not_ok` |")
}
