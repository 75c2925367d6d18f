package scenarios

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Problem is one thing wrong with a scenario file, located by file and line.
type Problem struct {
	File string
	Line int
	Msg  string
}

// Error is "file:line: message".
func (p Problem) Error() string { return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Msg) }

// Problems is every problem found in one or more files; the loader returns
// it as its error.
type Problems []Problem

// Error lists the problems, one per line.
func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.Error()
	}
	return strings.Join(lines, "\n")
}

// sorted orders the problems by file and line and drops exact repeats.
func (ps Problems) sorted() Problems {
	sort.SliceStable(ps, func(i, j int) bool {
		if ps[i].File != ps[j].File {
			return ps[i].File < ps[j].File
		}
		return ps[i].Line < ps[j].Line
	})
	out := ps[:0]
	for i, p := range ps {
		if i > 0 && p == ps[i-1] {
			continue
		}
		out = append(out, p)
	}
	return out
}

var (
	yamlLineRe    = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)
	duplicateKey  = regexp.MustCompile(`^mapping key "(.*)" already defined at line (\d+)$`)
	cannotUnmarsh = regexp.MustCompile("^cannot unmarshal !!(\\w+)(?: `(.*)`)? into (.+)$")
)

// fromYAML turns one yaml.v3 message ("yaml: line 3: …" or "line 3: …")
// into a Problem with a plainer message.
func fromYAML(file, msg string) Problem {
	m := yamlLineRe.FindStringSubmatch(msg)
	if m == nil {
		return Problem{File: file, Line: 1, Msg: strings.TrimPrefix(msg, "yaml: ")}
	}
	line, _ := strconv.Atoi(m[1])
	return Problem{File: file, Line: line, Msg: plainYAML(m[2])}
}

// plainYAML rewrites yaml.v3's type messages in words a scenario author
// reads without knowing Go.
func plainYAML(msg string) string {
	if m := duplicateKey.FindStringSubmatch(msg); m != nil {
		return fmt.Sprintf("duplicate key %q (first at line %s)", m[1], m[2])
	}
	m := cannotUnmarsh.FindStringSubmatch(msg)
	if m == nil {
		return msg
	}
	if m[2] == "" {
		return fmt.Sprintf("expected %s, got %s", goTypeWords(m[3]), yamlTagWords(m[1]))
	}
	return fmt.Sprintf("expected %s, got %s %q", goTypeWords(m[3]), yamlTagWords(m[1]), m[2])
}

func goTypeWords(t string) string {
	switch {
	case strings.HasPrefix(t, "[]"):
		return "a list"
	case strings.HasPrefix(t, "map["), strings.HasPrefix(t, "scenarios."):
		return "a mapping"
	case strings.HasPrefix(t, "int"):
		return "a whole number"
	case t == "bool":
		return "true or false"
	case t == "string":
		return "a string"
	default:
		return t
	}
}

func yamlTagWords(tag string) string {
	switch tag {
	case "str":
		return "the string"
	case "int", "float":
		return "the number"
	case "bool":
		return "the boolean"
	case "seq":
		return "a list"
	case "map":
		return "a mapping"
	default:
		return tag
	}
}
