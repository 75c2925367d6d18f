package emulator

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"slices"
	"time"
)

// maxPlanQueries bounds the plans one eligibility request may ask about
// (installment counts run from 1 to 12), so a small request never makes a
// large answer.
const maxPlanQueries = 12

// eligibilityV1Body is the body of POST /v1/payments/eligibility.
type eligibilityV1Body struct {
	Payment *struct {
		PurchaseAmount    *int64          `json:"purchase_amount"`
		InstallmentsCount json.RawMessage `json:"installments_count"`
		DeferredDays      int             `json:"deferred_days"`
		DeferredMonths    int             `json:"deferred_months"`
	} `json:"payment"`
}

// eligibilityV2Body is the body of POST /v2/payments/eligibility.
type eligibilityV2Body struct {
	PurchaseAmount *int64      `json:"purchase_amount"`
	Queries        []planQuery `json:"queries"`
}

// planQuery asks about one fee plan.
type planQuery struct {
	InstallmentsCount int `json:"installments_count"`
	DeferredDays      int `json:"deferred_days"`
	DeferredMonths    int `json:"deferred_months"`
}

// eligibilityJSON is Alma's Eligibility object.
type eligibilityJSON struct {
	Eligible                bool              `json:"eligible"`
	Reasons                 map[string]string `json:"reasons,omitempty"`
	Constraints             map[string]any    `json:"constraints,omitempty"`
	InstallmentsCount       int               `json:"installments_count"`
	DeferredDays            int               `json:"deferred_days"`
	DeferredMonths          int               `json:"deferred_months"`
	PurchaseAmount          int64             `json:"purchase_amount"`
	CustomerFee             int64             `json:"customer_fee"`
	CustomerInterest        int64             `json:"customer_interest"`
	CustomerTotalCostAmount int64             `json:"customer_total_cost_amount"`
	CustomerTotalCostBps    int64             `json:"customer_total_cost_bps"`
	AnnualInterestRate      int               `json:"annual_interest_rate"`
	PaymentPlan             []planLineJSON    `json:"payment_plan,omitempty"`
}

// planLineJSON is one line of an eligibility's payment plan.
type planLineJSON struct {
	DueDate          int64 `json:"due_date"`
	PurchaseAmount   int64 `json:"purchase_amount"`
	CustomerFee      int64 `json:"customer_fee"`
	CustomerInterest int64 `json:"customer_interest"`
	TotalAmount      int64 `json:"total_amount"`
}

// eligibilityV1 answers POST /v1/payments/eligibility: one Eligibility
// when installments_count is a number, an array when it is an array (or
// absent: every offered plan). Not eligible is still 200.
func (s *Server) eligibilityV1(w http.ResponseWriter, r *http.Request) {
	if cs := s.chaosStep(r, chaosEligibility); cs != nil {
		s.serveStep(w, r, cs, func() answer { return answer{} })
		return
	}
	var body eligibilityV1Body
	if aerr := decodeBody(r, &body); aerr != nil {
		writeError(w, aerr)
		return
	}
	p := body.Payment
	if p == nil {
		writeError(w, fieldError("payment", codeMissingField, "payment is required", nil))
		return
	}
	if p.PurchaseAmount == nil {
		writeError(w, fieldError("payment.purchase_amount", codeMissingField, "purchase_amount is required", nil))
		return
	}
	counts, single, aerr := s.parseCounts(p.InstallmentsCount)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	now := s.clock.now()
	out := make([]eligibilityJSON, len(counts))
	for i, n := range counts {
		out[i] = s.eligibility(*p.PurchaseAmount, planQuery{n, p.DeferredDays, p.DeferredMonths}, now)
	}
	if single {
		writeOK(w, out[0])
		return
	}
	writeOK(w, out)
}

// parseCounts reads installments_count: a number (single), an array, or
// absent (every offered count). An array is answered once per distinct
// count, in first-seen order, and may hold at most maxPlanQueries of them.
func (s *Server) parseCounts(raw json.RawMessage) ([]int, bool, *apiError) {
	const field = "payment.installments_count"
	if len(raw) == 0 || string(raw) == "null" {
		return s.plans().counts(), false, nil
	}
	var n int
	if err := json.Unmarshal(raw, &n); err == nil {
		return []int{n}, true, nil
	}
	var list []int
	if err := json.Unmarshal(raw, &list); err != nil || len(list) == 0 {
		return nil, false, fieldError(field, codeInvalidType, "installments_count must be an integer or a non-empty array of integers", nil)
	}
	var distinct []int
	for _, n := range list {
		if slices.Contains(distinct, n) {
			continue
		}
		if len(distinct) == maxPlanQueries {
			return nil, false, fieldError(field, codeTooLong, fmt.Sprintf("installments_count holds more than %d distinct counts", maxPlanQueries), nil)
		}
		distinct = append(distinct, n)
	}
	return distinct, false, nil
}

// eligibilityV2 answers POST /v2/payments/eligibility: an array, one per
// query (every offered plan when there is none).
func (s *Server) eligibilityV2(w http.ResponseWriter, r *http.Request) {
	if cs := s.chaosStep(r, chaosEligibility); cs != nil {
		s.serveStep(w, r, cs, func() answer { return answer{} })
		return
	}
	var body eligibilityV2Body
	if aerr := decodeBody(r, &body); aerr != nil {
		writeError(w, aerr)
		return
	}
	if body.PurchaseAmount == nil {
		writeError(w, fieldError("purchase_amount", codeMissingField, "purchase_amount is required", nil))
		return
	}
	queries := body.Queries
	if len(queries) > maxPlanQueries {
		writeError(w, fieldError("queries", codeTooLong, fmt.Sprintf("queries holds more than %d queries", maxPlanQueries), nil))
		return
	}
	now := s.clock.now()
	if len(queries) == 0 {
		writeOK(w, s.discover(*body.PurchaseAmount, now))
		return
	}
	out := make([]eligibilityJSON, len(queries))
	for i, q := range queries {
		out[i] = s.eligibility(*body.PurchaseAmount, q, now)
	}
	writeOK(w, out)
}

// discover is v2's discovery mode (no queries): the merchant's plans that
// are eligible for amount, and only those (alma-api.md, the 3.x client).
func (s *Server) discover(amount int64, now time.Time) []eligibilityJSON {
	out := []eligibilityJSON{}
	for _, fp := range s.plans().offered() {
		if e := s.eligibility(amount, planQuery{fp.InstallmentsCount, fp.DeferredDays, fp.DeferredMonths}, now); e.Eligible {
			out = append(out, e)
		}
	}
	return out
}

// eligibility answers one plan query for amount from the merchant's fee
// plans. A plan the merchant does not have, or that Alma has not allowed,
// is not eligible for its installments_count (or, when the count exists
// without that deferral, its deferred_days); an amount outside the plan's
// limits for its purchase_amount. Every not-eligible answer carries the
// purchase_amount constraints (the JS client's IneligiblePlan type).
func (s *Server) eligibility(amount int64, q planQuery, now time.Time) eligibilityJSON {
	plans := s.plans()
	e := eligibilityJSON{
		InstallmentsCount: q.InstallmentsCount, DeferredDays: q.DeferredDays,
		DeferredMonths: q.DeferredMonths, PurchaseAmount: amount,
	}
	fp, found := plans.find(q.InstallmentsCount, q.DeferredDays, q.DeferredMonths)
	switch {
	case !found || !fp.Allowed:
		field := "installments_count"
		if plans.hasCount(q.InstallmentsCount) {
			field = "deferred_days"
		}
		minimum, maximum := plans.limits()
		e.Reasons = map[string]string{field: codeInvalidValue}
		e.Constraints = map[string]any{
			"installments_count": map[string][]int{"allowed": orEmpty(plans.counts())},
			"purchase_amount":    amountLimits(minimum, maximum),
		}
	case !fp.fits(amount):
		e.Reasons = map[string]string{"purchase_amount": codeInvalidValue}
		e.Constraints = map[string]any{"purchase_amount": amountLimits(fp.MinPurchaseAmount, fp.MaxPurchaseAmount)}
	default:
		e.Eligible = true
		e.fill(fp, amount, now)
	}
	return e
}

// amountLimits is a purchase_amount constraint.
func amountLimits(minimum, maximum int64) map[string]int64 {
	return map[string]int64{"minimum": minimum, "maximum": maximum}
}

// fill sets an eligible answer's costs and payment plan from fp: the
// customer's fees, interest, total cost (in cents and in bps of amount),
// the plan's annual interest rate (bps) and its installments.
func (e *eligibilityJSON) fill(fp FeePlan, amount int64, now time.Time) {
	for _, l := range fp.schedule(amount, now) {
		e.PaymentPlan = append(e.PaymentPlan, planLineJSON{
			DueDate: l.Due.Unix(), PurchaseAmount: l.Amount, CustomerFee: l.Fee,
			CustomerInterest: l.Interest, TotalAmount: l.Amount + l.Fee + l.Interest,
		})
		e.CustomerFee += l.Fee
		e.CustomerInterest += l.Interest
	}
	e.CustomerTotalCostAmount = e.CustomerFee + e.CustomerInterest
	e.CustomerTotalCostBps = totalCostBps(e.CustomerTotalCostAmount, amount)
	e.AnnualInterestRate = fp.CustomerLendingRate
}

// totalCostBps is cost in basis points of amount, rounded (as Alma's
// widgets compute it: round(cost / amount × 10000)); 0 for no amount.
func totalCostBps(cost, amount int64) int64 {
	if amount <= 0 {
		return 0
	}
	return int64(math.Round(float64(cost) / float64(amount) * 10000))
}
