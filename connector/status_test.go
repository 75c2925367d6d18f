package connector_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alma-sandbox/alma-sandbox/connector"
)

func TestStatusesTable(t *testing.T) {
	require.Len(t, connector.Statuses, 41)
	states := map[string]bool{connector.StateWaiting: true, connector.StateSuccess: true,
		connector.StateError: true, connector.StatePending: true, connector.StateUncertain: true}
	seen := map[string]bool{}
	for i, r := range connector.Statuses {
		assert.Equal(t, i+1, r.N, "rows are numbered in order")
		assert.True(t, states[r.State], "row %d state %q", r.N, r.State)
		assert.NotEmpty(t, r.Code, "row %d", r.N)
		assert.NotEmpty(t, r.Description, "row %d", r.N)
		assert.False(t, seen[r.PSPStatus], "duplicate %q", r.PSPStatus)
		seen[r.PSPStatus] = true
	}
}

func TestStatusesRowsFromSpec(t *testing.T) {
	tests := []struct {
		psp   string
		n     int
		state string
		code  string
	}{
		{"not_started", 1, "WAITING", "WAITING_PARTNER_RESPONSE"},
		{"scored_no", 2, "ERROR", "FAILED"},
		{"in_progress", 5, "SUCCESS", "SUCCEEDED"},
		{"ABORTED", 7, "ERROR", "ABORTED_BY_CUSTOMER"},
		{"validation_error_too_many_request", 13, "PENDING", "TECHNICAL_ISSUE_TO_CONTACT_PARTNER"},
		{"validation_error_merchant_cant_create_payments", 15, "ERROR", "FAILED"},
		{"card_declined", 21, "ERROR", "REJECTED_BANK"},
		{"three_d_s_impossible", 23, "ERROR", "TECHNICAL_ISSUE_TO_CONTACT_PARTNER"},
		{"insufficient_funds", 27, "ERROR", "INSUFFICIENT_FUNDS"},
		{"expired_card", 28, "ERROR", "CARD_EXPIRED"},
		{"SESSION_DATA_NOT_OK", 31, "ERROR", "BAD_REQUEST"},
		{"PARTNER_RESPONSE_VALIDATION_FAILED", 35, "ERROR", "FAILED"},
		{"VERIFY_TIMEOUT", 41, "UNCERTAIN", "TECHNICAL_ISSUE_TO_CONTACT_PARTNER"},
	}
	for _, tt := range tests {
		t.Run(tt.psp, func(t *testing.T) {
			r, ok := connector.Lookup(tt.psp)
			require.True(t, ok)
			assert.Equal(t, tt.n, r.N)
			assert.Equal(t, tt.state, r.State)
			assert.Equal(t, tt.code, r.Code)
		})
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
	for _, r := range connector.Statuses {
		if r.Uncertain() {
			uncertain = append(uncertain, r.N)
		}
	}
	assert.Equal(t, []int{36, 37, 38, 39, 40, 41}, uncertain)
}
