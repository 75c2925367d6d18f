package scenarios

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

// specNode is the subset of JSON Schema that schema.json uses.
type specNode struct {
	Ref         string               `json:"$ref"`
	Type        string               `json:"type"`
	Properties  map[string]*specNode `json:"properties"`
	Additional  *bool                `json:"additionalProperties"`
	Required    []string             `json:"required"`
	Enum        []any                `json:"enum"`
	Const       any                  `json:"const"`
	Pattern     string               `json:"pattern"`
	Minimum     *float64             `json:"minimum"`
	Maximum     *float64             `json:"maximum"`
	MinLength   *int                 `json:"minLength"`
	Items       *specNode            `json:"items"`
	OneOf       []*specNode          `json:"oneOf"`
	Defs        map[string]*specNode `json:"$defs"`
	Description string               `json:"description"`
}

func loadSchema(t *testing.T) *specNode {
	t.Helper()
	data, err := os.ReadFile("schema.json")
	require.NoError(t, err)
	var s specNode
	require.NoError(t, json.Unmarshal(data, &s))
	return &s
}

// check validates a decoded YAML value against node; root resolves $ref.
func (s *specNode) check(root *specNode, v any, where string) []string {
	if s.Ref != "" {
		return root.Defs[strings.TrimPrefix(s.Ref, "#/$defs/")].check(root, v, where)
	}
	if len(s.OneOf) > 0 {
		matches := 0
		for _, alt := range s.OneOf {
			if len(alt.check(root, v, where)) == 0 {
				matches++
			}
		}
		if matches != 1 {
			return []string{fmt.Sprintf("%s: %v matches %d of oneOf", where, v, matches)}
		}
		return nil
	}
	if s.Enum != nil && !slices.ContainsFunc(s.Enum, func(e any) bool { return fmt.Sprint(e) == fmt.Sprint(v) }) {
		return []string{fmt.Sprintf("%s: %v not in enum", where, v)}
	}
	if s.Const != nil && fmt.Sprint(s.Const) != fmt.Sprint(v) {
		return []string{fmt.Sprintf("%s: %v is not %v", where, v, s.Const)}
	}
	return s.checkType(root, v, where)
}

func (s *specNode) checkType(root *specNode, v any, where string) []string {
	switch s.Type {
	case "object":
		m, ok := v.(map[string]any)
		if !ok {
			return []string{where + ": not an object"}
		}
		return s.checkObject(root, m, where)
	case "array":
		list, ok := v.([]any)
		if !ok {
			return []string{where + ": not an array"}
		}
		var out []string
		for i, item := range list {
			out = append(out, s.Items.check(root, item, fmt.Sprintf("%s[%d]", where, i))...)
		}
		return out
	case "string":
		str, ok := v.(string)
		switch {
		case !ok:
			return []string{where + ": not a string"}
		case s.Pattern != "" && !regexp.MustCompile(s.Pattern).MatchString(str):
			return []string{fmt.Sprintf("%s: %q does not match %s", where, str, s.Pattern)}
		case s.MinLength != nil && len(str) < *s.MinLength:
			return []string{where + ": too short"}
		}
	case "integer":
		n, ok := v.(int)
		switch {
		case !ok:
			return []string{where + ": not an integer"}
		case s.Minimum != nil && float64(n) < *s.Minimum, s.Maximum != nil && float64(n) > *s.Maximum:
			return []string{fmt.Sprintf("%s: %d out of range", where, n)}
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			return []string{where + ": not a boolean"}
		}
	}
	return nil
}

func (s *specNode) checkObject(root *specNode, m map[string]any, where string) []string {
	var out []string
	for _, k := range s.Required {
		if _, ok := m[k]; !ok {
			out = append(out, fmt.Sprintf("%s: %s is required", where, k))
		}
	}
	for k, val := range m {
		p, ok := s.Properties[k]
		if !ok {
			if s.Additional != nil && !*s.Additional {
				out = append(out, fmt.Sprintf("%s: unknown key %s", where, k))
			}
			continue
		}
		out = append(out, p.check(root, val, where+"."+k)...)
	}
	return out
}

func (s *specNode) def(t *testing.T, name string) *specNode {
	t.Helper()
	d, ok := s.Defs[name]
	require.True(t, ok, "schema.json has no $defs/%s", name)
	return d
}

func keysOf(m map[string]*specNode) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestSchemaKeysMatchTypes keeps schema.json's key sets equal to the Go
// types the loader reads.
func TestSchemaKeysMatchTypes(t *testing.T) {
	s := loadSchema(t)
	assert.Equal(t, KnownKeys(reflect.TypeOf(Scenario{})), keysOf(s.Properties), "scenario")
	assert.Equal(t, KnownKeys(reflect.TypeOf(Step{})), keysOf(s.def(t, "step").Properties), "step")
	assert.Equal(t, KnownKeys(reflect.TypeOf(Expect{})), keysOf(s.def(t, "expect").Properties), "expect")
	assert.Equal(t, KnownKeys(reflect.TypeOf(Customer{})), keysOf(s.def(t, "customer").Properties), "customer")
	assert.Equal(t, KnownKeys(reflect.TypeOf(Session{})), keysOf(s.def(t, "session").Properties), "session")
	assert.Equal(t, KnownKeys(reflect.TypeOf(Decision{})), keysOf(s.def(t, "decision").Properties), "decision")
	assert.Equal(t, KnownKeys(reflect.TypeOf(Error{})), keysOf(s.def(t, "error").Properties), "error")
	assert.Equal(t, KnownKeys(reflect.TypeOf(Delay{})), keysOf(s.def(t, "delay").OneOf[1].Properties), "delay")
	ops := make([]string, len(Ops()))
	for i, op := range Ops() {
		ops[i] = string(op)
	}
	sort.Strings(ops)
	assert.Equal(t, ops, keysOf(s.Properties["on"].Properties), "on")
	assert.ElementsMatch(t, Faults(), toFaults(s.def(t, "step").Properties["fault"].Enum))
	assert.ElementsMatch(t, AlmaStates(), toStrings(s.def(t, "state").Enum))
	assert.ElementsMatch(t, CustomerActions(), toStrings(s.def(t, "customer").Properties["action"].Enum))
}

// TestEmbeddedFilesMatchSchema validates every shipped file against
// schema.json with the subset validator above.
func TestEmbeddedFilesMatchSchema(t *testing.T) {
	s := loadSchema(t)
	files, err := fs.Glob(embedded, "*.yaml")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, name := range files {
		t.Run(name, func(t *testing.T) {
			data, err := fs.ReadFile(embedded, name)
			require.NoError(t, err)
			var v any
			require.NoError(t, yaml.Unmarshal(data, &v))
			assert.Empty(t, s.check(s, v, name))
		})
	}
}

// TestSchemaRejectsBadFiles shows the schema check can fail.
func TestSchemaRejectsBadFiles(t *testing.T) {
	s := loadSchema(t)
	for _, src := range []string{
		"colour: red\n",
		"id: a\non: {get: [{status: 700}]}\n",
		"id: a\non: {get: [{times: 0}]}\n",
		"id: a\non: {get_payment: []}\n",
		"id: a\ndrive: [jump]\n",
		"id: a\ndrive: [\"arm:Not_An_Id\"]\n",
		"id: a\non: {get: [{delay: soon}]}\n",
		"id: a\non: {get: [{error: {field: x}}]}\n",
		"id: a\nstatus: MAYBE\n",
		"id: a\nexpect: {state: DONE}\n",
	} {
		var v any
		require.NoError(t, yaml.Unmarshal([]byte(src), &v))
		assert.NotEmpty(t, s.check(s, v, "bad"), src)
	}
	var ok any
	require.NoError(t, yaml.Unmarshal([]byte("id: a\non: {get: [{times: always, delay: {min: 1ms, max: 2ms}}]}\n"), &ok))
	assert.Empty(t, s.check(s, ok, "good"))
	require.NoError(t, yaml.Unmarshal([]byte("id: a\ndrive: [\"arm:create_server_error\", initialize]\n"), &ok))
	assert.Empty(t, s.check(s, ok, "arms"))
}

func toStrings(in []any) []string {
	out := make([]string, len(in))
	for i, v := range in {
		out[i] = fmt.Sprint(v)
	}
	return out
}

func toFaults(in []any) []Fault {
	out := make([]Fault, len(in))
	for i, v := range in {
		out[i] = Fault(fmt.Sprint(v))
	}
	return out
}
