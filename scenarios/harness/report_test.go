package harness

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

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
	require.Empty(t, buildReport(connector.Statuses(), list, all, false).Problems)
	owners := 0
	for i, sc := range list {
		if sc.Status == "" {
			continue
		}
		owners++
		rest := append(append([]Result(nil), all[:i]...), all[i+1:]...)
		restList := append(append([]*scenarios.Scenario(nil), list[:i]...), list[i+1:]...)
		rep := buildReport(connector.Statuses(), restList, rest, false)
		row, _ := connector.Lookup(sc.Status)
		require.Len(t, rep.Problems, 1, "without %s", sc.File)
		assert.Contains(t, rep.Problems[0], fmt.Sprintf("row %d %s (", row.N, row.PSPStatus), "without %s", sc.File)
	}
	assert.Equal(t, len(connector.Statuses()), owners, "one scenario file per row")
}

// TestRowScenariosMatchTheTable checks each scenario's status and expect
// against the connector's one status table: a row file names its status and
// gives a trail, and never re-types the row's State and Code.
func TestRowScenariosMatchTheTable(t *testing.T) {
	def, err := scenarios.Default()
	require.NoError(t, err)
	for _, sc := range def.List() {
		assert.Empty(t, CheckRow(sc, connector.Statuses()), "%s:%d", sc.File, sc.Line)
		assert.NotEmpty(t, sc.Expect.Trail, "%s: expect a trail", sc.File)
		if sc.Status != "" {
			assert.Empty(t, sc.Expect.State+sc.Expect.Code, "%s: the State and Code come from the table", sc.File)
			row, _ := connector.Lookup(sc.Status)
			want := Expected(sc, connector.Statuses())
			assert.Equal(t, [2]string{row.State, row.Code}, [2]string{want.State, want.Code}, sc.File)
		}
	}
}

// TestCheckRow covers what `scenarios validate` refuses without running a
// scenario, the State alone or the Code alone wrong among them.
func TestCheckRow(t *testing.T) {
	hang := map[scenarios.Op][]scenarios.Step{scenarios.OpCreate: {{Fault: scenarios.FaultHang}}}
	tests := []struct {
		name string
		sc   scenarios.Scenario
		want string
	}{
		{"status alone", scenarios.Scenario{Status: "invalid_amount"}, ""},
		{"status with the table's State and Code", scenarios.Scenario{Status: "invalid_amount", Expect: scenarios.Expect{State: "ERROR", Code: "BAD_REQUEST"}}, ""},
		{"only the code wrong", scenarios.Scenario{Status: "TIMEOUT", On: hang, Expect: scenarios.Expect{State: "UNCERTAIN", Code: "FAILED"}},
			"expect code FAILED, but the table says TIMEOUT is UNCERTAIN/TECHNICAL_ISSUE_TO_CONTACT_PARTNER"},
		{"only the state wrong", scenarios.Scenario{Status: "validation_error_unique_violated", Expect: scenarios.Expect{State: "UNCERTAIN", Code: "BAD_REQUEST"}},
			"expect state UNCERTAIN, but the table says validation_error_unique_violated is ERROR/BAD_REQUEST"},
		{"only the code given, wrong", scenarios.Scenario{Status: "validation_error_unique_violated", Expect: scenarios.Expect{Code: "FAILED"}},
			"expect code FAILED, but the table says validation_error_unique_violated is ERROR/BAD_REQUEST"},
		{"both wrong", scenarios.Scenario{Status: "TIMEOUT", On: hang, Expect: scenarios.Expect{State: "ERROR", Code: "FAILED"}},
			"expect ERROR/FAILED, but the table says TIMEOUT is UNCERTAIN/TECHNICAL_ISSUE_TO_CONTACT_PARTNER"},
		{"not a row", scenarios.Scenario{Status: "MAYBE"}, `status "MAYBE" is not a row of the status table`},
		{"no status, a real pair", scenarios.Scenario{Expect: scenarios.Expect{State: "SUCCESS", Code: "SUCCEEDED"}}, ""},
		{"no status, unknown code", scenarios.Scenario{Expect: scenarios.Expect{State: "SUCCESS", Code: "SUCEEDED"}}, `expect code "SUCEEDED" is no Code of the status table`},
		{"no status, unknown state", scenarios.Scenario{Expect: scenarios.Expect{State: "DONE", Code: "SUCCEEDED"}}, `expect state "DONE" is no State of the status table`},
		{"no status, a pair no row has", scenarios.Scenario{Expect: scenarios.Expect{State: "UNCERTAIN", Code: "FAILED"}}, "no row of the status table is UNCERTAIN/FAILED"},
		{"timeout row with a hang", scenarios.Scenario{Status: "TIMEOUT", On: hang}, ""},
		{"timeout row with a long delay", scenarios.Scenario{Status: "TIMEOUT", On: map[scenarios.Op][]scenarios.Step{
			scenarios.OpCapture: {{Delay: &scenarios.Delay{Fixed: scenarios.Duration(2 * time.Second)}, Status: 502}}}}, ""},
		{"timeout row with a reset", scenarios.Scenario{Status: "TIMEOUT", On: map[scenarios.Op][]scenarios.Step{
			scenarios.OpCreate: {{Fault: scenarios.FaultReset}}}},
			"status TIMEOUT needs a step on create, capture, cancel, refund, edit that outlasts the connector's deadline (fault: hang or stall, or a delay of at least 400ms): a reset, an error or a 504 answers before it"},
		{"timeout row with a short delay", scenarios.Scenario{Status: "TIMEOUT", On: map[scenarios.Op][]scenarios.Step{
			scenarios.OpCreate: {{Delay: &scenarios.Delay{Fixed: scenarios.Duration(10 * time.Millisecond)}}}}},
			"status TIMEOUT needs a step on create"},
		{"verify timeout hanging the create", scenarios.Scenario{Status: "VERIFY_TIMEOUT", On: hang},
			"status VERIFY_TIMEOUT needs a step on get that outlasts"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := CheckRow(&tt.sc, connector.Statuses())
			if tt.want == "" {
				assert.Empty(t, got)
				return
			}
			assert.Contains(t, got, tt.want)
		})
	}
}

func TestJudge(t *testing.T) {
	row := func(psp string) connector.Result {
		r, ok := connector.Lookup(psp)
		require.True(t, ok, psp)
		return connector.Result{Status: r}
	}
	deadline := func(psp string) connector.Result {
		r := row(psp)
		r.Err = fmt.Errorf("POST /v1/payments: %w", context.DeadlineExceeded)
		return r
	}
	reset := func(psp string) connector.Result {
		r := row(psp)
		r.Err = errors.New("POST /v1/payments: read: connection reset by peer")
		return r
	}
	withCode := func(r connector.Result, state, code string) connector.Result {
		r.Status.State, r.Status.Code = state, code
		return r
	}
	timeout := &scenarios.Scenario{ID: "t", Status: "TIMEOUT", Expect: scenarios.Expect{Trail: []string{"TIMEOUT"}},
		On: map[scenarios.Op][]scenarios.Step{scenarios.OpCreate: {{Fault: scenarios.FaultHang}}}}
	refusal := &scenarios.Scenario{ID: "r", Status: "validation_error_unique_violated"}
	flow := &scenarios.Scenario{ID: "f", Expect: scenarios.Expect{State: "SUCCESS", Code: "SUCCEEDED"}}
	tests := []struct {
		name    string
		sc      *scenarios.Scenario
		results []connector.Result
		runErr  error
		want    string
	}{
		{"row produced by the deadline", timeout, []connector.Result{deadline("TIMEOUT")}, nil, ""},
		{"timeout row produced by a reset", timeout, []connector.Result{reset("TIMEOUT")}, nil,
			"the TIMEOUT result did not come from the connector's deadline (err: POST /v1/payments: read: connection reset by peer): a reset or an early answer is no timeout"},
		{"timeout row without an error", timeout, []connector.Result{row("TIMEOUT")}, nil,
			"the TIMEOUT result did not come from the connector's deadline (err: <nil>): a reset or an early answer is no timeout"},
		{"row missing", timeout, []connector.Result{row("PARTNER_SERVER_ERROR")}, nil,
			"expected a TIMEOUT (UNCERTAIN/TECHNICAL_ISSUE_TO_CONTACT_PARTNER) result, got [PARTNER_SERVER_ERROR]; expected trail [TIMEOUT], got [PARTNER_SERVER_ERROR]"},
		{"drive error", timeout, nil, errors.New("customer: boom"),
			"customer: boom; expected a TIMEOUT (UNCERTAIN/TECHNICAL_ISSUE_TO_CONTACT_PARTNER) result, got []; expected trail [TIMEOUT], got []"},
		{"row result with only the code wrong", refusal, []connector.Result{withCode(row("validation_error_unique_violated"), "ERROR", "FAILED")}, nil,
			"expected the validation_error_unique_violated result to have code BAD_REQUEST, got validation_error_unique_violated (ERROR/FAILED) (the table says ERROR/BAD_REQUEST)"},
		{"row result with only the state wrong", refusal, []connector.Result{withCode(row("validation_error_unique_violated"), "PENDING", "BAD_REQUEST")}, nil,
			"expected the validation_error_unique_violated result to have state ERROR, got validation_error_unique_violated (PENDING/BAD_REQUEST) (the table says ERROR/BAD_REQUEST)"},
		{"flow ends well", flow, []connector.Result{row("not_started"), row("in_progress")}, nil, ""},
		{"flow ends badly", flow, []connector.Result{row("in_progress"), row("VERIFY_TIMEOUT")}, nil,
			"expected the last result SUCCESS/SUCCEEDED, got VERIFY_TIMEOUT (UNCERTAIN/TECHNICAL_ISSUE_TO_CONTACT_PARTNER)"},
		{"flow ends with only the code wrong", flow, []connector.Result{row("not_started"), withCode(row("in_progress"), "SUCCESS", "FAILED")}, nil,
			"expected the last result to have code SUCCEEDED, got in_progress (SUCCESS/FAILED)"},
		{"flow ends with only the state wrong", flow, []connector.Result{row("not_started"), withCode(row("in_progress"), "WAITING", "SUCCEEDED")}, nil,
			"expected the last result to have state SUCCESS, got in_progress (WAITING/SUCCEEDED)"},
		{"flow without result", flow, nil, nil, "no connector result"},
		{"status not a row", &scenarios.Scenario{ID: "x", Status: "MAYBE"}, nil, nil,
			`status "MAYBE" is not a row of the status table`},
		{"expect disagrees with the table", &scenarios.Scenario{ID: "x", Status: "invalid_amount", Expect: scenarios.Expect{State: "ERROR", Code: "FAILED"}},
			[]connector.Result{row("invalid_amount")}, nil,
			"expect code FAILED, but the table says invalid_amount is ERROR/BAD_REQUEST"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, judge(tt.sc, tt.results, tt.runErr, connector.Statuses()))
		})
	}
}

func TestMatrixAtAGlance(t *testing.T) {
	rows := connector.Statuses()[:2]
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
