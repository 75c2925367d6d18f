package harness

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"

	"github.com/alma-sandbox/alma-sandbox/connector"
	"github.com/alma-sandbox/alma-sandbox/scenarios"
)

// timeoutOps are, for each row that means the connector's deadline passed,
// the operations whose steps can make it pass: Verify's GET for
// VERIFY_TIMEOUT, the main calls for TIMEOUT.
var timeoutOps = map[string][]scenarios.Op{
	"TIMEOUT":        {scenarios.OpCreate, scenarios.OpCapture, scenarios.OpCancel, scenarios.OpRefund, scenarios.OpEdit},
	"VERIFY_TIMEOUT": {scenarios.OpGet},
}

// Expected returns what the harness asserts for sc: its expect, with the
// State and Code of its status row in rows when the file names a status.
// A file never needs to repeat the table; CheckRow refuses one that
// contradicts it.
func Expected(sc *scenarios.Scenario, rows []connector.Row) scenarios.Expect {
	want := sc.Expect
	if r, ok := rowOf(rows, sc.Status); ok {
		want.State, want.Code = r.State, r.Code
	}
	return want
}

// rowOf finds the row of a PSP status in rows.
func rowOf(rows []connector.Row, psp string) (connector.Row, bool) {
	i := slices.IndexFunc(rows, func(r connector.Row) bool { return r.PSPStatus == psp })
	if psp == "" || i < 0 {
		return connector.Row{}, false
	}
	return rows[i], true
}

// CheckRow checks a scenario against the status table without running it:
// its status, when set, is a row; an expect.state or expect.code it writes
// agrees with that row (each checked on its own), or, without a status, is
// a State and Code some row has; a timeout row has a step that can outlast
// the connector's deadline. It returns "" when the scenario is consistent.
func CheckRow(sc *scenarios.Scenario, rows []connector.Row) string {
	var why []string
	if sc.Status == "" {
		why = append(why, checkPair(sc.Expect, rows)...)
		return strings.Join(why, "; ")
	}
	r, ok := rowOf(rows, sc.Status)
	if !ok {
		return fmt.Sprintf("status %q is not a row of the status table", sc.Status)
	}
	if msg := disagreement(sc.Expect, r); msg != "" {
		why = append(why, msg)
	}
	if msg := checkCanTimeOut(sc); msg != "" {
		why = append(why, msg)
	}
	return strings.Join(why, "; ")
}

// disagreement says which of a row scenario's written State and Code the
// table contradicts, or "".
func disagreement(e scenarios.Expect, r connector.Row) string {
	badState := e.State != "" && e.State != r.State
	badCode := e.Code != "" && e.Code != r.Code
	table := fmt.Sprintf("the table says %s is %s/%s", r.PSPStatus, r.State, r.Code)
	switch {
	case badState && badCode:
		return fmt.Sprintf("expect %s/%s, but %s", e.State, e.Code, table)
	case badState:
		return fmt.Sprintf("expect state %s, but %s", e.State, table)
	case badCode:
		return fmt.Sprintf("expect code %s, but %s", e.Code, table)
	}
	return ""
}

// checkPair checks the State and Code of a scenario without a status: each
// must be one the table uses, and together a pair some row has.
func checkPair(e scenarios.Expect, rows []connector.Row) []string {
	var why []string
	states, codes := map[string]bool{}, map[string]bool{}
	for _, r := range rows {
		states[r.State], codes[r.Code] = true, true
	}
	if e.State != "" && !states[e.State] {
		why = append(why, fmt.Sprintf("expect state %q is no State of the status table", e.State))
	}
	if e.Code != "" && !codes[e.Code] {
		why = append(why, fmt.Sprintf("expect code %q is no Code of the status table", e.Code))
	}
	if len(why) == 0 && e.State != "" && e.Code != "" && !slices.ContainsFunc(rows, func(r connector.Row) bool {
		return r.State == e.State && r.Code == e.Code
	}) {
		why = append(why, fmt.Sprintf("no row of the status table is %s/%s", e.State, e.Code))
	}
	return why
}

// checkCanTimeOut refuses a timeout row whose steps all answer before the
// connector's deadline (a reset, an error, a short delay): its TIMEOUT would
// not come from the deadline, so it would not test the caller's.
func checkCanTimeOut(sc *scenarios.Scenario) string {
	opsOf, ok := timeoutOps[sc.Status]
	if !ok {
		return ""
	}
	for _, op := range opsOf {
		if slices.ContainsFunc(sc.On[op], canOutlast) {
			return ""
		}
	}
	return fmt.Sprintf("status %s needs a step on %s that outlasts the connector's deadline (fault: hang or stall, or a delay of at least %s): a reset, an error or a 504 answers before it",
		sc.Status, joinOps(opsOf), DefaultCallTimeout)
}

// canOutlast reports whether a step can hold its answer past the harness's
// default deadline.
func canOutlast(st scenarios.Step) bool {
	if st.Fault == scenarios.FaultHang || st.Fault == scenarios.FaultStall {
		return true
	}
	if st.Delay == nil {
		return false
	}
	d := st.Delay
	return max(d.Fixed, d.Max, d.Mean+2*d.Stddev).Std() >= DefaultCallTimeout
}

func joinOps(list []scenarios.Op) string {
	s := make([]string, len(list))
	for i, op := range list {
		s[i] = string(op)
	}
	return strings.Join(s, ", ")
}

// isDeadline reports whether err is the connector's deadline passing, as
// opposed to a reset or a closed connection.
func isDeadline(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}
