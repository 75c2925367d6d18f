package harness

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"
)

// junitSuites is the JUnit XML document CI systems read.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Time     string      `xml:"time,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	ClassName string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	Skipped   *junitSkipped `xml:"skipped,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitSkipped struct {
	Message string `xml:"message,attr,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Text    string `xml:",chardata"`
}

// WriteJUnit writes the report as JUnit XML: one suite of scenarios (one
// case each, the calls as output) and one suite of status rows (a case per
// row, failing when no scenario covers it; run problems fail a case too).
func (r Report) WriteJUnit(w io.Writer) error {
	scen := junitSuite{Name: "alma-sandbox.scenarios", Time: seconds(r.Duration)}
	for _, res := range r.Results {
		c := junitCase{Name: res.ID, ClassName: "scenarios", Time: seconds(res.Duration),
			SystemOut: "trail: " + strings.Join(res.Trail, " → ") + "\n" + strings.Join(res.Calls, "\n")}
		switch {
		case res.Unchecked:
			c.Skipped = &junitSkipped{Message: "UNCHECKED: " + uncheckedWhy}
			scen.Skipped++
		case !res.Passed:
			c.Failure = &junitFailure{Message: res.Failure, Text: strings.Join(res.Calls, "\n")}
			scen.Failures++
		}
		scen.Cases = append(scen.Cases, c)
	}
	rows := junitSuite{Name: "alma-sandbox.status-rows", Time: "0"}
	for _, rr := range r.Rows {
		rows.Cases = append(rows.Cases, rowCase(rr, &rows))
	}
	for _, p := range r.Problems {
		if !strings.HasPrefix(p, "row ") {
			rows.Cases = append(rows.Cases, junitCase{Name: "run", ClassName: "rows", Time: "0", Failure: &junitFailure{Message: p}})
			rows.Failures++
		}
	}
	scen.Tests, rows.Tests = len(scen.Cases), len(rows.Cases)
	doc := junitSuites{Name: "alma-sandbox status paths", Tests: scen.Tests + rows.Tests,
		Failures: scen.Failures + rows.Failures, Time: seconds(r.Duration), Suites: []junitSuite{scen, rows}}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return fmt.Errorf("write junit: %w", err)
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("write junit: %w", err)
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// rowCase is one status row as a test case, counted into suite.
func rowCase(rr RowResult, suite *junitSuite) junitCase {
	c := junitCase{Name: fmt.Sprintf("row %02d %s", rr.Row.N, rr.Row.PSPStatus), ClassName: "rows", Time: "0",
		SystemOut: "scenarios: " + strings.Join(rr.Scenarios, ", ")}
	switch {
	case rr.NotRun:
		c.Skipped = &junitSkipped{Message: "not run (--only)"}
		suite.Skipped++
	case !rr.Passed:
		c.Failure = &junitFailure{Message: rowProblem(rr)}
		suite.Failures++
	}
	return c
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.3f", d.Seconds()) }
