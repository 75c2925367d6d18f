package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	neturl "net/url"
	"os"
	"path/filepath"
	"strconv"
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
		fmt.Fprint(stderr, scenariosUsage)
		return 2
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, scenariosUsage)
		return 0
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

// scenariosUsage is the help of `alma-sandbox scenarios`.
const scenariosUsage = `usage: alma-sandbox scenarios <subcommand> [flags]

subcommands:
  list [--wide] [--markdown] [DIR]  the catalogue: the embedded scenarios, with DIR's added or overriding
  validate [DIR]                    check DIR's files (the embedded ones without DIR), file:line per problem
  run --url URL [flags]             drive the connector through every scenario against a running emulator

"alma-sandbox scenarios <subcommand> -h" lists its flags.
`

// loadDir reads DIR's scenario files; a folder without any is an error, not
// an empty catalogue.
func loadDir(dir string) (*scenarios.Catalog, error) {
	cat, err := scenarios.LoadDir(dir)
	if err != nil {
		return nil, err
	}
	if cat.Len() == 0 {
		return nil, fmt.Errorf("no scenarios in %s (no *.yaml or *.yml file)", dir)
	}
	return cat, nil
}

// catalogWith is the embedded catalogue with DIR's files added or
// overriding; DIR must hold scenarios.
func catalogWith(dir string) (*scenarios.Catalog, error) {
	if dir != "" {
		if _, err := loadDir(dir); err != nil {
			return nil, err
		}
	}
	return loadCatalog(dir)
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

// scenariosList implements `scenarios list [--wide] [--markdown] [DIR]`:
// the embedded catalogue, with DIR's files added or overriding (as
// `serve --scenarios DIR` loads it), in at most 100 columns unless --wide.
func scenariosList(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("scenarios list", flag.ContinueOnError)
	markdown := fs.Bool("markdown", false, "print the catalogue as the README's Markdown table")
	wide := fs.Bool("wide", false, "every column (status, file) and whole descriptions")
	if code, ok := parseFlags(fs, args, "usage: alma-sandbox scenarios list [--wide] [--markdown] [DIR]", stdout, stderr); !ok {
		return code
	}
	dir, ok := optionalDir("list", fs.Args(), stderr)
	if !ok {
		return 2
	}
	cat, err := catalogWith(dir)
	if err != nil {
		fmt.Fprintf(stderr, "alma-sandbox scenarios list: %v\n", err)
		return 1
	}
	write := writeList
	switch {
	case *markdown:
		write = writeCatalogueMarkdown
	case *wide:
		write = writeWideList
	}
	if err := write(stdout, cat); err != nil {
		fmt.Fprintf(stderr, "alma-sandbox scenarios list: %v\n", err)
		return 1
	}
	return 0
}

// listWidth is the width `scenarios list` fits without --wide.
const listWidth = 100

// writeList writes one line per scenario in listWidth columns: id, the
// status table's row number, flow, and the description cut to fit.
func writeList(w io.Writer, cat *scenarios.Catalog) error {
	list := cat.List()
	idW, flowW := len("ID"), len("FLOW")
	for _, sc := range list {
		idW, flowW = max(idW, len(sc.ID)), max(flowW, len(sc.FlowOrDefault()))
	}
	const rowW = 3
	descW := max(listWidth-idW-rowW-flowW-6, 10)
	var b strings.Builder
	line := func(id, row, flow, desc string) {
		fmt.Fprintf(&b, "%-*s  %*s  %-*s  %s\n", idW, id, rowW, row, flowW, flow, cut(desc, descW))
	}
	line("ID", "ROW", "FLOW", "DESCRIPTION")
	for _, sc := range list {
		line(sc.ID, rowNumber(sc.Status), string(sc.FlowOrDefault()), sc.Description)
	}
	fmt.Fprintf(&b, "%d scenarios (--wide: status, file and whole descriptions)\n", cat.Len())
	_, err := io.WriteString(w, b.String())
	return err
}

// writeWideList writes every column, descriptions whole.
func writeWideList(w io.Writer, cat *scenarios.Catalog) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tROW\tSTATUS\tFLOW\tFILE\tDESCRIPTION")
	for _, sc := range cat.List() {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", sc.ID, rowNumber(sc.Status), dash(sc.Status), sc.FlowOrDefault(), sc.File, sc.Description)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "%d scenarios\n", cat.Len())
	return err
}

// rowNumber is the status's row number in the table, "-" for none.
func rowNumber(status string) string {
	if r, ok := connector.Lookup(status); ok {
		return strconv.Itoa(r.N)
	}
	return "-"
}

// cut shortens s to n runes, ending with "…" when it cut.
func cut(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// scenariosValidate implements `scenarios validate [DIR]`: every problem of
// DIR's files (the embedded ones without DIR) as file:line: message, and
// each scenario checked against the status table. A scenario with nothing
// to check is valid, with a warning.
func scenariosValidate(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("scenarios validate", flag.ContinueOnError)
	if code, ok := parseFlags(fs, args, "usage: alma-sandbox scenarios validate [DIR]\n\nChecks DIR's scenario files (the embedded ones without DIR): every problem as file:line: message.", stdout, stderr); !ok {
		return code
	}
	dir, ok := optionalDir("validate", fs.Args(), stderr)
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
		cat, err = loadDir(dir)
	}
	if err != nil {
		fmt.Fprintf(stderr, "alma-sandbox scenarios validate: %s\n", problemLines(err))
		return 1
	}
	bad := 0
	for _, sc := range cat.List() {
		if msg := harness.CheckRow(sc, connector.Statuses()); msg != "" {
			fmt.Fprintf(stderr, "%s:%d: %s\n", sc.File, sc.Line, msg)
			bad++
		}
	}
	if bad > 0 {
		return 1
	}
	for _, sc := range cat.List() {
		if !sc.HasExpectation() {
			fmt.Fprintf(stdout, "%s:%d: warning: no status and no expect: scenarios run reports it UNCHECKED\n", sc.File, sc.Line)
		}
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
	fs.StringVar(&f.junit, "junit", "", "write a JUnit XML report to this file (its folder is created when missing)")
	fs.StringVar(&f.scenarioDir, "scenarios", env.str("ALMA_SANDBOX_SCENARIOS", ""), "directory of scenario files adding to or overriding the embedded ones; the emulator must load the same (ALMA_SANDBOX_SCENARIOS)")
	fs.StringVar(&f.ipnAddr, "ipn-addr", harness.DefaultIPNAddr, "where the connector's IPN handler listens; the emulator must reach it")
	fs.StringVar(&f.ipnURL, "ipn-url", "", "the IPN handler's URL as the emulator reaches it, e.g. http://host.docker.internal:9999/alma/ipn (default: the --ipn-addr listener)")
	fs.Var(&f.only, "only", "run only these scenario ids, comma-separated or repeated")
	fs.IntVar(&f.parallel, "parallel", harness.DefaultParallel, "scenarios run at once")
	fs.DurationVar(&f.timeout, "timeout", harness.DefaultCallTimeout, "the connector's deadline per call (the emulator's hangs outlast it)")
}

// runUsage heads `scenarios run -h`.
const runUsage = "usage: alma-sandbox scenarios run [--url URL] [flags]\n\nDrives the connector through every scenario against a running emulator and prints a row × result matrix.\n\n"

// scenariosRun implements `scenarios run`: the status-path suite against a
// running emulator, a progress line per scenario, then the matrix. Flags,
// the JUnit file and the emulator's address are checked before anything runs.
func scenariosRun(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("scenarios run", flag.ContinueOnError)
	var f runFlags
	var env envDefaults
	f.define(fs, &env)
	if code, ok := parseFlags(fs, args, strings.TrimRight(runUsage, "\n"), stdout, stderr); !ok {
		return code
	}
	if err := errors.Join(append(env.errs, f.check(fs)...)...); err != nil || fs.NArg() > 0 {
		if err == nil {
			err = fmt.Errorf("unexpected argument %q", fs.Arg(0))
		}
		fmt.Fprintf(stderr, "alma-sandbox scenarios run: %v\n", err)
		return 2
	}
	cat, err := catalogWith(f.scenarioDir)
	if err != nil {
		fmt.Fprintf(stderr, "alma-sandbox scenarios run: %v\n", err)
		return 1
	}
	junit, err := openJUnit(f.junit)
	if err != nil {
		fmt.Fprintf(stderr, "alma-sandbox scenarios run: %v\n", err)
		return 2
	}
	url := strings.TrimRight(f.url, "/")
	if err := harness.Reachable(ctx, url, nil); err != nil {
		closeJUnit(junit)
		fmt.Fprintf(stderr, "alma-sandbox scenarios run: %v (start one with `alma-sandbox serve`, or give --url)\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "status paths against %s (%d scenarios)\n", url, cat.Len())
	rep := harness.Run(ctx, harness.Config{
		URL: url, APIKey: f.apiKey, Catalog: cat, Only: f.only,
		Parallel: f.parallel, CallTimeout: f.timeout, IPNAddr: f.ipnAddr, IPNURL: f.ipnURL,
		Progress: func(r harness.Result) { fmt.Fprintln(stdout, harness.ProgressLine(r)) },
	})
	fmt.Fprintln(stdout)
	if err := rep.WriteMatrix(stdout); err != nil {
		closeJUnit(junit)
		fmt.Fprintf(stderr, "alma-sandbox scenarios run: %v\n", err)
		return 1
	}
	if junit != nil {
		if err := writeJUnit(junit, rep); err != nil {
			fmt.Fprintf(stderr, "alma-sandbox scenarios run: %v\n", err)
			return 1
		}
	}
	if !rep.OK() {
		return 1
	}
	return 0
}

// check refuses values the run cannot use, naming the environment variable
// when the value came from one.
func (f *runFlags) check(fs *flag.FlagSet) []error {
	var errs []error
	if f.parallel < 1 {
		errs = append(errs, fmt.Errorf("--parallel %d: at least 1 scenario must run at a time", f.parallel))
	}
	if f.timeout <= 0 {
		errs = append(errs, fmt.Errorf("--timeout %s: the connector's deadline per call must be positive, e.g. %s", f.timeout, harness.DefaultCallTimeout))
	}
	if u, err := neturl.Parse(f.url); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, fmt.Errorf("%s: the emulator's URL needs http:// or https:// and a host, e.g. http://127.0.0.1:4242", from(fs, "url", "ALMA_SANDBOX_URL", f.url)))
	}
	if !strings.HasPrefix(f.apiKey, "sk_test_") {
		errs = append(errs, fmt.Errorf("%s: the harness only sends sk_test_ keys", from(fs, "api-key", "ALMA_SANDBOX_API_KEY", "…")))
	}
	return errs
}

// from names where a flag's value came from: the command line, or the
// environment variable that supplied its default.
func from(fs *flag.FlagSet, name, env, value string) string {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	if v, ok := os.LookupEnv(env); ok && v != "" && !set {
		return fmt.Sprintf("%s=%q (from the environment)", env, value)
	}
	return fmt.Sprintf("--%s %q", name, value)
}

// openJUnit creates the JUnit file before the run, and its folder when
// missing, so that a bad path fails at once; nil when path is empty.
func openJUnit(path string) (*os.File, error) {
	if path == "" {
		return nil, nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("junit report: %w", err)
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("junit report: %w", err)
	}
	return f, nil
}

// closeJUnit closes a JUnit file the run will not write.
func closeJUnit(f *os.File) {
	if f != nil {
		_ = f.Close()
	}
}

// writeJUnit writes the report's JUnit XML to f and closes it.
func writeJUnit(f *os.File, rep harness.Report) error {
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
