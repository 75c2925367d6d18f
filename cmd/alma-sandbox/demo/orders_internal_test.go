package demo

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/alma-sandbox/alma-sandbox/connector"
)

// TestEveryStateIsWorded: each row of the status table gets the wording of
// its State; an UNCERTAIN or PENDING row is never called a refusal.
func TestEveryStateIsWorded(t *testing.T) {
	t.Parallel()
	for _, row := range connector.Statuses() {
		t.Run(row.PSPStatus, func(t *testing.T) {
			t.Parallel()
			m := stateMessage(row.State)
			assert.Equal(t, stateMessages[row.State], m, "row %d has a State without words", row.N)
			if row.State != connector.StateError {
				assert.NotContains(t, m, "refused", "row %d", row.N)
			}
		})
	}
	assert.Equal(t, "Unknown outcome (LOST).", stateMessage("LOST"))
}
