package connector

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
)

// Eligibility is Alma's answer on whether a purchase can be paid in the
// plan's installments.
type Eligibility struct {
	Eligible                bool              `json:"eligible"`
	InstallmentsCount       int               `json:"installments_count"`
	PurchaseAmount          int64             `json:"purchase_amount"`
	CustomerTotalCostAmount int64             `json:"customer_total_cost_amount"`
	Reasons                 map[string]string `json:"reasons,omitempty"`
	PaymentPlan             []struct {
		DueDate     int64 `json:"due_date"`
		TotalAmount int64 `json:"total_amount"`
	} `json:"payment_plan,omitempty"`
}

// eligibilityRequest is the body of POST /v1/payments/eligibility.
type eligibilityRequest struct {
	Payment struct {
		PurchaseAmount    int64 `json:"purchase_amount"`
		InstallmentsCount int   `json:"installments_count"`
	} `json:"payment"`
}

// Eligibility asks Alma whether amountCents can be paid with the plan
// (POST /v1/payments/eligibility). An answer is SUCCESS with Eligibility
// set, eligible or not (Alma's reasons then listed in Reasons).
func (c *Client) Eligibility(ctx context.Context, amountCents int64) Result {
	var req eligibilityRequest
	req.Payment.PurchaseAmount, req.Payment.InstallmentsCount = amountCents, c.plan().Installments
	a := c.call(ctx, "eligibility", c.Timeouts.Eligibility, "POST", "/v1/payments/eligibility", req)
	r := classify(kindData, a)
	if r.Status.PSPStatus != pspSuccess {
		return c.done(ctx, "eligibility", r, "")
	}
	r.Payment, r.PaymentID = nil, ""
	e, err := decodeEligibility(a.body, c.plan().Installments)
	if err != nil {
		r.Err = err
		return c.done(ctx, "eligibility", r.with(pspBadResponse), "")
	}
	r.Eligibility = e
	for _, k := range sortedKeys(e.Reasons) {
		r.Reasons = append(r.Reasons, k+": "+e.Reasons[k])
	}
	return c.done(ctx, "eligibility", r, "")
}

// decodeEligibility reads one eligibility object, or picks the plan's from
// an array.
func decodeEligibility(body []byte, installments int) (*Eligibility, error) {
	var one Eligibility
	if err := json.Unmarshal(body, &one); err == nil {
		return &one, nil
	}
	var many []Eligibility
	if err := json.Unmarshal(body, &many); err != nil {
		return nil, fmt.Errorf("decode eligibility: %w", err)
	}
	for i := range many {
		if many[i].InstallmentsCount == installments {
			return &many[i], nil
		}
	}
	return nil, fmt.Errorf("decode eligibility: no answer for %d installments", installments)
}

// sortedKeys returns a map's keys in order.
func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
