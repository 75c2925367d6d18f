package emulator_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alma-sandbox/alma-sandbox/emulator"
	"github.com/alma-sandbox/alma-sandbox/emulator/emulatortest"
)

// TestSnapshotCarriesATenantsState: a tenant's export, imported into
// another emulator (another store), gives the same payments, their pending
// decision, the tenant's clock and its API scenarios; the import replaces
// what the tenant had there and touches no other tenant.
func TestSnapshotCarriesATenantsState(t *testing.T) {
	for name, store := range stores(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, src := open(t, frozen(0))
			a := src.as(keyA)
			rc := emulatortest.NewIPNReceiver(t, keyA)
			res := a.do(http.MethodPost, "/v1/payments", createBody(20000, paymentField("ipn_callback_url", rc.URL)), "X-Alma-Sandbox-Scenario", "flow_pending")
			require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
			pending := res.JSON(t)["id"].(string)
			a.pay(pending)
			paid := a.create(30000)["id"].(string)
			a.pay(paid)
			scenario := "id: team_a_only\ndescription: a scenario of team A\non:\n  get:\n    - status: 503\n"
			require.Equal(t, http.StatusOK, a.do(http.MethodPut, "/__admin/scenarios/team_a_only", scenario, "Content-Type", "application/yaml").Status)
			advance(t, a, "10m")
			export := a.do(http.MethodGet, "/__admin/state", nil)
			require.Equal(t, http.StatusOK, export.Status, "%s", export.Body)

			_, dst := open(t, on(store()), frozen(0), func(s *emulator.Server) { s.Seed = 7 })
			b, other := dst.as(keyA), dst.as(keyB)
			stale := b.create(10000)["id"].(string)
			kept := other.create(10000)["id"].(string)
			imp := b.do(http.MethodPost, "/__admin/state", export.Body)
			require.Equal(t, http.StatusOK, imp.Status, "%s", imp.Body)
			assert.Equal(t, map[string]any{"merchant_id": imp.JSON(t)["merchant_id"], "payments": float64(2), "timers": float64(1), "scenarios": float64(1)}, imp.JSON(t))

			assert.Equal(t, []string{paid, pending}, ids(t, b.do(http.MethodGet, "/v1/payments", nil)), "the file's payments replace the tenant's")
			assert.Equal(t, http.StatusNotFound, b.do(http.MethodGet, "/v1/payments/"+stale, nil).Status)
			assert.Equal(t, []string{kept}, ids(t, other.do(http.MethodGet, "/v1/payments", nil)), "another tenant untouched")
			for _, id := range []string{pending, paid} {
				was, is := a.do(http.MethodGet, "/v1/payments/"+id, nil).JSON(t), b.do(http.MethodGet, "/v1/payments/"+id, nil).JSON(t)
				delete(was, "url")
				delete(is, "url")
				assert.Equal(t, was, is, "payment %s as exported", id)
			}
			clock := b.do(http.MethodGet, "/__admin/clock", nil).JSON(t)
			assert.Equal(t, "10m0s", clock["offset"])
			assert.Equal(t, float64(1), clock["pending_timers"])
			assert.Equal(t, http.StatusOK, b.do(http.MethodGet, "/__admin/scenarios/team_a_only", nil).Status)
			advance(t, b, "50m")
			assert.Equal(t, "scored_yes", b.do(http.MethodGet, "/v1/payments/"+pending, nil).JSON(t)["state"], "the decision fires after the import")
		})
	}
}

// TestSnapshotRefusesAnotherVersion: a file of another version, or not a
// state file, is refused with Alma's validation shape and changes nothing.
func TestSnapshotRefusesAnotherVersion(t *testing.T) {
	t.Parallel()
	_, c := open(t)
	a := c.as(keyA)
	id := a.create(20000)["id"].(string)
	theirs := a.do(http.MethodGet, "/__admin/state", nil).Body
	res := c.as(keyB).do(http.MethodPost, "/__admin/state", theirs)
	assert.Equal(t, http.StatusBadRequest, res.Status, "A's payment ids are A's here")
	assert.Contains(t, string(res.Body), "belongs to another merchant")
	var snap map[string]any
	require.NoError(t, json.Unmarshal(a.do(http.MethodGet, "/__admin/state", nil).Body, &snap))
	snap["version"] = 2
	res = a.do(http.MethodPost, "/__admin/state", snap)
	assert.Equal(t, http.StatusBadRequest, res.Status)
	checkAlmaError(t, res.JSON(t), "version", "invalid_value")
	assert.Contains(t, string(res.Body), "this emulator reads version 1")
	res = a.do(http.MethodPost, "/__admin/state", map[string]any{"payments": []any{}})
	checkAlmaError(t, res.JSON(t), "kind", "invalid_value")
	assert.Equal(t, []string{id}, ids(t, a.do(http.MethodGet, "/v1/payments", nil)), "nothing changed")
	assert.Equal(t, http.StatusBadRequest, c.do(http.MethodGet, "/__admin/state", nil, "Authorization", "").Status, "the operator must name a tenant")
}

// TestSeedState: serve --seed-state loads a file into the tenant of the
// key it was taken with, before the first request.
func TestSeedState(t *testing.T) {
	t.Parallel()
	_, src := open(t)
	id := src.as(keyA).create(20000)["id"].(string)
	file := src.as(keyA).do(http.MethodGet, "/__admin/state", nil).Body
	s := emulator.NewServer()
	s.Addr = "127.0.0.1:0"
	require.NoError(t, s.SeedState(file))
	require.NoError(t, s.Open())
	t.Cleanup(func() { _ = s.Close() })
	assert.Equal(t, []string{id}, ids(t, newClient(t, s).as(keyA).do(http.MethodGet, "/v1/payments", nil)))
	assert.ErrorContains(t, emulator.NewServer().SeedState([]byte(`{"kind":"alma-sandbox/state","version":9}`)), "version 9")
}
