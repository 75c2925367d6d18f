package emulator_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEligibilityQueriesCapped: an eligibility request cannot ask for more
// than 12 plans, so a small request never makes a huge answer; v1's
// repeated counts are answered once.
func TestEligibilityQueriesCapped(t *testing.T) {
	t.Parallel()
	_, c := open(t)
	counts := func(n int, same bool) []int {
		out := make([]int, n)
		for i := range out {
			out[i] = i + 1
			if same {
				out[i] = 3
			}
		}
		return out
	}
	queries := func(n int) []map[string]int {
		out := make([]map[string]int, n)
		for i := range out {
			out[i] = map[string]int{"installments_count": 3}
		}
		return out
	}
	tests := []struct {
		name, path string
		body       any
		entries    int    // answered plans; 0 = refused
		field      string // of the too_long refusal
	}{
		{"v1: 12 counts", "/v1/payments/eligibility", map[string]any{"payment": map[string]any{"purchase_amount": 20000, "installments_count": counts(12, false)}}, 12, ""},
		{"v1: 13 counts", "/v1/payments/eligibility", map[string]any{"payment": map[string]any{"purchase_amount": 20000, "installments_count": counts(13, false)}}, 0, "payment.installments_count"},
		{"v1: a count repeated 100000 times", "/v1/payments/eligibility", map[string]any{"payment": map[string]any{"purchase_amount": 20000, "installments_count": counts(100000, true)}}, 1, ""},
		{"v1: repeats kept in first order", "/v1/payments/eligibility", map[string]any{"payment": map[string]any{"purchase_amount": 20000, "installments_count": []int{4, 3, 4, 3}}}, 2, ""},
		{"v2: 12 queries", "/v2/payments/eligibility", map[string]any{"purchase_amount": 20000, "queries": queries(12)}, 12, ""},
		{"v2: 13 queries", "/v2/payments/eligibility", map[string]any{"purchase_amount": 20000, "queries": queries(13)}, 0, "queries"},
		{"v2: 20000 queries", "/v2/payments/eligibility", map[string]any{"purchase_amount": 20000, "queries": queries(20000)}, 0, "queries"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := c.do(http.MethodPost, tt.path, tt.body)
			if tt.entries == 0 {
				require.Equal(t, http.StatusBadRequest, res.Status, "%.300s", res.Body)
				assert.Equal(t, validationErr(tt.field, "too_long"), firstError(res.JSON(t)))
				return
			}
			require.Equal(t, http.StatusOK, res.Status, "%.300s", res.Body)
			assert.Equal(t, tt.entries, strings.Count(string(res.Body), `"eligible":`))
		})
	}
}

// TestOrdersCapped: a payment holds at most 50 orders, however many calls
// add them; replacing them brings the count back down.
func TestOrdersCapped(t *testing.T) {
	t.Parallel()
	_, c := open(t)
	id := c.create(20000)["id"].(string) // its create brought one order
	path := "/v1/payments/" + id + "/orders"
	order := map[string]any{"merchant_reference": "more"}
	for i := 1; i < 50; i++ {
		res := c.do(http.MethodPut, path, map[string]any{"order": order})
		require.Equal(t, http.StatusOK, res.Status, "order %d: %s", i+1, res.Body)
	}
	full := c.do(http.MethodPut, path, map[string]any{"order": order})
	require.Equal(t, http.StatusBadRequest, full.Status, "%s", full.Body)
	assert.Equal(t, validationErr("orders", "too_long"), firstError(full.JSON(t)))
	assert.Equal(t, 50, strings.Count(string(c.do(http.MethodGet, path, nil).Body), `"merchant_reference"`))

	many := make([]any, 51)
	for i := range many {
		many[i] = order
	}
	tooMany := c.do(http.MethodPost, path, map[string]any{"orders": many})
	assert.Equal(t, validationErr("orders", "too_long"), firstError(tooMany.JSON(t)))
	replaced := c.do(http.MethodPost, path, map[string]any{"orders": many[:50]})
	require.Equal(t, http.StatusOK, replaced.Status, "%s", replaced.Body)
	again := c.do(http.MethodPost, path, map[string]any{"order": order})
	require.Equal(t, http.StatusOK, again.Status, "%s", again.Body)
	assert.Equal(t, 1, strings.Count(string(again.Body), `"merchant_reference"`))
}

// TestStoredSizeCapped: custom_data and an order are at most 16 KiB once
// encoded, on create and on edit.
func TestStoredSizeCapped(t *testing.T) {
	t.Parallel()
	_, c := open(t)
	big := map[string]any{"blob": strings.Repeat("x", 16<<10)}
	fits := map[string]any{"blob": strings.Repeat("x", 16<<10-20)}
	id := c.create(20000, paymentField("custom_data", fits))["id"].(string)

	created := c.do(http.MethodPost, "/v1/payments", createBody(20000, paymentField("custom_data", big)))
	assert.Equal(t, validationErr("payment.custom_data", "too_long"), firstError(created.JSON(t)), "%.200s", created.Body)
	edited := c.do(http.MethodPost, "/v1/payments/"+id, map[string]any{"payment": map[string]any{"custom_data": big}})
	assert.Equal(t, validationErr("payment.custom_data", "too_long"), firstError(edited.JSON(t)), "%.200s", edited.Body)
	escaped := c.do(http.MethodPost, "/v1/payments/"+id, `{"payment":{"custom_data":"`+strings.Repeat("<", 3<<10)+`"}}`)
	assert.Equal(t, validationErr("payment.custom_data", "too_long"), firstError(escaped.JSON(t)), "stored as \\u003c: %.200s", escaped.Body)
	ok := c.do(http.MethodPost, "/v1/payments/"+id, map[string]any{"payment": map[string]any{"custom_data": fits}})
	assert.Equal(t, http.StatusOK, ok.Status, "%.200s", ok.Body)

	bigOrder := map[string]any{"merchant_reference": "o", "data": big}
	withOrder := createBody(20000)
	withOrder["order"] = bigOrder
	created = c.do(http.MethodPost, "/v1/payments", withOrder)
	assert.Equal(t, validationErr("order", "too_long"), firstError(created.JSON(t)), "%.200s", created.Body)
	added := c.do(http.MethodPut, "/v1/payments/"+id+"/orders", map[string]any{"order": bigOrder})
	assert.Equal(t, validationErr("order", "too_long"), firstError(added.JSON(t)), "%.200s", added.Body)
}

// TestFieldCaps: paths, URLs and refund comments are bounded in Alma's
// validation shape, and what a refused request carried is not kept.
func TestFieldCaps(t *testing.T) {
	t.Parallel()
	_, c := open(t)
	long := strings.Repeat("a", 5000)
	res := c.do(http.MethodGet, "/v1/payments/"+long, nil)
	assert.Equal(t, http.StatusBadRequest, res.Status)
	assert.Contains(t, string(res.Body), `"field":"path","error_code":"too_long"`)
	journal := c.do(http.MethodGet, "/__admin/journal?limit=1", nil)
	assert.Less(t, len(journal.Body), 2000, "the journal keeps a clipped path, not 5 KB")

	res = c.do(http.MethodPost, "/v1/payments", createBody(20000, paymentField("return_url", "https://shop.example.com/"+long)))
	assert.Equal(t, http.StatusBadRequest, res.Status)
	assert.Contains(t, string(res.Body), `"field":"payment.return_url","error_code":"too_long"`)
	assert.NotContains(t, string(res.Body), long, "not echoed")

	id := accepted(c, 20000)
	res = c.do(http.MethodPost, "/v1/payments/"+id+"/refund", map[string]any{"amount": 100, "comment": long})
	assert.Equal(t, http.StatusBadRequest, res.Status)
	assert.Contains(t, string(res.Body), `"field":"comment","error_code":"too_long"`)
	assert.Empty(t, c.do(http.MethodGet, "/v1/payments/"+id, nil).JSON(t)["refunds"])
}
