package emulator

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
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

// feePlanJSON is one of Alma's fee plans, every key of the plugins'
// fixtures (alma-woocommerce-gateway's settings test, alma-php-client
// src/Entity/FeePlan.php: id is an integer or null).
type feePlanJSON struct {
	ID                                  int    `json:"id"`
	Allowed                             bool   `json:"allowed"`
	AvailableOnline                     bool   `json:"available_online"`
	AvailableInPOS                      bool   `json:"available_in_pos"`
	Kind                                string `json:"kind"`
	InstallmentsCount                   int    `json:"installments_count"`
	DeferredDays                        int    `json:"deferred_days"`
	DeferredMonths                      int    `json:"deferred_months"`
	DeferredTriggerLimitDays            *int   `json:"deferred_trigger_limit_days"`
	DeferredTriggerBypassScoring        bool   `json:"deferred_trigger_bypass_scoring"`
	MinPurchaseAmount                   int64  `json:"min_purchase_amount"`
	MaxPurchaseAmount                   int64  `json:"max_purchase_amount"`
	MerchantFeeVariable                 int    `json:"merchant_fee_variable"`
	MerchantFeeFixed                    int64  `json:"merchant_fee_fixed"`
	CustomerFeeVariable                 int    `json:"customer_fee_variable"`
	CustomerFeeFixed                    int64  `json:"customer_fee_fixed"`
	CustomerLendingRate                 int    `json:"customer_lending_rate"`
	Capped                              bool   `json:"capped"`
	FirstInstallmentRatio               *int   `json:"first_installment_ratio"`
	IsUnderMaximumInterestRegulatedRate bool   `json:"is_under_maximum_interest_regulated_rate"`
	Merchant                            string `json:"merchant"`
	PayoutOnAcceptance                  bool   `json:"payout_on_acceptance"`
	CapabilityPayNow                    bool   `json:"is_pay_now"`
}

// usuryRate is the rate (bps) above which a credit plan is not under the
// maximum regulated rate (our choice: France's usury rate for small
// consumer loans, about 22 % in 2025).
const usuryRate = 2200

// me answers GET /v1/me.
func (s *Server) me(w http.ResponseWriter, r *http.Request) {
	writeOK(w, s.merchantJSON(tenantOf(r)))
}

// merchantJSON is t's merchant as GET /v1/me shows it: its purchase
// limits are those of its allowed plans.
func (s *Server) merchantJSON(t *tenant) merchantJSON {
	minimum, maximum := s.plans().limits()
	return merchantJSON{
		ID: t.ID, Name: t.Name, Website: merchantWebsite,
		CanCreatePayments: true, MinimumPurchaseAmount: minimum, MaximumPurchaseAmount: maximum,
	}
}

// feePlanFilter is the query of GET /v1/me/fee-plans as alma-php-client's
// MerchantEndpoint::getFeePlanList builds it: kind (general, pos or all;
// default general), only ("all" or installment counts separated by
// commas; default all), deferred ("true" lists the pay-later plans too;
// default false, as the client's).
type feePlanFilter struct {
	kind     string
	only     []int // nil: all
	deferred bool
}

// parseFeePlanFilter reads the filter, refusing a value it does not know.
func parseFeePlanFilter(q url.Values) (feePlanFilter, *apiError) {
	f := feePlanFilter{kind: orDefault(q.Get("kind"), kindGeneral)}
	if !slices.Contains([]string{kindGeneral, kindPOS, "all"}, f.kind) {
		return f, fieldError("kind", codeInvalidValue, "kind must be general, pos or all", f.kind)
	}
	switch d := q.Get("deferred"); d {
	case "", "false":
	case "true":
		f.deferred = true
	default:
		return f, fieldError("deferred", codeInvalidValue, "deferred must be true or false", d)
	}
	only := q.Get("only")
	if only == "" || only == "all" {
		return f, nil
	}
	for _, part := range strings.Split(only, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(part))
		if err != nil || n < 1 || n > maxPlanQueries {
			return f, fieldError("only", codeInvalidValue, "only must be all or installment counts from 1 to 12 separated by commas", only)
		}
		f.only = append(f.only, n)
	}
	return f, nil
}

// keeps reports whether the filter lists fp.
func (f feePlanFilter) keeps(fp FeePlan) bool {
	return (f.kind == "all" || f.kind == fp.Kind) &&
		(f.only == nil || slices.Contains(f.only, fp.InstallmentsCount)) &&
		(f.deferred || !fp.deferred())
}

// feePlans answers GET /v1/me/fee-plans?kind=general&only=all&deferred=true|false:
// the merchant's plans the filter keeps, allowed or not.
func (s *Server) feePlans(w http.ResponseWriter, r *http.Request) {
	f, aerr := parseFeePlanFilter(r.URL.Query())
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	writeOK(w, s.feePlanList(tenantOf(r), f.keeps))
}

// feePlanList is the merchant's plans that keep keeps, in Alma's shape.
func (s *Server) feePlanList(t *tenant, keep func(FeePlan) bool) []feePlanJSON {
	out := []feePlanJSON{}
	for i, fp := range s.plans().list {
		if keep(fp) {
			out = append(out, s.feePlanJSON(t, i+1, fp))
		}
	}
	return out
}

// feePlanJSON is fp, the id-th plan of t, in Alma's shape.
func (s *Server) feePlanJSON(t *tenant, id int, fp FeePlan) feePlanJSON {
	return feePlanJSON{
		ID: id, Allowed: fp.Allowed, AvailableOnline: fp.AvailableOnline, AvailableInPOS: fp.Kind == kindPOS,
		Kind: fp.Kind, InstallmentsCount: fp.InstallmentsCount,
		DeferredDays: fp.DeferredDays, DeferredMonths: fp.DeferredMonths, DeferredTriggerLimitDays: fp.DeferredTriggerLimitDays,
		MinPurchaseAmount: fp.MinPurchaseAmount, MaxPurchaseAmount: fp.MaxPurchaseAmount,
		MerchantFeeVariable: fp.MerchantFeeVariable, MerchantFeeFixed: fp.MerchantFeeFixed,
		CustomerFeeVariable: fp.CustomerFeeVariable, CustomerFeeFixed: fp.CustomerFeeFixed,
		CustomerLendingRate:                 fp.CustomerLendingRate,
		IsUnderMaximumInterestRegulatedRate: fp.CustomerLendingRate <= usuryRate,
		Merchant:                            t.ID, CapabilityPayNow: fp.InstallmentsCount == 1 && !fp.deferred(),
	}
}
