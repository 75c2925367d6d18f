// Package scenarios holds the scenario files the emulator replays, their types
// and the strict loader that reads them.
//
// A scenario decides, for one payment, how the emulator answers each
// operation: a normal answer, an Alma error, a delay, or a transport fault,
// in sequence. It also tells the status-path harness which row of the
// connector's status table it produces and which flow to drive.
package scenarios

import (
	"slices"
	"time"
)

// Op names an operation of the emulator that a scenario can script.
type Op string

// The operations a scenario can script.
const (
	OpCreate   Op = "create"   // POST /v1/payments
	OpGet      Op = "get"      // GET /v1/payments/{id} (the connector's Verify)
	OpEdit     Op = "edit"     // POST /v1/payments/{id}
	OpCapture  Op = "capture"  // POST /v1/payments/{id}/capture
	OpCancel   Op = "cancel"   // PUT /v1/payments/{id}/cancel
	OpRefund   Op = "refund"   // POST /v1/payments/{id}/refund
	OpCustomer Op = "customer" // the customer's step: widget, payment page or admin call
	OpIPN      Op = "ipn"      // each IPN notification the emulator sends
)

// ops is every scriptable operation, in the order documentation shows them.
var ops = [...]Op{OpCreate, OpGet, OpEdit, OpCapture, OpCancel, OpRefund, OpCustomer, OpIPN}

// Ops returns every scriptable operation, in the order documentation shows
// them (a new slice: the table cannot be changed through it).
func Ops() []Op { return slices.Clone(ops[:]) }

// Flow names the connector flow the harness drives for a scenario.
type Flow string

// The three flows of the connector.
const (
	FlowCapture   Flow = "capture"   // 1-step: capture (direct debit)
	FlowAuthorize Flow = "authorize" // 2-step: authorization + capture
	FlowPending   Flow = "pending"   // 3-step: pending authorization + authorization + capture
)

// Fault names a transport-level misbehaviour.
type Fault string

// The transport faults a step can inject.
const (
	FaultHang      Fault = "hang"      // hold the request until the client gives up (bounded by the server's hang limit)
	FaultReset     Fault = "reset"     // close the TCP connection with RST, no response
	FaultEmpty     Fault = "empty"     // close the connection without writing a byte
	FaultMalformed Fault = "malformed" // answer the status (default 200) with JSON that does not parse
	FaultTruncated Fault = "truncated" // announce a Content-Length, write half of the real body, close
	FaultHTML      Fault = "html"      // answer the status (default 200) with an HTML page, Content-Type text/html
	FaultStall     Fault = "stall"     // announce a Content-Length, write half of the body, then hold the connection until the client gives up
)

// Scenario is one scenario file.
type Scenario struct {
	ID          string `yaml:"id" json:"id"`
	Description string `yaml:"description,omitempty" json:"description,omitempty"`
	// Status is the PSP status (a row of the connector's status table) that
	// driving this scenario produces. Empty for scenarios that are not a row.
	Status string `yaml:"status,omitempty" json:"status,omitempty"`
	// Expect is what the harness asserts.
	Expect Expect `yaml:"expect,omitempty" json:"expect,omitempty"`
	// Flow is the connector flow the harness drives; default capture.
	Flow Flow `yaml:"flow,omitempty" json:"flow,omitempty"`
	// Drive overrides the flow's default list of harness actions, e.g.
	// [initialize, customer, verify, "refund:999999"]. See docs/internals.md.
	Drive []string `yaml:"drive,omitempty" json:"drive,omitempty"`
	// Customer is what the customer does at the widget.
	Customer Customer `yaml:"customer,omitempty" json:"customer,omitempty"`
	// Session changes the harness's default orchestrator session, e.g. a
	// currency the connector refuses before calling Alma.
	Session *Session `yaml:"session,omitempty" json:"session,omitempty"`
	// APIKey, when set, is the secret key the harness's connector sends for
	// this scenario instead of the run's, e.g. a bare "sk_test_" to see
	// Alma's 401. Printable ASCII, at most MaxAPIKeyLen bytes, never a live
	// key. The IPN listener still checks signatures with the run's key, so
	// a scenario whose key is accepted should not await IPNs.
	APIKey string `yaml:"api_key,omitempty" json:"api_key,omitempty"`
	// Decision is Alma's asynchronous decision after scored_maybe.
	Decision *Decision `yaml:"decision,omitempty" json:"decision,omitempty"`
	// On scripts each operation: the steps apply to successive calls, in
	// order; once they are used up, the emulator behaves normally.
	On map[Op][]Step `yaml:"on,omitempty" json:"on,omitempty"`

	// File and Line locate the scenario's source; set by the loader.
	File string `yaml:"-" json:"file,omitempty"`
	Line int    `yaml:"-" json:"line,omitempty"`
}

// Expect is what the status-path harness asserts for a scenario.
type Expect struct {
	State string `yaml:"state,omitempty" json:"state,omitempty"` // e.g. UNCERTAIN
	Code  string `yaml:"code,omitempty" json:"code,omitempty"`   // e.g. TECHNICAL_ISSUE_TO_CONTACT_PARTNER
	// Trail, when set, is the exact sequence of PSP statuses the drive must
	// produce, one per connector operation.
	Trail []string `yaml:"trail,omitempty" json:"trail,omitempty"`
	// DueMonths, when set, is the payment plan the drive's payment must
	// have at its end: one entry per installment, each the number of
	// calendar months after the payment's creation its due_date falls, e.g.
	// [0, 1, 2, 3] for four monthly installments, the first due at once.
	DueMonths []int `yaml:"due_months,omitempty" json:"due_months,omitempty"`
}

// Customer is the customer's step.
type Customer struct {
	// Action is pay (type the card), close (close the widget) or none.
	// Default pay.
	Action string `yaml:"action,omitempty" json:"action,omitempty"`
	Card   string `yaml:"card,omitempty" json:"card,omitempty"`     // default 4242 4242 4242 4242
	Expiry string `yaml:"expiry,omitempty" json:"expiry,omitempty"` // MM/YY, default 04/42
	CVC    string `yaml:"cvc,omitempty" json:"cvc,omitempty"`       // default 424
}

// Session changes the orchestrator session the harness sends; the emulator
// ignores it.
type Session struct {
	Amount   string `yaml:"amount,omitempty" json:"amount,omitempty"`     // major units, e.g. "270.92"; default "300.00"
	Currency string `yaml:"currency,omitempty" json:"currency,omitempty"` // default EUR
}

// Decision is Alma's later decision on a scored_maybe payment, announced by IPN.
type Decision struct {
	After Duration `yaml:"after" json:"after"`
	State string   `yaml:"state" json:"state"` // scored_yes or scored_no
}

// Step is one scripted answer to an operation.
type Step struct {
	// Times is how many successive calls this step answers: a count (default
	// 1) or "always".
	Times Times `yaml:"times,omitempty" json:"times,omitempty"`
	// Delay is waited before anything else.
	Delay *Delay `yaml:"delay,omitempty" json:"delay,omitempty"`
	// Fault is a transport fault; see the Fault constants.
	Fault Fault `yaml:"fault,omitempty" json:"fault,omitempty"`
	// Status is the HTTP status to answer (with Fault malformed/html, or
	// alone: Alma's error body for that status).
	Status int `yaml:"status,omitempty" json:"status,omitempty"`
	// Error is an Alma error to answer; its HTTP status comes from the
	// emulator's error table unless Status is set.
	Error *Error `yaml:"error,omitempty" json:"error,omitempty"`
	// Body is a raw body to answer instead (with Status).
	Body string `yaml:"body,omitempty" json:"body,omitempty"`
	// Commit makes the operation take effect although the answer is the
	// step's fault or error: "created, but the answer was lost".
	Commit bool `yaml:"commit,omitempty" json:"commit,omitempty"`
	// State moves the payment to this state (customer and get steps), as
	// Alma's scoring or collection would.
	State string `yaml:"state,omitempty" json:"state,omitempty"`
	// Patch overrides top-level fields of the payment JSON in this answer
	// only (e.g. {purchase_amount: 1} for an amount mismatch).
	Patch map[string]any `yaml:"patch,omitempty" json:"patch,omitempty"`

	// IPN only.
	Skip         bool `yaml:"skip,omitempty" json:"skip,omitempty"`                   // send no notification
	Duplicate    int  `yaml:"duplicate,omitempty" json:"duplicate,omitempty"`         // send it this many extra times
	BadSignature bool `yaml:"bad_signature,omitempty" json:"bad_signature,omitempty"` // sign with the wrong key
}

// Error is an Alma error answer. With Field it is a validation error:
// {"error_code":"validation_error","errors":[{"field":Field,"error_code":Code,"message":Message}]}.
// Without Field it is a top-level error: {"error_code":Code,"message":Message}.
type Error struct {
	Code    string `yaml:"code" json:"code"`
	Field   string `yaml:"field,omitempty" json:"field,omitempty"`
	Message string `yaml:"message,omitempty" json:"message,omitempty"`
}

// Times is a repeat count; Always repeats forever.
type Times int

// Always is the Times value of "always".
const Always Times = -1

// Delay is a wait before answering: fixed, or drawn from a seeded
// distribution (uniform between Min and Max, or normal around Mean).
type Delay struct {
	Fixed  Duration `yaml:"fixed,omitempty" json:"fixed,omitempty"`
	Min    Duration `yaml:"min,omitempty" json:"min,omitempty"`
	Max    Duration `yaml:"max,omitempty" json:"max,omitempty"`
	Mean   Duration `yaml:"mean,omitempty" json:"mean,omitempty"`
	Stddev Duration `yaml:"stddev,omitempty" json:"stddev,omitempty"`
}

// Duration is a time.Duration written as "150ms" in files.
type Duration time.Duration

// HasExpectation reports whether the harness has anything to check for the
// scenario: a status row, an expected State or Code, a trail or a plan.
// The harness reports a scenario without one as unchecked, never as passed.
func (sc *Scenario) HasExpectation() bool {
	e := sc.Expect
	return sc.Status != "" || e.State != "" || e.Code != "" || len(e.Trail) > 0 || len(e.DueMonths) > 0
}
