package scenarios

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTablesAreCopies changes what each table function returns: the next
// call, and the loader, still see the original table.
func TestTablesAreCopies(t *testing.T) {
	Ops()[0] = "jump"
	Faults()[0] = "explode"
	AlmaStates()[0] = "weird"
	Flows()[0] = "sideways"
	CustomerActions()[0] = "dance"
	DecisionStates()[0] = "paid"
	assert.Equal(t, OpCreate, Ops()[0])
	assert.Equal(t, FaultHang, Faults()[0])
	assert.Equal(t, "not_started", AlmaStates()[0])
	assert.Equal(t, FlowCapture, Flows()[0])
	assert.Equal(t, "pay", CustomerActions()[0])
	assert.Equal(t, "scored_yes", DecisionStates()[0])
	_, err := Parse("ok.yaml", []byte("id: a\nflow: capture\ncustomer: {action: pay}\non:\n  create:\n    - fault: hang\n  customer:\n    - state: not_started\n"))
	require.NoError(t, err)
}

// TestStatusAloneParses: a row scenario names its status; its State and Code
// come from the connector's table, so the file need not repeat them.
func TestStatusAloneParses(t *testing.T) {
	sc, err := Parse("row.yaml", []byte("id: a\nstatus: TIMEOUT\n"))
	require.NoError(t, err)
	assert.Equal(t, "TIMEOUT", sc.Status)
	assert.Empty(t, sc.Expect.State)
	assert.True(t, sc.HasExpectation())
}

func TestHasExpectation(t *testing.T) {
	tests := []struct {
		name string
		sc   Scenario
		want bool
	}{
		{"nothing", Scenario{ID: "a", On: map[Op][]Step{OpCapture: {{Status: 502}}}}, false},
		{"status", Scenario{ID: "a", Status: "TIMEOUT"}, true},
		{"state", Scenario{ID: "a", Expect: Expect{State: "SUCCESS"}}, true},
		{"code", Scenario{ID: "a", Expect: Expect{Code: "SUCCEEDED"}}, true},
		{"trail", Scenario{ID: "a", Expect: Expect{Trail: []string{"not_started"}}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.sc.HasExpectation())
		})
	}
}
