// Command schemagen writes scenarios/schema.json from the scenario package's
// tables and the connector's status table: run it with
// `go generate ./scenarios`. The package's test fails when the committed
// file is stale.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/alma-sandbox/alma-sandbox/connector"
	"github.com/alma-sandbox/alma-sandbox/scenarios"
)

func main() {
	out := flag.String("o", "schema.json", "the file to write")
	flag.Parse()
	if err := write(*out); err != nil {
		fmt.Fprintln(os.Stderr, "schemagen:", err)
		os.Exit(1)
	}
}

// write writes the schema to path.
func write(path string) error {
	data, err := scenarios.JSONSchema(Table())
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// Table is the connector's status table as the schema needs it.
func Table() scenarios.StatusTable {
	var t scenarios.StatusTable
	for _, r := range connector.Statuses() {
		t.Statuses = append(t.Statuses, r.PSPStatus)
		t.States = append(t.States, r.State)
		t.Codes = append(t.Codes, r.Code)
	}
	return t
}
