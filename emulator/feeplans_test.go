package emulator_test

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alma-sandbox/alma-sandbox/emulator"
)

// planKeys lists each plan of a fee-plans answer as n/days/months/allowed.
func planKeys(t *testing.T, body []byte) []string {
	t.Helper()
	var plans []map[string]any
	require.NoError(t, json.Unmarshal(body, &plans), "body: %s", body)
	out := []string{}
	for _, p := range plans {
		key := p["kind"].(string) + "_" + fmt.Sprint(p["installments_count"]) + "_" + fmt.Sprint(p["deferred_days"]) + "_" + fmt.Sprint(p["deferred_months"])
		if p["allowed"] != true {
			key += " (not allowed)"
		}
		out = append(out, key)
	}
	return out
}

// TestFeePlansFilters: GET /v1/me/fee-plans keeps what kind, only and
// deferred ask for, as alma-php-client sends them; a value it does not
// know is Alma's 400 on that parameter.
func TestFeePlansFilters(t *testing.T) {
	t.Parallel()
	_, c := open(t)
	all := []string{"general_1_0_0", "general_2_0_0", "general_3_0_0", "general_4_0_0", "general_10_0_0", "general_12_0_0"}
	deferred := []string{"general_1_15_0", "general_1_30_0", "general_1_0_1"}
	tests := []struct {
		name, query string
		want        []string
		field       string
	}{
		{"what the plugins send", "kind=general&only=all&deferred=true", append(append(append([]string{}, all...), deferred...), "general_6_0_0 (not allowed)"), ""},
		{"the PHP client's default", "kind=general&only=all&deferred=false", append(append([]string{}, all...), "general_6_0_0 (not allowed)"), ""},
		{"no query: not deferred", "", append(append([]string{}, all...), "general_6_0_0 (not allowed)"), ""},
		{"only some counts", "kind=general&only=1,3&deferred=true", append([]string{"general_1_0_0", "general_3_0_0"}, deferred...), ""},
		{"only one count, no deferred", "only=10&deferred=false", []string{"general_10_0_0"}, ""},
		{"pos: none", "kind=pos&only=all&deferred=true", []string{}, ""},
		{"unknown kind", "kind=shop", nil, "kind"},
		{"deferred not a boolean", "deferred=1", nil, "deferred"},
		{"only not counts", "only=3x", nil, "only"},
		{"only out of range", "only=0,13", nil, "only"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := c.do(http.MethodGet, "/v1/me/fee-plans?"+tt.query, nil)
			if tt.field != "" {
				require.Equal(t, http.StatusBadRequest, res.Status, "body: %s", res.Body)
				checkAlmaError(t, res.JSON(t), tt.field, "invalid_value")
				return
			}
			require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)
			assert.Equal(t, tt.want, planKeys(t, res.Body))
		})
	}
}

// eligible asks v1 eligibility about one plan for amount.
func eligible(c *client, amount int64, n, days, months int) map[string]any {
	c.t.Helper()
	res := c.do(http.MethodPost, "/v1/payments/eligibility", map[string]any{"payment": map[string]any{
		"purchase_amount": amount, "installments_count": n, "deferred_days": days, "deferred_months": months,
	}})
	require.Equal(c.t, http.StatusOK, res.Status, "body: %s", res.Body)
	return res.JSON(c.t)
}

// TestEligibilityFollowsPlans: an allowed plan within its limits is
// eligible with its costs (fees on the first installment, interest spread,
// the first due date deferred); any other answer is not eligible and says
// why, with the purchase_amount constraints.
func TestEligibilityFollowsPlans(t *testing.T) {
	t.Parallel()
	_, c := open(t, fixed)
	now := fixedNow.Unix()
	tests := []struct {
		name                string
		amount              int64
		n, days, months     int
		fee, interest, rate int64
		firstDue            int64
		reason              string
		minimum, maximum    float64
	}{
		{"p3x, merchant pays", 20000, 3, 0, 0, 0, 0, 0, now, "", 0, 0},
		{"p10x credit: interest at 17.5 %", 100000, 10, 0, 0, 0, 8195, 1750, now, "", 0, 0},
		{"pay in 15 days: 1 % fee", 15000, 1, 15, 0, 150, 0, 0, fixedNow.AddDate(0, 0, 15).Unix(), "", 0, 0},
		{"pay in 1 month: 1.5 % fee", 20000, 1, 0, 1, 300, 0, 0, fixedNow.AddDate(0, 1, 0).Unix(), "", 0, 0},
		{"a plan Alma has not allowed", 20000, 6, 0, 0, 0, 0, 0, 0, "installments_count", 5000, 200000},
		{"a deferral the merchant lacks", 20000, 3, 30, 0, 0, 0, 0, 0, "deferred_days", 5000, 200000},
		{"under the plan's minimum", 4999, 3, 0, 0, 0, 0, 0, 0, "purchase_amount", 5000, 200000},
		{"over the plan's maximum", 200001, 1, 30, 0, 0, 0, 0, 0, "purchase_amount", 5000, 200000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := eligible(c, tt.amount, tt.n, tt.days, tt.months)
			if tt.reason != "" {
				assert.Equal(t, false, e["eligible"])
				assert.Equal(t, map[string]any{tt.reason: "invalid_value"}, e["reasons"])
				require.Contains(t, e, "constraints")
				assert.Equal(t, map[string]any{"minimum": tt.minimum, "maximum": tt.maximum}, e["constraints"].(map[string]any)["purchase_amount"])
				return
			}
			require.Equal(t, true, e["eligible"], "answer: %v", e)
			assert.Equal(t, float64(tt.fee), e["customer_fee"])
			assert.Equal(t, float64(tt.interest), e["customer_interest"])
			assert.Equal(t, float64(tt.fee+tt.interest), e["customer_total_cost_amount"])
			assert.Equal(t, math.Round(float64(tt.fee+tt.interest)*10000/float64(tt.amount)), e["customer_total_cost_bps"])
			assert.Equal(t, float64(tt.rate), e["annual_interest_rate"])
			plan := e["payment_plan"].([]any)
			require.Len(t, plan, tt.n)
			var purchase, fee, interest float64
			for i, l := range plan {
				line := l.(map[string]any)
				purchase += line["purchase_amount"].(float64)
				fee += line["customer_fee"].(float64)
				interest += line["customer_interest"].(float64)
				assert.Equal(t, line["purchase_amount"].(float64)+line["customer_fee"].(float64)+line["customer_interest"].(float64), line["total_amount"])
				if i > 0 {
					assert.Zero(t, line["customer_fee"], "fees are on the first installment only")
				}
			}
			assert.Equal(t, float64(tt.firstDue), plan[0].(map[string]any)["due_date"])
			assert.Equal(t, float64(tt.amount), purchase)
			assert.Equal(t, float64(tt.fee), fee)
			assert.Equal(t, float64(tt.interest), interest)
		})
	}
}

// TestEligibilityV2Discovery: v2 without queries lists only the plans
// eligible for the amount.
func TestEligibilityV2Discovery(t *testing.T) {
	t.Parallel()
	_, c := open(t)
	for _, tt := range []struct {
		name   string
		amount int64
		want   int
	}{
		{"every allowed plan fits", 20000, 9},
		{"under every plan's minimum", 4000, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res := c.do(http.MethodPost, "/v2/payments/eligibility", map[string]any{"purchase_amount": tt.amount})
			require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)
			var list []map[string]any
			require.NoError(t, json.Unmarshal(res.Body, &list))
			assert.Len(t, list, tt.want)
			for _, e := range list {
				assert.Equal(t, true, e["eligible"])
				assert.NotEqual(t, float64(6), e["installments_count"], "a plan not allowed is never discovered")
			}
		})
	}
}

// TestCreateFollowsPlans: a create is refused for a plan the merchant has
// not, has not been allowed or whose limits the amount is outside; else
// the payment carries its plan's fees, interest and deferred due date.
func TestCreateFollowsPlans(t *testing.T) {
	t.Parallel()
	s, c := open(t, fixed)
	require.NoError(t, s.SetFeePlans([]emulator.FeePlan{
		{Kind: "general", InstallmentsCount: 3, Allowed: true, AvailableOnline: true, MinPurchaseAmount: 10000, MaxPurchaseAmount: 50000, CustomerFeeVariable: 100, MerchantFeeVariable: 300},
		{Kind: "general", InstallmentsCount: 1, DeferredDays: 30, Allowed: true, AvailableOnline: true, MinPurchaseAmount: 5000, MaxPurchaseAmount: 50000, CustomerFeeFixed: 99},
		{Kind: "general", InstallmentsCount: 4, Allowed: false, AvailableOnline: true, MinPurchaseAmount: 5000, MaxPurchaseAmount: 50000},
	}))
	refused := []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"under the plan's minimum", createBody(9999), "payment.purchase_amount"},
		{"over the plan's maximum", createBody(50001), "payment.purchase_amount"},
		{"a plan not allowed", createBody(20000, paymentField("installments_count", 4)), "payment.installments_count"},
		{"a count the merchant lacks", createBody(20000, paymentField("installments_count", 10)), "payment.installments_count"},
		{"a deferral the merchant lacks", createBody(20000, paymentField("deferred_days", 15)), "payment.deferred_days"},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			res := c.do(http.MethodPost, "/v1/payments", tt.body)
			require.Equal(t, http.StatusBadRequest, res.Status, "body: %s", res.Body)
			checkAlmaError(t, res.JSON(t), tt.field, "invalid_value")
		})
	}
	t.Run("p3x with a customer fee", func(t *testing.T) {
		p := c.create(30000)
		assert.Equal(t, "P3X", p["kind"])
		assert.Equal(t, float64(300), p["customer_fee"])
		assert.Equal(t, float64(100), p["customer_total_cost_bps"])
		first := p["payment_plan"].([]any)[0].(map[string]any)
		assert.Equal(t, float64(300), first["customer_fee"])
		assert.Equal(t, float64(10300), first["total_amount"])
		assert.Equal(t, map[string]any{"tax": float64(180), "total": float64(1080), "total_excluding_tax": float64(900)}, p["fees"].(map[string]any)["merchant"])
	})
	t.Run("pay later in 30 days", func(t *testing.T) {
		p := c.create(20000, paymentField("installments_count", 1), paymentField("deferred_days", 30))
		assert.Equal(t, "P1X", p["kind"])
		assert.Equal(t, float64(30), p["deferred_days"])
		plan := p["payment_plan"].([]any)
		require.Len(t, plan, 1)
		assert.Equal(t, float64(fixedNow.Add(30*24*time.Hour).Unix()), plan[0].(map[string]any)["due_date"])
		assert.Equal(t, float64(99), plan[0].(map[string]any)["customer_fee"])
	})
}

// TestRefundShape: a refund carries payment_refund_amount and
// rebate_amount, and a null merchant_reference when none was sent.
func TestRefundShape(t *testing.T) {
	t.Parallel()
	_, c := open(t)
	id := c.create(30000)["id"].(string)
	c.pay(id)
	res := c.do(http.MethodPost, "/v1/payments/"+id+"/refund", map[string]any{"amount": 1000})
	require.Equal(t, http.StatusOK, res.Status, "body: %s", res.Body)
	refund := res.JSON(t)["refunds"].([]any)[0].(map[string]any)
	require.Contains(t, refund, "merchant_reference")
	assert.Nil(t, refund["merchant_reference"])
	assert.Equal(t, float64(1000), refund["payment_refund_amount"])
	assert.Equal(t, float64(0), refund["rebate_amount"])
}

// TestParseFeePlans: a fee-plan file's errors name the file, the line and
// the field; a good file gives its plans, with kind, allowed and
// available_online defaulted.
func TestParseFeePlans(t *testing.T) {
	t.Parallel()
	good := "fee_plans:\n  - installments_count: 3\n    min_purchase_amount: 5000\n    max_purchase_amount: 300000\n    customer_fee_variable: 120\n  - installments_count: 1\n    deferred_months: 1\n    allowed: false\n    min_purchase_amount: 5000\n    max_purchase_amount: 100000\n"
	plans, err := emulator.ParseFeePlans("plans.yaml", []byte(good))
	require.NoError(t, err)
	require.Len(t, plans, 2)
	assert.Equal(t, emulator.FeePlan{Kind: "general", InstallmentsCount: 3, Allowed: true, AvailableOnline: true, MinPurchaseAmount: 5000, MaxPurchaseAmount: 300000, CustomerFeeVariable: 120}, plans[0])
	assert.False(t, plans[1].Allowed)
	tests := []struct{ name, yaml, want string }{
		{"not YAML", "fee_plans: [", "plans.yaml: yaml: line 1"},
		{"no plan", "fee_plans: []\n", "plans.yaml: fee_plans: no fee plan listed"},
		{"an unknown top key", "plans: []\n", "plans.yaml: yaml: unmarshal errors:\n  line 1: field plans not found"},
		{"an unknown field", "fee_plans:\n  - installments_count: 3\n    fees: 2\n", "plans.yaml:3: fees: unknown field"},
		{"a wrong type", "fee_plans:\n  - installments_count: three\n", `plans.yaml:2: installments_count: "three" is not a whole number`},
		{"a count out of range", "fee_plans:\n  - installments_count: 13\n    min_purchase_amount: 1\n    max_purchase_amount: 2\n", "plans.yaml:2: installments_count: must be between 1 and 12"},
		{"max under min", "fee_plans:\n  - installments_count: 3\n    min_purchase_amount: 5000\n    max_purchase_amount: 10\n", "plans.yaml:4: max_purchase_amount: must be between min_purchase_amount"},
		{"missing limits", "fee_plans:\n  - installments_count: 3\n", "plans.yaml:2: min_purchase_amount: missing"},
		{"days and months", "fee_plans:\n  - installments_count: 1\n    deferred_days: 15\n    deferred_months: 1\n    min_purchase_amount: 1\n    max_purchase_amount: 2\n", "plans.yaml:4: deferred_months: a plan defers by days or by months, not both"},
		{"a plan twice", "fee_plans:\n  - {installments_count: 3, min_purchase_amount: 1, max_purchase_amount: 2}\n  - {installments_count: 3, min_purchase_amount: 1, max_purchase_amount: 9}\n", "plans.yaml:3: fee plan general_3_0_0 already listed at line 2"},
		{"a negative fee", "fee_plans:\n  - {installments_count: 3, min_purchase_amount: 1, max_purchase_amount: 2, customer_fee_fixed: -1}\n", "plans.yaml:2: customer_fee_fixed: must be between 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := emulator.ParseFeePlans("plans.yaml", []byte(tt.yaml))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

// TestLoadFeePlans: a file that cannot be read is an error naming it.
func TestLoadFeePlans(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "plans.yaml")
	_, err := emulator.LoadFeePlans(path)
	require.ErrorContains(t, err, path)
	require.NoError(t, os.WriteFile(path, []byte("fee_plans:\n  - {installments_count: 2, min_purchase_amount: 100, max_purchase_amount: 900}\n"), 0o600))
	plans, err := emulator.LoadFeePlans(path)
	require.NoError(t, err)
	require.Len(t, plans, 1)
	assert.Equal(t, 2, plans[0].InstallmentsCount)
}

// TestSetFeePlansRefusesBadPlans: SetFeePlans checks what it is given.
func TestSetFeePlansRefusesBadPlans(t *testing.T) {
	t.Parallel()
	s := emulator.NewServer()
	err := s.SetFeePlans([]emulator.FeePlan{{Kind: "general", InstallmentsCount: 3, MinPurchaseAmount: 10, MaxPurchaseAmount: 5}})
	require.ErrorContains(t, err, "fee plan 1: max_purchase_amount")
}
