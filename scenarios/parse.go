package scenarios

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// maxDepth bounds the walk of a file's node tree, so that no input (deep
// nesting, aliases) can exhaust the stack.
const maxDepth = 32

// Parse reads one scenario file. name is the file's name in messages. Any
// unknown key, bad value or syntax error is rejected; the error is Problems,
// each "name:line: message".
func Parse(name string, data []byte) (*Scenario, error) {
	root, err := parseNode(name, data)
	if err != nil {
		return nil, err
	}
	w := &walker{file: name}
	w.value(root, reflect.TypeOf(Scenario{}), rootWhere, 0)
	var sc Scenario
	decodeErr := root.Decode(&sc)
	if decodeErr != nil {
		w.yamlError(decodeErr)
	}
	sc.File, sc.Line = name, lineOf(root, "id")
	for _, is := range sc.check() {
		if decodeErr != nil && is.path == "id" {
			continue // the decoding problem already says what is wrong
		}
		w.problems = append(w.problems, Problem{File: name, Line: lineOf(root, is.path), Msg: is.msg})
	}
	if len(w.problems) > 0 {
		return nil, w.problems.sorted()
	}
	return &sc, nil
}

// parseNode reads the file's one YAML document as a mapping node.
func parseNode(name string, data []byte) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, Problems{{File: name, Line: 1, Msg: "empty file: a scenario needs at least an id"}}
		}
		return nil, Problems{fromYAML(name, err.Error())}
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		line := extra.Line
		if err != nil || line == 0 {
			return nil, Problems{fromYAML(name, errString(err, "a second document"))}
		}
		return nil, Problems{{File: name, Line: line, Msg: "one scenario per file: remove the second document (after ---)"}}
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, Problems{{File: name, Line: max(doc.Line, 1), Msg: "a scenario file is a mapping (id: …, status: …, on: …)"}}
	}
	return doc.Content[0], nil
}

func errString(err error, fallback string) string {
	if err == nil {
		return fallback
	}
	return err.Error()
}

// walker checks a node tree against the Go types' yaml keys and collects
// problems with their lines.
type walker struct {
	file     string
	problems Problems
}

func (w *walker) add(n *yaml.Node, format string, args ...any) {
	w.problems = append(w.problems, Problem{File: w.file, Line: n.Line, Msg: fmt.Sprintf(format, args...)})
}

// yamlError records the messages of a decoding error.
func (w *walker) yamlError(err error) {
	var te *yaml.TypeError
	if errors.As(err, &te) {
		for _, msg := range te.Errors {
			w.problems = append(w.problems, fromYAML(w.file, msg))
		}
		return
	}
	w.problems = append(w.problems, fromYAML(w.file, err.Error()))
}

var (
	delayType = reflect.TypeOf(Delay{})
	onType    = reflect.TypeOf(map[Op][]Step{})
	stepType  = reflect.TypeOf(Step{})
)

// value checks node n, which will be decoded into type t; where names it
// in messages.
func (w *walker) value(n *yaml.Node, t reflect.Type, where string, depth int) {
	if depth > maxDepth {
		w.add(n, "%s is nested too deeply", where)
		return
	}
	if n.Kind == yaml.AliasNode {
		w.add(n, "%s: aliases (*name) are not supported in scenario files", where)
		return
	}
	switch {
	case t == delayType:
		if n.Kind == yaml.MappingNode {
			w.mapping(n, reflect.TypeOf(delayFields{}), where, depth)
		}
	case t == onType:
		w.ops(n, depth)
	case t.Kind() == reflect.Pointer:
		w.value(n, t.Elem(), where, depth)
	case t.Kind() == reflect.Struct:
		w.mapping(n, t, where, depth)
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Struct:
		if n.Kind != yaml.SequenceNode {
			w.add(n, "%s must be a list", where)
			return
		}
		for i, item := range n.Content {
			w.value(item, t.Elem(), fmt.Sprintf("%s[%d]", where, i), depth+1)
		}
	}
}

// mapping checks that every key of n is one of struct t's yaml keys.
func (w *walker) mapping(n *yaml.Node, t reflect.Type, where string, depth int) {
	if n.Kind != yaml.MappingNode {
		w.add(n, "%s must be a mapping (key: value)", where)
		return
	}
	fields := yamlFields(t)
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, val := n.Content[i], n.Content[i+1]
		f, ok := fields[key.Value]
		if !ok {
			w.add(key, "unknown key %q in %s (known keys: %s)", key.Value, where, strings.Join(KnownKeys(t), ", "))
			continue
		}
		w.value(val, f.Type, childWhere(where, key.Value), depth+1)
	}
}

// rootWhere names the top of a file in messages.
const rootWhere = "the scenario"

func childWhere(where, key string) string {
	if where == rootWhere {
		return key
	}
	return where + "." + key
}

// ops checks the `on:` mapping: each key an Op, each value a list of steps.
func (w *walker) ops(n *yaml.Node, depth int) {
	if n.Kind != yaml.MappingNode {
		w.add(n, "on must be a mapping of operation to steps")
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, val := n.Content[i], n.Content[i+1]
		if !validOp(Op(key.Value)) {
			w.add(key, "unknown operation %q under on (known: %s)", key.Value, joinOps())
			continue
		}
		w.value(val, reflect.SliceOf(stepType), "on."+key.Value, depth+1)
	}
}

func validOp(op Op) bool { return slices.Contains(ops[:], op) }

func joinOps() string { return known(ops[:]) }

// yamlFields maps struct t's yaml keys to its fields.
func yamlFields(t reflect.Type) map[string]reflect.StructField {
	out := make(map[string]reflect.StructField, t.NumField())
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		out[name] = f
	}
	return out
}

// KnownKeys lists the yaml keys a file may use for struct type t (Scenario,
// Step, Expect, …), sorted. Delay's mapping form is fixed, min, max, mean,
// stddev.
func KnownKeys(t reflect.Type) []string {
	if t == delayType {
		t = reflect.TypeOf(delayFields{})
	}
	fields := yamlFields(t)
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// lineOf finds the line of the node at path ("on.capture[1].status") in
// root, or of its nearest existing parent.
func lineOf(root *yaml.Node, path string) int {
	n := root
	for _, seg := range splitPath(path) {
		next := child(n, seg)
		if next == nil {
			break
		}
		n = next
	}
	return n.Line
}

// splitPath turns "on.capture[1].status" into ["on", "capture", "1", "status"].
func splitPath(path string) []string {
	if path == "" {
		return nil
	}
	path = strings.ReplaceAll(path, "[", ".")
	path = strings.ReplaceAll(path, "]", "")
	return strings.Split(path, ".")
}

func child(n *yaml.Node, seg string) *yaml.Node {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == seg {
				return n.Content[i+1]
			}
		}
	case yaml.SequenceNode:
		if i, err := strconv.Atoi(seg); err == nil && i >= 0 && i < len(n.Content) {
			return n.Content[i]
		}
	}
	return nil
}
