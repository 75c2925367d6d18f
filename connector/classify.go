package connector

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strings"
)

// callKind says which column of the classification table applies and what
// a 2xx answer carries.
type callKind int

const (
	kindPayment callKind = iota // create or get: a 2xx is a payment, classified by state
	kindVerify                  // Verify's GET: as kindPayment, VERIFY_* rows for failures
	kindAction                  // capture, cancel, refund: a 2xx is SUCCESS
	kindData                    // list, eligibility: a 2xx is SUCCESS once the caller decodes it
)

// cardCodes are the card error codes that name a row (402 answers).
var cardCodes = map[string]bool{
	"card_declined": true, "three_d_s_impossible": true, "incorrect_cvc": true,
	"incorrect_expiration_date": true, "incorrect_number": true,
	"insufficient_funds": true, "expired_card": true,
}

// topLevelCodes are the error codes of a 400 without errors[] that name a row.
var topLevelCodes = map[string]bool{pspInvalidAmount: true, pspMissingField: true, pspInvalidValue: true}

// classify maps one answer to a Result: the connector's one classification
// table (docs/internals.md, "Classification"), in code.
func classify(k callKind, a answer) Result {
	r := Result{HTTPStatus: a.status, Err: a.err}
	switch {
	case a.notSent:
		return r.with(pspError)
	case a.status < 200 || isTimeout(a.err): // no answer, or no final one (1xx)
		return r.with(pick(k, pspTimeout, pspVerifyTimeout))
	case a.status >= 500:
		return r.with(classify5xx(k, a.status))
	case a.status >= 200 && a.status < 300:
		return classify2xx(k, a, r)
	case a.status >= 400 && a.status < 500:
		return classify4xx(a, r)
	}
	return r.with(pspUnknown)
}

// isTimeout reports whether err is the deadline passing, e.g. in the middle
// of a body: a partial answer is no answer.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}

// pick chooses the main-call or the verify row.
func pick(k callKind, main, verify string) string {
	if k == kindVerify {
		return verify
	}
	return main
}

// classify5xx maps an Alma-side error to its UNCERTAIN row.
func classify5xx(k callKind, status int) string {
	switch status {
	case 502:
		return pick(k, pspBadGateway, pspVerifyError)
	case 503:
		return pick(k, pspUnavailable, pspVerifyError)
	case 504:
		return pick(k, pspTimeout, pspVerifyTimeout)
	}
	return pick(k, pspServerError, pspVerifyError)
}

// classify2xx maps a success answer: HTML is unexpected; an action's 2xx
// status line is authoritative (Alma did it), a bad body only kept in Err; a
// payment must parse and carry id and state; data must be JSON. A Verify
// whose answer cannot be read (HTML, cut, too large, not a payment) is
// VERIFY_PARTNER_ERROR, UNCERTAIN: the payment may well be paid.
func classify2xx(k callKind, a answer, r Result) Result {
	if k == kindVerify {
		return classifyVerify2xx(a, r)
	}
	if isHTML(a) {
		return r.with(pspUnknown)
	}
	if k == kindAction {
		return classifyAction2xx(a, r)
	}
	if a.err != nil { // the body broke off
		return r.with(pspBadResponse)
	}
	if k == kindData {
		if len(bytes.TrimSpace(a.body)) > 0 && !json.Valid(a.body) {
			r.Err = errors.New("answer is not JSON")
			return r.with(pspBadResponse)
		}
		if p, err := decodePayment(a.body); err == nil {
			r.Payment, r.PaymentID = p, p.ID
		}
		return r.with(pspSuccess)
	}
	p, err := decodePayment(a.body)
	if err != nil {
		r.Err = err
		return r.with(pspBadResponse)
	}
	r.Payment, r.PaymentID = p, p.ID
	return r.with(stateRow(p))
}

// classifyVerify2xx maps Verify's 2xx: the payment's row, or
// VERIFY_PARTNER_ERROR when the answer is not a readable payment.
func classifyVerify2xx(a answer, r Result) Result {
	if a.err != nil {
		return r.with(pspVerifyError)
	}
	if isHTML(a) {
		r.Err = errors.New("answer is HTML, not a payment")
		return r.with(pspVerifyError)
	}
	p, err := decodePayment(a.body)
	if err != nil {
		r.Err = err
		return r.with(pspVerifyError)
	}
	r.Payment, r.PaymentID = p, p.ID
	return r.with(stateRow(p))
}

// classifyAction2xx maps a capture, cancel or refund that Alma answered 2xx:
// SUCCESS, since the status line says it was done, even when the body broke
// off or is not JSON (then Err says so). The payment is attached when the
// body is one.
func classifyAction2xx(a answer, r Result) Result {
	if a.err == nil && len(bytes.TrimSpace(a.body)) > 0 && !json.Valid(a.body) {
		r.Err = errors.New("answer is not JSON")
	}
	if a.err == nil {
		if p, err := decodePayment(a.body); err == nil {
			r.Payment, r.PaymentID = p, p.ID
		}
	}
	return r.with(pspSuccess)
}

// stateRow maps a payment to its row: its state (rows 1–6), or ABORTED when
// it was cancelled or expired before any installment was paid. scored_no
// wins over an expiry: Alma refused the payment, the customer did not abort.
func stateRow(p *Payment) string {
	if p.ExpiredAt != nil && !p.anyPaid() && p.State != "scored_no" {
		return pspAborted
	}
	switch p.State {
	case "not_started", "scored_no", "scored_yes", "scored_maybe", "in_progress", "paid":
		return p.State
	}
	return pspUnknown
}

// classify4xx maps a client-side error by status and Alma's error body.
func classify4xx(a answer, r Result) Result {
	ae, isJSON := decodeAlmaError(a.body)
	r.AlmaError = ae
	empty := len(bytes.TrimSpace(a.body)) == 0
	switch {
	case a.status == 401 && (isJSON || empty):
		return r.with(pspUnauthorized)
	case a.status == 429 && (isJSON || empty):
		return r.with(pspTooManyRequests)
	case !isJSON || isHTML(a):
		return r.with(pspUnknown)
	case (a.status == 400 || a.status == 403) && len(ae.Errors) > 0:
		return r.with(validationRow(ae.Errors[0].ErrorCode))
	case a.status == 400 && topLevelCodes[ae.ErrorCode]:
		return r.with(ae.ErrorCode)
	case a.status == 400:
		return r.with(pspValidation)
	case a.status == 402 && cardCodes[ae.ErrorCode]:
		return r.with(ae.ErrorCode)
	case a.status == 402:
		return r.with(pspCardDeclined)
	case a.status == 403 || a.status == 409 || a.status == 422:
		return r.with(pspError)
	}
	return r.with(pspUnknown)
}

// validationRow maps errors[0].error_code to validation_error_<code> when
// that names a row, else validation_error.
func validationRow(code string) string {
	if code == "too_many_requests" {
		return pspTooManyRequests
	}
	if _, ok := Lookup(pspValidationPrefix + code); ok && code != "" {
		return pspValidationPrefix + code
	}
	return pspValidation
}

// with sets the result's row.
func (r Result) with(psp string) Result {
	r.Status = row(psp)
	return r
}

// isHTML reports whether an answer is an HTML page rather than JSON.
func isHTML(a answer) bool {
	ct := strings.ToLower(a.contentType)
	if strings.Contains(ct, "html") {
		return true
	}
	return bytes.HasPrefix(bytes.TrimSpace(a.body), []byte("<"))
}

// decodePayment reads a payment and insists on its id and state.
func decodePayment(body []byte) (*Payment, error) {
	var p Payment
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, fmt.Errorf("decode payment: %w", err)
	}
	if p.ID == "" || p.State == "" {
		return nil, errors.New("decode payment: no id or state")
	}
	return &p, nil
}

// decodeAlmaError reads Alma's error body; ok is false when it is not a JSON
// object. Card numbers and API keys in its texts are redacted: a server
// may echo the key it was sent.
func decodeAlmaError(body []byte) (*AlmaError, bool) {
	var e AlmaError
	if err := json.Unmarshal(body, &e); err != nil {
		return nil, false
	}
	e.redact()
	return &e, true
}
