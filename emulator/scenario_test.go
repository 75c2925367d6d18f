package emulator_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alma-sandbox/alma-sandbox/emulator"
	"github.com/alma-sandbox/alma-sandbox/emulator/emulatortest"
	"github.com/alma-sandbox/alma-sandbox/scenarios"
)

// testScenarios is a catalogue built in code, independent of the files.
func testScenarios(t testing.TB) func(*emulator.Server) {
	list := []*scenarios.Scenario{
		{ID: "pending_yes", Flow: scenarios.FlowPending,
			Decision: &scenarios.Decision{After: scenarios.Duration(20 * time.Millisecond), State: "scored_yes"},
			On:       map[scenarios.Op][]scenarios.Step{scenarios.OpCustomer: {{State: "scored_maybe"}}}},
		{ID: "get_503_twice", On: map[scenarios.Op][]scenarios.Step{scenarios.OpGet: {{Status: 503, Times: 2}}}},
		{ID: "create_lost", On: map[scenarios.Op][]scenarios.Step{scenarios.OpCreate: {{Fault: scenarios.FaultEmpty, Commit: true}}}},
		{ID: "amount_mismatch", On: map[scenarios.Op][]scenarios.Step{scenarios.OpGet: {{Patch: map[string]any{"purchase_amount": 1}}}}},
		{ID: "refund_refused", On: map[scenarios.Op][]scenarios.Step{scenarios.OpRefund: {{Error: &scenarios.Error{Code: "invalid_amount", Message: "nope"}}}}},
		{ID: "capture_funds", On: map[scenarios.Op][]scenarios.Step{scenarios.OpCapture: {{Error: &scenarios.Error{Code: "insufficient_funds"}}}}},
		{ID: "create_429", On: map[scenarios.Op][]scenarios.Step{scenarios.OpCreate: {{Error: &scenarios.Error{Code: "too_many_requests", Field: "payment"}}}}},
		{ID: "get_hang", On: map[scenarios.Op][]scenarios.Step{scenarios.OpGet: {{Fault: scenarios.FaultHang}}}},
		{ID: "get_paid", On: map[scenarios.Op][]scenarios.Step{scenarios.OpGet: {{State: "paid"}}}},
	}
	cat, err := scenarios.NewCatalog(list)
	require.NoError(t, err)
	return func(s *emulator.Server) { s.Scenarios = cat }
}

func TestSelection(t *testing.T) {
	t.Parallel()
	_, c := open(t, testScenarios(t))
	byHeader := c.do(http.MethodPost, "/v1/payments", createBody(20000), "X-Alma-Sandbox-Scenario", "get_503_twice").JSON(t)["id"].(string)
	byRef := c.create(20000, set("order.merchant_reference", "get_503_twice:order-7"))["id"].(string)
	require.Equal(t, http.StatusOK, c.do(http.MethodPost, "/__admin/scenarios/get_503_twice/arm", map[string]any{"count": 1}).Status)
	byArm := c.create(20000)["id"].(string)
	plain := c.create(20000)["id"].(string)
	for _, id := range []string{byHeader, byRef, byArm} {
		for range 2 {
			res := c.do(http.MethodGet, "/v1/payments/"+id, nil)
			assert.Equal(t, http.StatusServiceUnavailable, res.Status, id)
			assert.Equal(t, map[string]any{"message": "Service Unavailable"}, res.JSON(t))
		}
		assert.Equal(t, http.StatusOK, c.do(http.MethodGet, "/v1/payments/"+id, nil).Status, "steps used up: normal")
	}
	assert.Equal(t, http.StatusOK, c.do(http.MethodGet, "/v1/payments/"+plain, nil).Status, "the arm is used up")
	admin := c.do(http.MethodGet, "/__admin/payments/"+byRef, nil).JSON(t)
	assert.Equal(t, "get_503_twice", admin["sandbox"].(map[string]any)["scenario"])
}

func TestScenarioAnswers(t *testing.T) {
	t.Parallel()
	_, c := open(t, testScenarios(t))
	with := func(id string, extra ...func(map[string]any)) string {
		return c.create(20000, append(extra, set("order.merchant_reference", id+":x"))...)["id"].(string)
	}
	t.Run("patch", func(t *testing.T) {
		id := with("amount_mismatch")
		p := c.do(http.MethodGet, "/v1/payments/"+id, nil).JSON(t)
		assert.Equal(t, float64(1), p["purchase_amount"])
		assert.Equal(t, float64(20000), c.do(http.MethodGet, "/v1/payments/"+id, nil).JSON(t)["purchase_amount"])
	})
	t.Run("refund error", func(t *testing.T) {
		id := with("refund_refused")
		c.pay(id)
		res := c.do(http.MethodPost, "/v1/payments/"+id+"/refund", nil)
		assert.Equal(t, http.StatusBadRequest, res.Status)
		assert.Equal(t, map[string]any{"error_code": "invalid_amount", "message": "nope"}, res.JSON(t))
		assert.Equal(t, float64(0), c.do(http.MethodGet, "/v1/payments/"+id, nil).JSON(t)["amount_already_refunded"], "not committed")
	})
	t.Run("card error on capture", func(t *testing.T) {
		id := with("capture_funds", manual)
		c.pay(id)
		res := c.do(http.MethodPost, "/v1/payments/"+id+"/capture", nil)
		assert.Equal(t, http.StatusPaymentRequired, res.Status)
		assert.Equal(t, "insufficient_funds", res.JSON(t)["error_code"])
	})
	t.Run("get moves the state", func(t *testing.T) {
		id := with("get_paid")
		assert.Equal(t, "paid", c.do(http.MethodGet, "/v1/payments/"+id, nil).JSON(t)["state"])
	})
	t.Run("create error before a payment exists", func(t *testing.T) {
		res := c.do(http.MethodPost, "/v1/payments", createBody(20000, set("order.merchant_reference", "create_429:x")))
		assert.Equal(t, http.StatusBadRequest, res.Status)
		assert.Equal(t, validationErr("payment", "too_many_requests"), firstError(res.JSON(t)))
	})
}

func TestCreatedButAnswerLost(t *testing.T) {
	t.Parallel()
	_, c := open(t, testScenarios(t))
	ref := "create_lost:order-9"
	req := createBody(20000, set("order.merchant_reference", ref), set("payment.custom_data", map[string]any{"order_reference": ref}))
	body := mustJSON(t, req)
	httpReq, err := http.NewRequest(http.MethodPost, c.base+"/v1/payments", body)
	require.NoError(t, err)
	httpReq.Header.Set("Authorization", "Alma-Auth "+testKey)
	_, err = c.http.Do(httpReq)
	require.Error(t, err, "the answer is lost")
	list := c.do(http.MethodGet, "/v1/payments", nil).JSON(t)
	data := list["data"].([]any)
	require.Len(t, data, 1, "but the payment exists")
	assert.Equal(t, ref, data[0].(map[string]any)["custom_data"].(map[string]any)["order_reference"])
}

// TestPendingDecisionAndIPN steps a frozen clock: nothing happens until the
// clock moves, then the decision and each IPN fire in order, logged before
// the advance answers.
func TestPendingDecisionAndIPN(t *testing.T) {
	t.Parallel()
	rc := emulatortest.NewIPNReceiver(t, testKey)
	s, c := open(t, testScenarios(t), frozen(time.Second))
	id := c.create(90000, manual, set("order.merchant_reference", "pending_yes:o1"), paymentField("ipn_callback_url", rc.URL+"/ipn"))["id"].(string)
	out := c.pay(id)
	assert.Equal(t, "scored_maybe", out["state"])
	assert.Empty(t, ipnOf(t, c, id), "no IPN before the clock moves")

	advance(t, c, "1s") // the decision (20 ms) and the first IPN (1 s) fell due
	assert.Equal(t, []string{id}, rc.PIDs())
	assert.Equal(t, "scored_yes", c.do(http.MethodGet, "/v1/payments/"+id, nil).JSON(t)["state"])
	require.Len(t, ipnOf(t, c, id), 1)

	s.Advance(time.Second) // the decision's IPN, 1 s after the decision
	assert.Equal(t, []string{id, id}, rc.PIDs())
	ipn := ipnOf(t, c, id)
	require.Len(t, ipn, 2)
	for _, d := range ipn {
		assert.Equal(t, float64(200), d["status"])
		assert.Equal(t, true, d["signature_ok"])
	}
	require.Equal(t, http.StatusOK, c.do(http.MethodPost, "/v1/payments/"+id+"/capture", nil).Status)
}

// TestIPNRetriesOnTheClock: a receiver answering 500 is retried on the
// emulator's clock, doubling from IPNRetryBase, up to IPNMaxAttempts.
func TestIPNRetriesOnTheClock(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	fail := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.WriteHeader(http.StatusInternalServerError)
	}))
	t.Cleanup(fail.Close)
	_, c := open(t, frozen(0), func(s *emulator.Server) { s.IPNRetryBase = time.Minute; s.IPNMaxAttempts = 4 })
	id := c.create(20000, paymentField("ipn_callback_url", fail.URL))["id"].(string)
	c.pay(id)
	advance(t, c, "1ns") // attempt 1 (due at once)
	assert.Equal(t, int32(1), calls.Load())
	advance(t, c, "59s")
	assert.Equal(t, int32(1), calls.Load(), "the retry is a minute later")
	advance(t, c, "1s")
	assert.Equal(t, int32(2), calls.Load())
	advance(t, c, "1m59s")
	assert.Equal(t, int32(2), calls.Load(), "the next retry waits twice as long")
	advance(t, c, "1s")
	assert.Equal(t, int32(3), calls.Load())
	advance(t, c, "3m59s")
	assert.Equal(t, int32(3), calls.Load(), "and the next four times as long")
	advance(t, c, "1s")
	assert.Equal(t, int32(4), calls.Load())
	advance(t, c, "24h")
	assert.Equal(t, int32(4), calls.Load(), "IPNMaxAttempts reached: it gives up")
	ipn := ipnOf(t, c, id)
	require.Len(t, ipn, 4)
	assert.Equal(t, float64(500), ipn[3]["status"])
}

// TestPaymentAdvanceFiresItsOwnTimers: a payment's own clock advance fires
// its decision, not another payment's.
func TestPaymentAdvanceFiresItsOwnTimers(t *testing.T) {
	t.Parallel()
	_, c := open(t, testScenarios(t), frozen(time.Hour))
	a := c.create(90000, manual, set("order.merchant_reference", "pending_yes:a"))["id"].(string)
	b := c.create(90000, manual, set("order.merchant_reference", "pending_yes:b"))["id"].(string)
	c.pay(a)
	c.pay(b)
	res := c.do(http.MethodPost, "/__admin/payments/"+a+"/advance", map[string]string{"by": "1s"})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	assert.Equal(t, "scored_yes", c.do(http.MethodGet, "/v1/payments/"+a, nil).JSON(t)["state"])
	assert.Equal(t, "scored_maybe", c.do(http.MethodGet, "/v1/payments/"+b, nil).JSON(t)["state"])
}

// TestIPNRedirectNotFollowed: a 3xx from the receiver is its answer; the
// signature never travels to the redirect's target.
func TestIPNRedirectNotFollowed(t *testing.T) {
	t.Parallel()
	var reached atomic.Bool
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { reached.Store(true) }))
	t.Cleanup(target.Close)
	redirect := httptest.NewServer(http.RedirectHandler(target.URL, http.StatusFound))
	t.Cleanup(redirect.Close)
	_, c := open(t, frozen(0), func(s *emulator.Server) { s.IPNMaxAttempts = 1 })
	id := c.create(20000, paymentField("ipn_callback_url", redirect.URL))["id"].(string)
	c.pay(id)
	advance(t, c, "1ns")
	ipn := ipnOf(t, c, id)
	require.Len(t, ipn, 1)
	assert.Equal(t, float64(http.StatusFound), ipn[0]["status"])
	assert.False(t, reached.Load())
}

// TestEvictedPaymentIsNotNotified: eviction cancels a payment's timers.
func TestEvictedPaymentIsNotNotified(t *testing.T) {
	t.Parallel()
	rc := emulatortest.NewIPNReceiver(t, testKey)
	_, c := open(t, frozen(time.Second), func(s *emulator.Server) { s.MaxPayments = 1 })
	id := c.create(20000, paymentField("ipn_callback_url", rc.URL))["id"].(string)
	c.pay(id)
	// The operator's clock counts every timer (a tenant's, those of its
	// payments still stored).
	clock := c.do(http.MethodGet, "/__admin/clock", nil, "Authorization", "").JSON(t)
	assert.Equal(t, float64(1), clock["pending_timers"], "its IPN is armed")
	c.create(20000) // evicts the first
	clock = c.do(http.MethodGet, "/__admin/clock", nil, "Authorization", "").JSON(t)
	assert.Equal(t, float64(0), clock["pending_timers"], "eviction dropped its IPN")
	advance(t, c, "1h")
	assert.Empty(t, rc.PIDs())
}

// frozen freezes the emulator's clock at the golden tests' time, with an
// IPN delay.
func frozen(ipnDelay time.Duration) func(*emulator.Server) {
	return func(s *emulator.Server) {
		s.FrozenClock = true
		s.Now = func() time.Time { return fixedNow }
		s.IPNDelay = ipnDelay
	}
}

// advance moves the emulator's clock through the admin API.
func advance(t testing.TB, c *client, by string) {
	t.Helper()
	res := c.do(http.MethodPost, "/__admin/clock/advance", map[string]string{"by": by})
	require.Equal(t, http.StatusOK, res.Status, "advance: %s", res.Body)
}

// ipnOf is the IPN log of payment id.
func ipnOf(t testing.TB, c *client, id string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, d := range c.do(http.MethodGet, "/__admin/ipn?payment="+id, nil).JSON(t)["data"].([]any) {
		out = append(out, d.(map[string]any))
	}
	return out
}

func TestConcurrentScenarios(t *testing.T) {
	t.Parallel()
	_, c := open(t, testScenarios(t))
	const n = 200 // issue 3: two hundred payments, each with its own behaviour
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			sc := []string{"get_503_twice", "amount_mismatch", "get_paid", "none"}[i%4]
			ref := fmt.Sprintf("%s:order-%d", sc, i)
			if sc == "none" {
				ref = fmt.Sprintf("order-%d", i)
			}
			id := c.create(20000, set("order.merchant_reference", ref))["id"].(string)
			res := c.do(http.MethodGet, "/v1/payments/"+id, nil)
			switch sc {
			case "get_503_twice":
				assert.Equal(t, http.StatusServiceUnavailable, res.Status)
			case "amount_mismatch":
				assert.Equal(t, float64(1), res.JSON(t)["purchase_amount"])
			case "get_paid":
				assert.Equal(t, "paid", res.JSON(t)["state"])
			default:
				assert.Equal(t, "not_started", res.JSON(t)["state"])
			}
		})
	}
	wg.Wait()
}

// TestScoringRefusalRedirect: Alma's scoring refusing after a valid card is a
// refusal, and the customer goes to failure_return_url, else return_url.
func TestScoringRefusalRedirect(t *testing.T) {
	t.Parallel()
	_, c := open(t)
	tests := []struct {
		name    string
		failure string
		want    string
	}{
		{name: "failure_return_url set", failure: "https://shop.example.com/failed", want: "https://shop.example.com/failed?pid="},
		{name: "failure_return_url unset", want: "https://shop.example.com/return?pid="},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			extra := []func(map[string]any){set("order.merchant_reference", "state_scored_no:"+tt.name)}
			if tt.failure != "" {
				extra = append(extra, paymentField("failure_return_url", tt.failure))
			}
			id := c.create(20000, extra...)["id"].(string)
			out := c.pay(id)
			assert.Equal(t, "refused", out["outcome"])
			assert.Equal(t, "scored_no", out["state"])
			assert.Equal(t, tt.want+id, out["redirect_url"])
		})
	}
}

// TestScenarioAppliedAndMisfit: every answer about a payment names its
// scenario; a scenario whose steps cannot apply to the payment is warned
// about on the create.
func TestScenarioAppliedAndMisfit(t *testing.T) {
	t.Parallel()
	_, c := open(t)
	res := c.do(http.MethodPost, "/v1/payments", createBody(20000, set("order.merchant_reference", "card_card_declined:1")))
	require.Equal(t, http.StatusOK, res.Status)
	assert.Equal(t, "card_card_declined", res.Header.Get(emulator.ScenarioAppliedHeader))
	assert.Contains(t, res.Header.Get(emulator.WarningHeader), "capture_method manual")
	id := res.JSON(t)["id"].(string)
	journal := c.do(http.MethodGet, "/__admin/journal?method=POST&path=/v1/payments&limit=1", nil).JSON(t)["data"].([]any)
	require.Len(t, journal, 1)
	assert.Contains(t, journal[0].(map[string]any)["warning"], "capture_method manual")
	get := c.do(http.MethodGet, "/v1/payments/"+id, nil)
	assert.Equal(t, "card_card_declined", get.Header.Get(emulator.ScenarioAppliedHeader))

	onGet := c.do(http.MethodGet, "/v1/payments/"+id, nil, "X-Alma-Sandbox-Scenario", "state_paid")
	assert.Contains(t, onGet.Header.Get(emulator.WarningHeader), "applies to POST /v1/payments only", "the header on a GET is not silently ignored")
	assert.Equal(t, "not_started", onGet.JSON(t)["state"])

	fits := c.do(http.MethodPost, "/v1/payments", createBody(20000, manual, set("order.merchant_reference", "card_card_declined:2")))
	assert.Empty(t, fits.Header.Get(emulator.WarningHeader))
	plain := c.do(http.MethodPost, "/v1/payments", createBody(20000))
	assert.Empty(t, plain.Header.Get(emulator.ScenarioAppliedHeader))
}

// TestIPNConsole: each attempt shows its URL, headers, status, answer and
// timing; a resend goes out at once, signed or not, duplicated on demand.
func TestIPNConsole(t *testing.T) {
	t.Parallel()
	rc := emulatortest.NewIPNReceiver(t, testKey)
	_, c := open(t, frozen(time.Hour))
	id := c.create(20000, paymentField("ipn_callback_url", rc.URL+"/ipn?shop=1"))["id"].(string)
	c.pay(id)
	res := c.do(http.MethodPost, "/__admin/payments/"+id+"/ipn", map[string]any{})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	list := res.JSON(t)["data"].([]any)
	require.Len(t, list, 1, "sent now, not an hour later")
	d := list[0].(map[string]any)
	assert.Equal(t, rc.URL+"/ipn?shop=1&pid="+id, d["url"])
	assert.Equal(t, float64(200), d["status"])
	assert.Equal(t, `{"success":true}`, d["answer"])
	assert.NotEmpty(t, d["headers"].(map[string]any)["X-Alma-Signature"])
	_, timed := d["duration_ms"]
	assert.True(t, timed)

	res = c.do(http.MethodPost, "/__admin/payments/"+id+"/ipn", map[string]any{"bad_signature": true, "duplicate": 2})
	require.Equal(t, http.StatusOK, res.Status)
	assert.Len(t, res.JSON(t)["data"], 4, "three more attempts, refused by the receiver")
	assert.Equal(t, 3, rc.Forged())
	assert.Equal(t, []string{id}, rc.PIDs())

	assert.Equal(t, http.StatusBadRequest, c.do(http.MethodPost, "/__admin/payments/"+id+"/ipn", map[string]any{"duplicate": 11}).Status)
	other := c.create(20000)["id"].(string)
	assert.Equal(t, http.StatusBadRequest, c.do(http.MethodPost, "/__admin/payments/"+other+"/ipn", map[string]any{}).Status, "no callback URL")
	assert.Equal(t, http.StatusNotFound, c.do(http.MethodPost, "/__admin/payments/payment_11nope/ipn", map[string]any{}).Status)
}
