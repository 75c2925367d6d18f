package scenarios

//go:generate go run ./schemagen -o schema.json

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
)

// StatusTable is what the schema needs of the connector's status table
// (this package does not import the connector): its PSP statuses, States
// and Codes, in the table's order.
type StatusTable struct {
	Statuses, States, Codes []string
}

// schemaNode is the subset of JSON Schema 2020-12 that schema.json uses;
// its field order is the order keys are written in.
type schemaNode struct {
	Schema      string                 `json:"$schema,omitempty"`
	ID          string                 `json:"$id,omitempty"`
	Title       string                 `json:"title,omitempty"`
	Description string                 `json:"description,omitempty"`
	Ref         string                 `json:"$ref,omitempty"`
	Type        string                 `json:"type,omitempty"`
	Enum        []string               `json:"enum,omitempty"`
	Const       string                 `json:"const,omitempty"`
	Pattern     string                 `json:"pattern,omitempty"`
	MinLength   *int                   `json:"minLength,omitempty"`
	Minimum     *int                   `json:"minimum,omitempty"`
	Maximum     *int                   `json:"maximum,omitempty"`
	Items       *schemaNode            `json:"items,omitempty"`
	OneOf       []*schemaNode          `json:"oneOf,omitempty"`
	Additional  *bool                  `json:"additionalProperties,omitempty"`
	Required    []string               `json:"required,omitempty"`
	Properties  map[string]*schemaNode `json:"properties,omitempty"`
	Defs        map[string]*schemaNode `json:"$defs,omitempty"`
}

// JSONSchema writes schema.json from the Go tables the loader checks files
// against (operations, faults, states, flows, customer actions, drive
// actions, the id and amount patterns, the keys of each type) and from the
// connector's status table. `go generate ./scenarios` writes the committed
// file; a test fails when it is stale.
func JSONSchema(t StatusTable) ([]byte, error) {
	root, err := rootSchema(t)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(root); err != nil {
		return nil, fmt.Errorf("schema: %w", err)
	}
	return b.Bytes(), nil
}

func rootSchema(t StatusTable) (*schemaNode, error) {
	opSteps := map[string]*schemaNode{}
	for _, op := range ops {
		opSteps[string(op)] = ref("steps")
	}
	root, err := object(reflect.TypeOf(Scenario{}), map[string]*schemaNode{
		"id":          {Type: "string", Pattern: idRe.String(), Description: "Unique id; selected by the order reference \"<id>:<suffix>\", the X-Alma-Sandbox-Scenario header or the admin API."},
		"description": {Type: "string", Description: "What the scenario tests."},
		"status":      {Enum: uniq(t.Statuses), Description: "The PSP status (a row of the connector's status table) that driving this scenario produces; the harness takes its State and Code from the table."},
		"expect":      ref("expect"),
		"flow":        {Enum: strs(flows[:]), Description: "The connector flow the harness drives; default capture."},
		"drive":       {Type: "array", Description: "Harness actions replacing the flow's default drive.", Items: &schemaNode{Type: "string", Pattern: drivePattern()}},
		"customer":    ref("customer"),
		"session":     ref("session"),
		"decision":    ref("decision"),
		"api_key":     {Type: "string", Pattern: apiKeyRe.String(), Description: "The secret key the harness's connector sends for this scenario instead of the run's, e.g. \"sk_test_\" to see it refused; never a live key."},
		"on":          {Type: "object", Additional: ptr(false), Description: "Steps per operation, applied to successive calls; used up, the emulator behaves normally.", Properties: opSteps},
	})
	if err != nil {
		return nil, err
	}
	root.Schema = "https://json-schema.org/draft/2020-12/schema"
	root.ID = "https://github.com/alma-sandbox/alma-sandbox/scenarios/schema.json"
	root.Title = "alma-sandbox scenario"
	root.Description = "One scenario file: how the emulator answers each operation for one payment, and what the status-path harness asserts. Generated from the Go tables (go generate ./scenarios); the loader (alma-sandbox scenarios validate) is the authority, this schema is for editors."
	root.Required = []string{"id"}
	root.Defs, err = defs(t)
	return root, err
}

// defs are the schema's named parts.
func defs(t StatusTable) (map[string]*schemaNode, error) {
	out := map[string]*schemaNode{
		"duration": {Type: "string", Pattern: "^" + durationPattern + "$", Description: "A duration such as \"150ms\" or \"2s\"."},
		"state":    {Enum: strs(almaStates[:])},
		"steps":    {Type: "array", Items: ref("step")},
	}
	parts := []struct {
		name  string
		t     reflect.Type
		props map[string]*schemaNode
	}{
		{"expect", reflect.TypeOf(Expect{}), map[string]*schemaNode{
			"state": {Enum: uniq(t.States), Description: "Without a status: the State of the last result. With one, leave it out: it comes from the status table."},
			"code":  {Enum: uniq(t.Codes), Description: "Without a status: the Code of the last result. With one, leave it out: it comes from the status table."},
			"trail": {Type: "array", Items: &schemaNode{Type: "string", MinLength: ptr(1)}, Description: "The exact PSP statuses of the drive, one per connector operation."},
			"due_months": {Type: "array", Items: &schemaNode{Type: "integer", Minimum: ptr(0), Maximum: ptr(MaxDueMonths)},
				Description: "The payment plan at the end of the drive: per installment, the calendar months after the payment's creation its due date falls, e.g. [0, 1, 2, 3]."},
		}},
		{"customer", reflect.TypeOf(Customer{}), map[string]*schemaNode{
			"action": {Enum: strs(customerActions[:])}, "card": {Type: "string"}, "expiry": {Type: "string"}, "cvc": {Type: "string"},
		}},
		{"session", reflect.TypeOf(Session{}), map[string]*schemaNode{
			"amount":   {Type: "string", Pattern: amountRe.String(), Description: "Major units, e.g. \"270.92\"; default \"300.00\"."},
			"currency": {Type: "string", Description: "Default EUR."},
		}},
		{"decision", reflect.TypeOf(Decision{}), map[string]*schemaNode{
			"after": ref("duration"), "state": {Enum: strs(decisionStates[:])},
		}},
		{"delayFields", reflect.TypeOf(delayFields{}), map[string]*schemaNode{
			"fixed": ref("duration"), "min": ref("duration"), "max": ref("duration"), "mean": ref("duration"), "stddev": ref("duration"),
		}},
		{"error", reflect.TypeOf(Error{}), map[string]*schemaNode{
			"code":    {Type: "string", MinLength: ptr(1)},
			"field":   {Type: "string", Description: "With a field: a validation error with errors[]."},
			"message": {Type: "string"},
		}},
		{"step", reflect.TypeOf(Step{}), map[string]*schemaNode{
			"times":  {OneOf: []*schemaNode{{Type: "integer", Minimum: ptr(1)}, {Const: "always"}}},
			"delay":  ref("delay"),
			"fault":  {Enum: strs(faults[:])},
			"status": {Type: "integer", Minimum: ptr(100), Maximum: ptr(599)},
			"error":  ref("error"), "body": {Type: "string"}, "commit": {Type: "boolean"}, "state": ref("state"),
			"patch": {Type: "object"}, "skip": {Type: "boolean"},
			"duplicate":     {Type: "integer", Minimum: ptr(0), Maximum: ptr(MaxDuplicate)},
			"bad_signature": {Type: "boolean"},
		}},
	}
	for _, p := range parts {
		n, err := object(p.t, p.props)
		if err != nil {
			return nil, err
		}
		out[p.name] = n
	}
	out["session"].Description = "Changes the orchestrator session the harness sends (the emulator ignores it)."
	out["decision"].Required = []string{"after", "state"}
	out["error"].Required = []string{"code"}
	out["delay"] = &schemaNode{OneOf: []*schemaNode{ref("duration"), out["delayFields"]}}
	delete(out, "delayFields")
	return out, nil
}

// object is a closed object schema for struct t: exactly its yaml keys,
// each with its node in props. A key without a node, or a node for no key,
// is an error, so the schema cannot drift from the types.
func object(t reflect.Type, props map[string]*schemaNode) (*schemaNode, error) {
	keys := KnownKeys(t)
	if len(keys) != len(props) {
		return nil, fmt.Errorf("schema of %s: keys %v, described %v", t.Name(), keys, sortedKeys(props))
	}
	for _, k := range keys {
		if props[k] == nil {
			return nil, fmt.Errorf("schema of %s: key %q is not described", t.Name(), k)
		}
	}
	return &schemaNode{Type: "object", Additional: ptr(false), Properties: props}, nil
}

// durationPattern is what time.ParseDuration reads, without a sign.
const durationPattern = `[0-9.]+(ns|us|µs|ms|s|m|h)([0-9.]+(ns|us|µs|ms|s|m|h))*`

// drivePattern is the pattern of a drive entry, from the action table.
func drivePattern() string {
	var plain, cents, dur, ids []string
	for kind, arg := range actionKinds {
		switch arg {
		case "cents":
			cents = append(cents, string(kind))
		case "duration":
			dur = append(dur, string(kind))
		case "id":
			ids = append(ids, string(kind))
		default:
			plain = append(plain, string(kind))
		}
	}
	for _, s := range [][]string{plain, cents, dur, ids} {
		sort.Strings(s)
	}
	alts := append(plain, "("+strings.Join(cents, "|")+")(:[1-9][0-9]*)?")
	for _, d := range dur {
		alts = append(alts, d+":"+durationPattern)
	}
	id := strings.TrimSuffix(strings.TrimPrefix(idRe.String(), "^"), "$")
	for _, k := range ids {
		alts = append(alts, k+":"+id)
	}
	return "^(" + strings.Join(alts, "|") + ")$"
}

func ref(name string) *schemaNode { return &schemaNode{Ref: "#/$defs/" + name} }

func ptr[T any](v T) *T { return &v }

func strs[T ~string](in []T) []string {
	out := make([]string, len(in))
	for i, v := range in {
		out[i] = string(v)
	}
	return out
}

// uniq keeps the first of each value, in order.
func uniq(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, v := range in {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

func sortedKeys(m map[string]*schemaNode) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
