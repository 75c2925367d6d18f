package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// mutant is one small, bug-like change and the packages whose tests should
// catch it.
type mutant struct {
	name        string
	file        string   // relative to the repository root
	original    string   // the exact text to replace
	replacement string   // what replaces it
	packages    []string // go test arguments, e.g. ./connector/...
	tags        string   // go test -tags, when set
	all         bool     // replace every occurrence (else there must be exactly one)
	line        int      // where the mutant starts in the list, for errors
}

// testKey names the mutant's test command.
func (m mutant) testKey() string {
	key := strings.Join(m.packages, " ")
	if m.tags != "" {
		key = "-tags " + m.tags + " " + key
	}
	return key
}

// loadMutants reads the mutants file (relative to root unless absolute).
//
// Format: a mutant starts with "=== name", then "key: value" lines (file,
// test — space-separated packages —, tags, count: all), then a line
// "--- original", the exact text, a line "--- replacement" and its text,
// which ends at the next "=== " line or at the end of the file (blank lines
// at its end are dropped: they separate mutants). Lines starting with "#" before the first
// mutant, or between a mutant's header lines, are comments.
func loadMutants(root, list string) ([]mutant, error) {
	if !filepath.IsAbs(list) {
		list = filepath.Join(root, list)
	}
	f, err := os.Open(list)
	if err != nil {
		return nil, fmt.Errorf("mutants: %w", err)
	}
	defer f.Close()
	p := &listParser{path: list}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if err := p.line(sc.Text()); err != nil {
			return nil, err
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("mutants: %s: %w", list, err)
	}
	return p.finish()
}

// listParser reads the mutants file line by line.
type listParser struct {
	path    string
	n       int
	mutants []mutant
	cur     *mutant
	section string // "", "original" or "replacement"
	text    []string
	seen    map[string]bool
}

// line reads one line of the file.
func (p *listParser) line(s string) error {
	p.n++
	switch {
	case strings.HasPrefix(s, "=== "):
		if err := p.flush(); err != nil {
			return err
		}
		p.cur = &mutant{name: strings.TrimSpace(s[4:]), line: p.n}
		p.section = ""
		return nil
	case p.cur == nil:
		if strings.TrimSpace(s) == "" || strings.HasPrefix(s, "#") {
			return nil
		}
		return p.errorf("text before the first \"=== name\" line")
	case s == "--- original" && p.section == "":
		p.section = "original"
		return nil
	case s == "--- replacement" && p.section == "original":
		p.cur.original = strings.Join(p.text, "\n")
		p.section, p.text = "replacement", nil
		return nil
	case p.section != "":
		p.text = append(p.text, s)
		return nil
	}
	return p.header(s)
}

// header reads one "key: value" line of a mutant.
func (p *listParser) header(s string) error {
	if strings.TrimSpace(s) == "" || strings.HasPrefix(s, "#") {
		return nil
	}
	key, value, ok := strings.Cut(s, ":")
	value = strings.TrimSpace(value)
	switch {
	case !ok:
		return p.errorf("want \"key: value\", \"--- original\" or \"--- replacement\", got %q", s)
	case key == "file":
		p.cur.file = filepath.ToSlash(value)
	case key == "test":
		p.cur.packages = strings.Fields(value)
	case key == "tags":
		p.cur.tags = value
	case key == "count" && value == "all":
		p.cur.all = true
	default:
		return p.errorf("unknown key %q", key)
	}
	return nil
}

// flush ends the current mutant and checks it is complete.
func (p *listParser) flush() error {
	if p.cur == nil {
		return nil
	}
	m := p.cur
	if p.section != "replacement" {
		return fmt.Errorf("mutants: %s:%d: mutant %q has no \"--- original\" and \"--- replacement\"", p.path, m.line, m.name)
	}
	for len(p.text) > 0 && strings.TrimSpace(p.text[len(p.text)-1]) == "" {
		p.text = p.text[:len(p.text)-1] // blank lines only separate mutants
	}
	m.replacement = strings.Join(p.text, "\n")
	p.cur, p.text, p.section = nil, nil, ""
	switch {
	case m.name == "" || strings.ContainsAny(m.name, " \t"):
		return fmt.Errorf("mutants: %s:%d: a name is one word, got %q", p.path, m.line, m.name)
	case p.seen[m.name]:
		return fmt.Errorf("mutants: %s:%d: mutant %q is listed twice", p.path, m.line, m.name)
	case m.file == "" || len(m.packages) == 0:
		return fmt.Errorf("mutants: %s:%d: mutant %q needs a file and a test line", p.path, m.line, m.name)
	case m.original == "" || m.original == m.replacement:
		return fmt.Errorf("mutants: %s:%d: mutant %q changes nothing", p.path, m.line, m.name)
	}
	if p.seen == nil {
		p.seen = map[string]bool{}
	}
	p.seen[m.name] = true
	p.mutants = append(p.mutants, *m)
	return nil
}

// finish ends the file.
func (p *listParser) finish() ([]mutant, error) {
	if err := p.flush(); err != nil {
		return nil, err
	}
	return p.mutants, nil
}

func (p *listParser) errorf(format string, args ...any) error {
	return fmt.Errorf("mutants: %s:%d: %s", p.path, p.n, fmt.Sprintf(format, args...))
}

// apply returns src with the mutant applied; an original text that is not
// found (or, without count: all, found more than once) is an error.
func (m mutant) apply(src string) (string, error) {
	n := strings.Count(src, m.original)
	switch {
	case n == 0:
		return "", fmt.Errorf("mutant %q (line %d): its original text is not in %s", m.name, m.line, m.file)
	case n > 1 && !m.all:
		return "", fmt.Errorf("mutant %q (line %d): its original text is %d times in %s (make it unique, or count: all)", m.name, m.line, n, m.file)
	}
	return strings.ReplaceAll(src, m.original, m.replacement), nil
}
