package emulator_test

import (
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alma-sandbox/alma-sandbox/emulator"
	"github.com/alma-sandbox/alma-sandbox/emulator/emulatortest"
)

// Keys of two teams sharing one emulator.
const (
	keyA = "sk_test_team_a"
	keyB = "sk_test_team_b"
)

// ids are the payment ids of a list answer.
func ids(t *testing.T, res response) []string {
	t.Helper()
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	out := []string{}
	for _, p := range res.JSON(t)["data"].([]any) {
		m := p.(map[string]any)
		if pay, ok := m["payment"].(map[string]any); ok { // the admin's view
			m = pay
		}
		out = append(out, m["id"].(string))
	}
	return out
}

// TestTenantsSeeOnlyTheirOwn: each key is a merchant of its own, with a
// stable id; another merchant's payment is not found, its list is its own,
// and the public calls with a merchant id resolve that merchant.
func TestTenantsSeeOnlyTheirOwn(t *testing.T) {
	t.Parallel()
	_, c := open(t)
	a, b := c.as(keyA), c.as(keyB)
	idA := a.create(20000)["id"].(string)
	idB := b.create(30000)["id"].(string)

	assert.Equal(t, http.StatusNotFound, b.do(http.MethodGet, "/v1/payments/"+idA, nil).Status, "B reads A's payment")
	assert.Equal(t, http.StatusNotFound, b.do(http.MethodPost, "/v1/payments/"+idA+"/cancel", nil).Status, "B cancels A's payment")
	assert.Equal(t, []string{idA}, ids(t, a.do(http.MethodGet, "/v1/payments", nil)))
	assert.Equal(t, []string{idB}, ids(t, b.do(http.MethodGet, "/v1/payments", nil)))

	meA, meB := a.do(http.MethodGet, "/v1/me", nil).JSON(t), b.do(http.MethodGet, "/v1/me", nil).JSON(t)
	assert.NotEqual(t, meA["id"], meB["id"])
	assert.Equal(t, meA["id"], a.do(http.MethodGet, "/v1/payments/"+idA, nil).JSON(t)["merchant_id"])

	// The same key is the same merchant on another emulator, another seed.
	_, other := open(t, func(s *emulator.Server) { s.Seed = 99 })
	assert.Equal(t, meA["id"], other.as(keyA).do(http.MethodGet, "/v1/me", nil).JSON(t)["id"], "merchant id derived from the key")

	elig := map[string]any{"purchase_amount": 20000, "queries": []map[string]any{{"installments_count": 3}}}
	pub := c.do(http.MethodPost, "/v2/payments/eligibility", elig, "Authorization", "Alma-Merchant-Auth "+meB["id"].(string))
	assert.Equal(t, http.StatusOK, pub.Status, "%s", pub.Body)
	assert.Equal(t, http.StatusUnauthorized, c.do(http.MethodPost, "/v2/payments/eligibility", elig,
		"Authorization", "Alma-Merchant-Auth merchant_11unknownunknownunknownunknown1").Status)
}

// TestTenantAdminIsScoped: an admin call with a key acts on that tenant
// only: arming, the clock, the journal, reset, forcing a state; the
// operator's calls (no key) see every tenant.
func TestTenantAdminIsScoped(t *testing.T) {
	t.Parallel()
	_, c := open(t, frozen(0))
	a, b := c.as(keyA), c.as(keyB)
	idA := a.create(20000, paymentField("expires_after", 60))["id"].(string)

	require.Equal(t, http.StatusOK, b.do(http.MethodPost, "/__admin/scenarios/create_server_error/arm", map[string]int{"count": 1}).Status)
	assert.Equal(t, http.StatusOK, a.do(http.MethodPost, "/v1/payments", createBody(20000)).Status, "B's arm does not reach A")
	assert.Equal(t, http.StatusInternalServerError, b.do(http.MethodPost, "/v1/payments", createBody(20000)).Status, "B's arm reaches B")

	advance(t, b, "2h")
	assert.Nil(t, a.do(http.MethodGet, "/v1/payments/"+idA, nil).JSON(t)["expired_at"], "B's clock does not move A's payment")
	assert.Equal(t, "2h0m0s", b.do(http.MethodGet, "/__admin/clock", nil).JSON(t)["offset"])
	assert.Equal(t, "0s", a.do(http.MethodGet, "/__admin/clock", nil).JSON(t)["offset"])

	for _, e := range b.do(http.MethodGet, "/__admin/journal", nil).JSON(t)["data"].([]any) {
		assert.NotEqual(t, idA, e.(map[string]any)["payment_id"], "A's request in B's journal")
	}
	assert.Equal(t, http.StatusNotFound, b.do(http.MethodPost, "/__admin/payments/"+idA+"/state", map[string]string{"state": "paid"}).Status)
	assert.Equal(t, http.StatusNotFound, b.do(http.MethodGet, "/__admin/payments/"+idA, nil).Status)

	require.Equal(t, http.StatusOK, b.do(http.MethodPost, "/__admin/reset", nil).Status)
	assert.Equal(t, http.StatusOK, a.do(http.MethodGet, "/v1/payments/"+idA, nil).Status, "B's reset keeps A's payments")
	assert.Len(t, ids(t, a.do(http.MethodGet, "/v1/payments", nil)), 2)
	assert.Empty(t, ids(t, b.do(http.MethodGet, "/v1/payments", nil)))

	operator := c.do(http.MethodGet, "/__admin/payments", nil, "Authorization", "")
	assert.Len(t, ids(t, operator), 2, "the operator sees every tenant")
	tenants := c.do(http.MethodGet, "/__admin/tenants", nil, "Authorization", "").JSON(t)["data"].([]any)
	assert.GreaterOrEqual(t, len(tenants), 2)
	operatorAdvance(t, c, "2h") // the operator's clock moves every tenant
	assert.NotNil(t, a.do(http.MethodGet, "/v1/payments/"+idA, nil).JSON(t)["expired_at"])
}

// TestTenantAsyncWorkStaysItsOwn: a decision and its IPN of tenant A go to
// A's receiver and A's log; B's log stays empty.
func TestTenantAsyncWorkStaysItsOwn(t *testing.T) {
	t.Parallel()
	_, c := open(t, frozen(0))
	a, b := c.as(keyA), c.as(keyB)
	rcA := emulatortest.NewIPNReceiver(t, keyA)
	id := a.create(20000, paymentField("ipn_callback_url", rcA.URL), paymentField("installments_count", 3))["id"].(string)
	_ = id
	res := a.do(http.MethodPost, "/v1/payments", createBody(20000, paymentField("ipn_callback_url", rcA.URL)), "X-Alma-Sandbox-Scenario", "flow_pending")
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	pending := res.JSON(t)["id"].(string)
	a.pay(pending)
	advance(t, a, "1h")
	assert.Contains(t, rcA.PIDs(), pending, "the decision's IPN reached A")
	assert.Equal(t, 0, rcA.Forged(), "signed with A's key")
	assert.Empty(t, b.do(http.MethodGet, "/__admin/ipn", nil).JSON(t)["data"], "B's IPN log")
	assert.NotEmpty(t, a.do(http.MethodGet, "/__admin/ipn", nil).JSON(t)["data"], "A's IPN log")
}

// TestTwentyTenantsInParallel: twenty teams creating at once each list
// exactly their own payments.
func TestTwentyTenantsInParallel(t *testing.T) {
	t.Parallel()
	_, c := open(t)
	const teams, each = 20, 10
	created := make([][]string, teams)
	var wg sync.WaitGroup
	for i := range teams {
		wg.Go(func() {
			tc := c.as(fmt.Sprintf("sk_test_team_%02d", i))
			for range each {
				res := tc.do(http.MethodPost, "/v1/payments", createBody(20000))
				if res.Status == http.StatusOK {
					created[i] = append(created[i], res.JSON(t)["id"].(string))
				}
			}
		})
	}
	wg.Wait()
	for i := range teams {
		tc := c.as(fmt.Sprintf("sk_test_team_%02d", i))
		got := ids(t, tc.do(http.MethodGet, "/v1/payments?limit=100", nil))
		assert.ElementsMatch(t, created[i], got, "team %d", i)
		assert.Len(t, got, each)
	}
}

// TestAdminToken: with a token, the admin API answers the operator's
// Bearer token and a tenant's own key, and refuses anything else.
func TestAdminToken(t *testing.T) {
	t.Parallel()
	_, c := open(t, func(s *emulator.Server) { s.AdminToken = "s3cret-token" })
	a := c.as(keyA)
	id := a.create(20000)["id"].(string)
	assert.Equal(t, http.StatusUnauthorized, c.do(http.MethodGet, "/__admin/payments", nil, "Authorization", "").Status)
	assert.Equal(t, http.StatusUnauthorized, c.do(http.MethodGet, "/__admin/payments", nil, "Authorization", "Bearer wrong").Status)
	assert.Equal(t, http.StatusUnauthorized, c.do(http.MethodPost, "/__admin/reset", nil, "Authorization", "").Status)
	assert.Equal(t, http.StatusUnauthorized, c.do(http.MethodGet, "/__admin/payments", nil, "Authorization", "Alma-Auth sk_live_nope").Status)
	assert.Equal(t, []string{id}, ids(t, c.do(http.MethodGet, "/__admin/payments", nil, "Authorization", "Bearer s3cret-token")))
	assert.Equal(t, []string{id}, ids(t, c.do(http.MethodGet, "/__admin/payments", nil, "Authorization", "", emulator.AdminTokenHeader, "s3cret-token")))
	assert.Equal(t, []string{id}, ids(t, a.do(http.MethodGet, "/__admin/payments", nil)), "a tenant's own key")
	assert.Empty(t, ids(t, c.as(keyB).do(http.MethodGet, "/__admin/payments", nil)))
	me := a.do(http.MethodGet, "/v1/me", nil).JSON(t)["id"].(string)
	scoped := c.do(http.MethodGet, "/__admin/payments", nil, "Authorization", "Bearer s3cret-token", emulator.AdminTenantHeader, me)
	assert.Equal(t, []string{id}, ids(t, scoped), "the operator scoped to a tenant")
}

// TestCreateStepsRerunTheSame: a create scenario's steps are walked per
// tenant and order reference, and start over once they answered past the
// last step, after the tenant's reset, or after CreateCursorTTL: the same
// test run twice gets the same answers.
func TestCreateStepsRerunTheSame(t *testing.T) {
	t.Parallel()
	_, c := open(t, frozen(0))
	a, b := c.as(keyA), c.as(keyB)
	run := func(tc *client) []int {
		var out []int
		for range 2 {
			out = append(out, tc.do(http.MethodPost, "/v1/payments", createBody(20000), "X-Alma-Sandbox-Scenario", "create_server_error").Status)
		}
		return out
	}
	want := []int{http.StatusInternalServerError, http.StatusOK}
	assert.Equal(t, want, run(a), "first run")
	assert.Equal(t, want, run(a), "second run, right after")
	first := a.do(http.MethodPost, "/v1/payments", createBody(20000), "X-Alma-Sandbox-Scenario", "create_server_error").Status
	assert.Equal(t, http.StatusInternalServerError, first)
	assert.Equal(t, want, run(b), "B's cursor is its own")
	require.Equal(t, http.StatusOK, a.do(http.MethodPost, "/__admin/reset", nil).Status)
	assert.Equal(t, want, run(a), "after A's reset")
	assert.Equal(t, http.StatusInternalServerError, a.do(http.MethodPost, "/v1/payments", createBody(20000), "X-Alma-Sandbox-Scenario", "create_server_error").Status)
	operatorAdvance(t, c, (emulator.CreateCursorTTL + time.Second).String())
	assert.Equal(t, want, run(a), "after the time-to-live, a new run")
}

// operatorAdvance moves the emulator's clock, every tenant's, as the
// operator (no key).
func operatorAdvance(t *testing.T, c *client, by string) {
	t.Helper()
	res := c.do(http.MethodPost, "/__admin/clock/advance", map[string]string{"by": by}, "Authorization", "")
	require.Equal(t, http.StatusOK, res.Status, "advance: %s", res.Body)
}
