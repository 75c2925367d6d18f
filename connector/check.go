package connector

import (
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Plan is the payment plan the connector offers: one label of the
// orchestrator's and the Alma installments count and amount limits behind it.
type Plan struct {
	Label        string // the orchestrator's payment label
	Method       string // the orchestrator's payment method
	Installments int    // Alma's installments_count
	MinCents     int64  // the smallest purchase_amount Alma accepts
	MaxCents     int64  // the largest purchase_amount Alma accepts
}

// DefaultPlan is almacb4x: card, 4 installments, 50.00 to 2 000.00 EUR.
func DefaultPlan() Plan {
	return Plan{Label: "almacb4x", Method: "primary", Installments: 4, MinCents: 5000, MaxCents: 200000}
}

// Check returns every reason the session cannot be sent to Alma under plan,
// or nil: the four mandatory fields (amount, order.redirection,
// order.reference, order.currency_code), EUR only, the amount within the
// plan's limits, the label if the session names one, and the optional
// fields Alma would refuse or the connector could not compute (an item
// line's price × quantity that overflows).
func Check(s Session, plan Plan) []string {
	var reasons []string
	add := func(format string, args ...any) { reasons = append(reasons, fmt.Sprintf(format, args...)) }
	checkAmount(s, plan, add)
	checkOrder(s.Order, add)
	if s.PaymentLabel != "" && s.PaymentLabel != plan.Label {
		add("payment_label: %q is not offered, only %q", s.PaymentLabel, plan.Label)
	}
	if s.Customer.Birthdate != "" {
		if _, err := birthDate(s.Customer.Birthdate); err != nil {
			add("customer.birthdate: %q is not an ISO-8601 date", s.Customer.Birthdate)
		}
	}
	checkItemLines(s.Shipments, add)
	return reasons
}

// checkItemLines refuses an item line without an amount whose price ×
// quantity overflows: the cart line it becomes could not be computed.
func checkItemLines(shipments []Shipment, add func(string, ...any)) {
	for i, sh := range shipments {
		for j, it := range sh.ItemLines {
			if _, ok := lineAmount(it); !ok {
				add("shipments[%d].item_lines[%d]: price %s × quantity %d overflows; send the line amount", i, j, it.Price, it.Quantity)
			}
		}
	}
}

// checkAmount checks the session's amount against the plan.
func checkAmount(s Session, plan Plan, add func(string, ...any)) {
	switch a := s.Amount.Cents(); {
	case a == 0:
		add("amount: required")
	case a < 0:
		add("amount: %s is negative", s.Amount)
	case a < plan.MinCents:
		add("amount: %s EUR is below the %s plan's minimum %s EUR", s.Amount, plan.Label, Amount(plan.MinCents))
	case a > plan.MaxCents:
		add("amount: %s EUR is above the %s plan's maximum %s EUR", s.Amount, plan.Label, Amount(plan.MaxCents))
	}
	if s.Order.Amount != 0 && s.Order.Amount != s.Amount {
		add("order.amount: %s differs from amount %s", s.Order.Amount, s.Amount)
	}
}

// checkOrder checks the order's mandatory fields.
func checkOrder(o Order, add func(string, ...any)) {
	if strings.TrimSpace(o.Reference) == "" {
		add("order.reference: required")
	}
	switch {
	case o.CurrencyCode == "":
		add("order.currency_code: required")
	case !strings.EqualFold(o.CurrencyCode, "EUR"):
		add("order.currency_code: %q is not supported, Alma takes EUR only", o.CurrencyCode)
	}
	switch {
	case o.Redirection == "":
		add("order.redirection: required")
	case !absoluteHTTP(o.Redirection):
		add("order.redirection: %q is not an absolute http(s) URL", o.Redirection)
	}
}

// absoluteHTTP reports whether s is an absolute http or https URL with a host.
func absoluteHTTP(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// birthDate reads an ISO-8601 date, or a date-time whose date part is kept,
// and returns it as YYYY-MM-DD.
func birthDate(s string) (string, error) {
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t.Format(time.DateOnly), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return "", fmt.Errorf("birthdate: %w", err)
	}
	return t.Format(time.DateOnly), nil
}
