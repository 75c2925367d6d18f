package harness_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alma-sandbox/alma-sandbox/connector"
	"github.com/alma-sandbox/alma-sandbox/emulator"
	"github.com/alma-sandbox/alma-sandbox/emulator/emulatortest"
	"github.com/alma-sandbox/alma-sandbox/scenarios"
	"github.com/alma-sandbox/alma-sandbox/scenarios/harness"
)

// TestStatusPaths runs every embedded scenario through the real connector
// against an in-process emulator: each of the 41 rows must be produced by a
// passing scenario, and every other scenario must pass.
func TestStatusPaths(t *testing.T) {
	t.Parallel()
	emu := emulatortest.MustOpen(t)
	var out bytes.Buffer
	rep := harness.Run(context.Background(), harness.Config{URL: emu.URL(),
		Progress: func(r harness.Result) { out.WriteString(harness.ProgressLine(r) + "\n") }})
	require.NoError(t, rep.WriteMatrix(&out))
	t.Log("\n" + out.String())
	require.True(t, rep.OK(), "status paths failed:\n%s", out.String())
	require.Len(t, rep.Rows, len(connector.Statuses))
	for _, rr := range rep.Rows {
		assert.True(t, rr.Passed, "row %d %s", rr.Row.N, rr.Row.PSPStatus)
	}
	def, err := scenarios.Default()
	require.NoError(t, err)
	assert.Len(t, rep.Results, def.Len(), "every embedded scenario ran")
}

// TestRunWithoutARowScenarioNamesTheRow removes one row's scenario file
// from the catalogue: the run fails and names the uncovered row.
func TestRunWithoutARowScenarioNamesTheRow(t *testing.T) {
	t.Parallel()
	emu := emulatortest.MustOpen(t)
	cat := catalogWithout(t, "verify_timeout")
	rep := harness.Run(context.Background(), harness.Config{URL: emu.URL(), Catalog: cat})
	assert.False(t, rep.OK())
	require.Len(t, rep.Problems, 1, "%v", rep.Problems)
	assert.Equal(t, "row 41 VERIFY_TIMEOUT (UNCERTAIN/TECHNICAL_ISSUE_TO_CONTACT_PARTNER) is not covered: no scenario has status: VERIFY_TIMEOUT", rep.Problems[0])
	var out bytes.Buffer
	require.NoError(t, rep.WriteMatrix(&out))
	assert.Contains(t, out.String(), "PROBLEM row 41 VERIFY_TIMEOUT")
	assert.Contains(t, out.String(), "FAIL: 40/41 rows covered")
}

// TestRunReportsAFailingScenario checks that a scenario whose expectation is
// wrong fails with the expected and the actual trail.
func TestRunReportsAFailingScenario(t *testing.T) {
	t.Parallel()
	wrong := mustParse(t, `
id: wrong_trail
description: expects paid where the emulator answers in_progress
expect: {state: SUCCESS, code: SUCCEEDED, trail: [not_started, paid]}
`)
	noPayment := mustParse(t, `
id: verify_without_payment
description: verifies before anything was created
drive: [verify]
`)
	cat, err := scenarios.NewCatalog([]*scenarios.Scenario{wrong, noPayment})
	require.NoError(t, err)
	emu := emulatortest.MustOpen(t, func(s *emulator.Server) { s.Scenarios = cat })
	var progress []string
	rep := harness.Run(context.Background(), harness.Config{URL: emu.URL(), Catalog: cat, Only: []string{"wrong_trail", "verify_without_payment", "nope"},
		Progress: func(r harness.Result) { progress = append(progress, harness.ProgressLine(r)) }})
	require.Len(t, rep.Results, 2)
	byID := map[string]harness.Result{}
	for _, r := range rep.Results {
		byID[r.ID] = r
	}
	assert.False(t, byID["wrong_trail"].Passed)
	assert.Equal(t, "expected trail [not_started paid], got [not_started in_progress]", byID["wrong_trail"].Failure)
	assert.False(t, byID["verify_without_payment"].Passed)
	assert.Contains(t, byID["verify_without_payment"].Failure, "verify: no payment")
	assert.Equal(t, []string{`no scenario "nope" in the catalogue`}, rep.Problems, "rows not run are no problem with --only")
	assert.Len(t, progress, 2)
	for _, rr := range rep.Rows {
		assert.True(t, rr.NotRun, "row %s", rr.Row.PSPStatus)
	}

	var junit bytes.Buffer
	require.NoError(t, rep.WriteJUnit(&junit))
	var doc struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Suites   []struct {
			Name    string `xml:"name,attr"`
			Skipped int    `xml:"skipped,attr"`
		} `xml:"testsuite"`
	}
	require.NoError(t, xml.Unmarshal(junit.Bytes(), &doc))
	assert.Equal(t, 2+41+1, doc.Tests)
	assert.Equal(t, 3, doc.Failures, "two scenarios and the run problem")
	require.Len(t, doc.Suites, 2)
	assert.Equal(t, 41, doc.Suites[1].Skipped)
}

func TestRunWithoutURL(t *testing.T) {
	rep := harness.Run(context.Background(), harness.Config{})
	assert.False(t, rep.OK())
	assert.Equal(t, []string{"harness: no emulator URL"}, rep.Problems)
}

func catalogWithout(t *testing.T, id string) *scenarios.Catalog {
	t.Helper()
	def, err := scenarios.Default()
	require.NoError(t, err)
	var keep []*scenarios.Scenario
	for _, sc := range def.List() {
		if sc.ID != id {
			keep = append(keep, sc)
		}
	}
	require.Len(t, keep, def.Len()-1)
	cat, err := scenarios.NewCatalog(keep)
	require.NoError(t, err)
	return cat
}

func mustParse(t *testing.T, src string) *scenarios.Scenario {
	t.Helper()
	sc, err := scenarios.Parse(t.Name()+".yaml", []byte(strings.TrimSpace(src)+"\n"))
	require.NoError(t, err)
	return sc
}
