package emulator_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alma-sandbox/alma-sandbox/emulator"
	"github.com/alma-sandbox/alma-sandbox/emulator/emulatortest"
)

// TestChaosOutageLiftsItself: an outage answers its operation until its
// duration passes on the emulator's clock, then lifts itself.
func TestChaosOutageLiftsItself(t *testing.T) {
	t.Parallel()
	_, c := open(t, frozen(0))
	id := c.create(20000)["id"].(string)
	res := c.do(http.MethodPost, "/__admin/chaos", map[string]any{"rules": []map[string]any{
		{"operation": "get", "status": 503, "duration": "10m"},
	}})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	assert.Equal(t, http.StatusServiceUnavailable, c.do(http.MethodGet, "/v1/payments/"+id, nil).Status)
	assert.Equal(t, http.StatusOK, c.do(http.MethodPost, "/v1/payments", createBody(20000)).Status, "only get is down")
	rules := c.do(http.MethodGet, "/__admin/chaos", nil).JSON(t)["data"].([]any)
	require.Len(t, rules, 1)
	assert.Equal(t, float64(1), rules[0].(map[string]any)["hits"])

	advance(t, c, "10m")
	assert.Equal(t, http.StatusOK, c.do(http.MethodGet, "/v1/payments/"+id, nil).Status, "lifted after its 10 minutes")
	assert.Empty(t, c.do(http.MethodGet, "/__admin/chaos", nil).JSON(t)["data"])
}

// TestChaosAlmaIsDown: "*" takes every merchant API call down, the
// eligibility included, until DELETE; a share with a seed is reproducible.
func TestChaosAlmaIsDown(t *testing.T) {
	t.Parallel()
	_, c := open(t)
	require.Equal(t, http.StatusOK, c.do(http.MethodPost, "/__admin/chaos", map[string]any{"rules": []map[string]any{
		{"operation": "*", "fault": "html", "duration": "1h"},
	}}).Status)
	create := c.do(http.MethodPost, "/v1/payments", createBody(20000))
	assert.Equal(t, http.StatusOK, create.Status)
	assert.Contains(t, create.Header.Get("Content-Type"), "text/html")
	elig := c.do(http.MethodPost, "/v1/payments/eligibility", map[string]any{"payment": map[string]any{"purchase_amount": 20000}})
	assert.Contains(t, elig.Header.Get("Content-Type"), "text/html")
	require.Equal(t, http.StatusOK, c.do(http.MethodDelete, "/__admin/chaos", nil).Status)
	assert.Equal(t, "application/json", c.do(http.MethodPost, "/v1/payments", createBody(20000)).Header.Get("Content-Type"))

	share := func() int {
		require.Equal(t, http.StatusOK, c.do(http.MethodPost, "/__admin/chaos", map[string]any{"rules": []map[string]any{
			{"operation": "create", "status": 502, "probability": 0.3, "seed": 7, "duration": "1h"},
		}}).Status)
		n := 0
		for range 100 {
			if c.do(http.MethodPost, "/v1/payments", createBody(20000)).Status == http.StatusBadGateway {
				n++
			}
		}
		c.do(http.MethodDelete, "/__admin/chaos", nil)
		return n
	}
	first := share()
	assert.InDelta(t, 30, first, 15, "about 30%% of the creates")
	assert.Equal(t, first, share(), "the same seed, the same calls down")
}

func TestChaosRulesValidated(t *testing.T) {
	t.Parallel()
	_, c := open(t)
	for _, rule := range []map[string]any{
		{"operation": "teleport", "status": 503, "duration": "1m"},
		{"operation": "get", "duration": "1m"},
		{"operation": "get", "status": 503, "fault": "hang", "duration": "1m"},
		{"operation": "get", "status": 700, "duration": "1m"},
		{"operation": "get", "fault": "smoke", "duration": "1m"},
		{"operation": "get", "status": 503, "probability": 2, "duration": "1m"},
		{"operation": "get", "status": 503},
		{"operation": "get", "status": 503, "duration": "9000h"},
	} {
		res := c.do(http.MethodPost, "/__admin/chaos", map[string]any{"rules": []map[string]any{rule}})
		assert.Equal(t, http.StatusBadRequest, res.Status, "%v: %s", rule, res.Body)
	}
	assert.Empty(t, c.do(http.MethodGet, "/__admin/chaos", nil).JSON(t)["data"], "nothing armed by a refused rule")
}

// TestChaosIPNOutage: notifications during an IPN outage are not sent, and
// retried on the usual schedule once it lifts.
func TestChaosIPNOutage(t *testing.T) {
	t.Parallel()
	rc := emulatortest.NewIPNReceiver(t, testKey)
	_, c := open(t, frozen(0), func(s *emulator.Server) { s.IPNRetryBase = time.Minute })
	require.Equal(t, http.StatusOK, c.do(http.MethodPost, "/__admin/chaos", map[string]any{"rules": []map[string]any{
		{"operation": "ipn", "duration": "30s"},
	}}).Status)
	id := c.create(20000, paymentField("ipn_callback_url", rc.URL))["id"].(string)
	c.pay(id)
	advance(t, c, "1ns")
	assert.Empty(t, rc.PIDs())
	ipn := ipnOf(t, c, id)
	require.Len(t, ipn, 1)
	assert.Contains(t, ipn[0]["error"], "outage")
	advance(t, c, "1m")
	assert.Equal(t, []string{id}, rc.PIDs(), "retried after the outage")
}
