package emulator

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// t0 is the creation time of the core tests' payments.
var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// newTestPayment is a payment of 300.00 € in 3 created at t0.
func newTestPayment(capture string) *payment {
	return &payment{
		ID: "payment_11test", Created: t0, State: stateNotStarted, Amount: 30000, Installments: 3,
		CaptureMethod: capture, Plan: newPlan(30000, FeePlan{InstallmentsCount: 3}, t0),
	}
}

// accepted is the bank's yes.
var accepted = cardResult{Last4: "4242", Message: "Payment accepted"}

func TestPayMovesToTheAcceptedState(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		capture   string
		trigger   bool
		stepState string
		card      cardResult
		want      string
		firstPaid bool
	}{
		{name: "automatic capture charges the first installment", capture: "automatic", card: accepted, want: stateInProgress, firstPaid: true},
		{name: "manual capture waits", capture: "manual", card: accepted, want: stateScoredYes},
		{name: "pay on trigger waits", capture: "automatic", trigger: true, card: accepted, want: stateScoredYes},
		{name: "a scenario's step decides", capture: "manual", stepState: stateScoredMaybe, card: accepted, want: stateScoredMaybe},
		{name: "scoring refuses", capture: "automatic", stepState: stateScoredNo, card: accepted, want: stateScoredNo},
		{name: "a refused card changes nothing", capture: "automatic", card: cardResult{Code: "card_declined", Last4: "0002"}, want: stateNotStarted},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := newTestPayment(tt.capture)
			p.Trigger = tt.trigger
			state, aerr := p.pay(tt.card, tt.stepState, t0.Add(time.Minute))
			require.Nil(t, aerr)
			assert.Equal(t, tt.want, state)
			assert.Equal(t, tt.want, p.State)
			assert.Equal(t, tt.firstPaid, p.Plan[0].State == installmentPaid)
			assert.Equal(t, tt.card.Last4, p.CardLast4)
		})
	}
}

func TestPayRefusedUnlessAwaitingTheCustomer(t *testing.T) {
	t.Parallel()
	p := newTestPayment("automatic")
	_, aerr := p.pay(accepted, "", t0)
	require.Nil(t, aerr)
	_, aerr = p.pay(accepted, "", t0)
	require.NotNil(t, aerr)
	assert.Equal(t, codeForbidden, aerr.Code)

	c := newTestPayment("automatic")
	require.Nil(t, c.cancel(t0))
	_, aerr = c.pay(accepted, "", t0)
	require.NotNil(t, aerr, "a cancelled payment cannot be paid")
}

func TestExpiryBoundary(t *testing.T) {
	t.Parallel()
	p := newTestPayment("automatic")
	p.ExpiresAt = t0.Add(30 * time.Minute)
	p.settle(p.ExpiresAt.Add(-time.Second))
	assert.False(t, p.expired(), "a second before expires_after")
	p.settle(p.ExpiresAt)
	assert.True(t, p.expired(), "at exactly expires_after the payment has expired")
	assert.Equal(t, p.ExpiresAt, p.ExpiredAt)

	paid := newTestPayment("automatic")
	paid.ExpiresAt = t0.Add(time.Minute)
	_, _ = paid.pay(accepted, "", t0)
	paid.settle(t0.Add(time.Hour))
	assert.False(t, paid.expired(), "a paid installment stops the expiry")
}

func TestSettleCollectsInstallments(t *testing.T) {
	t.Parallel()
	p := newTestPayment("automatic")
	_, _ = p.pay(accepted, "", t0)
	p.settle(t0.AddDate(0, 1, 0).Add(-time.Second))
	assert.Equal(t, []string{installmentPaid, installmentPending, installmentPending}, planStates(p))
	p.settle(t0.AddDate(0, 1, 0))
	assert.Equal(t, []string{installmentPaid, installmentPaid, installmentPending}, planStates(p))
	assert.Equal(t, t0.AddDate(0, 1, 0), p.Plan[1].Paid, "paid on its due date")
	p.settle(t0.AddDate(0, 2, 0))
	assert.Equal(t, statePaid, p.State)
}

// planStates lists p's installment states.
func planStates(p *payment) []string {
	out := make([]string, len(p.Plan))
	for i, in := range p.Plan {
		out[i] = in.State
	}
	return out
}

func TestCapture(t *testing.T) {
	t.Parallel()
	amount := func(v int64) *int64 { return &v }
	tests := []struct {
		name    string
		capture string
		state   string
		amount  *int64
		twice   bool
		code    string // "" = captured
		charged int64
	}{
		{name: "full capture", capture: "manual", state: stateScoredYes, charged: 30000},
		{name: "partial capture re-splits the plan", capture: "manual", state: stateScoredYes, amount: amount(20000), charged: 20000},
		{name: "above the authorized amount", capture: "manual", state: stateScoredYes, amount: amount(30001), code: codeInvalidAmount},
		{name: "automatic capture cannot be captured", capture: "automatic", state: stateInProgress, code: codeForbidden},
		{name: "not authorized", capture: "manual", state: stateScoredMaybe, code: codeForbidden},
		{name: "second capture", capture: "manual", state: stateScoredYes, twice: true, code: codeAlreadyCaptured},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := newTestPayment(tt.capture)
			p.State = tt.state
			aerr := p.capture(tt.amount, t0)
			if tt.twice {
				require.Nil(t, aerr)
				aerr = p.capture(tt.amount, t0)
			}
			if tt.code != "" {
				require.NotNil(t, aerr)
				assert.Equal(t, tt.code, aerr.Code)
				return
			}
			require.Nil(t, aerr)
			assert.Equal(t, stateInProgress, p.State)
			assert.Equal(t, tt.charged, p.charged())
			assert.Equal(t, installmentPaid, p.Plan[0].State)
		})
	}
}

func TestRefundsAccumulateUpToWhatWasCharged(t *testing.T) {
	t.Parallel()
	p := newTestPayment("automatic")
	require.NotNil(t, p.refund("refund_1", amountRequest{}, t0), "nothing paid yet")
	_, _ = p.pay(accepted, "", t0)
	v := int64(10000)
	require.Nil(t, p.refund("refund_1", amountRequest{Amount: &v}, t0))
	require.Nil(t, p.refund("refund_2", amountRequest{Amount: &v}, t0))
	over := int64(10001)
	aerr := p.refund("refund_3", amountRequest{Amount: &over}, t0)
	require.NotNil(t, aerr)
	assert.Equal(t, codeInvalidAmount, aerr.Code)
	require.Nil(t, p.refund("refund_3", amountRequest{}, t0), "no amount refunds what remains")
	assert.Equal(t, int64(30000), p.refunded())
	aerr = p.refund("refund_4", amountRequest{}, t0)
	require.NotNil(t, aerr)
	assert.Contains(t, aerr.Message, "fully refunded")
}

func TestFullRefundZeroesWhatRemainsAndPays(t *testing.T) {
	t.Parallel()
	p := newTestPayment("automatic")
	_, _ = p.pay(accepted, "", t0)
	v := int64(10000)
	require.Nil(t, p.refund("refund_1", amountRequest{Amount: &v}, t0))
	assert.Equal(t, stateInProgress, p.State, "a partial refund leaves the payment as it was")
	require.Nil(t, p.refund("refund_2", amountRequest{}, t0))
	assert.Equal(t, statePaid, p.State)
	require.Len(t, p.Plan, 3)
	assert.Equal(t, int64(10000), p.Plan[0].Amount, "what was collected stays")
	for _, in := range p.Plan[1:] {
		assert.Zero(t, in.Amount)
		assert.Equal(t, int64(10000), in.original())
	}
	p.settle(t0.AddDate(1, 0, 0))
	assert.Equal(t, statePaid, p.State, "nothing more is collected")
	assert.Equal(t, int64(30000), p.refunded())
	aerr := p.refund("refund_3", amountRequest{}, t0)
	require.NotNil(t, aerr)
	assert.Equal(t, codeInvalidAmount, aerr.Code)
}

func TestCancel(t *testing.T) {
	t.Parallel()
	p := newTestPayment("manual")
	require.Nil(t, p.cancel(t0))
	require.Nil(t, p.cancel(t0.Add(time.Hour)), "cancelling again keeps the first time")
	assert.Equal(t, t0, p.ExpiredAt)

	paid := newTestPayment("automatic")
	_, _ = paid.pay(accepted, "", t0)
	aerr := paid.cancel(t0)
	require.NotNil(t, aerr)
	assert.Equal(t, codeForbidden, aerr.Code)
}

func TestDecide(t *testing.T) {
	t.Parallel()
	p := newTestPayment("manual")
	assert.False(t, p.decide(stateScoredYes, t0), "not waiting for a decision")
	p.State = stateScoredMaybe
	assert.True(t, p.decide(stateScoredYes, t0))
	assert.Equal(t, stateScoredYes, p.State)
	assert.False(t, p.decide(stateScoredNo, t0), "decided once")
}

func TestTrigger(t *testing.T) {
	t.Parallel()
	p := newTestPayment("automatic")
	assert.Equal(t, codeForbidden, p.trigger(t0).Code, "not a pay-on-trigger payment")
	p.Trigger = true
	assert.Equal(t, codeForbidden, p.trigger(t0).Code, "not accepted yet")
	p.State = stateScoredYes
	require.Nil(t, p.trigger(t0))
	assert.Equal(t, stateInProgress, p.State)
	assert.Equal(t, t0, p.TriggeredAt)
	assert.Equal(t, codeGeneric, p.trigger(t0).Code, "triggered once")
}

func TestForcePaidPaysEveryInstallment(t *testing.T) {
	t.Parallel()
	p := newTestPayment("automatic")
	p.force(statePaid, "test", t0)
	assert.Equal(t, []string{installmentPaid, installmentPaid, installmentPaid}, planStates(p))
	p.force("late", "test", t0)
	assert.Equal(t, "late", p.State)
}

func TestEventsBounded(t *testing.T) {
	t.Parallel()
	p := newTestPayment("automatic")
	for i := range maxEvents + 10 {
		p.note(t0.Add(time.Duration(i)*time.Second), "state", "x")
	}
	events := p.Events.oldestFirst(nil)
	require.Len(t, events, maxEvents)
	assert.Equal(t, t0.Add(10*time.Second).Unix(), events[0].At, "the oldest were dropped")
}

func TestAdvanceSaturates(t *testing.T) {
	t.Parallel()
	p := newTestPayment("automatic")
	p.advance(maxAdvance, t0)
	p.advance(time.Hour, t0)
	assert.Equal(t, maxAdvance, p.Offset)
	assert.Equal(t, time.Duration(5), addSaturating(2, 3))
}
