package harness

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/alma-sandbox/alma-sandbox/connector"
	"github.com/alma-sandbox/alma-sandbox/scenarios"
)

// Default session of a scenario: 300.00 EUR, one return URL.
const (
	defaultAmount      = connector.Amount(30000)
	defaultCurrency    = "EUR"
	defaultRedirection = "https://merchant.example/checkout/return"
)

// drive is one scenario's run: its session, payment and trail.
type drive struct {
	h         *harness
	sc        *scenarios.Scenario
	session   connector.Session
	paymentID string
	results   []connector.Result
	refunds   int
}

// runOne runs one scenario and judges it.
func (h *harness) runOne(ctx context.Context, sc *scenarios.Scenario) Result {
	start := h.cfg.Now()
	res := Result{ID: sc.ID, Status: sc.Status, Expect: sc.Expect, File: sc.File}
	d := &drive{h: h, sc: sc}
	err := d.run(ctx)
	res.Trail = d.trail()
	res.Calls = describe(d.results)
	res.PaymentID = d.paymentID
	res.Failure = judge(sc, d.results, err, h.cfg.Rows)
	res.Passed = res.Failure == ""
	res.Duration = h.cfg.Now().Sub(start)
	return res
}

// run builds the session and performs each action of the drive; it stops at
// the first action that cannot be performed.
func (d *drive) run(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, d.h.cfg.ScenarioWait)
	defer cancel()
	actions, err := d.sc.Actions()
	if err != nil {
		return err
	}
	if d.session, err = d.h.session(d.sc); err != nil {
		return err
	}
	for _, a := range actions {
		if err := d.do(ctx, a); err != nil {
			return fmt.Errorf("%s: %w", a, err)
		}
	}
	return nil
}

// session builds the scenario's orchestrator session.
func (h *harness) session(sc *scenarios.Scenario) (connector.Session, error) {
	s := connector.Session{
		Amount: defaultAmount,
		Order: connector.Order{
			Reference: h.reference(sc.ID), CurrencyCode: defaultCurrency, Redirection: defaultRedirection,
		},
		Customer: connector.Customer{FirstName: "Camille", LastName: "Martin", BillingAddress: connector.Address{
			AddressLines: []string{"12 rue de la Paix"}, City: "Paris", PostalCode: "75002",
			CountryCode: "FR", Email: "camille.martin@example.com",
		}},
	}
	if sc.Session == nil {
		return s, nil
	}
	if sc.Session.Amount != "" {
		a, err := connector.ParseAmount(sc.Session.Amount)
		if err != nil {
			return s, fmt.Errorf("session: %w", err)
		}
		s.Amount = a
	}
	s.Order.CurrencyCode = or(sc.Session.Currency, s.Order.CurrencyCode)
	return s, nil
}

// do performs one action.
func (d *drive) do(ctx context.Context, a scenarios.Action) error {
	c := d.h.conn
	switch a.Kind {
	case scenarios.ActInitialize:
		r := c.Initialize(ctx, d.session, connector.Flow(d.sc.FlowOrDefault()))
		d.found(r.PaymentID)
		d.add(r)
	case scenarios.ActReconcile:
		r := c.Reconcile(ctx, d.session)
		d.found(r.PaymentID)
		d.add(r)
	case scenarios.ActCustomer:
		return d.customer(ctx)
	case scenarios.ActAdvance:
		return d.needPayment(func(id string) error { return d.h.admin.advance(ctx, id, a.By) })
	case scenarios.ActAwaitIPN:
		return d.awaitIPN(ctx)
	case scenarios.ActAwaitIPNRefused:
		return d.awaitRefused(ctx)
	default:
		return d.needPayment(func(id string) error { d.add(d.operation(ctx, a, id)); return nil })
	}
	return nil
}

// operation calls the connector for an action on an existing payment.
func (d *drive) operation(ctx context.Context, a scenarios.Action, id string) connector.Result {
	c := d.h.conn
	switch a.Kind {
	case scenarios.ActVerify:
		return c.Verify(ctx, id, d.session)
	case scenarios.ActCapture:
		return c.Capture(ctx, id, a.Cents)
	case scenarios.ActCancel:
		return c.Cancel(ctx, id)
	default: // scenarios.ActRefund; ParseAction admits no other kind
		d.refunds++
		return c.Refund(ctx, id, a.Cents, fmt.Sprintf("%s-refund-%d", d.session.Order.Reference, d.refunds))
	}
}

// found records the payment a create or reconcile returned, and tells the
// IPN listener which session it belongs to.
func (d *drive) found(paymentID string) {
	if paymentID == "" || d.paymentID != "" {
		return
	}
	d.paymentID = paymentID
	d.h.ipn.register(paymentID, d.session)
}

// needPayment runs f on the payment, or fails when there is none yet.
func (d *drive) needPayment(f func(id string) error) error {
	if d.paymentID == "" {
		return fmt.Errorf("no payment (trail so far %v)", d.trail())
	}
	return f(d.paymentID)
}

// customer performs the scenario's customer step through the admin API; a
// closed widget makes the merchant cancel, as on onUserCloseModal.
func (d *drive) customer(ctx context.Context) error {
	if d.sc.Customer.Action == "none" {
		return nil
	}
	return d.needPayment(func(id string) error {
		if _, err := d.h.admin.customer(ctx, id, d.sc.Customer); err != nil {
			return err
		}
		if d.sc.Customer.Action == "close" {
			d.add(d.h.conn.Cancel(ctx, id))
		}
		return nil
	})
}

// awaitIPN waits for the connector's IPN handler to verify this payment with
// news, and appends that result.
func (d *drive) awaitIPN(ctx context.Context) error {
	return d.needPayment(func(id string) error {
		ctx, cancel := context.WithTimeout(ctx, d.h.cfg.IPNWait)
		defer cancel()
		r, err := d.h.ipn.awaitNews(ctx, id, d.last())
		if err != nil {
			return err
		}
		d.add(r)
		return nil
	})
}

// awaitRefused waits until the emulator's delivery log shows a notification
// the connector's handler answered 401, and checks that the handler
// verified nothing for this payment.
func (d *drive) awaitRefused(ctx context.Context) error {
	return d.needPayment(func(id string) error {
		ctx, cancel := context.WithTimeout(ctx, d.h.cfg.IPNWait)
		defer cancel()
		for {
			list, err := d.h.admin.deliveries(ctx, id)
			if err != nil {
				return err
			}
			if slices.ContainsFunc(list, func(x delivery) bool { return x.Status == 401 && !x.SignatureOK }) {
				if n := d.h.ipn.count(id); n > 0 {
					return fmt.Errorf("the IPN handler verified %d notification(s) although they were forged", n)
				}
				return nil
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("no refused notification in the delivery log (%d attempt(s) seen): %w", len(list), ctx.Err())
			case <-time.After(20 * time.Millisecond):
			}
		}
	})
}

// add appends a connector result to the trail.
func (d *drive) add(r connector.Result) { d.results = append(d.results, r) }

// last is the trail's last PSP status, "" when empty.
func (d *drive) last() string {
	if len(d.results) == 0 {
		return ""
	}
	return d.results[len(d.results)-1].Status.PSPStatus
}

// trail is the PSP status of each connector result.
func (d *drive) trail() []string {
	out := make([]string, len(d.results))
	for i, r := range d.results {
		out[i] = r.Status.PSPStatus
	}
	return out
}

// describe writes each result on one line, for failure messages.
func describe(results []connector.Result) []string {
	out := make([]string, len(results))
	for i, r := range results {
		out[i] = r.String()
	}
	return out
}

// judge returns why a scenario failed, or "" when it passed: the drive ran,
// its rows carry the expected status with the table's State and Code, and
// the trail is the expected one.
func judge(sc *scenarios.Scenario, results []connector.Result, runErr error, rows []connector.Row) string {
	var why []string
	if runErr != nil {
		why = append(why, runErr.Error())
	}
	if msg := checkExpectations(sc, rows); msg != "" {
		why = append(why, msg)
	}
	if msg := checkOutcome(sc, results); msg != "" {
		why = append(why, msg)
	}
	return strings.Join(why, "; ")
}

// checkExpectations checks the scenario against the status table: its
// status is a row and its expect is that row's State and Code.
func checkExpectations(sc *scenarios.Scenario, rows []connector.Row) string {
	if sc.Status == "" {
		return ""
	}
	i := slices.IndexFunc(rows, func(r connector.Row) bool { return r.PSPStatus == sc.Status })
	switch {
	case i < 0:
		return fmt.Sprintf("status %q is not a row of the status table", sc.Status)
	case rows[i].State != sc.Expect.State || rows[i].Code != sc.Expect.Code:
		return fmt.Sprintf("expect %s/%s, but the table says %s is %s/%s",
			sc.Expect.State, sc.Expect.Code, sc.Status, rows[i].State, rows[i].Code)
	}
	return ""
}

// checkOutcome checks the results: a result with the scenario's status and
// expected State/Code (without a status: the last result's State/Code), and
// the exact trail when the scenario gives one.
func checkOutcome(sc *scenarios.Scenario, results []connector.Result) string {
	var why []string
	want := sc.Expect
	got := make([]string, len(results))
	for i, r := range results {
		got[i] = r.Status.PSPStatus
	}
	switch {
	case sc.Status != "":
		if !slices.ContainsFunc(results, func(r connector.Result) bool {
			return r.Status.PSPStatus == sc.Status && r.Status.State == want.State && r.Status.Code == want.Code
		}) {
			why = append(why, fmt.Sprintf("expected a %s (%s/%s) result, got %v", sc.Status, want.State, want.Code, got))
		}
	case want.State != "" || want.Code != "":
		if len(results) == 0 {
			why = append(why, "no connector result")
		} else if last := results[len(results)-1].Status; last.State != want.State || last.Code != want.Code {
			why = append(why, fmt.Sprintf("expected the last result %s/%s, got %s (%s/%s)", want.State, want.Code, last.PSPStatus, last.State, last.Code))
		}
	}
	if len(want.Trail) > 0 && !slices.Equal(want.Trail, got) {
		why = append(why, fmt.Sprintf("expected trail %v, got %v", want.Trail, got))
	}
	return strings.Join(why, "; ")
}

// CheckRow checks a scenario against the status table without running it:
// its status, when set, is a row and its expect is that row's State and
// Code. It returns "" when the scenario agrees with the table.
func CheckRow(sc *scenarios.Scenario, rows []connector.Row) string {
	return checkExpectations(sc, rows)
}
