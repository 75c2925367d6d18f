package emulator_test

import (
	"net/http"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alma-sandbox/alma-sandbox/emulator"
	"github.com/alma-sandbox/alma-sandbox/emulator/emulatortest"
	"github.com/alma-sandbox/alma-sandbox/internal/pgtest"
)

// stores are the three stores, each a Store setting for a fresh one: the
// same tests run against each.
func stores(t *testing.T) map[string]func() string {
	return map[string]func() string{
		"memory":   func() string { return "memory" },
		"sqlite":   func() string { return "sqlite:" + filepath.Join(t.TempDir(), "alma.db") },
		"postgres": func() string { return pgtest.Database(t) },
	}
}

// durableStores are stores without the memory one.
func durableStores(t *testing.T) map[string]func() string {
	all := stores(t)
	delete(all, "memory")
	return all
}

// on uses store.
func on(store string) func(*emulator.Server) {
	return func(s *emulator.Server) { s.Store = store }
}

// TestStoresServeTheLifecycle: on each store a payment is created, paid,
// refunded and listed with the same answers; tenants stay apart; the
// per-tenant cap evicts the tenant's oldest.
func TestStoresServeTheLifecycle(t *testing.T) {
	for name, store := range stores(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, c := open(t, on(store()), func(s *emulator.Server) { s.MaxTenantPayments = 3 })
			a, b := c.as(keyA), c.as(keyB)
			p := a.create(30000, paymentField("installments_count", 3), paymentField("custom_data", map[string]any{"cart": "c-1"}))
			id := p["id"].(string)
			a.pay(id)
			refund := a.do(http.MethodPost, "/v1/payments/"+id+"/refund", map[string]any{"amount": 5000, "merchant_reference": "r-1"})
			require.Equal(t, http.StatusOK, refund.Status, "%s", refund.Body)
			got := a.do(http.MethodGet, "/v1/payments/"+id, nil)
			require.Equal(t, http.StatusOK, got.Status)
			assert.JSONEq(t, string(refund.Body), string(got.Body), "the refund's answer is the stored payment")
			body := got.JSON(t)
			assert.Equal(t, "in_progress", body["state"])
			assert.Equal(t, map[string]any{"cart": "c-1"}, body["custom_data"])
			assert.Len(t, body["refunds"], 1)

			assert.Equal(t, http.StatusNotFound, b.do(http.MethodGet, "/v1/payments/"+id, nil).Status, "another tenant")
			idB := b.create(20000)["id"].(string)
			var later []string
			for range 3 {
				later = append(later, a.create(20000)["id"].(string))
			}
			slices.Reverse(later)
			require.Eventually(t, func() bool { // a durable store keeps the caps on its next poll
				return slices.Equal(later, ids(t, a.do(http.MethodGet, "/v1/payments", nil)))
			}, 5*time.Second, 20*time.Millisecond, "A's oldest evicted at its cap of 3")
			assert.Equal(t, []string{idB}, ids(t, b.do(http.MethodGet, "/v1/payments", nil)), "B's untouched")

			require.Equal(t, http.StatusOK, a.do(http.MethodPost, "/__admin/reset", nil).Status)
			assert.Empty(t, ids(t, a.do(http.MethodGet, "/v1/payments", nil)))
			assert.Equal(t, []string{idB}, ids(t, b.do(http.MethodGet, "/v1/payments", nil)))
		})
	}
}

// TestDurableStoresSurviveARestart: payments, a pending decision, the
// tenant's clock and the emulator's survive a restart on the same store;
// the decision fires after it, once.
func TestDurableStoresSurviveARestart(t *testing.T) {
	for name, store := range durableStores(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			url := store()
			rc := emulatortest.NewIPNReceiver(t, keyA)
			first := emulatortest.MustOpen(t, on(url), frozen(0))
			c := newClient(t, first).as(keyA)
			res := c.do(http.MethodPost, "/v1/payments", createBody(20000, paymentField("ipn_callback_url", rc.URL)), "X-Alma-Sandbox-Scenario", "flow_pending")
			require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
			id := res.JSON(t)["id"].(string)
			assert.Equal(t, "scored_maybe", c.pay(id)["state"])
			advance(t, c, "30m")
			before := c.do(http.MethodGet, "/v1/payments/"+id, nil)
			require.NoError(t, first.Close())

			second := emulatortest.MustOpen(t, on(url), frozen(0))
			c2 := newClient(t, second).as(keyA)
			after := c2.do(http.MethodGet, "/v1/payments/"+id, nil)
			require.Equal(t, http.StatusOK, after.Status, "%s", after.Body)
			was, is := before.JSON(t), after.JSON(t)
			delete(was, "url") // the payment page's link names the new listener's port
			delete(is, "url")
			assert.Equal(t, was, is)
			clock := c2.do(http.MethodGet, "/__admin/clock", nil).JSON(t)
			assert.Equal(t, "30m0s", clock["offset"], "the tenant's clock")
			assert.Equal(t, float64(1), clock["pending_timers"], "the decision, still due")
			require.Eventually(t, func() bool { return len(rc.PIDs()) == 1 }, 5*time.Second, 10*time.Millisecond, "the customer step's IPN")
			advance(t, c2, "30m")
			assert.Equal(t, "scored_yes", c2.do(http.MethodGet, "/v1/payments/"+id, nil).JSON(t)["state"])
			assert.Equal(t, []string{id, id}, rc.PIDs(), "then the decision's IPN, once")
		})
	}
}

// TestReplicasShareOnePostgres: two emulators on one database serve the
// same tenants: what one creates the other reads, captures and refunds;
// 200 payments' IPNs are each delivered once across both.
func TestReplicasShareOnePostgres(t *testing.T) {
	t.Parallel()
	url := pgtest.Database(t)
	fast := func(s *emulator.Server) { s.IPNDelay = 0; s.IPNRetryBase = 50 * time.Millisecond }
	one, two := emulatortest.MustOpen(t, on(url), fast), emulatortest.MustOpen(t, on(url), fast)
	c1, c2 := newClient(t, one).as(keyA), newClient(t, two).as(keyA)

	id := c1.create(30000, paymentField("capture_method", "manual"))["id"].(string)
	c2.pay(id)
	assert.Equal(t, http.StatusOK, c2.do(http.MethodPost, "/v1/payments/"+id+"/capture", map[string]any{"amount": 30000}).Status)
	refund := c1.do(http.MethodPost, "/v1/payments/"+id+"/refund", map[string]any{"amount": 1000})
	require.Equal(t, http.StatusOK, refund.Status, "%s", refund.Body)
	read := c2.do(http.MethodGet, "/v1/payments/"+id, nil).JSON(t)
	refunded := refund.JSON(t)
	delete(read, "url") // each replica links to its own listener
	delete(refunded, "url")
	assert.Equal(t, refunded, read)

	rc := emulatortest.NewIPNReceiver(t, keyA)
	const n = 200
	want := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			create, pay := c1, c2
			if i%2 == 1 {
				create, pay = c2, c1
			}
			res := create.do(http.MethodPost, "/v1/payments", createBody(20000, paymentField("ipn_callback_url", rc.URL)))
			if res.Status != http.StatusOK {
				return
			}
			want[i] = res.JSON(t)["id"].(string)
			pay.pay(want[i])
		})
	}
	wg.Wait()
	require.NotContains(t, want, "", "every create answered 200")
	require.Eventually(t, func() bool { return len(rc.PIDs()) >= n }, 30*time.Second, 50*time.Millisecond, "IPNs delivered")
	require.Eventually(t, func() bool {
		return c1.do(http.MethodGet, "/__admin/clock", nil, "Authorization", "").JSON(t)["pending_timers"] == float64(0)
	}, 10*time.Second, 50*time.Millisecond, "no timer left")
	assert.ElementsMatch(t, want, rc.PIDs(), "each IPN delivered once")
}

// TestArmsAreSharedByTheStore: on a durable store what one emulator arms,
// a create on another takes, in arming order, once; a tenant's arms stay
// its own and the operator's serve any tenant.
func TestArmsAreSharedByTheStore(t *testing.T) {
	for name, store := range durableStores(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			url := store()
			one, two := emulatortest.MustOpen(t, on(url)), emulatortest.MustOpen(t, on(url))
			a1, a2, b2 := newClient(t, one).as(keyA), newClient(t, two).as(keyA), newClient(t, two).as(keyB)
			arm := func(c *client, id string, n int) {
				t.Helper()
				require.Equal(t, http.StatusOK, c.do(http.MethodPost, "/__admin/scenarios/"+id+"/arm", map[string]int{"count": n}).Status)
			}
			arm(a1, "create_server_error", 1)
			arm(a1, "validation_missing_field", 1)
			assert.Equal(t, map[string]any{"create_server_error": float64(1), "validation_missing_field": float64(1)},
				a2.do(http.MethodGet, "/__admin/scenarios", nil).JSON(t)["armed"], "the other emulator sees A's arms")
			assert.Equal(t, http.StatusOK, b2.do(http.MethodPost, "/v1/payments", createBody(20000)).Status, "B takes none of A's")
			assert.Equal(t, http.StatusInternalServerError, a2.do(http.MethodPost, "/v1/payments", createBody(20000)).Status, "first armed, taken on the other emulator")
			assert.Equal(t, http.StatusBadRequest, a1.do(http.MethodPost, "/v1/payments", createBody(20000)).Status, "then the second")
			assert.Equal(t, http.StatusOK, a2.do(http.MethodPost, "/v1/payments", createBody(20000)).Status, "then nothing")

			operator := newClient(t, one)
			require.Equal(t, http.StatusOK, operator.do(http.MethodPost, "/__admin/scenarios/create_server_error/arm", map[string]int{"count": 1}, "Authorization", "").Status)
			assert.Equal(t, http.StatusInternalServerError, b2.do(http.MethodPost, "/v1/payments", createBody(20000)).Status, "the operator's arm serves any tenant")
			arm(a1, "create_server_error", 3)
			require.Equal(t, http.StatusOK, a2.do(http.MethodPost, "/__admin/reset", nil).Status)
			assert.Empty(t, a1.do(http.MethodGet, "/__admin/scenarios", nil).JSON(t)["armed"], "A's reset disarms A everywhere")
		})
	}
}

// TestCreateStepsSharedByTheStore: on a durable store a client's retries
// walk one scenario's create steps whichever emulator they reach, and the
// walk starts over as in memory (past its last step, at the reset).
func TestCreateStepsSharedByTheStore(t *testing.T) {
	for name, store := range durableStores(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			url := store()
			one, two := emulatortest.MustOpen(t, on(url)), emulatortest.MustOpen(t, on(url))
			c1, c2 := newClient(t, one).as(keyA), newClient(t, two).as(keyA)
			create := func(c *client) int {
				return c.do(http.MethodPost, "/v1/payments", createBody(20000), "X-Alma-Sandbox-Scenario", "create_server_error").Status
			}
			assert.Equal(t, http.StatusInternalServerError, create(c1), "the step, on one")
			assert.Equal(t, http.StatusOK, create(c2), "the retry on the other is past it")
			assert.Equal(t, http.StatusInternalServerError, create(c1), "a new run starts over")
			require.Equal(t, http.StatusOK, c2.do(http.MethodPost, "/__admin/reset", nil).Status)
			assert.Equal(t, http.StatusInternalServerError, create(c2), "after the reset, from the first step")
		})
	}
}
