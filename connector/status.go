package connector

// Row is one row of the orchestrator's status table: the PSP status the
// connector reports and the State and Code the orchestrator derives from it.
type Row struct {
	N           int    `json:"n"`           // the row's number in the specification, 1–41
	PSPStatus   string `json:"psp_status"`  // e.g. "scored_yes", "TIMEOUT"
	State       string `json:"state"`       // WAITING, SUCCESS, ERROR, PENDING or UNCERTAIN
	Code        string `json:"code"`        // the normalised reason, e.g. SUCCEEDED
	Description string `json:"description"` // the specification's words
}

// The States of the status table.
const (
	StateWaiting   = "WAITING"
	StateSuccess   = "SUCCESS"
	StateError     = "ERROR"
	StatePending   = "PENDING"
	StateUncertain = "UNCERTAIN"
)

// Uncertain reports whether the outcome at Alma is unknown: such a row must
// never be taken for a final success or failure.
func (r Row) Uncertain() bool { return r.State == StateUncertain }

// The PSP statuses the connector's code names (all others come from Alma's
// payment states and error codes, read straight off the wire).
const (
	pspNotStarted       = "not_started"
	pspAborted          = "ABORTED"
	pspValidationPrefix = "validation_error_"
	pspValidation       = "validation_error"
	pspTooManyRequests  = "validation_error_too_many_request"
	pspUnauthorized     = "validation_error_unauthorized"
	pspCardDeclined     = "card_declined"
	pspInvalidAmount    = "invalid_amount"
	pspMissingField     = "missing_field"
	pspInvalidValue     = "invalid_value"
	pspSessionNotOK     = "SESSION_DATA_NOT_OK"
	pspSuccess          = "SUCCESS"
	pspError            = "ERROR"
	pspUnknown          = "UNKNOWN_PARTNER_ERROR"
	pspBadResponse      = "PARTNER_RESPONSE_VALIDATION_FAILED"
	pspTimeout          = "TIMEOUT"
	pspServerError      = "PARTNER_SERVER_ERROR"
	pspBadGateway       = "PARTNER_BAD_GATEWAY"
	pspUnavailable      = "PARTNER_UNAVAILABLE"
	pspVerifyError      = "VERIFY_PARTNER_ERROR"
	pspVerifyTimeout    = "VERIFY_TIMEOUT"
)

const (
	codeWaiting   = "WAITING_PARTNER_RESPONSE"
	codeBadReq    = "BAD_REQUEST"
	codeFailed    = "FAILED"
	codeSucceeded = "SUCCEEDED"
	codeTechnical = "TECHNICAL_ISSUE_TO_CONTACT_PARTNER"
	codeWrongCard = "WRONG_CARD_DATA"
)

// Statuses returns the orchestrator's status table, all 41 rows in the
// specification's order (a copy: no one can change the table). It is the
// connector's only PSP status → State/Code mapping; tests, documents and the
// scenario coverage read it.
func Statuses() []Row { return append([]Row(nil), statusTable[:]...) }

// statusTable is the table, an array so that no one changes it.
var statusTable = [...]Row{
	{1, pspNotStarted, StateWaiting, codeWaiting, "Payment has been created but not started"},
	{2, "scored_no", StateError, codeFailed, "Payment in several installments is refused by Alma"},
	{3, "scored_yes", StateWaiting, codeWaiting, "Payment in several installments has been accepted by Alma"},
	{4, "scored_maybe", StateWaiting, codeWaiting, "Alma needs more information to decide whether to accept payment"},
	{5, "in_progress", StateSuccess, codeSucceeded, "Payment in progress – at least one installment has been paid"},
	{6, "paid", StateSuccess, codeSucceeded, "Payment is fully paid"},
	{7, pspAborted, StateError, "ABORTED_BY_CUSTOMER", "Customer has aborted the payment"},
	{8, "validation_error_missing_field", StateError, codeBadReq, "Validation error, there's a field missing"},
	{9, "validation_error_invalid_type", StateError, codeBadReq, "Validation error, there's a field type that is incorrect"},
	{10, "validation_error_invalid_value", StateError, codeBadReq, "Validation error, there's an invalid value in your call"},
	{11, "validation_error_too_short", StateError, codeBadReq, "Validation error, the string in input is too short"},
	{12, "validation_error_too_long", StateError, codeBadReq, "Validation error, the string in input is too long"},
	{13, pspTooManyRequests, StatePending, codeTechnical, "You made too many request to the APIs, wait for a bit before retrying"},
	{14, "validation_error_unique_violated", StateError, codeBadReq, "You violated the unique constraint on a field"},
	{15, "validation_error_merchant_cant_create_payments", StateError, codeFailed, "(the merchant account may not create payments)"},
	{16, "validation_error_incompatible_parameters", StateError, codeBadReq, "There are incompatible parameters in your request"},
	{17, pspUnauthorized, StateError, codeFailed, "Unauthorized to contact partner"},
	{18, "validation_error_generic_error", StateError, codeFailed, "A generic error occurred, contact the partner before"},
	{19, "validation_error_payment_already_captured", StateError, codeBadReq, "The payment has been already captured"},
	{20, pspValidation, StateError, codeBadReq, "Validation error, data sent during API call are invalid"},
	{21, pspCardDeclined, StateError, "REJECTED_BANK", "Card declined by the banking network"},
	{22, pspInvalidAmount, StateError, codeBadReq, "Invalid amount"},
	{23, "three_d_s_impossible", StateError, codeTechnical, "3D Secure - refusal as authentication by the issuer is impossible"},
	{24, "incorrect_cvc", StateError, codeWrongCard, "Incorrect card CVC"},
	{25, "incorrect_expiration_date", StateError, codeWrongCard, "Incorrect card expiration date"},
	{26, "incorrect_number", StateError, codeWrongCard, "Incorrect card number"},
	{27, "insufficient_funds", StateError, "INSUFFICIENT_FUNDS", "Insufficient funds on account"},
	{28, "expired_card", StateError, "CARD_EXPIRED", "Expired card"},
	{29, pspMissingField, StateError, codeBadReq, "Missing field"},
	{30, pspInvalidValue, StateError, codeBadReq, "Invalid value - impossible to validate payment"},
	{31, pspSessionNotOK, StateError, codeBadReq, "Session data doesn't meet Alma's requirements (checked by the connector before calling Alma)"},
	{32, pspSuccess, StateSuccess, codeSucceeded, "Successful operation (e.g. capture, cancel, refund accepted)"},
	{33, pspError, StateError, codeFailed, "Failed operation"},
	{34, pspUnknown, StateError, codeFailed, "Received unexpected response from Alma"},
	{35, pspBadResponse, StateError, codeFailed, "Partner response validation failed (body does not parse or lacks required fields)"},
	{36, pspTimeout, StateUncertain, codeTechnical, "Timeout while contacting Alma"},
	{37, pspServerError, StateUncertain, codeTechnical, "Received internal server error (500) from Alma"},
	{38, pspBadGateway, StateUncertain, codeTechnical, "Received bad gateway (502) from Alma"},
	{39, pspUnavailable, StateUncertain, codeTechnical, "Received service unavailable (503) from Alma"},
	{40, pspVerifyError, StateUncertain, codeTechnical, "Received a 5XX from Alma when calling verify"},
	{41, pspVerifyTimeout, StateUncertain, codeTechnical, "Timeout while contacting Alma during verify"},
}

// statusIndex finds a row by PSP status.
var statusIndex = func() map[string]int {
	m := make(map[string]int, len(statusTable))
	for i, r := range statusTable {
		m[r.PSPStatus] = i
	}
	return m
}()

// Lookup returns the row of a PSP status; ok is false for a status the table
// does not hold.
func Lookup(psp string) (Row, bool) {
	i, ok := statusIndex[psp]
	if !ok {
		return Row{}, false
	}
	return statusTable[i], true
}

// row returns the row of a PSP status the connector's own code names; an
// unknown name (a bug) yields UNKNOWN_PARTNER_ERROR rather than a panic.
func row(psp string) Row {
	if r, ok := Lookup(psp); ok {
		return r
	}
	r, _ := Lookup(pspUnknown)
	return r
}
