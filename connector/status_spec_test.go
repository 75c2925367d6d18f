package connector_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alma-sandbox/alma-sandbox/connector"
)

// specRow is one row of the orchestrator's status table as its documentation
// prints it.
type specRow struct {
	n     int
	psp   string
	state string
	code  string
}

// specStatuses is the orchestrator's status table typed from its
// documentation (../shared/domain/purse-alma-connector.md, "Status table"),
// all 41 rows. It is the independent oracle for connector.Statuses(): never
// regenerate it from the code; change it only when the documentation
// changes.
var specStatuses = []specRow{
	{1, "not_started", "WAITING", "WAITING_PARTNER_RESPONSE"},
	{2, "scored_no", "ERROR", "FAILED"},
	{3, "scored_yes", "WAITING", "WAITING_PARTNER_RESPONSE"},
	{4, "scored_maybe", "WAITING", "WAITING_PARTNER_RESPONSE"},
	{5, "in_progress", "SUCCESS", "SUCCEEDED"},
	{6, "paid", "SUCCESS", "SUCCEEDED"},
	{7, "ABORTED", "ERROR", "ABORTED_BY_CUSTOMER"},
	{8, "validation_error_missing_field", "ERROR", "BAD_REQUEST"},
	{9, "validation_error_invalid_type", "ERROR", "BAD_REQUEST"},
	{10, "validation_error_invalid_value", "ERROR", "BAD_REQUEST"},
	{11, "validation_error_too_short", "ERROR", "BAD_REQUEST"},
	{12, "validation_error_too_long", "ERROR", "BAD_REQUEST"},
	{13, "validation_error_too_many_request", "PENDING", "TECHNICAL_ISSUE_TO_CONTACT_PARTNER"},
	{14, "validation_error_unique_violated", "ERROR", "BAD_REQUEST"},
	{15, "validation_error_merchant_cant_create_payments", "ERROR", "FAILED"},
	{16, "validation_error_incompatible_parameters", "ERROR", "BAD_REQUEST"},
	{17, "validation_error_unauthorized", "ERROR", "FAILED"},
	{18, "validation_error_generic_error", "ERROR", "FAILED"},
	{19, "validation_error_payment_already_captured", "ERROR", "BAD_REQUEST"},
	{20, "validation_error", "ERROR", "BAD_REQUEST"},
	{21, "card_declined", "ERROR", "REJECTED_BANK"},
	{22, "invalid_amount", "ERROR", "BAD_REQUEST"},
	{23, "three_d_s_impossible", "ERROR", "TECHNICAL_ISSUE_TO_CONTACT_PARTNER"},
	{24, "incorrect_cvc", "ERROR", "WRONG_CARD_DATA"},
	{25, "incorrect_expiration_date", "ERROR", "WRONG_CARD_DATA"},
	{26, "incorrect_number", "ERROR", "WRONG_CARD_DATA"},
	{27, "insufficient_funds", "ERROR", "INSUFFICIENT_FUNDS"},
	{28, "expired_card", "ERROR", "CARD_EXPIRED"},
	{29, "missing_field", "ERROR", "BAD_REQUEST"},
	{30, "invalid_value", "ERROR", "BAD_REQUEST"},
	{31, "SESSION_DATA_NOT_OK", "ERROR", "BAD_REQUEST"},
	{32, "SUCCESS", "SUCCESS", "SUCCEEDED"},
	{33, "ERROR", "ERROR", "FAILED"},
	{34, "UNKNOWN_PARTNER_ERROR", "ERROR", "FAILED"},
	{35, "PARTNER_RESPONSE_VALIDATION_FAILED", "ERROR", "FAILED"},
	{36, "TIMEOUT", "UNCERTAIN", "TECHNICAL_ISSUE_TO_CONTACT_PARTNER"},
	{37, "PARTNER_SERVER_ERROR", "UNCERTAIN", "TECHNICAL_ISSUE_TO_CONTACT_PARTNER"},
	{38, "PARTNER_BAD_GATEWAY", "UNCERTAIN", "TECHNICAL_ISSUE_TO_CONTACT_PARTNER"},
	{39, "PARTNER_UNAVAILABLE", "UNCERTAIN", "TECHNICAL_ISSUE_TO_CONTACT_PARTNER"},
	{40, "VERIFY_PARTNER_ERROR", "UNCERTAIN", "TECHNICAL_ISSUE_TO_CONTACT_PARTNER"},
	{41, "VERIFY_TIMEOUT", "UNCERTAIN", "TECHNICAL_ISSUE_TO_CONTACT_PARTNER"},
}

// TestStatusesMatchTheSpecification checks connector.Statuses() against the
// hand-typed table both ways: every documented row is in the code with its
// number, State and Code, and the code holds no row the documentation lacks.
func TestStatusesMatchTheSpecification(t *testing.T) {
	require.Len(t, specStatuses, 41, "the documentation's table has 41 rows")
	documented := map[string]bool{}
	for _, want := range specStatuses {
		documented[want.psp] = true
		t.Run(want.psp, func(t *testing.T) {
			got, ok := connector.Lookup(want.psp)
			require.True(t, ok, "row %d %q is not in connector.Statuses()", want.n, want.psp)
			assert.Equal(t, want.n, got.N, "number")
			assert.Equal(t, want.state, got.State, "State")
			assert.Equal(t, want.code, got.Code, "Code")
		})
	}
	require.Len(t, connector.Statuses(), len(specStatuses))
	for i, got := range connector.Statuses() {
		assert.True(t, documented[got.PSPStatus], "connector.Statuses() row %d %q is not documented", got.N, got.PSPStatus)
		assert.Equal(t, specStatuses[i].psp, got.PSPStatus, "row %d is in the documentation's order", i+1)
	}
}
