package emulator

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/alma-sandbox/alma-sandbox/scenarios"
)

// Alma's error codes the emulator answers with.
const (
	codeValidation        = "validation_error"
	codeMissingField      = "missing_field"
	codeInvalidType       = "invalid_type"
	codeInvalidValue      = "invalid_value"
	codeTooLong           = "too_long"
	codeTooShort          = "too_short"
	codeIncompatible      = "incompatible_parameters"
	codeGeneric           = "generic_error"
	codeAlreadyCaptured   = "payment_already_captured"
	codeInvalidAmount     = "invalid_amount"
	codeUnauthorized      = "unauthorized"
	codeForbidden         = "forbidden"
	codeNotFound          = "not_found"
	codeTooManyRequests   = "too_many_requests"
	codeCardDeclined      = "card_declined"
	messageBadCredentials = "Credentials invalid or not supplied"
)

// errorStatus is THE table: Alma error code (without a field) → HTTP
// status. An error with a field is always a 400 validation error; a code
// missing from this table answers 400.
var errorStatus = map[string]int{
	codeValidation:              http.StatusBadRequest,
	codeInvalidAmount:           http.StatusBadRequest,
	codeMissingField:            http.StatusBadRequest,
	codeInvalidValue:            http.StatusBadRequest,
	codeUnauthorized:            http.StatusUnauthorized,
	codeCardDeclined:            http.StatusPaymentRequired,
	"insufficient_funds":        http.StatusPaymentRequired,
	"expired_card":              http.StatusPaymentRequired,
	"incorrect_cvc":             http.StatusPaymentRequired,
	"incorrect_number":          http.StatusPaymentRequired,
	"incorrect_expiration_date": http.StatusPaymentRequired,
	"three_d_s_impossible":      http.StatusPaymentRequired,
	codeForbidden:               http.StatusForbidden,
	codeNotFound:                http.StatusNotFound,
	codeTooManyRequests:         http.StatusTooManyRequests,
}

// apiError is one Alma error answer. With Field it is a validation error
// ({"error_code":"validation_error","errors":[…]}); without, a top-level
// error ({"error_code":Code,"message":Message}).
type apiError struct {
	Code    string
	Field   string
	Value   any // the offending value, shown in errors[].value when set
	Message string
	Status  int // 0: the table's status
}

// fieldError is a validation error on one field.
func fieldError(field, code, message string, value any) *apiError {
	return &apiError{Code: code, Field: field, Message: message, Value: value}
}

// topError is a top-level error (refused operation, not found…).
func topError(code, message string) *apiError {
	return &apiError{Code: code, Message: message}
}

// Error makes apiError an error for internal plumbing.
func (e *apiError) Error() string { return e.Code + ": " + e.Message }

// status is the HTTP status of e, from the table unless e says otherwise.
func (e *apiError) status() int {
	if e.Status >= 100 && e.Status <= 999 {
		return e.Status
	}
	if e.Field != "" {
		return http.StatusBadRequest
	}
	if s, ok := errorStatus[e.Code]; ok {
		return s
	}
	return http.StatusBadRequest
}

type errorItemJSON struct {
	Field     string `json:"field"`
	ErrorCode string `json:"error_code"`
	Value     any    `json:"value,omitempty"`
	Message   string `json:"message,omitempty"`
}

type validationJSON struct {
	ErrorCode string          `json:"error_code"`
	Errors    []errorItemJSON `json:"errors"`
}

type topErrorJSON struct {
	ErrorCode string `json:"error_code"`
	Message   string `json:"message"`
}

type messageJSON struct {
	Message string `json:"message"`
}

// body is Alma's JSON for e.
func (e *apiError) body() []byte {
	var v any
	switch {
	case e.Field != "":
		v = validationJSON{ErrorCode: codeValidation, Errors: []errorItemJSON{{
			Field: e.Field, ErrorCode: e.Code, Value: e.Value, Message: e.Message,
		}}}
	case e.Code == codeUnauthorized:
		msg := e.Message
		if msg == "" {
			msg = messageBadCredentials
		}
		v = messageJSON{Message: msg}
	case e.Code == "":
		v = messageJSON{Message: statusText(e.status())}
	default:
		v = topErrorJSON{ErrorCode: e.Code, Message: e.Message}
	}
	b, err := json.Marshal(v)
	if err != nil { // an unmarshalable Value: drop it
		e.Value = nil
		b, _ = json.Marshal(validationJSON{ErrorCode: codeValidation, Errors: []errorItemJSON{{Field: e.Field, ErrorCode: e.Code, Message: e.Message}}})
	}
	return b
}

// answer is e as an answer.
func (e *apiError) answer() answer {
	return answer{status: e.status(), body: e.body()}
}

// statusText is Go's text for a status, or "Status N".
func statusText(status int) string {
	if t := http.StatusText(status); t != "" {
		return t
	}
	return "Status " + strconv.Itoa(status)
}

// scenarioError is a scenario step's error, through the same table;
// status 0 is the table's status.
func scenarioError(e scenarios.Error, status int) *apiError {
	msg := e.Message
	if msg == "" {
		msg = defaultMessage(e.Code)
	}
	return &apiError{Code: e.Code, Field: e.Field, Message: msg, Status: status}
}

// defaultMessage is a readable message for a code a scenario left bare.
func defaultMessage(code string) string {
	switch code {
	case codeUnauthorized:
		return messageBadCredentials
	case codeTooManyRequests:
		return "Too many requests"
	case codeNotFound:
		return "Not found"
	case codeForbidden:
		return "Forbidden"
	}
	return "Error: " + code
}
