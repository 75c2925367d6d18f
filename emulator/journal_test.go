package emulator_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestJournalKeepsRedactedBodies: each entry keeps the start of both bodies,
// with no full key or card number in it.
func TestJournalKeepsRedactedBodies(t *testing.T) {
	t.Parallel()
	_, c := open(t)
	secret := "sk_test_leakedkey9876"
	id := c.create(30000, paymentField("custom_data", map[string]any{"note": "key " + secret + " card 4242 4242 4242 4242"}))["id"].(string)
	list := c.do(http.MethodGet, "/__admin/journal?payment="+id+"&method=POST", nil).JSON(t)["data"].([]any)
	require.Len(t, list, 1)
	e := list[0].(map[string]any)
	req, ans := e["request_body"].(string), e["answer_body"].(string)
	assert.Contains(t, req, `"purchase_amount":30000`)
	assert.Contains(t, ans, `"id":"`+id+`"`)
	for _, body := range []string{req, ans} {
		assert.NotContains(t, body, secret)
		assert.NotContains(t, body, "4242 4242 4242 4242")
	}
	assert.Contains(t, req, "sk_test_…9876")
	assert.Contains(t, req, "**** **** **** 4242")
	assert.True(t, strings.HasSuffix(ans, "…"), "a payment is longer than the kept KiB")
}

// TestJournalVerify counts matching requests, body fields included.
func TestJournalVerify(t *testing.T) {
	t.Parallel()
	_, c := open(t)
	c.create(30000)
	c.create(30000)
	c.create(45000)
	count := func(m map[string]any) float64 {
		res := c.do(http.MethodPost, "/__admin/journal/verify", m)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		return res.JSON(t)["count"].(float64)
	}
	assert.Equal(t, float64(3), count(map[string]any{"method": "POST", "path": "/v1/payments"}))
	assert.Equal(t, float64(2), count(map[string]any{"method": "POST", "body": map[string]any{"payment.purchase_amount": 30000}}))
	assert.Equal(t, float64(3), count(map[string]any{"status": "2xx", "body": map[string]any{"order.merchant_reference": "order-42"}}))
	assert.Equal(t, float64(0), count(map[string]any{"method": "GET"}))
	assert.Equal(t, http.StatusBadRequest, c.do(http.MethodPost, "/__admin/journal/verify", map[string]any{"status": "nope"}).Status)
}

// TestJournalHAR exports the journal in HAR 1.2 form, oldest first.
func TestJournalHAR(t *testing.T) {
	t.Parallel()
	_, c := open(t)
	id := c.create(30000)["id"].(string)
	c.do(http.MethodGet, "/v1/payments/"+id, nil)
	har := c.do(http.MethodGet, "/__admin/journal.har", nil).JSON(t)
	log := har["log"].(map[string]any)
	assert.Equal(t, "1.2", log["version"])
	entries := log["entries"].([]any)
	require.Len(t, entries, 2)
	first := entries[0].(map[string]any)
	assert.Equal(t, "POST", first["request"].(map[string]any)["method"])
	assert.Contains(t, first["request"].(map[string]any)["postData"].(map[string]any)["text"], "purchase_amount")
	second := entries[1].(map[string]any)
	assert.Equal(t, float64(200), second["response"].(map[string]any)["status"])
	assert.Contains(t, second["comment"], id)
}
