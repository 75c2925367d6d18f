package harness_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"net"
	"net/http"
	"net/http/httptest"
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
	require.Len(t, rep.Rows, len(connector.Statuses()))
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

// TestRunChecksTheEmulatorServesEachScenario runs scenarios the emulator
// does not have, or has with other content: each fails naming why, instead
// of running the happy path under an ordinary order reference.
func TestRunChecksTheEmulatorServesEachScenario(t *testing.T) {
	t.Parallel()
	emu := emulatortest.MustOpen(t) // the embedded scenarios only
	mine := mustParse(t, `
id: mine
description: a local scenario the emulator was not started with
expect: {trail: [not_started, in_progress]}
`)
	def, err := scenarios.Default()
	require.NoError(t, err)
	flow, ok := def.Get("flow_capture")
	require.True(t, ok)
	changed := *flow
	changed.On = map[scenarios.Op][]scenarios.Step{scenarios.OpGet: {{Status: 500}}}
	cat, err := scenarios.NewCatalog([]*scenarios.Scenario{mine, &changed})
	require.NoError(t, err)
	rep := harness.Run(context.Background(), harness.Config{URL: emu.URL(), Catalog: cat, Only: []string{"mine", "flow_capture"}})
	require.False(t, rep.OK())
	byID := resultsByID(rep)
	assert.False(t, byID["mine"].Passed)
	assert.Equal(t, "the emulator at "+emu.URL()+" has no scenario mine ("+mine.File+"): start it with the same scenario files (serve --scenarios DIR)", byID["mine"].Failure)
	assert.Empty(t, byID["mine"].Trail, "nothing was driven")
	assert.False(t, byID["flow_capture"].Passed)
	assert.Contains(t, byID["flow_capture"].Failure, "serves another scenario flow_capture than scenarios/flow_capture.yaml")
	assert.Contains(t, rep.Summary(), "0/2 scenarios passed")
}

// TestRunReportsUncheckedScenarios: a scenario with no status and no expect
// is UNCHECKED, not passed; a run of only such scenarios is a problem.
func TestRunReportsUncheckedScenarios(t *testing.T) {
	t.Parallel()
	loose := mustParse(t, `
id: capture_502_once
description: capture answers 502 once; nothing is expected
flow: authorize
on:
  capture:
    - status: 502
`)
	checked := mustParse(t, `
id: checked
expect: {trail: [not_started, in_progress]}
`)
	cat, err := scenarios.NewCatalog([]*scenarios.Scenario{loose, checked})
	require.NoError(t, err)
	emu := emulatortest.MustOpen(t, func(s *emulator.Server) { s.Scenarios = cat })
	rep := harness.Run(context.Background(), harness.Config{URL: emu.URL(), Catalog: cat, Only: []string{"capture_502_once", "checked"}})
	byID := resultsByID(rep)
	assert.True(t, byID["capture_502_once"].Unchecked)
	assert.False(t, byID["capture_502_once"].Passed)
	assert.True(t, byID["checked"].Passed)
	assert.True(t, rep.OK(), "%v", rep.Problems)
	assert.Equal(t, 1, rep.Passed())
	var out bytes.Buffer
	require.NoError(t, rep.WriteMatrix(&out))
	assert.Contains(t, out.String(), "capture_502_once  UNCHECKED")
	assert.Contains(t, out.String(), "UNCHECKED capture_502_once (")
	assert.Contains(t, out.String(), "1/2 scenarios passed, 1 unchecked")
	var junit bytes.Buffer
	require.NoError(t, rep.WriteJUnit(&junit))
	assert.Contains(t, junit.String(), `<skipped message="UNCHECKED: no status and no expect`)

	only := harness.Run(context.Background(), harness.Config{URL: emu.URL(), Catalog: cat, Only: []string{"capture_502_once"}})
	assert.False(t, only.OK())
	assert.Equal(t, []string{"nothing was checked: the 1 scenario(s) run have no status and no expect"}, only.Problems)
}

func resultsByID(rep harness.Report) map[string]harness.Result {
	out := map[string]harness.Result{}
	for _, r := range rep.Results {
		out[r.ID] = r
	}
	return out
}

// TestRunAgainstAWrongURL reports one problem, before any scenario runs.
func TestRunAgainstAWrongURL(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	url := "http://" + ln.Addr().String()
	require.NoError(t, ln.Close()) // nothing listens there now
	rep := harness.Run(context.Background(), harness.Config{URL: url})
	assert.False(t, rep.OK())
	assert.Empty(t, rep.Results)
	require.Len(t, rep.Problems, 1)
	assert.Contains(t, rep.Problems[0], "no emulator at "+url+": ")

	notAnEmulator := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(notAnEmulator.Close)
	err = harness.Reachable(context.Background(), notAnEmulator.URL, nil)
	assert.EqualError(t, err, "no emulator at "+notAnEmulator.URL+": GET /healthz answered 404 Not Found")
}

// TestRunArmingAScenarioOutsideTheCatalogue: a drive that arms a scenario
// the run's catalogue does not hold fails naming it, before anything is
// armed or created.
func TestRunArmingAScenarioOutsideTheCatalogue(t *testing.T) {
	t.Parallel()
	arms := mustParse(t, `
id: arms_a_stranger
description: arms a scenario that is not in the catalogue
expect: {trail: [not_started]}
drive: ["arm:not_here", initialize]
`)
	cat, err := scenarios.NewCatalog([]*scenarios.Scenario{arms})
	require.NoError(t, err)
	emu := emulatortest.MustOpen(t, func(s *emulator.Server) { s.Scenarios = cat })
	rep := harness.Run(context.Background(), harness.Config{URL: emu.URL(), Catalog: cat, Only: []string{"arms_a_stranger"}})
	byID := resultsByID(rep)
	assert.False(t, byID["arms_a_stranger"].Passed)
	assert.Equal(t, "scenario arms_a_stranger arms not_here, which is not in the catalogue", byID["arms_a_stranger"].Failure)
	assert.Empty(t, byID["arms_a_stranger"].Trail, "nothing was driven")
}

// TestRunChecksTheInstallmentPlan: expect.due_months fails a scenario
// whose plan has another number of installments, or that created no
// payment, saying which.
func TestRunChecksTheInstallmentPlan(t *testing.T) {
	t.Parallel()
	three := mustParse(t, `
id: three_installments
description: expects three installments where the connector's plan has four
expect: {due_months: [0, 1, 2]}
`)
	none := mustParse(t, `
id: no_payment_plan
description: a USD session the connector refuses, so no payment and no plan
session: {currency: USD}
drive: [initialize]
expect: {due_months: [0]}
`)
	cat, err := scenarios.NewCatalog([]*scenarios.Scenario{three, none})
	require.NoError(t, err)
	emu := emulatortest.MustOpen(t, func(s *emulator.Server) { s.Scenarios = cat })
	rep := harness.Run(context.Background(), harness.Config{URL: emu.URL(), Catalog: cat, Only: []string{"three_installments", "no_payment_plan"}})
	byID := resultsByID(rep)
	assert.Equal(t, "expected a plan of 3 installments (due_months [0 1 2]), got 4", byID["three_installments"].Failure)
	assert.Equal(t, "expect.due_months: the drive created no payment", byID["no_payment_plan"].Failure)
}
