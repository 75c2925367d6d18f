package replay

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/alma-sandbox/alma-sandbox/scenarios"
)

// statuses walks n calls of op and returns each step's Status (0 = nil step).
func statuses(s *Script, op scenarios.Op, n int) []int {
	out := make([]int, n)
	for i := range out {
		if st := s.Next(op); st != nil {
			out[i] = st.Status
		}
	}
	return out
}

func TestScriptSequences(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		steps []scenarios.Step
		want  []int
	}{
		{name: "no steps", want: []int{0, 0}},
		{name: "one step, times defaults to 1", steps: []scenarios.Step{{Status: 500}}, want: []int{500, 0, 0}},
		{name: "fail twice then succeed", steps: []scenarios.Step{{Status: 502, Times: 2}}, want: []int{502, 502, 0, 0}},
		{name: "successive answers", steps: []scenarios.Step{{Status: 503}, {Status: 500, Times: 2}, {Status: 429}},
			want: []int{503, 500, 500, 429, 0}},
		{name: "always", steps: []scenarios.Step{{Status: 504, Times: scenarios.Always}}, want: []int{504, 504, 504, 504}},
		{name: "always after a first answer", steps: []scenarios.Step{{Status: 500}, {Status: 503, Times: scenarios.Always}, {Status: 418}},
			want: []int{500, 503, 503, 503}},
		{name: "negative times other than always counts once", steps: []scenarios.Step{{Status: 500, Times: -5}}, want: []int{500, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := NewScript(steps("x", scenarios.OpGet, tt.steps...))
			assert.Equal(t, tt.want, statuses(&s, scenarios.OpGet, len(tt.want)))
		})
	}
}

func TestScriptOpsIndependent(t *testing.T) {
	t.Parallel()
	sc := &scenarios.Scenario{ID: "x", On: map[scenarios.Op][]scenarios.Step{
		scenarios.OpGet:     {{Status: 500}},
		scenarios.OpCapture: {{Status: 402}, {Status: 503}},
	}}
	s := NewScript(sc)
	assert.Same(t, sc, s.Scenario())
	assert.Equal(t, []int{402}, statuses(&s, scenarios.OpCapture, 1))
	assert.Equal(t, []int{500, 0}, statuses(&s, scenarios.OpGet, 2))
	assert.Equal(t, []int{503, 0}, statuses(&s, scenarios.OpCapture, 2))
	assert.Nil(t, s.Next(scenarios.OpRefund))
}

func TestScriptNil(t *testing.T) {
	t.Parallel()
	s := NewScript(nil)
	assert.Nil(t, s.Next(scenarios.OpGet))
	assert.Nil(t, s.Scenario())
	assert.Empty(t, s.ID())
}

func TestScriptPeekDoesNotAdvance(t *testing.T) {
	t.Parallel()
	s := NewScript(steps("x", scenarios.OpGet, scenarios.Step{Status: 500}, scenarios.Step{Status: 503}))
	assert.Equal(t, 500, s.Peek(scenarios.OpGet).Status)
	assert.Equal(t, 500, s.Peek(scenarios.OpGet).Status)
	assert.Equal(t, []int{500, 503, 0}, statuses(&s, scenarios.OpGet, 3))
	assert.Nil(t, s.Peek(scenarios.OpGet))
}
