package connector

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Result is the outcome of one connector operation: a row of Statuses and
// everything a person needs to see why.
type Result struct {
	Status     Row        // the row of the status table
	PaymentID  string     // Alma's payment id, when known
	HTTPStatus int        // Alma's HTTP status; 0 when no answer came
	AlmaError  *AlmaError // Alma's error body, when it sent one
	// Reasons lists what the connector found wrong (session check, amount
	// mismatch, reconciliation), in words.
	Reasons     []string
	Err         error        // the transport or decoding error, if any
	Widget      *Widget      // Initialize: what the In-Page widget needs
	Payment     *Payment     // the payment as Alma last described it
	Eligibility *Eligibility // Eligibility: Alma's answer
}

// String describes the result on one line for logs and test failures.
func (r Result) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s/%s)", r.Status.PSPStatus, r.Status.State, r.Status.Code)
	if r.PaymentID != "" {
		fmt.Fprintf(&b, " payment=%s", r.PaymentID)
	}
	if r.HTTPStatus != 0 {
		fmt.Fprintf(&b, " http=%d", r.HTTPStatus)
	}
	if r.AlmaError != nil {
		fmt.Fprintf(&b, " alma=%s", r.AlmaError)
	}
	if len(r.Reasons) > 0 {
		fmt.Fprintf(&b, " reasons=%q", r.Reasons)
	}
	if r.Err != nil {
		fmt.Fprintf(&b, " err=%v", r.Err)
	}
	return b.String()
}

// Widget is what the In-Page widget needs to start the payment; the JSON
// names are those of Alma.InPage.initialize and startPayment.
type Widget struct {
	PaymentID         string `json:"paymentId"`
	MerchantID        string `json:"merchantId"`
	AmountInCents     int64  `json:"amountInCents"`
	InstallmentsCount int    `json:"installmentsCount"`
	URL               string `json:"url"` // the hosted payment page, a fallback
}

// AlmaError is Alma's error body.
type AlmaError struct {
	ErrorCode string       `json:"error_code,omitempty"`
	Message   string       `json:"message,omitempty"`
	Errors    []FieldError `json:"errors,omitempty"`
}

// FieldError is one entry of a validation error's errors[].
type FieldError struct {
	Field     string `json:"field,omitempty"`
	ErrorCode string `json:"error_code,omitempty"`
	Message   string `json:"message,omitempty"`
}

// String writes the error's codes and message, card numbers masked.
func (e *AlmaError) String() string {
	parts := []string{}
	if e.ErrorCode != "" {
		parts = append(parts, e.ErrorCode)
	}
	for _, f := range e.Errors {
		parts = append(parts, f.Field+":"+f.ErrorCode)
	}
	if m := e.text(); m != "" {
		parts = append(parts, fmt.Sprintf("%q", m))
	}
	return strings.Join(parts, " ")
}

// text is the message a client shows: message, else errors[0].message.
func (e *AlmaError) text() string {
	if e.Message != "" || len(e.Errors) == 0 {
		return e.Message
	}
	return e.Errors[0].Message
}

// Payment is the connector's reading of Alma's payment object: the fields it
// uses.
type Payment struct {
	ID                    string          `json:"id"`
	State                 string          `json:"state"`
	PurchaseAmount        int64           `json:"purchase_amount"`
	InstallmentsCount     int             `json:"installments_count"`
	MerchantID            string          `json:"merchant_id,omitempty"`
	URL                   string          `json:"url,omitempty"`
	ReturnURL             string          `json:"return_url,omitempty"`
	Created               int64           `json:"created,omitempty"`
	ExpiredAt             *int64          `json:"expired_at"`
	CustomData            json.RawMessage `json:"custom_data,omitempty"`
	PaymentPlan           []Installment   `json:"payment_plan,omitempty"`
	AmountAlreadyRefunded int64           `json:"amount_already_refunded"`
	Refunds               []Refund        `json:"refunds,omitempty"`
}

// Installment is one installment of a payment plan.
type Installment struct {
	ID             string `json:"id,omitempty"`
	State          string `json:"state"`
	DatePaid       *int64 `json:"date_paid"`
	PurchaseAmount int64  `json:"purchase_amount"`
}

// Refund is one refund of a payment.
type Refund struct {
	ID                string `json:"id"`
	Amount            int64  `json:"amount"`
	MerchantReference string `json:"merchant_reference,omitempty"`
}

// anyPaid reports whether an installment of the payment has been paid.
func (p *Payment) anyPaid() bool {
	if p.State == "in_progress" || p.State == "paid" {
		return true
	}
	for _, in := range p.PaymentPlan {
		if in.State == "paid" || in.DatePaid != nil {
			return true
		}
	}
	return false
}

// OrderReference returns custom_data.order_reference, which the connector
// sets on every payment it creates; "" when absent.
func (p *Payment) OrderReference() string {
	var cd struct {
		OrderReference string `json:"order_reference"`
	}
	if json.Unmarshal(p.CustomData, &cd) != nil {
		return ""
	}
	return cd.OrderReference
}
