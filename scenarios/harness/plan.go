package harness

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// planView is what the plan check reads of GET /__admin/payments/{id}:
// Alma's payment JSON, its creation and its installments' due dates (Unix
// seconds, as Alma writes them).
type planView struct {
	Payment struct {
		Created     int64 `json:"created"`
		PaymentPlan []struct {
			DueDate int64 `json:"due_date"`
		} `json:"payment_plan"`
	} `json:"payment"`
}

// plan fetches a payment's creation and due dates through the admin API,
// which, unlike the merchant's GET, uses up none of the scenario's get
// steps.
func (a *admin) plan(ctx context.Context, paymentID string) (planView, error) {
	var v planView
	err := a.do(ctx, http.MethodGet, "/__admin/payments/"+url.PathEscape(paymentID), nil, &v)
	return v, err
}

// checkPlan says how the drive's payment plan differs from the scenario's
// expect.due_months, or "" when it has none or they agree. Installment i
// must fall due_months[i] calendar months after the payment's creation, to
// the second, the months counted as Go's time.AddDate counts them (31
// January + 1 month is 3 March). The emulator counts in its own time zone,
// which the harness cannot see: a date counted in UTC or in the harness's
// local zone is accepted (they differ only across a daylight-saving change).
func (d *drive) checkPlan(ctx context.Context) string {
	want := d.sc.Expect.DueMonths
	if len(want) == 0 {
		return ""
	}
	if d.paymentID == "" {
		return "expect.due_months: the drive created no payment"
	}
	v, err := d.h.admin.plan(ctx, d.paymentID)
	if err != nil {
		return "expect.due_months: " + err.Error()
	}
	plan := v.Payment.PaymentPlan
	if len(plan) != len(want) {
		return fmt.Sprintf("expected a plan of %d installments (due_months %v), got %d", len(want), want, len(plan))
	}
	created := time.Unix(v.Payment.Created, 0)
	for i, m := range want {
		if !monthsAfter(created, m, plan[i].DueDate) {
			return fmt.Sprintf("expected installment %d due %d month(s) after the payment's creation (%s), i.e. %s, got %s",
				i+1, m, utc(created.Unix()), utc(created.UTC().AddDate(0, m, 0).Unix()), utc(plan[i].DueDate))
		}
	}
	return ""
}

// monthsAfter reports whether due (Unix seconds) is months calendar months
// after created, counted in UTC or in the local time zone.
func monthsAfter(created time.Time, months int, due int64) bool {
	for _, loc := range []*time.Location{time.UTC, time.Local} {
		if created.In(loc).AddDate(0, months, 0).Unix() == due {
			return true
		}
	}
	return false
}

// utc writes Unix seconds as an RFC 3339 time in UTC.
func utc(sec int64) string { return time.Unix(sec, 0).UTC().Format(time.RFC3339) }
