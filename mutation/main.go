// Command mutation measures how well the tests catch bugs: it applies each
// mutant of a list kept in the repository (mutants.txt: a file, an exact
// original text, its replacement, the packages to test) one at a time to a
// temporary copy of the tree, runs those packages' tests, and prints which
// mutants the tests killed, which survived, and the score.
//
// The work tree is never written: the copy lives in a temporary folder that
// is removed at the end, on Ctrl-C (SIGINT) and on SIGTERM; a running test
// is stopped with its whole process group.
//
//	go run ./mutation [-mutants mutation/mutants.txt] [-run REGEXP] [-timeout 5m]
//
// make mutation runs it; CI does not.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"regexp"
	"syscall"
	"time"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is the command with its arguments and outputs; it returns the exit
// status: 0 when every mutant ran, 1 when one could not be applied or the
// unmutated tests fail, 2 on bad usage, 130 when interrupted.
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("mutation", flag.ContinueOnError)
	fs.SetOutput(stderr)
	list := fs.String("mutants", "mutation/mutants.txt", "the mutants file")
	filter := fs.String("run", "", "run only the mutants whose name matches this regular expression")
	timeout := fs.Duration("timeout", 5*time.Minute, "the longest one mutant's tests may run (then it counts as killed)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 || *timeout <= 0 {
		fmt.Fprintln(stderr, "mutation: no arguments expected, and -timeout must be positive")
		return 2
	}
	re, err := regexp.Compile(*filter)
	if err != nil {
		fmt.Fprintf(stderr, "mutation: -run: %v\n", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err = mutate(ctx, config{list: *list, filter: re, timeout: *timeout, out: stdout})
	switch {
	case ctx.Err() != nil:
		fmt.Fprintln(stderr, "mutation: interrupted; the temporary copy was removed, the work tree is untouched")
		return 130
	case err != nil:
		fmt.Fprintf(stderr, "mutation: %v\n", err)
		return 1
	}
	return 0
}

// config is one run's settings.
type config struct {
	list    string
	filter  *regexp.Regexp
	timeout time.Duration
	out     io.Writer
}

// mutate runs every selected mutant in a temporary copy of the tree and
// prints the report.
func mutate(ctx context.Context, cfg config) error {
	root, err := repoRoot(ctx)
	if err != nil {
		return err
	}
	mutants, err := loadMutants(root, cfg.list)
	if err != nil {
		return err
	}
	mutants = selectMutants(mutants, cfg.filter)
	if len(mutants) == 0 {
		return errors.New("no mutant selected")
	}
	tree, err := copyTree(ctx, root)
	if err != nil {
		return err
	}
	defer os.RemoveAll(tree)
	if err := checkApplies(tree, mutants); err != nil {
		return err
	}
	if err := baseline(ctx, tree, mutants, cfg); err != nil {
		return err
	}
	var results []result
	for i, m := range mutants {
		r, err := runMutant(ctx, tree, m, cfg.timeout)
		if err != nil {
			return err
		}
		fmt.Fprintf(cfg.out, "[%d/%d] %s\n", i+1, len(mutants), r.line())
		results = append(results, r)
	}
	report(cfg.out, results)
	return nil
}

// selectMutants keeps the mutants whose name matches re.
func selectMutants(all []mutant, re *regexp.Regexp) []mutant {
	var out []mutant
	for _, m := range all {
		if re.MatchString(m.name) {
			out = append(out, m)
		}
	}
	return out
}

// baseline runs each distinct test command once on the unmutated copy: a
// mutant is only killed by a test that passes without it.
func baseline(ctx context.Context, tree string, mutants []mutant, cfg config) error {
	seen := map[string]bool{}
	for _, m := range mutants {
		key := m.testKey()
		if seen[key] {
			continue
		}
		seen[key] = true
		fmt.Fprintf(cfg.out, "baseline: go test %s\n", key)
		out, err := goTest(ctx, tree, m, cfg.timeout)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil {
			return fmt.Errorf("the unmutated tests fail (go test %s):\n%s", key, tail(out, 40))
		}
	}
	return nil
}
