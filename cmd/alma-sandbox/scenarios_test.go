package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alma-sandbox/alma-sandbox/emulator/emulatortest"
	"github.com/alma-sandbox/alma-sandbox/scenarios"
)

// embeddedCount is how many scenarios the binary embeds.
func embeddedCount(t *testing.T) int {
	t.Helper()
	cat, err := scenarios.Default()
	require.NoError(t, err)
	return len(cat.List())
}

func TestScenariosValidate(t *testing.T) {
	bad := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(bad, "bad.yaml"), []byte("id: bad\nflow: sideways\non:\n  get:\n    - status: 700\n"), 0o600))
	wrongRow := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(wrongRow, "row.yaml"), []byte("id: row\nstatus: TIMEOUT\nexpect: {state: ERROR, code: FAILED}\n"), 0o600))
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string
		stderr []string
	}{
		{"embedded", []string{"validate"}, 0, fmt.Sprintf("ok: %d scenarios valid\n", embeddedCount(t)), nil},
		{"bad file", []string{"validate", bad}, 1, "", []string{
			filepath.Join(bad, "bad.yaml") + `:2: unknown flow "sideways"`,
			filepath.Join(bad, "bad.yaml") + ":5: status 700 is not an HTTP status (100–599)",
		}},
		{"row disagrees with the table", []string{"validate", wrongRow}, 1, "", []string{
			filepath.Join(wrongRow, "row.yaml") + ":1: expect ERROR/FAILED, but the table says TIMEOUT is UNCERTAIN/TECHNICAL_ISSUE_TO_CONTACT_PARTNER",
		}},
		{"missing dir", []string{"validate", filepath.Join(bad, "nope")}, 1, "", []string{"read scenario directory"}},
		{"two dirs", []string{"validate", bad, bad}, 2, "", []string{"one DIR at most"}},
		{"unknown subcommand", []string{"frobnicate"}, 2, "", []string{`unknown subcommand "frobnicate"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), append([]string{"scenarios"}, tt.args...), &stdout, &stderr)
			assert.Equal(t, tt.code, code, stderr.String())
			assert.Equal(t, tt.stdout, stdout.String())
			for _, want := range tt.stderr {
				assert.Contains(t, stderr.String(), want)
			}
		})
	}
}

func TestScenariosList(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "mine.yaml"), []byte("id: mine\ndescription: a local scenario\n"), 0o600))
	var stdout, stderr bytes.Buffer
	require.Equal(t, 0, run(context.Background(), []string{"scenarios", "list", dir}, &stdout, &stderr), stderr.String())
	assert.Contains(t, stdout.String(), "verify_timeout")
	assert.Contains(t, stdout.String(), "mine")
	assert.Contains(t, stdout.String(), "a local scenario")
	assert.Contains(t, stdout.String(), fmt.Sprintf("%d scenarios\n", embeddedCount(t)+1), "the embedded ones and mine")
}

// TestScenariosRun runs the suite against an in-process emulator the way CI
// runs it against a container: progress, matrix, JUnit, exit status.
func TestScenariosRun(t *testing.T) {
	emu := emulatortest.MustOpen(t)
	junit := filepath.Join(t.TempDir(), "status-paths.xml")
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"scenarios", "run", "--url", emu.URL(), "--junit", junit,
		"--only", "verify_timeout,flow_capture"}, &stdout, &stderr)
	require.Equal(t, 0, code, "stdout:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
	out := stdout.String()
	assert.Contains(t, out, "ok verify_timeout")
	assert.Contains(t, out, "ok flow_capture")
	assert.Contains(t, out, "41  VERIFY_TIMEOUT")
	assert.Contains(t, out, "PASS: 1/1 rows covered, 2/2 scenarios passed")
	data, err := os.ReadFile(junit)
	require.NoError(t, err)
	assert.Contains(t, string(data), `<testcase name="verify_timeout" classname="scenarios"`)

	stdout.Reset()
	code = run(context.Background(), []string{"scenarios", "run", "--url", emu.URL(), "--only", "no_such_scenario"}, &stdout, &stderr)
	assert.Equal(t, 1, code)
	assert.Contains(t, stdout.String(), `PROBLEM no scenario "no_such_scenario" in the catalogue`)
}
