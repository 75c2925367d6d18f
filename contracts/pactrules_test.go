package contracts

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alma-sandbox/alma-sandbox/connector"
)

// committedPact is the contract in the repository. This file needs no Pact
// library: it reads the committed pact as JSON, so it runs in a plain
// go test ./... as well.
var committedPact = filepath.Join("pacts", "alma-connector-alma-api.json")

// TestCommittedPactPinsWhatTheConnectorBranchesOn checks the committed pact,
// not the consumer tests that write it: a pact weakened and committed with
// -update fails here even though it passes the drift check and the
// provider verification.
func TestCommittedPactPinsWhatTheConnectorBranchesOn(t *testing.T) {
	doc := loadPact(t, committedPact)
	assert.Empty(t, pactProblems(doc), "the committed pact lets the provider change the connector's outcome")
	require.NotZero(t, countPayments(doc), "the pact holds payment answers")
}

// TestWeakenedPactsAreCaught weakens the committed pact in each way a
// careless -update could, and checks pactProblems names the field.
func TestWeakenedPactsAreCaught(t *testing.T) {
	tests := []struct {
		name   string
		weaken func(t *testing.T, doc pactDoc)
		want   string
	}{
		{"state matched by type", func(t *testing.T, doc pactDoc) {
			addRule(t, firstResponse(t, doc, "GET", 200), "$.state", "type")
		}, "$.state"},
		{"expired_at removed", func(t *testing.T, doc pactDoc) {
			delete(firstResponse(t, doc, "GET", 200)["body"].(map[string]any), "expired_at")
		}, "expired_at"},
		{"a listed payment's state matched by type", func(t *testing.T, doc pactDoc) {
			addRule(t, listResponse(t, doc), "$.data[*].state", "type")
		}, "$.data[0].state"},
		{"a whole list matched by type, no rule below", func(t *testing.T, doc pactDoc) {
			r := listResponse(t, doc)
			rules := r["matchingRules"].(map[string]any)["body"].(map[string]any)
			for k := range rules {
				if k != "$.data" {
					delete(rules, k)
				}
			}
		}, "$.data[0].state"},
		{"installment state matched by type", func(t *testing.T, doc pactDoc) {
			resp := firstResponse(t, doc, "GET", 200)
			addRule(t, resp, "$.payment_plan[*].state", "type")
			for path := range bodyRules(resp) {
				if strings.HasPrefix(path, "$.payment_plan[") && strings.HasSuffix(path, "].state") {
					addRule(t, resp, path, "type")
				}
			}
		}, "$.payment_plan[0].state"},
		{"date_paid removed", func(t *testing.T, doc pactDoc) {
			body := firstResponse(t, doc, "GET", 200)["body"].(map[string]any)
			delete(body["payment_plan"].([]any)[0].(map[string]any), "date_paid")
		}, "date_paid"},
		{"error code matched by regex", func(t *testing.T, doc pactDoc) {
			addRule(t, firstResponse(t, doc, "POST", 402), "$.error_code", "regex")
		}, "$.error_code"},
		{"origin matched by type", func(t *testing.T, doc pactDoc) {
			addRule(t, createRequestOf(t, doc), "$.payment.origin", "type")
		}, "$.payment.origin"},
		{"capture_method matched by type", func(t *testing.T, doc pactDoc) {
			for _, i := range doc.interactions() {
				req := i["request"].(map[string]any)
				if isCreate(req) && get(req["body"], "payment", "capture_method") != nil {
					addRule(t, req, "$.payment.capture_method", "regex")
					return
				}
			}
			t.Fatal("no create with capture_method")
		}, "$.payment.capture_method"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := loadPact(t, committedPact)
			tt.weaken(t, doc)
			problems := pactProblems(doc)
			require.NotEmpty(t, problems, "the weakened pact passed")
			assert.Contains(t, strings.Join(problems, "\n"), tt.want)
		})
	}
}

// pactDoc is a pact file decoded as generic JSON.
type pactDoc map[string]any

// interactions returns the pact's interactions.
func (d pactDoc) interactions() []map[string]any {
	var out []map[string]any
	list, _ := d["interactions"].([]any)
	for _, v := range list {
		if m, ok := v.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// loadPact reads a pact file.
func loadPact(t *testing.T, path string) pactDoc {
	t.Helper()
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	var doc pactDoc
	require.NoError(t, json.Unmarshal(raw, &doc), path)
	return doc
}

// pactProblems lists what in the pact lets the provider change the
// connector's outcome unnoticed:
//   - every payment answer (a payment, or each entry of a list) carries
//     state, matched exactly, and expired_at;
//   - every field of connector.ClassifiedFields is present in payment
//     answers where it belongs, and matched exactly when the row depends
//     on its value (also in error answers);
//   - create requests carry payment.origin, and payment.capture_method
//     when sent, matched exactly.
func pactProblems(doc pactDoc) []string {
	var problems []string
	for _, i := range doc.interactions() {
		name, _ := i["description"].(string)
		req, _ := i["request"].(map[string]any)
		resp, _ := i["response"].(map[string]any)
		for _, p := range responseProblems(resp) {
			problems = append(problems, fmt.Sprintf("%q: response %s", name, p))
		}
		for _, p := range requestProblems(req) {
			problems = append(problems, fmt.Sprintf("%q: request %s", name, p))
		}
	}
	return problems
}

// responseProblems checks one response.
func responseProblems(resp map[string]any) []string {
	rules := bodyRules(resp)
	var problems []string
	for _, p := range paymentsIn(resp["body"]) {
		problems = append(problems, paymentProblems(p.value, p.path, rules)...)
	}
	if isErrorBody(resp) {
		for _, f := range connector.ClassifiedFields() {
			if f.Exact {
				problems = append(problems, exactWherePresent(resp["body"], nil, splitPath(f.Path), rules)...)
			}
		}
	}
	return problems
}

// paymentProblems checks one payment object found at path.
func paymentProblems(p map[string]any, path []string, rules map[string][]string) []string {
	var problems []string
	for _, key := range []string{"state", "expired_at"} {
		if _, ok := p[key]; !ok {
			problems = append(problems, fmt.Sprintf("%s: a payment without %s", jsonPath(path), key))
		}
	}
	for _, f := range connector.ClassifiedFields() {
		if strings.HasPrefix(f.Path, "error") {
			continue
		}
		problems = append(problems, presentEverywhere(p, path, splitPath(f.Path))...)
		if f.Exact {
			problems = append(problems, exactWherePresent(p, path, splitPath(f.Path), rules)...)
		}
	}
	return problems
}

// requestProblems checks a create request's origin and capture_method.
func requestProblems(req map[string]any) []string {
	if !isCreate(req) {
		return nil
	}
	rules := bodyRules(req)
	body := req["body"]
	var problems []string
	if get(body, "payment", "origin") == nil {
		problems = append(problems, "$.payment.origin: missing from a create")
	}
	for _, f := range [][]string{{"payment", "origin"}, {"payment", "capture_method"}} {
		if get(body, f...) != nil && !isExact(rules, f) {
			problems = append(problems, jsonPath(f)+": not matched exactly")
		}
	}
	return problems
}

// located is a JSON object and where it is.
type located struct {
	path  []string
	value map[string]any
}

// paymentsIn finds the payment objects of a body: the body itself, or each
// entry of a list's data.
func paymentsIn(body any) []located {
	m, ok := body.(map[string]any)
	if !ok {
		return nil
	}
	if data, ok := m["data"].([]any); ok {
		var out []located
		for n, e := range data {
			if p, ok := e.(map[string]any); ok && isPayment(p) {
				out = append(out, located{[]string{"data", strconv.Itoa(n)}, p})
			}
		}
		return out
	}
	if isPayment(m) {
		return []located{{nil, m}}
	}
	return nil
}

// isPayment reports whether an object is a payment: it has an id and a
// payment plan or installments count.
func isPayment(m map[string]any) bool {
	_, id := m["id"]
	_, plan := m["installments_count"]
	return id && plan
}

// isErrorBody reports whether a response is an error with a JSON body.
func isErrorBody(resp map[string]any) bool {
	status, _ := resp["status"].(float64)
	_, ok := resp["body"].(map[string]any)
	return status >= 400 && ok
}

// isCreate reports whether a request is POST /v1/payments.
func isCreate(req map[string]any) bool {
	return req["method"] == "POST" && req["path"] == "/v1/payments"
}

// presentEverywhere checks that field (a path whose "" steps mean each
// element of an array) is in v wherever its parent is.
func presentEverywhere(v any, at, field []string) []string {
	if len(field) == 0 {
		return nil
	}
	if field[0] == "" {
		list, _ := v.([]any)
		var problems []string
		for n, e := range list {
			problems = append(problems, presentEverywhere(e, append(at, strconv.Itoa(n)), field[1:])...)
		}
		return problems
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	next, ok := m[field[0]]
	if !ok {
		return []string{fmt.Sprintf("%s: missing", jsonPath(append(at, field[0])))}
	}
	return presentEverywhere(next, append(at, field[0]), field[1:])
}

// exactWherePresent checks that each occurrence of field in v is matched
// exactly.
func exactWherePresent(v any, at, field []string, rules map[string][]string) []string {
	if len(field) == 0 {
		if isExact(rules, at) {
			return nil
		}
		return []string{jsonPath(at) + ": not matched exactly"}
	}
	if field[0] == "" {
		list, _ := v.([]any)
		var problems []string
		for n, e := range list {
			problems = append(problems, exactWherePresent(e, append(at, strconv.Itoa(n)), field[1:], rules)...)
		}
		return problems
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	next, ok := m[field[0]]
	if !ok {
		return nil
	}
	return exactWherePresent(next, append(at, field[0]), field[1:], rules)
}

// splitPath splits a ClassifiedFields path: "payment_plan[].state" →
// ["payment_plan", "", "state"].
func splitPath(p string) []string {
	var out []string
	for _, part := range strings.Split(p, ".") {
		name, arr := strings.CutSuffix(part, "[]")
		out = append(out, name)
		if arr {
			out = append(out, "")
		}
	}
	return out
}

// jsonPath writes a concrete path as pact does: $.data[0].state.
func jsonPath(path []string) string {
	var b strings.Builder
	b.WriteString("$")
	for _, p := range path {
		if _, err := strconv.Atoi(p); err == nil {
			b.WriteString("[" + p + "]")
			continue
		}
		b.WriteString("." + p)
	}
	return b.String()
}

// bodyRules returns a request's or response's body matching rules: rule
// path → the kinds of its matchers.
func bodyRules(part map[string]any) map[string][]string {
	out := map[string][]string{}
	mr, _ := part["matchingRules"].(map[string]any)
	body, _ := mr["body"].(map[string]any)
	for path, v := range body {
		rule, _ := v.(map[string]any)
		list, _ := rule["matchers"].([]any)
		for _, m := range list {
			mm, _ := m.(map[string]any)
			kind, _ := mm["match"].(string)
			out[path] = append(out[path], kind)
		}
	}
	return out
}

// isExact reports whether the value at a concrete path is compared for
// equality: the most specific rule that applies to it (its own, or an
// ancestor's, as Pact's matchers cascade to children) is none or equality.
func isExact(rules map[string][]string, path []string) bool {
	best, bestWeight := []string(nil), 0
	for rp, kinds := range rules {
		if w := ruleWeight(ruleTokens(rp), path); w > bestWeight {
			best, bestWeight = kinds, w
		}
	}
	for _, k := range best {
		if k != "equality" {
			return false
		}
	}
	return true
}

// ruleTokens splits a rule path: "$.data[*].state" → ["data", "*", "state"].
func ruleTokens(rp string) []string {
	rp = strings.TrimPrefix(rp, "$")
	rp = strings.ReplaceAll(rp, "[", ".")
	rp = strings.ReplaceAll(rp, "]", "")
	var out []string
	for _, t := range strings.Split(rp, ".") {
		if t != "" {
			out = append(out, strings.Trim(t, "'"))
		}
	}
	return out
}

// ruleWeight is how specifically rule tokens apply to a concrete path, as
// Pact weighs them: 0 when they do not match its start; else 2 per step
// named exactly and 1 per "*", so the deepest, most exact rule wins.
func ruleWeight(tokens, path []string) int {
	if len(tokens) > len(path) {
		return 0
	}
	w := 1 // the root
	for i, tok := range tokens {
		switch tok {
		case path[i]:
			w += 2
		case "*":
			w++
		default:
			return 0
		}
	}
	return w
}

// get reads a nested key of decoded JSON; nil when absent.
func get(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// countPayments counts the payment answers of a pact.
func countPayments(doc pactDoc) int {
	n := 0
	for _, i := range doc.interactions() {
		resp, _ := i["response"].(map[string]any)
		n += len(paymentsIn(resp["body"]))
	}
	return n
}

// firstResponse is the response of the first interaction with method and
// status that carries a body.
func firstResponse(t *testing.T, doc pactDoc, method string, status float64) map[string]any {
	t.Helper()
	for _, i := range doc.interactions() {
		req, resp := i["request"].(map[string]any), i["response"].(map[string]any)
		if req["method"] == method && resp["status"] == status && resp["body"] != nil {
			if method != "GET" || len(paymentsIn(resp["body"])) == 1 {
				return resp
			}
		}
	}
	t.Fatalf("no %s answered %v with a body", method, status)
	return nil
}

// listResponse is the response of the payment list.
func listResponse(t *testing.T, doc pactDoc) map[string]any {
	t.Helper()
	for _, i := range doc.interactions() {
		if resp := i["response"].(map[string]any); get(resp["body"], "data") != nil {
			return resp
		}
	}
	t.Fatal("no list answer")
	return nil
}

// createRequestOf is the request of the first create.
func createRequestOf(t *testing.T, doc pactDoc) map[string]any {
	t.Helper()
	for _, i := range doc.interactions() {
		if req := i["request"].(map[string]any); isCreate(req) {
			return req
		}
	}
	t.Fatal("no create")
	return nil
}

// addRule sets a body matching rule on a request or response.
func addRule(t *testing.T, part map[string]any, path, kind string) {
	t.Helper()
	mr, _ := part["matchingRules"].(map[string]any)
	if mr == nil {
		mr = map[string]any{}
		part["matchingRules"] = mr
	}
	body, _ := mr["body"].(map[string]any)
	if body == nil {
		body = map[string]any{}
		mr["body"] = body
	}
	body[path] = map[string]any{"combine": "AND", "matchers": []any{map[string]any{"match": kind}}}
}
