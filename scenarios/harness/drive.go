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
	conn      *connector.Client // the run's connector, or a copy with the scenario's api_key
	session   connector.Session
	paymentID string
	results   []connector.Result
	refunds   int
}

// runOne runs one scenario and judges it.
func (h *harness) runOne(ctx context.Context, sc *scenarios.Scenario) (res Result) {
	start := h.cfg.Now()
	res = Result{ID: sc.ID, Status: sc.Status, Expect: Expected(sc, h.cfg.Rows), File: sc.File}
	defer func() { res.Duration = h.cfg.Now().Sub(start) }()
	if res.Failure = h.checkServed(ctx, sc); res.Failure != "" {
		return res
	}
	if res.Failure = h.checkArmed(ctx, sc); res.Failure != "" {
		return res
	}
	if sc.Arms() {
		h.armMu.Lock()
		defer h.armMu.Unlock()
	}
	d := &drive{h: h, sc: sc, conn: h.connFor(sc)}
	err := d.run(ctx)
	res.Trail = d.trail()
	res.Calls = describe(d.results)
	res.PaymentID = d.paymentID
	res.Failure = join(judge(sc, d.results, err, h.cfg.Rows), d.checkPlan(ctx))
	res.Unchecked = res.Failure == "" && !sc.HasExpectation()
	res.Passed = res.Failure == "" && !res.Unchecked
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

// connFor is the connector a scenario drives: the run's, or, when the
// scenario names an api_key, a copy that sends that key instead (same
// deadlines, HTTP client and IPN callback URL).
func (h *harness) connFor(sc *scenarios.Scenario) *connector.Client {
	if sc.APIKey == "" {
		return h.conn
	}
	c := *h.conn
	c.APIKey = connector.Secret(sc.APIKey)
	return &c
}

// session builds the scenario's orchestrator session.
func (h *harness) session(sc *scenarios.Scenario) (connector.Session, error) {
	s := connector.Session{
		Amount: defaultAmount,
		Order: connector.Order{
			Reference: h.reference(sc), CurrencyCode: defaultCurrency, Redirection: defaultRedirection,
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
	c := d.conn
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
	case scenarios.ActArm:
		return d.h.admin.arm(ctx, a.ID)
	default:
		return d.needPayment(func(id string) error { d.add(d.operation(ctx, a, id)); return nil })
	}
	return nil
}

// operation calls the connector for an action on an existing payment.
func (d *drive) operation(ctx context.Context, a scenarios.Action, id string) connector.Result {
	c := d.conn
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
			d.add(d.conn.Cancel(ctx, id))
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
func (d *drive) trail() []string { return trailOf(d.results) }

// describe writes each result on one line, for failure messages.
func describe(results []connector.Result) []string {
	out := make([]string, len(results))
	for i, r := range results {
		out[i] = r.String()
	}
	return out
}

// judge returns why a scenario failed, or "" when it passed: the drive ran,
// the scenario agrees with the table, it produced its status row with the
// table's State and Code (a timeout row by the connector's deadline), its
// last result has the State and Code it expects, and its trail is the one
// it gives.
func judge(sc *scenarios.Scenario, results []connector.Result, runErr error, rows []connector.Row) string {
	var why []string
	if runErr != nil {
		why = append(why, runErr.Error())
	}
	if msg := CheckRow(sc, rows); msg != "" {
		why = append(why, msg)
	}
	if r, ok := rowOf(rows, sc.Status); ok {
		why = append(why, checkRowResult(r, results)...)
	} else if sc.Status == "" {
		why = append(why, checkLast(sc.Expect, results)...)
	}
	if want := sc.Expect.Trail; len(want) > 0 && !slices.Equal(want, trailOf(results)) {
		why = append(why, fmt.Sprintf("expected trail %v, got %v", want, trailOf(results)))
	}
	return strings.Join(why, "; ")
}

// checkRowResult checks that a result has the row's PSP status with the
// row's State and Code, saying which of the two differs; for a timeout row
// it must come from the connector's deadline.
func checkRowResult(row connector.Row, results []connector.Result) []string {
	var same []connector.Result
	for _, r := range results {
		if r.Status.PSPStatus == row.PSPStatus {
			same = append(same, r)
		}
	}
	if len(same) == 0 {
		return []string{fmt.Sprintf("expected a %s (%s/%s) result, got %v", row.PSPStatus, row.State, row.Code, trailOf(results))}
	}
	var why []string
	for _, r := range same {
		if msg := stateCode("the "+row.PSPStatus+" result", row.State, row.Code, r.Status); msg != "" {
			why = append(why, msg+" (the table says "+row.State+"/"+row.Code+")")
			continue
		}
		if _, ok := timeoutOps[row.PSPStatus]; !ok || isDeadline(r.Err) {
			return nil
		}
		why = append(why, fmt.Sprintf("the %s result did not come from the connector's deadline (err: %v): a reset or an early answer is no timeout", row.PSPStatus, r.Err))
	}
	return why[:1]
}

// checkLast checks the last result against the State and Code a scenario
// without a status expects.
func checkLast(want scenarios.Expect, results []connector.Result) []string {
	if want.State == "" && want.Code == "" {
		return nil
	}
	if len(results) == 0 {
		return []string{"no connector result"}
	}
	last := results[len(results)-1].Status
	if msg := stateCode("the last result", want.State, want.Code, last); msg != "" {
		return []string{msg}
	}
	return nil
}

// stateCode compares a row's State and Code with the wanted ones (an empty
// want matches anything) and says which differs, or "".
func stateCode(what, state, code string, got connector.Row) string {
	badState := state != "" && got.State != state
	badCode := code != "" && got.Code != code
	switch {
	case badState && badCode:
		return fmt.Sprintf("expected %s %s/%s, got %s (%s/%s)", what, state, code, got.PSPStatus, got.State, got.Code)
	case badState:
		return fmt.Sprintf("expected %s to have state %s, got %s (%s/%s)", what, state, got.PSPStatus, got.State, got.Code)
	case badCode:
		return fmt.Sprintf("expected %s to have code %s, got %s (%s/%s)", what, code, got.PSPStatus, got.State, got.Code)
	}
	return ""
}

// join joins the non-empty failure messages with "; ".
func join(msgs ...string) string {
	var out []string
	for _, m := range msgs {
		if m != "" {
			out = append(out, m)
		}
	}
	return strings.Join(out, "; ")
}

// trailOf is the PSP status of each result.
func trailOf(results []connector.Result) []string {
	out := make([]string, len(results))
	for i, r := range results {
		out[i] = r.Status.PSPStatus
	}
	return out
}
