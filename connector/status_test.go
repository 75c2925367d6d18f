package connector_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alma-sandbox/alma-sandbox/connector"
)

func TestStatusesTable(t *testing.T) {
	require.Len(t, connector.Statuses(), 41)
	states := map[string]bool{connector.StateWaiting: true, connector.StateSuccess: true,
		connector.StateError: true, connector.StatePending: true, connector.StateUncertain: true}
	seen := map[string]bool{}
	for i, r := range connector.Statuses() {
		assert.Equal(t, i+1, r.N, "rows are numbered in order")
		assert.True(t, states[r.State], "row %d state %q", r.N, r.State)
		assert.NotEmpty(t, r.Code, "row %d", r.N)
		assert.NotEmpty(t, r.Description, "row %d", r.N)
		assert.False(t, seen[r.PSPStatus], "duplicate %q", r.PSPStatus)
		seen[r.PSPStatus] = true
	}
}

func TestLookupUnknown(t *testing.T) {
	_, ok := connector.Lookup("stopped")
	assert.False(t, ok)
	_, ok = connector.Lookup("")
	assert.False(t, ok)
}

func TestRowUncertain(t *testing.T) {
	var uncertain []int
	for _, r := range connector.Statuses() {
		if r.Uncertain() {
			uncertain = append(uncertain, r.N)
		}
	}
	assert.Equal(t, []int{36, 37, 38, 39, 40, 41}, uncertain)
}
