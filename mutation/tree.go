package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"syscall"
	"time"
)

// repoRoot is the top of the git work tree the command runs in.
func repoRoot(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "git", "rev-parse", "--show-toplevel").Output()
	if err != nil {
		return "", fmt.Errorf("find the repository root: %w", err)
	}
	return strings.TrimSpace(string(out)), nil
}

// copyTree copies the work tree's files (tracked and untracked, not
// ignored: what the tests see) into a new temporary folder, and links the
// git-ignored .pact folder (the native Pact library) when there is one.
func copyTree(ctx context.Context, root string) (string, error) {
	out, err := exec.CommandContext(ctx, "git", "-C", root, "ls-files", "-z", "--cached", "--others", "--exclude-standard").Output()
	if err != nil {
		return "", fmt.Errorf("list the work tree: %w", err)
	}
	tree, err := os.MkdirTemp("", "alma-mutation-")
	if err != nil {
		return "", err
	}
	for _, rel := range strings.Split(strings.TrimRight(string(out), "\x00"), "\x00") {
		if err := copyFile(filepath.Join(root, rel), filepath.Join(tree, rel)); err != nil {
			os.RemoveAll(tree)
			return "", err
		}
	}
	if _, err := os.Stat(filepath.Join(root, ".pact")); err == nil {
		if err := os.Symlink(filepath.Join(root, ".pact"), filepath.Join(tree, ".pact")); err != nil {
			os.RemoveAll(tree)
			return "", err
		}
	}
	return tree, nil
}

// copyFile copies one file, creating its folder; a listed file that no
// longer exists (deleted, not yet committed) is skipped.
func copyFile(from, to string) error {
	in, err := os.Open(from)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer in.Close()
	info, err := in.Stat()
	if err != nil || info.IsDir() {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		return err
	}
	out, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, info.Mode().Perm())
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// checkApplies checks, before anything runs, that every mutant applies to
// the copy.
func checkApplies(tree string, mutants []mutant) error {
	var errs []error
	for _, m := range mutants {
		src, err := os.ReadFile(filepath.Join(tree, m.file))
		if err != nil {
			errs = append(errs, fmt.Errorf("mutant %q: %w", m.name, err))
			continue
		}
		if _, err := m.apply(string(src)); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// outcome is what the tests did with a mutant.
type outcome string

const (
	killed   outcome = "KILLED"   // a test failed: the bug was caught
	survived outcome = "SURVIVED" // every test passed: the bug would slip through
	broken   outcome = "BROKEN"   // the mutated code does not build: not a bug anyone ships
)

// result is one mutant's outcome and the tests that failed.
type result struct {
	m       mutant
	outcome outcome
	failed  []string
	elapsed time.Duration
}

// line describes the result on one line.
func (r result) line() string {
	s := fmt.Sprintf("%-8s %s (%s, %s)", r.outcome, r.m.name, r.m.file, r.elapsed.Round(100*time.Millisecond))
	if len(r.failed) > 0 {
		s += " by " + strings.Join(r.failed, ", ")
	}
	return s
}

// runMutant applies m in the copy, runs its tests and restores the file.
func runMutant(ctx context.Context, tree string, m mutant, timeout time.Duration) (result, error) {
	path := filepath.Join(tree, m.file)
	src, err := os.ReadFile(path)
	if err != nil {
		return result{}, err
	}
	mutated, err := m.apply(string(src))
	if err != nil {
		return result{}, err
	}
	if err := os.WriteFile(path, []byte(mutated), 0o644); err != nil {
		return result{}, err
	}
	defer os.WriteFile(path, src, 0o644)
	start := time.Now()
	out, err := goTest(ctx, tree, m, timeout)
	if ctx.Err() != nil {
		return result{}, ctx.Err()
	}
	r := result{m: m, outcome: survived, elapsed: time.Since(start)}
	switch {
	case err != nil && isBuildFailure(out):
		r.outcome = broken
	case err != nil:
		r.outcome, r.failed = killed, failedTests(out)
	}
	return r, nil
}

// goTest runs go test for m's packages in tree, in its own process group so
// that a timeout or an interrupt stops the test binaries too.
func goTest(ctx context.Context, tree string, m mutant, timeout time.Duration) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	args := []string{"test", "-count=1", "-timeout", timeout.String()}
	if m.tags != "" {
		args = append(args, "-tags", m.tags)
	}
	cmd := exec.CommandContext(ctx, "go", append(args, m.packages...)...)
	cmd.Dir = tree
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if ctx.Err() == context.DeadlineExceeded {
		out.WriteString("\n--- FAIL: (timeout)\n")
	}
	return out.Bytes(), err
}

// isBuildFailure reports whether go test failed to build a package.
func isBuildFailure(out []byte) bool {
	return bytes.Contains(out, []byte("[build failed]")) || bytes.Contains(out, []byte("[setup failed]"))
}

// failRe finds the top-level tests that failed.
var failRe = regexp.MustCompile(`(?m)^--- FAIL: (\S+)`)

// failedTests lists the failed top-level tests, sorted.
func failedTests(out []byte) []string {
	seen := map[string]bool{}
	for _, m := range failRe.FindAllSubmatch(out, -1) {
		seen[string(m[1])] = true
	}
	names := make([]string, 0, len(seen))
	for n := range seen {
		names = append(names, n)
	}
	sort.Strings(names)
	if len(names) == 0 {
		return []string{"(a failure outside a test, e.g. a panic)"}
	}
	return names
}

// report prints the score and the survivors.
func report(w io.Writer, results []result) {
	var k, s, b int
	for _, r := range results {
		switch r.outcome {
		case killed:
			k++
		case survived:
			s++
		case broken:
			b++
		}
	}
	fmt.Fprintf(w, "\nscore: %d/%d mutants killed", k, k+s)
	if k+s > 0 {
		fmt.Fprintf(w, " (%.0f%%)", 100*float64(k)/float64(k+s))
	}
	if b > 0 {
		fmt.Fprintf(w, "; %d did not build (not counted)", b)
	}
	fmt.Fprintln(w)
	if s == 0 {
		return
	}
	fmt.Fprintln(w, "survivors:")
	for _, r := range results {
		if r.outcome == survived {
			fmt.Fprintf(w, "  %s  %s (go test %s)\n", r.m.name, r.m.file, r.m.testKey())
		}
	}
}

// tail is the last n lines of out.
func tail(out []byte, n int) string {
	lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
