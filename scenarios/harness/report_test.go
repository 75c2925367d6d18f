package harness

import (
	"bytes"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alma-sandbox/alma-sandbox/connector"
	"github.com/alma-sandbox/alma-sandbox/scenarios"
)

// TestEveryRowScenarioIsNeeded removes each row's scenario from a passing
// run in turn: the report must fail and name exactly that row.
func TestEveryRowScenarioIsNeeded(t *testing.T) {
	def, err := scenarios.Default()
	require.NoError(t, err)
	list := def.List()
	all := make([]Result, len(list))
	for i, sc := range list {
		all[i] = Result{ID: sc.ID, Status: sc.Status, Passed: true}
	}
	require.Empty(t, buildReport(connector.Statuses, list, all, false).Problems)
	owners := 0
	for i, sc := range list {
		if sc.Status == "" {
			continue
		}
		owners++
		rest := append(append([]Result(nil), all[:i]...), all[i+1:]...)
		restList := append(append([]*scenarios.Scenario(nil), list[:i]...), list[i+1:]...)
		rep := buildReport(connector.Statuses, restList, rest, false)
		row, _ := connector.Lookup(sc.Status)
		require.Len(t, rep.Problems, 1, "without %s", sc.File)
		assert.Contains(t, rep.Problems[0], fmt.Sprintf("row %d %s (", row.N, row.PSPStatus), "without %s", sc.File)
	}
	assert.Equal(t, len(connector.Statuses), owners, "one scenario file per row")
}

// TestRowScenariosMatchTheTable checks each scenario's status and expect
// against the connector's one status table.
func TestRowScenariosMatchTheTable(t *testing.T) {
	def, err := scenarios.Default()
	require.NoError(t, err)
	for _, sc := range def.List() {
		assert.Empty(t, checkExpectations(sc, connector.Statuses), "%s:%d", sc.File, sc.Line)
		assert.True(t, sc.Expect.State != "" && len(sc.Expect.Trail) > 0, "%s: expect state and trail", sc.File)
	}
}

func TestJudge(t *testing.T) {
	row := func(psp string) connector.Result {
		r, ok := connector.Lookup(psp)
		require.True(t, ok, psp)
		return connector.Result{Status: r}
	}
	timeout := &scenarios.Scenario{ID: "t", Status: "TIMEOUT",
		Expect: scenarios.Expect{State: "UNCERTAIN", Code: "TECHNICAL_ISSUE_TO_CONTACT_PARTNER", Trail: []string{"TIMEOUT"}}}
	flow := &scenarios.Scenario{ID: "f", Expect: scenarios.Expect{State: "SUCCESS", Code: "SUCCEEDED"}}
	tests := []struct {
		name    string
		sc      *scenarios.Scenario
		results []connector.Result
		runErr  error
		want    string
	}{
		{"row produced", timeout, []connector.Result{row("TIMEOUT")}, nil, ""},
		{"row missing", timeout, []connector.Result{row("PARTNER_SERVER_ERROR")}, nil,
			"expected a TIMEOUT (UNCERTAIN/TECHNICAL_ISSUE_TO_CONTACT_PARTNER) result, got [PARTNER_SERVER_ERROR]; expected trail [TIMEOUT], got [PARTNER_SERVER_ERROR]"},
		{"drive error", timeout, nil, errors.New("customer: boom"),
			"customer: boom; expected a TIMEOUT (UNCERTAIN/TECHNICAL_ISSUE_TO_CONTACT_PARTNER) result, got []; expected trail [TIMEOUT], got []"},
		{"flow ends well", flow, []connector.Result{row("not_started"), row("in_progress")}, nil, ""},
		{"flow ends badly", flow, []connector.Result{row("in_progress"), row("VERIFY_TIMEOUT")}, nil,
			"expected the last result SUCCESS/SUCCEEDED, got VERIFY_TIMEOUT (UNCERTAIN/TECHNICAL_ISSUE_TO_CONTACT_PARTNER)"},
		{"flow without result", flow, nil, nil, "no connector result"},
		{"status not a row", &scenarios.Scenario{ID: "x", Status: "MAYBE", Expect: scenarios.Expect{State: "A", Code: "B"}}, nil, nil,
			`status "MAYBE" is not a row of the status table; expected a MAYBE (A/B) result, got []`},
		{"expect disagrees with the table", &scenarios.Scenario{ID: "x", Status: "TIMEOUT", Expect: scenarios.Expect{State: "ERROR", Code: "FAILED"}},
			[]connector.Result{row("TIMEOUT")}, nil,
			"expect ERROR/FAILED, but the table says TIMEOUT is UNCERTAIN/TECHNICAL_ISSUE_TO_CONTACT_PARTNER; expected a TIMEOUT (ERROR/FAILED) result, got [TIMEOUT]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, judge(tt.sc, tt.results, tt.runErr, connector.Statuses))
		})
	}
}

func TestMatrixAtAGlance(t *testing.T) {
	rows := connector.Statuses[:2]
	list := []*scenarios.Scenario{{ID: "a", Status: rows[0].PSPStatus}, {ID: "flow"}}
	results := []Result{
		{ID: "a", Status: rows[0].PSPStatus, Passed: true, Trail: []string{"not_started"}},
		{ID: "flow", Passed: false, Failure: "expected trail [x], got [y]", Trail: []string{"y"}, Calls: []string{"y (A/B)"}},
	}
	rep := buildReport(rows, list, results, false)
	var out bytes.Buffer
	require.NoError(t, rep.WriteMatrix(&out))
	got := out.String()
	assert.Contains(t, got, "1  not_started  WAITING / WAITING_PARTNER_RESPONSE  a         ok")
	assert.Contains(t, got, "2  scored_no    ERROR / FAILED                      -         FAIL (no scenario)")
	assert.Contains(t, got, "flow            FAIL    y")
	assert.Contains(t, got, "FAIL flow (): expected trail [x], got [y]\n     y (A/B)")
	assert.Contains(t, got, "PROBLEM row 2 scored_no (ERROR/FAILED) is not covered")
	assert.Contains(t, got, "FAIL: 1/2 rows covered, 1/2 scenarios passed")
}
