package emulator_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alma-sandbox/alma-sandbox/emulator"
)

func TestListPayments(t *testing.T) {
	t.Parallel()
	_, c := open(t)
	var ids []string
	for range 5 {
		ids = append(ids, c.create(20000)["id"].(string))
	}
	c.pay(ids[1])
	c.pay(ids[3])
	page := c.do(http.MethodGet, "/v1/payments?limit=2", nil).JSON(t)
	assert.Equal(t, true, page["has_more"])
	data := page["data"].([]any)
	require.Len(t, data, 2)
	assert.Equal(t, ids[4], data[0].(map[string]any)["id"], "newest first")
	next := c.do(http.MethodGet, "/v1/payments?limit=10&starting_after="+ids[3], nil).JSON(t)
	assert.Equal(t, false, next["has_more"])
	assert.Len(t, next["data"], 3)
	paid := c.do(http.MethodGet, "/v1/payments?state=in_progress,paid", nil).JSON(t)["data"].([]any)
	require.Len(t, paid, 2)
	assert.Equal(t, ids[3], paid[0].(map[string]any)["id"])
	for _, q := range []string{"limit=0", "limit=x", "limit=101", "starting_after=payment_11nope"} {
		res := c.do(http.MethodGet, "/v1/payments?"+q, nil)
		assert.Equal(t, http.StatusBadRequest, res.Status, q)
		assert.Equal(t, "validation_error", res.JSON(t)["error_code"], q)
	}
}

func TestEditOrdersFraud(t *testing.T) {
	t.Parallel()
	_, c := open(t)
	id := c.create(20000)["id"].(string)
	res := c.do(http.MethodPost, "/v1/payments/"+id, map[string]any{"payment": map[string]any{"custom_data": map[string]any{"k": "v"}, "locale": "en"}})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	p := res.JSON(t)
	assert.Equal(t, map[string]any{"k": "v"}, p["custom_data"])
	assert.Equal(t, "en", p["locale"])
	bad := c.do(http.MethodPost, "/v1/payments/"+id, map[string]any{"payment": map[string]any{"return_url": "x"}})
	assert.Equal(t, validationErr("payment.return_url", "invalid_value"), firstError(bad.JSON(t)))
	missing := c.do(http.MethodPost, "/v1/payments/"+id, map[string]any{})
	assert.Equal(t, validationErr("payment", "missing_field"), firstError(missing.JSON(t)))

	path := "/v1/payments/" + id + "/orders"
	added := c.do(http.MethodPut, path, map[string]any{"order": map[string]any{"merchant_reference": "second"}})
	require.Equal(t, http.StatusOK, added.Status, "%s", added.Body)
	listed := c.do(http.MethodGet, path, nil)
	assert.JSONEq(t, string(added.Body), string(listed.Body))
	assert.Contains(t, string(listed.Body), `"merchant_reference":"second"`)
	replaced := c.do(http.MethodPost, path, map[string]any{"order": map[string]any{"merchant_reference": "only"}})
	require.Equal(t, http.StatusOK, replaced.Status)
	assert.NotContains(t, string(replaced.Body), "second")
	none := c.do(http.MethodPut, path, map[string]any{})
	assert.Equal(t, validationErr("order", "missing_field"), firstError(none.JSON(t)))

	fraud := c.do(http.MethodPost, "/v1/payments/"+id+"/potential-fraud", map[string]any{"reason": "amount_mismatch"})
	assert.Equal(t, http.StatusOK, fraud.Status)
	events := c.do(http.MethodGet, "/__admin/payments/"+id, nil).JSON(t)["sandbox"].(map[string]any)["events"].([]any)
	assert.Contains(t, events[len(events)-1].(map[string]any)["detail"], "amount_mismatch")
}

func TestCustomerRefusedThenAccepted(t *testing.T) {
	t.Parallel()
	_, c := open(t)
	id := c.create(20000, paymentField("customer_cancel_url", "https://shop.example.com/cancel"))["id"].(string)
	path := "/__admin/payments/" + id + "/customer"
	refused := c.do(http.MethodPost, path, map[string]any{"card": map[string]any{"number": "4000 0000 0000 0002", "expiry": "12/40", "cvc": "123"}}).JSON(t)
	assert.Equal(t, map[string]any{"outcome": "refused", "state": "not_started", "error_code": "card_declined", "message": "Your card was declined."}, refused)
	closed := c.do(http.MethodPost, path, map[string]any{"action": "close"}).JSON(t)
	assert.Equal(t, "closed", closed["outcome"])
	assert.Equal(t, "https://shop.example.com/cancel?pid="+id, closed["redirect_url"])
	assert.Equal(t, "accepted", c.pay(id)["outcome"])
	admin := c.do(http.MethodGet, "/__admin/payments/"+id, nil)
	assert.Equal(t, "4242", admin.JSON(t)["sandbox"].(map[string]any)["card_last4"])
	assert.NotContains(t, string(admin.Body), "4242424242424242", "only the last four digits are stored")
}

func TestAdminAPI(t *testing.T) {
	t.Parallel()
	_, c := open(t, testScenarios(t))
	id := c.create(20000)["id"].(string)
	c.do(http.MethodGet, "/v1/payments/"+id, nil)

	health := c.do(http.MethodGet, "/healthz", nil, "Authorization", "")
	assert.Equal(t, map[string]any{"status": "ok"}, health.JSON(t))

	list := c.do(http.MethodGet, "/__admin/payments?limit=5", nil).JSON(t)["data"].([]any)
	require.Len(t, list, 1)
	assert.Equal(t, id, list[0].(map[string]any)["payment"].(map[string]any)["id"])

	journal := c.do(http.MethodGet, "/__admin/journal?limit=10", nil).JSON(t)["data"].([]any)
	require.Len(t, journal, 2, "admin calls are not journaled")
	newest := journal[0].(map[string]any)
	assert.Equal(t, "GET", newest["method"])
	assert.Equal(t, id, newest["payment_id"])
	assert.Equal(t, float64(200), newest["status"])

	scs := c.do(http.MethodGet, "/__admin/scenarios", nil).JSON(t)
	assert.NotEmpty(t, scs["data"])
	one := c.do(http.MethodGet, "/__admin/scenarios/get_paid", nil).JSON(t)
	assert.Equal(t, "get_paid", one["id"])
	assert.Equal(t, http.StatusNotFound, c.do(http.MethodGet, "/__admin/scenarios/nope", nil).Status)
	assert.Equal(t, http.StatusNotFound, c.do(http.MethodPost, "/__admin/scenarios/nope/arm", nil).Status)
	armed := c.do(http.MethodPost, "/__admin/scenarios/get_paid/arm", map[string]any{"count": 2}).JSON(t)
	assert.Equal(t, map[string]any{"get_paid": float64(2)}, armed["armed"])

	clock := c.do(http.MethodGet, "/__admin/clock", nil).JSON(t)
	assert.Equal(t, "0s", clock["offset"])
	assert.Equal(t, "1h0m0s", c.do(http.MethodPost, "/__admin/clock/advance", map[string]any{"by": "1h"}).JSON(t)["offset"])

	require.Equal(t, http.StatusOK, c.do(http.MethodPost, "/__admin/reset", nil).Status)
	assert.Empty(t, c.do(http.MethodGet, "/__admin/payments", nil).JSON(t)["data"])
	assert.Empty(t, c.do(http.MethodGet, "/__admin/journal", nil).JSON(t)["data"])
	assert.Equal(t, "0s", c.do(http.MethodGet, "/__admin/clock", nil).JSON(t)["offset"])
	assert.Empty(t, c.do(http.MethodGet, "/__admin/scenarios", nil).JSON(t)["armed"])
	assert.Equal(t, http.StatusNotFound, c.do(http.MethodGet, "/v1/payments/"+id, nil).Status)
}

func TestCORS(t *testing.T) {
	t.Parallel()
	_, c := open(t, func(s *emulator.Server) { s.AllowOrigins = []string{"https://shop.example.com"} })
	pre := c.do(http.MethodOptions, "/v1/payments", nil, "Origin", "https://shop.example.com", "Access-Control-Request-Method", "POST")
	assert.Equal(t, http.StatusNoContent, pre.Status)
	assert.Equal(t, "https://shop.example.com", pre.Header.Get("Access-Control-Allow-Origin"))
	assert.Contains(t, pre.Header.Get("Access-Control-Allow-Headers"), "Authorization")
	get := c.do(http.MethodGet, "/v1/me", nil, "Origin", "https://shop.example.com")
	assert.Equal(t, "https://shop.example.com", get.Header.Get("Access-Control-Allow-Origin"))
	other := c.do(http.MethodGet, "/v1/me", nil, "Origin", "https://evil.example.com")
	assert.Empty(t, other.Header.Get("Access-Control-Allow-Origin"))
}

func TestBoundedMemory(t *testing.T) {
	t.Parallel()
	_, c := open(t, func(s *emulator.Server) { s.MaxPayments = 3; s.MaxJournal = 4 })
	var ids []string
	for range 5 {
		ids = append(ids, c.create(20000)["id"].(string))
	}
	for i, id := range ids {
		want := http.StatusOK
		if i < 2 {
			want = http.StatusNotFound
		}
		assert.Equal(t, want, c.do(http.MethodGet, "/v1/payments/"+id, nil).Status, "payment %d", i)
	}
	assert.Len(t, c.do(http.MethodGet, "/v1/payments?limit=100", nil).JSON(t)["data"], 3)
	assert.Len(t, c.do(http.MethodGet, "/__admin/journal?limit=500", nil).JSON(t)["data"], 4)
}

func TestCloseReleasesHangingRequests(t *testing.T) {
	t.Parallel()
	s := emulator.NewServer()
	s.Addr = "127.0.0.1:0"
	s.HangLimit = time.Hour
	testScenarios(t)(s)
	require.NoError(t, s.Open())
	c := newClient(t, s)
	id := c.create(20000, set("order.merchant_reference", "get_hang:o"))["id"].(string)
	errc := make(chan error, 1)
	req, err := http.NewRequest(http.MethodGet, s.URL()+"/v1/payments/"+id, nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Alma-Auth "+testKey)
	// A connection of its own: on a reused keep-alive connection net/http
	// retries a dropped GET, and the retry may reach the emulator before its
	// listener closes (and be answered: the hang step is used up).
	fresh := &http.Client{Transport: &http.Transport{}, Timeout: 10 * time.Second}
	go func() {
		_, err := fresh.Do(req)
		errc <- err
	}()
	require.Eventually(t, func() bool { return emulator.InFlight(s) == 1 }, 5*time.Second, time.Millisecond)
	require.NoError(t, s.Close())
	assert.Error(t, <-errc, "the hanging request is dropped, not answered")
}

func TestAdminTables(t *testing.T) {
	t.Parallel()
	_, c := open(t)
	tables := c.do(http.MethodGet, "/__admin/tables", nil).JSON(t)
	assert.Contains(t, tables["states"], "scored_maybe")
	assert.Contains(t, tables["states"], "claimed")
	assert.Contains(t, tables["faults"], "hang")
	assert.Contains(t, tables["operations"], "capture")
	assert.Len(t, tables["test_cards"], len(emulator.TestCards()))
	res := c.do(http.MethodPost, "/__admin/payments/"+c.create(20000)["id"].(string)+"/state", map[string]string{"state": "claimed"})
	assert.Equal(t, http.StatusOK, res.Status, "every state of the table can be forced: %s", res.Body)
}
