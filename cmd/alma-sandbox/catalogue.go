package main

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/alma-sandbox/alma-sandbox/connector"
	"github.com/alma-sandbox/alma-sandbox/scenarios"
)

// writeCatalogueMarkdown writes the scenario catalogue as the Markdown table
// the README shows: the status-table rows first, in the table's order, then
// the scenarios that are not a row. The README's copy is checked against it.
func writeCatalogueMarkdown(w io.Writer, cat *scenarios.Catalog) error {
	list := cat.List()
	rowOf := func(sc *scenarios.Scenario) int {
		if r, ok := connector.Lookup(sc.Status); ok {
			return r.N
		}
		return len(connector.Statuses()) + 1
	}
	sort.SliceStable(list, func(i, j int) bool { return rowOf(list[i]) < rowOf(list[j]) })

	var b strings.Builder
	b.WriteString("| # | PSP status | State / Code | scenario | flow | what happens |\n")
	b.WriteString("|---|---|---|---|---|---|\n")
	for _, sc := range list {
		n, status, outcome := "–", "–", sc.Expect.State+" / "+sc.Expect.Code
		if r, ok := connector.Lookup(sc.Status); ok {
			n, status, outcome = fmt.Sprint(r.N), "`"+r.PSPStatus+"`", r.State+" / "+r.Code
		}
		if outcome == " / " {
			outcome = "–"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | `%s` | %s | %s |\n",
			n, status, outcome, sc.ID, sc.FlowOrDefault(), strings.ReplaceAll(sc.Description, "|", `\|`))
	}
	_, err := io.WriteString(w, b.String())
	return err
}
