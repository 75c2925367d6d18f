package emulator

import (
	"net/http"
	"slices"
)

// merchantJSON is Alma's Merchant object (GET /v1/me).
type merchantJSON struct {
	ID                    string `json:"id"`
	Name                  string `json:"name"`
	Website               string `json:"website"`
	CanCreatePayments     bool   `json:"can_create_payments"`
	MinimumPurchaseAmount int64  `json:"minimum_purchase_amount"`
	MaximumPurchaseAmount int64  `json:"maximum_purchase_amount"`
}

// feePlanJSON is one of Alma's fee plans.
type feePlanJSON struct {
	ID                  string `json:"id"`
	Allowed             bool   `json:"allowed"`
	AvailableOnline     bool   `json:"available_online"`
	Kind                string `json:"kind"`
	InstallmentsCount   int    `json:"installments_count"`
	DeferredDays        int    `json:"deferred_days"`
	DeferredMonths      int    `json:"deferred_months"`
	MinPurchaseAmount   int64  `json:"min_purchase_amount"`
	MaxPurchaseAmount   int64  `json:"max_purchase_amount"`
	MerchantFeeVariable int    `json:"merchant_fee_variable"`
	MerchantFeeFixed    int    `json:"merchant_fee_fixed"`
	CustomerFeeVariable int    `json:"customer_fee_variable"`
	CustomerFeeFixed    int    `json:"customer_fee_fixed"`
	CustomerLendingRate int    `json:"customer_lending_rate"`
	CapabilityPayNow    bool   `json:"is_pay_now"`
}

// me answers GET /v1/me.
func (s *Server) me(w http.ResponseWriter, r *http.Request) {
	writeOK(w, s.merchantJSON(tenantOf(r)))
}

// merchantJSON is the merchant as GET /v1/me shows it.
func (s *Server) merchantJSON(t *tenant) merchantJSON {
	return merchantJSON{
		ID: t.ID, Name: t.Name, Website: merchantWebsite,
		CanCreatePayments: true, MinimumPurchaseAmount: s.MinAmount, MaximumPurchaseAmount: s.MaxAmount,
	}
}

// feePlans answers GET /v1/me/fee-plans?kind=general&only=all&deferred=true|false:
// one general plan per offered installment count, none deferred.
func (s *Server) feePlans(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	kind := q.Get("kind")
	if kind != "" && !slices.Contains([]string{"general", "pos", "all"}, kind) {
		writeError(w, fieldError("kind", codeInvalidValue, "kind must be general, pos or all", kind))
		return
	}
	plans := []feePlanJSON{}
	if kind != "pos" {
		plans = s.generalPlans()
	}
	writeOK(w, plans)
}

// generalPlans are the fee plans general_{n}_0_0 of the offered counts.
func (s *Server) generalPlans() []feePlanJSON {
	out := make([]feePlanJSON, 0, len(s.Installments))
	for _, n := range s.Installments {
		out = append(out, feePlanJSON{
			ID: planKey(n, 0, 0), Allowed: true, AvailableOnline: true, Kind: "general",
			InstallmentsCount: n, MinPurchaseAmount: s.MinAmount, MaxPurchaseAmount: s.MaxAmount,
			CapabilityPayNow: n == 1,
		})
	}
	return out
}
