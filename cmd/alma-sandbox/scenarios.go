package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/alma-sandbox/alma-sandbox/connector"
	"github.com/alma-sandbox/alma-sandbox/scenarios"
	"github.com/alma-sandbox/alma-sandbox/scenarios/harness"
)

// runScenarios implements `alma-sandbox scenarios list|validate|run`.
func runScenarios(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "usage: alma-sandbox scenarios list [DIR] | validate [DIR] | run --url URL [flags]")
		return 2
	}
	switch args[0] {
	case "list":
		return scenariosList(args[1:], stdout, stderr)
	case "validate":
		return scenariosValidate(args[1:], stdout, stderr)
	case "run":
		return scenariosRun(ctx, args[1:], stdout, stderr)
	default:
		fmt.Fprintf(stderr, "alma-sandbox scenarios: unknown subcommand %q (list, validate or run)\n", args[0])
		return 2
	}
}

// optionalDir reads the one optional DIR argument.
func optionalDir(name string, args []string, stderr io.Writer) (string, bool) {
	if len(args) > 1 {
		fmt.Fprintf(stderr, "alma-sandbox scenarios %s: one DIR at most, got %q\n", name, args)
		return "", false
	}
	if len(args) == 1 {
		return args[0], true
	}
	return "", true
}

// scenariosList implements `scenarios list [--markdown] [DIR]`: the embedded catalogue,
// with DIR's files added or overriding (as `serve --scenarios DIR` loads it).
func scenariosList(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("scenarios list", flag.ContinueOnError)
	fs.SetOutput(stderr)
	markdown := fs.Bool("markdown", false, "print the catalogue as the README's Markdown table")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	dir, ok := optionalDir("list", fs.Args(), stderr)
	if !ok {
		return 2
	}
	cat, err := loadCatalog(dir)
	if err != nil {
		fmt.Fprintf(stderr, "alma-sandbox scenarios list: %v\n", err)
		return 1
	}
	if *markdown {
		if err := writeCatalogueMarkdown(stdout, cat); err != nil {
			fmt.Fprintf(stderr, "alma-sandbox scenarios list: %v\n", err)
			return 1
		}
		return 0
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATUS\tFLOW\tFILE\tDESCRIPTION")
	for _, sc := range cat.List() {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", sc.ID, dash(sc.Status), sc.FlowOrDefault(), sc.File, sc.Description)
	}
	if err := tw.Flush(); err != nil {
		fmt.Fprintf(stderr, "alma-sandbox scenarios list: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "%d scenarios\n", cat.Len())
	return 0
}

// scenariosValidate implements `scenarios validate [DIR]`: every problem of
// DIR's files (the embedded ones without DIR) as file:line: message, and
// each scenario's status and expect checked against the status table.
func scenariosValidate(args []string, stdout, stderr io.Writer) int {
	dir, ok := optionalDir("validate", args, stderr)
	if !ok {
		return 2
	}
	var (
		cat *scenarios.Catalog
		err error
	)
	if dir == "" {
		cat, err = scenarios.Default()
	} else {
		cat, err = scenarios.LoadDir(dir)
	}
	if err != nil {
		fmt.Fprintln(stderr, problemLines(err))
		return 1
	}
	bad := 0
	for _, sc := range cat.List() {
		if msg := harness.CheckRow(sc, connector.Statuses); msg != "" {
			fmt.Fprintf(stderr, "%s:%d: %s\n", sc.File, sc.Line, msg)
			bad++
		}
	}
	if bad > 0 {
		return 1
	}
	fmt.Fprintf(stdout, "ok: %d scenarios valid\n", cat.Len())
	return 0
}

// problemLines writes a loader error one problem per line.
func problemLines(err error) string {
	var ps scenarios.Problems
	if errors.As(err, &ps) {
		return ps.Error()
	}
	return err.Error()
}

// runFlags is the configuration of `scenarios run`.
type runFlags struct {
	url, apiKey, junit, scenarioDir, ipnAddr, ipnURL string
	only                                             listFlag
	parallel                                         int
	timeout                                          time.Duration
}

// define declares run's flags with ALMA_SANDBOX_* environment fallbacks.
func (f *runFlags) define(fs *flag.FlagSet, env *envDefaults) {
	fs.StringVar(&f.url, "url", env.str("ALMA_SANDBOX_URL", "http://127.0.0.1:4242"), "the emulator's base URL (ALMA_SANDBOX_URL)")
	fs.StringVar(&f.apiKey, "api-key", env.str("ALMA_SANDBOX_API_KEY", harness.DefaultAPIKey), "the merchant's sk_test_ key (ALMA_SANDBOX_API_KEY)")
	fs.StringVar(&f.junit, "junit", "", "write a JUnit XML report to this file")
	fs.StringVar(&f.scenarioDir, "scenarios", env.str("ALMA_SANDBOX_SCENARIOS", ""), "directory of scenario files adding to or overriding the embedded ones; the emulator must load the same (ALMA_SANDBOX_SCENARIOS)")
	fs.StringVar(&f.ipnAddr, "ipn-addr", harness.DefaultIPNAddr, "where the connector's IPN handler listens; the emulator must reach it")
	fs.StringVar(&f.ipnURL, "ipn-url", "", "the IPN handler's URL as the emulator reaches it, e.g. http://host.docker.internal:9999/alma/ipn (default: the --ipn-addr listener)")
	fs.Var(&f.only, "only", "run only these scenario ids, comma-separated or repeated")
	fs.IntVar(&f.parallel, "parallel", harness.DefaultParallel, "scenarios run at once")
	fs.DurationVar(&f.timeout, "timeout", harness.DefaultCallTimeout, "the connector's deadline per call (the emulator's hangs outlast it)")
}

// scenariosRun implements `scenarios run`: the status-path suite against a
// running emulator, a progress line per scenario, then the matrix.
func scenariosRun(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("scenarios run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var f runFlags
	var env envDefaults
	f.define(fs, &env)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if err := errors.Join(env.errs...); err != nil || fs.NArg() > 0 {
		fmt.Fprintf(stderr, "alma-sandbox scenarios run: bad arguments %q %v\n", fs.Args(), err)
		return 2
	}
	cat, err := loadCatalog(f.scenarioDir)
	if err != nil {
		fmt.Fprintf(stderr, "alma-sandbox scenarios run: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "status paths against %s (%d scenarios)\n", f.url, cat.Len())
	rep := harness.Run(ctx, harness.Config{
		URL: strings.TrimRight(f.url, "/"), APIKey: f.apiKey, Catalog: cat, Only: f.only,
		Parallel: f.parallel, CallTimeout: f.timeout, IPNAddr: f.ipnAddr, IPNURL: f.ipnURL,
		Progress: func(r harness.Result) { fmt.Fprintln(stdout, harness.ProgressLine(r)) },
	})
	fmt.Fprintln(stdout)
	if err := rep.WriteMatrix(stdout); err != nil {
		fmt.Fprintf(stderr, "alma-sandbox scenarios run: %v\n", err)
		return 1
	}
	if f.junit != "" {
		if err := writeJUnit(f.junit, rep); err != nil {
			fmt.Fprintf(stderr, "alma-sandbox scenarios run: %v\n", err)
			return 1
		}
	}
	if !rep.OK() {
		return 1
	}
	return 0
}

// writeJUnit writes the report's JUnit XML to path.
func writeJUnit(path string, rep harness.Report) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("junit report: %w", err)
	}
	if err := rep.WriteJUnit(f); err != nil {
		_ = f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("junit report: %w", err)
	}
	return nil
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
