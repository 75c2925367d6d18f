package harness

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/alma-sandbox/alma-sandbox/connector"
	"github.com/alma-sandbox/alma-sandbox/scenarios"
)

// Result is one scenario's outcome.
type Result struct {
	ID        string
	File      string
	Status    string           // the row the scenario produces; "" for the others
	Expect    scenarios.Expect // what it expects
	Trail     []string         // the PSP status of each connector result
	Calls     []string         // each connector result on one line
	PaymentID string
	Passed    bool
	// Unchecked is set when the scenario ran without error but says nothing
	// to check (no status, no expect): it is neither passed nor failed.
	Unchecked bool
	Failure   string // why it failed; "" when it passed or is unchecked
	Duration  time.Duration
}

// failed reports whether the scenario failed (an unchecked one did not).
func (res Result) failed() bool { return !res.Passed && !res.Unchecked }

// RowResult is one row of the status table and the scenarios that cover it.
type RowResult struct {
	Row       connector.Row
	Scenarios []string // ids of the scenarios whose status is this row
	Passed    bool     // one of them passed
	NotRun    bool     // no scenario of this row was selected (--only)
}

// Report is a run's outcome: per scenario, per row, and the run's own
// problems (uncovered rows, setup failures).
type Report struct {
	Results  []Result
	Rows     []RowResult
	Problems []string
	Duration time.Duration
}

// OK reports whether no scenario failed, every row is covered and the run
// had no problem. Unchecked scenarios do not fail a run, but a run that
// checked nothing has a problem (Run adds it).
func (r Report) OK() bool {
	if len(r.Problems) > 0 {
		return false
	}
	for _, res := range r.Results {
		if res.failed() {
			return false
		}
	}
	return true
}

// Unchecked counts the scenarios that had nothing to check.
func (r Report) Unchecked() int {
	n := 0
	for _, res := range r.Results {
		if res.Unchecked {
			n++
		}
	}
	return n
}

// Passed counts the passing scenarios.
func (r Report) Passed() int {
	n := 0
	for _, res := range r.Results {
		if res.Passed {
			n++
		}
	}
	return n
}

// buildReport maps results onto the rows. A row without a passing scenario
// is a problem naming the row, unless partial (--only) left it unselected.
func buildReport(rows []connector.Row, list []*scenarios.Scenario, results []Result, partial bool) Report {
	rep := Report{Results: results}
	byStatus := map[string][]Result{}
	for _, res := range results {
		byStatus[res.Status] = append(byStatus[res.Status], res)
	}
	known := map[string]bool{}
	for _, row := range rows {
		known[row.PSPStatus] = true
		rr := RowResult{Row: row}
		for _, res := range byStatus[row.PSPStatus] {
			rr.Scenarios = append(rr.Scenarios, res.ID)
			rr.Passed = rr.Passed || res.Passed
		}
		rr.NotRun = partial && len(rr.Scenarios) == 0
		if msg := rowProblem(rr); msg != "" {
			rep.Problems = append(rep.Problems, msg)
		}
		rep.Rows = append(rep.Rows, rr)
	}
	for _, sc := range list {
		if sc.Status != "" && !known[sc.Status] {
			rep.Problems = append(rep.Problems, fmt.Sprintf("scenario %s (%s:%d): status %q is not a row of the status table", sc.ID, sc.File, sc.Line, sc.Status))
		}
	}
	return rep
}

// rowProblem says what is wrong with a row's coverage, or "".
func rowProblem(rr RowResult) string {
	switch {
	case rr.Passed || rr.NotRun:
		return ""
	case len(rr.Scenarios) == 0:
		return fmt.Sprintf("row %d %s (%s/%s) is not covered: no scenario has status: %s",
			rr.Row.N, rr.Row.PSPStatus, rr.Row.State, rr.Row.Code, rr.Row.PSPStatus)
	default:
		return fmt.Sprintf("row %d %s is not covered: its scenario %s failed",
			rr.Row.N, rr.Row.PSPStatus, strings.Join(rr.Scenarios, ", "))
	}
}

// WriteMatrix writes the row × result matrix, the other scenarios, every
// failure and a summary line, for a person to read at a glance.
func (r Report) WriteMatrix(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "#\tPSP STATUS\tSTATE / CODE\tSCENARIO\tRESULT")
	for _, rr := range r.Rows {
		fmt.Fprintf(tw, "%d\t%s\t%s / %s\t%s\t%s\n", rr.Row.N, rr.Row.PSPStatus, rr.Row.State, rr.Row.Code,
			or(strings.Join(rr.Scenarios, ", "), "-"), rowMark(rr))
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write matrix: %w", err)
	}
	if others := r.others(); len(others) > 0 {
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "\nOTHER SCENARIO\tRESULT\tTRAIL")
		for _, res := range others {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", res.ID, resultMark(res), strings.Join(res.Trail, " → "))
		}
		if err := tw.Flush(); err != nil {
			return fmt.Errorf("write matrix: %w", err)
		}
	}
	r.writeFailures(w)
	_, err := fmt.Fprintln(w, r.Summary())
	return err
}

// writeFailures lists each failed scenario with its calls, and the run's
// problems.
func (r Report) writeFailures(w io.Writer) {
	for _, res := range r.Results {
		if res.Unchecked {
			fmt.Fprintf(w, "\nUNCHECKED %s (%s): %s\n", res.ID, res.File, uncheckedWhy)
			continue
		}
		if res.Passed {
			continue
		}
		fmt.Fprintf(w, "\nFAIL %s (%s): %s\n", res.ID, res.File, res.Failure)
		for _, c := range res.Calls {
			fmt.Fprintf(w, "     %s\n", c)
		}
	}
	if len(r.Problems) > 0 {
		fmt.Fprintln(w)
	}
	for _, p := range r.Problems {
		fmt.Fprintf(w, "PROBLEM %s\n", p)
	}
}

// Summary is one line: rows covered, scenarios passed, wall time.
func (r Report) Summary() string {
	covered, run := 0, 0
	for _, rr := range r.Rows {
		if rr.Passed {
			covered++
		}
		if !rr.NotRun {
			run++
		}
	}
	verdict := "PASS"
	if !r.OK() {
		verdict = "FAIL"
	}
	unchecked := ""
	if n := r.Unchecked(); n > 0 {
		unchecked = fmt.Sprintf(", %d unchecked", n)
	}
	return fmt.Sprintf("%s: %d/%d rows covered, %d/%d scenarios passed%s in %s",
		verdict, covered, run, r.Passed(), len(r.Results), unchecked, r.Duration.Round(time.Millisecond))
}

// others are the scenarios that produce no row (flows, retries, IPN paths).
func (r Report) others() []Result {
	var out []Result
	for _, res := range r.Results {
		if res.Status == "" {
			out = append(out, res)
		}
	}
	return out
}

// ProgressLine is the line printed when a scenario finishes.
func ProgressLine(res Result) string {
	line := fmt.Sprintf("%s %-40s %-44s %6s  %s", resultMark(res), res.ID, or(res.Status, "-"),
		res.Duration.Round(time.Millisecond), strings.Join(res.Trail, " → "))
	if res.failed() {
		line += "\n     " + res.Failure
	}
	return line
}

func rowMark(rr RowResult) string {
	switch {
	case rr.NotRun:
		return "not run"
	case len(rr.Scenarios) == 0:
		return "FAIL (no scenario)"
	default:
		return mark(rr.Passed)
	}
}

// uncheckedWhy is what the report says of an unchecked scenario.
const uncheckedWhy = "no status and no expect, so nothing was checked: add status: <row> or expect: {trail: […]}"

// resultMark is a scenario's result in one word.
func resultMark(res Result) string {
	if res.Unchecked {
		return "UNCHECKED"
	}
	return mark(res.Passed)
}

func mark(ok bool) string {
	if ok {
		return "ok"
	}
	return "FAIL"
}
