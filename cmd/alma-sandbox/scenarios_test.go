package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alma-sandbox/alma-sandbox/emulator"
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
	wrongRow := writeDir(t, "row.yaml", "id: row\nstatus: TIMEOUT\nexpect: {state: ERROR, code: FAILED}\non: {create: [{fault: hang}]}\n")
	wrongCode := writeDir(t, "row.yaml", "id: row\nstatus: TIMEOUT\nexpect: {state: UNCERTAIN, code: FAILED}\non: {create: [{fault: hang}]}\n")
	resetTimeout := writeDir(t, "row.yaml", "id: row\nstatus: TIMEOUT\non: {create: [{fault: reset}]}\n")
	unchecked := writeDir(t, "loose.yaml", "id: loose\non: {capture: [{status: 502}]}\n")
	empty := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(empty, "notes.txt"), []byte("not a scenario"), 0o600))
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
		{"only the code wrong", []string{"validate", wrongCode}, 1, "", []string{
			filepath.Join(wrongCode, "row.yaml") + ":1: expect code FAILED, but the table says TIMEOUT is UNCERTAIN/TECHNICAL_ISSUE_TO_CONTACT_PARTNER",
		}},
		{"timeout row that cannot time out", []string{"validate", resetTimeout}, 1, "", []string{
			filepath.Join(resetTimeout, "row.yaml") + ":1: status TIMEOUT needs a step on create, capture, cancel, refund, edit that outlasts the connector's deadline",
		}},
		{"unchecked scenario", []string{"validate", unchecked}, 0,
			filepath.Join(unchecked, "loose.yaml") + ":1: warning: no status and no expect: scenarios run reports it UNCHECKED\nok: 1 scenarios valid\n", nil},
		{"missing dir", []string{"validate", filepath.Join(bad, "nope")}, 1, "", []string{
			"read scenario directory " + filepath.Join(bad, "nope") + ": no such file or directory"}},
		{"empty dir", []string{"validate", empty}, 1, "", []string{"alma-sandbox scenarios validate: no scenarios in " + empty + " (no *.yaml or *.yml file)"}},
		{"validate help", []string{"validate", "-h"}, 0, "usage: alma-sandbox scenarios validate [DIR]\n\nChecks DIR's scenario files (the embedded ones without DIR): every problem as file:line: message.\n", nil},
		{"scenarios help", []string{"--help"}, 0, scenariosUsage, nil},
		{"scenarios help word", []string{"help"}, 0, scenariosUsage, nil},
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
	dir := writeDir(t, "mine.yaml", "id: mine\ndescription: a local scenario\n")
	var stdout, stderr bytes.Buffer
	require.Equal(t, 0, run(context.Background(), []string{"scenarios", "list", dir}, &stdout, &stderr), stderr.String())
	assert.Contains(t, stdout.String(), "verify_timeout")
	assert.Contains(t, stdout.String(), "mine")
	assert.Contains(t, stdout.String(), "a local scenario")
	assert.Contains(t, stdout.String(), fmt.Sprintf("%d scenarios (--wide", embeddedCount(t)+1), "the embedded ones and mine")
	assert.Regexp(t, `(?m)^validation_merchant_cant_create_payments +15 +capture +create answered 400`, stdout.String())
	for _, line := range strings.Split(strings.TrimSuffix(stdout.String(), "\n"), "\n") {
		assert.LessOrEqual(t, utf8.RuneCountInString(line), 100, "%q", line)
	}

	stdout.Reset()
	require.Equal(t, 0, run(context.Background(), []string{"scenarios", "list", "--wide", dir}, &stdout, &stderr), stderr.String())
	assert.Contains(t, stdout.String(), "FILE")
	assert.Contains(t, stdout.String(), filepath.Join(dir, "mine.yaml"))
	assert.Contains(t, stdout.String(), "validation_error_merchant_cant_create_payments")
	assert.Contains(t, stdout.String(), "create answered 400 validation_error, errors[0] merchant_cant_create_payments (the merchant account may not create payments)")

	stdout.Reset()
	assert.Equal(t, 0, run(context.Background(), []string{"scenarios", "list", "-h"}, &stdout, &stderr))
	assert.Contains(t, stdout.String(), "-wide")
	assert.Equal(t, 1, run(context.Background(), []string{"scenarios", "list", t.TempDir()}, &stdout, &stderr))
	assert.Contains(t, stderr.String(), "no scenarios in ")
}

// TestScenariosRunRefusesBadSettings: each bad value is refused before
// anything runs (nothing on stdout), in one line naming the flag or the
// environment variable it came from.
func TestScenariosRunRefusesBadSettings(t *testing.T) {
	aFile := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(aFile, nil, 0o600))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	nobody := "http://" + ln.Addr().String()
	require.NoError(t, ln.Close())
	emu := emulatortest.MustOpen(t)
	tests := []struct {
		name string
		env  string // ALMA_SANDBOX_URL
		args []string
		code int
		want string
	}{
		{"parallel 0", "", []string{"--url", emu.URL(), "--parallel", "0"}, 2, "--parallel 0: at least 1 scenario must run at a time"},
		{"timeout 0", "", []string{"--url", emu.URL(), "--timeout", "0"}, 2, "--timeout 0s: the connector's deadline per call must be positive, e.g. 400ms"},
		{"url without scheme", "", []string{"--url", "127.0.0.1:4242"}, 2, `--url "127.0.0.1:4242": the emulator's URL needs http:// or https:// and a host`},
		{"url without scheme from the environment", "127.0.0.1:4242", nil, 2, `ALMA_SANDBOX_URL="127.0.0.1:4242" (from the environment): the emulator's URL needs http://`},
		{"live key", "", []string{"--url", emu.URL(), "--api-key", "sk_live_x"}, 2, `--api-key "…": the harness only sends sk_test_ keys`},
		{"junit under a file", "", []string{"--url", emu.URL(), "--junit", filepath.Join(aFile, "x.xml")}, 2, "junit report: mkdir " + aFile + ": not a directory"},
		{"no emulator", "", []string{"--url", nobody}, 1, "alma-sandbox scenarios run: no emulator at " + nobody + ": "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("ALMA_SANDBOX_URL", tt.env)
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), append([]string{"scenarios", "run"}, tt.args...), &stdout, &stderr)
			assert.Equal(t, tt.code, code)
			assert.Empty(t, stdout.String(), "nothing ran")
			assert.Contains(t, stderr.String(), tt.want)
			assert.Equal(t, 1, strings.Count(stderr.String(), "\n"), "one line: %q", stderr.String())
		})
	}
}

// TestREADMEScenarioExample runs the README's "Add a scenario" example the
// way the README says: validate it, serve it, run it. It must be checked
// and pass.
func TestREADMEScenarioExample(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	_, rest, ok := strings.Cut(string(readme), "## Add a scenario")
	require.True(t, ok)
	_, rest, ok = strings.Cut(rest, "```yaml\n")
	require.True(t, ok)
	src, _, ok := strings.Cut(rest, "```")
	require.True(t, ok)
	dir := writeDir(t, "example.yaml", dedent(src))
	var stdout, stderr bytes.Buffer
	require.Equal(t, 0, run(context.Background(), []string{"scenarios", "validate", dir}, &stdout, &stderr), stderr.String())
	require.Equal(t, "ok: 1 scenarios valid\n", stdout.String(), "no UNCHECKED warning")
	cat, err := loadCatalog(dir)
	require.NoError(t, err)
	emu := emulatortest.MustOpen(t, func(s *emulator.Server) { s.Scenarios = cat })
	stdout.Reset()
	code := run(context.Background(), []string{"scenarios", "run", "--url", emu.URL(), "--scenarios", dir, "--only", "capture_slow_then_502"}, &stdout, &stderr)
	require.Equal(t, 0, code, "stdout:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
	assert.Contains(t, stdout.String(), "1/1 scenarios passed")
}

// dedent removes the indentation of a Markdown list item's code block.
func dedent(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimPrefix(l, "   ")
	}
	return strings.Join(lines, "\n")
}

// writeDir writes one file into a new folder and returns the folder.
func writeDir(t *testing.T, name, content string) string {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600))
	return dir
}

// TestScenariosRun runs the suite against an in-process emulator the way CI
// runs it against a container: progress, matrix, JUnit, exit status.
func TestScenariosRun(t *testing.T) {
	emu := emulatortest.MustOpen(t)
	junit := filepath.Join(t.TempDir(), "missing", "folder", "status-paths.xml") // created
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
