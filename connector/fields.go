package connector

// Field is one field of Alma's answers that the classification (classify.go
// and Payment.anyPaid) reads to choose a row. A contract that let such a
// field vary would let the provider change the connector's outcome
// unnoticed, so the contract tests require each to be pinned.
type Field struct {
	// GoName is the struct and field the code reads, e.g. "Payment.State".
	GoName string
	// Path is where the field sits in the answer's JSON: "state",
	// "payment_plan[].state", "errors[].error_code".
	Path string
	// Exact is true when the row depends on the field's value (it must be
	// matched exactly); false when it depends only on whether the field is
	// there and not null (it must be present, its value may be matched by
	// type).
	Exact bool
}

// classifiedFields is the list ClassifiedFields returns. A test parses the
// classification code and fails when it reads a field of Alma's answers
// that is not listed here.
var classifiedFields = []Field{
	{"Payment.ID", "id", false},                                 // decodePayment: required
	{"Payment.State", "state", true},                            // stateRow: the row itself
	{"Payment.ExpiredAt", "expired_at", false},                  // stateRow: set means ABORTED unless paid
	{"Payment.PaymentPlan", "payment_plan", false},              // anyPaid
	{"Installment.State", "payment_plan[].state", true},         // anyPaid: "paid"
	{"Installment.DatePaid", "payment_plan[].date_paid", false}, // anyPaid: set means paid
	{"AlmaError.ErrorCode", "error_code", true},                 // classify4xx: top-level and card rows
	{"AlmaError.Errors", "errors", false},                       // classify4xx: validation rows
	{"FieldError.ErrorCode", "errors[].error_code", true},       // validationRow
}

// ClassifiedFields returns the fields of Alma's answers the classification
// branches on (a copy: callers may not change the connector's).
func ClassifiedFields() []Field { return append([]Field(nil), classifiedFields...) }
