package scenarios

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseGoodFile(t *testing.T) {
	src := `# a comment first
id: capture_502_twice
description: capture fails twice then succeeds
status: SUCCESS
expect: {state: SUCCESS, code: SUCCEEDED, trail: [not_started, scored_yes, PARTNER_BAD_GATEWAY]}
flow: authorize
drive: [initialize, customer, verify, "capture:1000", "advance:720h"]
customer: {action: pay, card: "4000 0000 0000 0002"}
decision: {after: 50ms, state: scored_yes}
on:
  capture:
    - {status: 502, times: 2}
    - {delay: 150ms}
  get:
    - fault: hang
      times: always
    - delay: {min: 10ms, max: 20ms}
    - delay: {mean: 10ms, stddev: 2ms}
      patch: {purchase_amount: 1}
  create:
    - {fault: reset, commit: true}
  ipn:
    - {duplicate: 2, bad_signature: true}
`
	sc, err := Parse("good.yaml", []byte(src))
	require.NoError(t, err)
	assert.Equal(t, "capture_502_twice", sc.ID)
	assert.Equal(t, "good.yaml", sc.File)
	assert.Equal(t, 2, sc.Line)
	assert.Equal(t, FlowAuthorize, sc.Flow)
	assert.Equal(t, []string{"not_started", "scored_yes", "PARTNER_BAD_GATEWAY"}, sc.Expect.Trail)
	assert.Equal(t, 50*time.Millisecond, sc.Decision.After.Std())
	require.Len(t, sc.On[OpCapture], 2)
	assert.Equal(t, 502, sc.On[OpCapture][0].Status)
	assert.Equal(t, 2, sc.On[OpCapture][0].Times.Count())
	assert.Equal(t, 1, sc.On[OpCapture][1].Times.Count())
	assert.Equal(t, "fixed", sc.On[OpCapture][1].Delay.Kind())
	assert.Equal(t, Always, sc.On[OpGet][0].Times)
	assert.Equal(t, 0, sc.On[OpGet][0].Times.Count())
	assert.Equal(t, "uniform", sc.On[OpGet][1].Delay.Kind())
	assert.Equal(t, 20*time.Millisecond, sc.On[OpGet][1].Delay.Max.Std())
	assert.Equal(t, "normal", sc.On[OpGet][2].Delay.Kind())
	assert.Equal(t, map[string]any{"purchase_amount": 1}, sc.On[OpGet][2].Patch)
	assert.True(t, sc.On[OpCreate][0].Commit)
	assert.Equal(t, 2, sc.On[OpIPN][0].Duplicate)
	acts, err := sc.Actions()
	require.NoError(t, err)
	assert.Equal(t, Action{Kind: ActCapture, Cents: 1000}, acts[3])
	assert.Equal(t, Action{Kind: ActAdvance, By: 720 * time.Hour}, acts[4])
}

func TestParseRejects(t *testing.T) {
	tests := []struct {
		name string
		src  string
		line int
		msg  string
	}{
		{"unknown top key", "id: a\ncolour: red\n", 2, `unknown key "colour" in the scenario`},
		{"unknown step key", "id: a\non:\n  get:\n    - {fault: hang, tims: 2}\n", 4, `unknown key "tims" in on.get[0]`},
		{"unknown expect key", "id: a\nexpect:\n  state: ERROR\n  cod: FAILED\n", 4, `unknown key "cod" in expect`},
		{"unknown delay key", "id: a\non:\n  get:\n    - delay: {low: 1s}\n", 4, `unknown key "low" in on.get[0].delay`},
		{"unknown op", "id: a\non:\n  get_payment:\n    - fault: hang\n", 3, `unknown operation "get_payment"`},
		{"unknown fault", "id: a\non:\n  get:\n    - fault: explode\n", 4, `unknown fault "explode"`},
		{"unknown flow", "id: a\nflow: direct\n", 2, `unknown flow "direct"`},
		{"unknown step state", "id: a\non:\n  customer:\n    - state: scored_perhaps\n", 4, `unknown payment state "scored_perhaps"`},
		{"unknown decision state", "id: a\ndecision: {after: 1s, state: paid}\n", 2, `must be scored_yes or scored_no`},
		{"unknown customer action", "id: a\ncustomer: {action: dance}\n", 2, `unknown customer action "dance"`},
		{"negative times", "id: a\non:\n  get:\n    - {status: 500, times: -1}\n", 4, `times must be a positive number or "always"`},
		{"zero times", "id: a\non:\n  get:\n    - {status: 500, times: 0}\n", 4, `times must be a positive number`},
		{"times word", "id: a\non:\n  get:\n    - {status: 500, times: often}\n", 4, `times must be a positive number`},
		{"status too high", "id: a\non:\n  get:\n    - status: 600\n", 4, `status 600 is not an HTTP status (100–599)`},
		{"status too low", "id: a\non:\n  get:\n    - status: 99\n", 4, `status 99 is not an HTTP status`},
		{"status not a number", "id: a\non:\n  get:\n    - status: teapot\n", 4, `expected a whole number, got the string "teapot"`},
		{"bad duration", "id: a\non:\n  get:\n    - delay: soon\n", 4, `bad duration "soon"`},
		{"negative duration", "id: a\non:\n  get:\n    - delay: -5ms\n", 4, `must not be negative`},
		{"delay min above max", "id: a\non:\n  get:\n    - delay: {min: 2s, max: 1s}\n", 4, `delay max 1s is below min 2s`},
		{"delay two forms", "id: a\non:\n  get:\n    - delay: {fixed: 1s, mean: 2s}\n", 4, `a delay is one of`},
		{"error without code", "id: a\non:\n  create:\n    - error: {field: payment.purchase_amount}\n", 4, `error needs a code`},
		{"error and fault", "id: a\non:\n  create:\n    - {error: {code: x}, fault: reset}\n", 4, `a step answers one thing`},
		{"body without status", "id: a\non:\n  get:\n    - body: '{}'\n", 4, `a raw body needs the status`},
		{"status with reset", "id: a\non:\n  get:\n    - {fault: reset, status: 500}\n", 4, `fault reset sends no answer`},
		{"commit alone", "id: a\non:\n  create:\n    - commit: true\n", 4, `commit only means something`},
		{"ipn option elsewhere", "id: a\non:\n  get:\n    - {skip: true}\n", 4, `for on.ipn steps only`},
		{"ipn with status", "id: a\non:\n  ipn:\n    - {status: 500}\n", 4, `an ipn step may only say`},
		{"duplicate too many", "id: a\non:\n  ipn:\n    - skip: false\n      duplicate: 1000000\n", 5, `duplicate 1000000 is more than 10`},
		{"state on capture", "id: a\non:\n  capture:\n    - state: paid\n", 4, `state is for on.customer and on.get steps only`},
		{"state on ipn", "id: a\non:\n  ipn:\n    - state: paid\n", 4, `state is for on.customer and on.get steps only`},
		{"bad drive action", "id: a\ndrive: [initialize, pay]\n", 2, `unknown drive action "pay"`},
		{"bad drive amount", "id: a\ndrive: [\"refund:lots\"]\n", 2, `positive amount in cents`},
		{"bad arm id", "id: a\ndrive: [\"arm:No\"]\n", 2, `needs a scenario id`},
		{"arm with steps", "id: a\ndrive: [\"arm:b\", initialize]\non:\n  create:\n    - status: 500\n", 4, `own on: steps would never apply`},
		{"api key with a space", "id: a\napi_key: \"sk_test_a b\"\n", 2, `api_key must be 1 to 128 printable ASCII`},
		{"api key too long", "id: a\napi_key: sk_test_" + strings.Repeat("x", 121) + "\n", 2, `api_key must be 1 to 128 printable ASCII`},
		{"live api key", "id: a\napi_key: sk_live_abc\n", 2, `must not be a live key`},
		{"negative due month", "id: a\nexpect: {due_months: [0, -1]}\n", 2, `due_months entries are months after creation, 0 to 120, not -1`},
		{"bad session amount", "id: a\nsession: {amount: 12.345}\n", 2, `session amount "12.345" must be a decimal`},
		{"missing id", "description: nothing\n", 1, `id is missing`},
		{"bad id", "id: Verify:Timeout\n", 1, `must be lowercase letters`},
		{"duplicate key", "id: a\nflow: capture\nflow: pending\n", 3, `duplicate key "flow" (first at line 2)`},
		{"steps not a list", "id: a\non:\n  get: {fault: hang}\n", 3, `on.get must be a list`},
		{"not a mapping", "- id: a\n", 1, `a scenario file is a mapping`},
		{"empty", "", 1, `empty file`},
		{"syntax", "id: a\n  b: [\n", 2, `mapping values are not allowed`},
		{"two documents", "id: a\n---\nid: b\n", 2, `one scenario per file`},
		{"alias", "id: a\nexpect: &e {state: X, code: Y}\ncustomer: *e\n", 3, `aliases`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("bad.yaml", []byte(tt.src))
			require.Error(t, err)
			var ps Problems
			require.True(t, errors.As(err, &ps), "error %v is not Problems", err)
			found := false
			for _, p := range ps {
				if p.Line == tt.line && p.File == "bad.yaml" && strings.Contains(p.Msg, tt.msg) {
					found = true
				}
			}
			assert.True(t, found, "want bad.yaml:%d: …%s…; got:\n%v", tt.line, tt.msg, err)
		})
	}
}

func TestParseReportsEveryProblem(t *testing.T) {
	src := "id: a\ncolour: red\non:\n  get:\n    - status: 700\n    - {times: -2, fault: boom}\n"
	_, err := Parse("many.yaml", []byte(src))
	require.Error(t, err)
	assert.Equal(t, `many.yaml:2: unknown key "colour" in the scenario (known keys: api_key, customer, decision, description, drive, expect, flow, id, on, session, status)
many.yaml:5: status 700 is not an HTTP status (100–599)
many.yaml:6: times must be a positive number or "always", not "-2"
many.yaml:6: unknown fault "boom" (known: hang, reset, empty, malformed, truncated, html, stall)`, err.Error())
}
