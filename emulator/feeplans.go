package emulator

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"slices"
	"sync/atomic"
	"time"

	"gopkg.in/yaml.v3"
)

// FeePlan is one of a merchant's fee plans, as GET /v1/me/fee-plans shows it
// (alma-php-client src/Entity/FeePlan.php): the plan general_{n}_{days}_{months}
// of kind general (online) or pos, its limits and its fees. Amounts are
// cents, rates basis points (100 bps = 1 %).
type FeePlan struct {
	Kind                string `yaml:"kind"`
	InstallmentsCount   int    `yaml:"installments_count"`
	DeferredDays        int    `yaml:"deferred_days"`
	DeferredMonths      int    `yaml:"deferred_months"`
	Allowed             bool   `yaml:"allowed"`
	AvailableOnline     bool   `yaml:"available_online"`
	MinPurchaseAmount   int64  `yaml:"min_purchase_amount"`
	MaxPurchaseAmount   int64  `yaml:"max_purchase_amount"`
	MerchantFeeVariable int    `yaml:"merchant_fee_variable"`
	MerchantFeeFixed    int64  `yaml:"merchant_fee_fixed"`
	CustomerFeeVariable int    `yaml:"customer_fee_variable"`
	CustomerFeeFixed    int64  `yaml:"customer_fee_fixed"`
	CustomerLendingRate int    `yaml:"customer_lending_rate"`
	// DeferredTriggerLimitDays is how long a pay-on-trigger payment may wait
	// for its trigger (nil: no limit, as in the plugins' fixtures).
	DeferredTriggerLimitDays *int `yaml:"deferred_trigger_limit_days"`
}

// Kinds of fee plan.
const (
	kindGeneral = "general"
	kindPOS     = "pos"
)

// key is the plan's key, general_{n}_{days}_{months}.
func (fp FeePlan) key() string {
	return fp.Kind + planKey(fp.InstallmentsCount, fp.DeferredDays, fp.DeferredMonths)[len("general"):]
}

// deferred reports whether fp is a pay-later plan.
func (fp FeePlan) deferred() bool { return fp.DeferredDays != 0 || fp.DeferredMonths != 0 }

// fits reports whether amount is within fp's limits.
func (fp FeePlan) fits(amount int64) bool {
	return amount >= fp.MinPurchaseAmount && amount <= fp.MaxPurchaseAmount
}

// customerFee is what the customer pays in fees on amount: the fixed part
// plus the variable one, rounded to the cent.
func (fp FeePlan) customerFee(amount int64) int64 {
	return fp.CustomerFeeFixed + bpsOf(amount, fp.CustomerFeeVariable)
}

// merchantFee is what Alma charges the merchant on amount.
func (fp FeePlan) merchantFee(amount int64) int64 {
	return fp.MerchantFeeFixed + bpsOf(amount, fp.MerchantFeeVariable)
}

// interest is the customer's interest on amount: a loan at the plan's
// annual lending rate repaid in equal monthly installments (our reading of
// Alma's credit plans: the annuity formula, rounded to the cent). A plan of
// one installment or without rate bears none.
func (fp FeePlan) interest(amount int64) int64 {
	n := fp.InstallmentsCount
	if fp.CustomerLendingRate == 0 || n <= 1 {
		return 0
	}
	i := float64(fp.CustomerLendingRate) / 10000 / 12
	annuity := float64(amount) * i / (1 - math.Pow(1+i, -float64(n)))
	return int64(math.Round(annuity*float64(n))) - amount
}

// bpsOf is amount × bps / 10000, rounded to the nearest cent.
func bpsOf(amount int64, bps int) int64 {
	return int64(math.Round(float64(amount) * float64(bps) / 10000))
}

// planLine is one installment of a plan's schedule.
type planLine struct {
	Due                   time.Time
	Amount, Fee, Interest int64
}

// schedule splits amount into fp's installments: monthly, the first due
// deferred_days / deferred_months after start; the customer's fees on the
// first installment, the interest spread (remainders on the first).
func (fp FeePlan) schedule(amount int64, start time.Time) []planLine {
	parts := split(amount, fp.InstallmentsCount)
	interest := split(fp.interest(amount), len(parts))
	first := start.AddDate(0, fp.DeferredMonths, fp.DeferredDays)
	out := make([]planLine, len(parts))
	for i, part := range parts {
		out[i] = planLine{Due: first.AddDate(0, i, 0), Amount: part, Interest: interest[i]}
	}
	out[0].Fee = fp.customerFee(amount)
	return out
}

// feePlans is a merchant's fee plans, in the order GET /v1/me/fee-plans
// lists them. It is never changed once built (SetFeePlans swaps it whole).
type feePlans struct {
	list []FeePlan
}

// find is the general plan of n installments deferred by days and months.
func (fps *feePlans) find(n, days, months int) (FeePlan, bool) {
	i := slices.IndexFunc(fps.list, func(fp FeePlan) bool {
		return fp.Kind == kindGeneral && fp.InstallmentsCount == n && fp.DeferredDays == days && fp.DeferredMonths == months
	})
	if i < 0 {
		return FeePlan{}, false
	}
	return fps.list[i], true
}

// hasCount reports whether an allowed general plan has n installments.
func (fps *feePlans) hasCount(n int) bool {
	return slices.ContainsFunc(fps.list, func(fp FeePlan) bool {
		return fp.Kind == kindGeneral && fp.Allowed && fp.InstallmentsCount == n
	})
}

// offered are the allowed general plans.
func (fps *feePlans) offered() []FeePlan {
	var out []FeePlan
	for _, fp := range fps.list {
		if fp.Kind == kindGeneral && fp.Allowed {
			out = append(out, fp)
		}
	}
	return out
}

// counts are the distinct installment counts of the allowed general plans
// without deferral, in order.
func (fps *feePlans) counts() []int {
	var out []int
	for _, fp := range fps.offered() {
		if !fp.deferred() && !slices.Contains(out, fp.InstallmentsCount) {
			out = append(out, fp.InstallmentsCount)
		}
	}
	return out
}

// limits are the smallest minimum and the largest maximum of the allowed
// general plans (0, 0 when there is none).
func (fps *feePlans) limits() (minimum, maximum int64) {
	for i, fp := range fps.offered() {
		if i == 0 || fp.MinPurchaseAmount < minimum {
			minimum = fp.MinPurchaseAmount
		}
		maximum = max(maximum, fp.MaxPurchaseAmount)
	}
	return minimum, maximum
}

// planHolder keeps the merchants' fee plans (every tenant has the same);
// nil until set or first read.
type planHolder struct {
	p atomic.Pointer[feePlans]
}

// plans is the merchant's fee plans: those SetFeePlans set, else the
// defaults built from Installments, MinAmount and MaxAmount. It is the one
// place the fee plans are read from.
func (s *Server) plans() *feePlans {
	h := &s.planSet
	if p := h.p.Load(); p != nil {
		return p
	}
	h.p.CompareAndSwap(nil, &feePlans{list: DefaultFeePlans(s.Installments, s.MinAmount, s.MaxAmount)})
	return h.p.Load()
}

// SetFeePlans gives the merchant these fee plans instead of the defaults
// (serve --fee-plans). Set the Server's fields first: it starts the
// server's parts. The plans must be valid (ParseFeePlans checks them).
func (s *Server) SetFeePlans(list []FeePlan) error {
	if err := checkFeePlans(list); err != nil {
		return err
	}
	s.initOnce.Do(s.init)
	s.planSet.p.Store(&feePlans{list: slices.Clone(list)})
	return nil
}

// DefaultFeePlans is a realistic merchant (our choice, the fees after the
// plugins' fixtures, e.g. alma-woocommerce-gateway's settings test): one
// general plan per count in counts within [minAmount, maxAmount] — pay now
// for 1, merchant-paid fees up to 4, credit with interest above (17.5 %
// a year for 10, 18 % for 12 and more) —, pay later in 15 days, 30 days
// and 1 month with customer fees, and a 6-installment plan that Alma has
// not allowed (unless counts holds 6).
func DefaultFeePlans(counts []int, minAmount, maxAmount int64) []FeePlan {
	general := func(n, days, months int) FeePlan {
		return FeePlan{
			Kind: kindGeneral, InstallmentsCount: n, DeferredDays: days, DeferredMonths: months,
			Allowed: true, AvailableOnline: true, MinPurchaseAmount: minAmount, MaxPurchaseAmount: maxAmount,
		}
	}
	merchantBps := map[int]int{1: 75, 2: 340, 3: 380, 4: 440}
	var out []FeePlan
	for _, n := range counts {
		fp := general(n, 0, 0)
		fp.MerchantFeeVariable = merchantBps[n]
		if n > 4 {
			fp.MerchantFeeVariable = 380
			fp.CustomerLendingRate = 1750
			if n >= 12 {
				fp.CustomerLendingRate = 1800
			}
		}
		out = append(out, fp)
	}
	for _, d := range []struct{ days, months, bps int }{{15, 0, 100}, {30, 0, 150}, {0, 1, 150}} {
		fp := general(1, d.days, d.months)
		fp.MerchantFeeVariable, fp.CustomerFeeVariable = 200, d.bps
		out = append(out, fp)
	}
	if !slices.Contains(counts, 6) {
		fp := general(6, 0, 0)
		fp.Allowed, fp.MerchantFeeVariable = false, 380
		out = append(out, fp)
	}
	return out
}

// Bounds of a fee plan (our choice: Alma offers 1 to 12 installments and
// defers by days or months, never by both).
const (
	maxPlanDays   = 365
	maxPlanMonths = 12
	maxPlanAmount = 100_000_000 // a million euros
	maxPlanBps    = 10000
)

// checkFeePlans checks every plan, naming the first wrong field of each.
func checkFeePlans(list []FeePlan) error {
	var errs []error
	seen := map[string]bool{}
	for i, fp := range list {
		if field, why := checkFeePlan(fp); field != "" {
			errs = append(errs, fmt.Errorf("fee plan %d: %s: %s", i+1, field, why))
			continue
		}
		if seen[fp.key()] {
			errs = append(errs, fmt.Errorf("fee plan %d: %s is listed twice", i+1, fp.key()))
		}
		seen[fp.key()] = true
	}
	return errors.Join(errs...)
}

// checkFeePlan returns the first field of fp out of bounds and why ("" when
// none is).
func checkFeePlan(fp FeePlan) (field, why string) {
	checks := []struct {
		bad         bool
		field, rule string
	}{
		{fp.Kind != kindGeneral && fp.Kind != kindPOS, "kind", "must be general or pos"},
		{fp.InstallmentsCount < 1 || fp.InstallmentsCount > maxPlanQueries, "installments_count", "must be between 1 and 12"},
		{fp.DeferredDays < 0 || fp.DeferredDays > maxPlanDays, "deferred_days", fmt.Sprintf("must be between 0 and %d", maxPlanDays)},
		{fp.DeferredMonths < 0 || fp.DeferredMonths > maxPlanMonths, "deferred_months", fmt.Sprintf("must be between 0 and %d", maxPlanMonths)},
		{fp.DeferredDays != 0 && fp.DeferredMonths != 0, "deferred_months", "a plan defers by days or by months, not both"},
		{fp.MinPurchaseAmount < 1 || fp.MinPurchaseAmount > maxPlanAmount, "min_purchase_amount", fmt.Sprintf("must be between 1 and %d cents", maxPlanAmount)},
		{fp.MaxPurchaseAmount < fp.MinPurchaseAmount || fp.MaxPurchaseAmount > maxPlanAmount, "max_purchase_amount", fmt.Sprintf("must be between min_purchase_amount and %d cents", maxPlanAmount)},
		{fp.MerchantFeeVariable < 0 || fp.MerchantFeeVariable > maxPlanBps, "merchant_fee_variable", "must be between 0 and 10000 bps"},
		{fp.MerchantFeeFixed < 0 || fp.MerchantFeeFixed > maxPlanAmount, "merchant_fee_fixed", "must be between 0 and 100000000 cents"},
		{fp.CustomerFeeVariable < 0 || fp.CustomerFeeVariable > maxPlanBps, "customer_fee_variable", "must be between 0 and 10000 bps"},
		{fp.CustomerFeeFixed < 0 || fp.CustomerFeeFixed > maxPlanAmount, "customer_fee_fixed", "must be between 0 and 100000000 cents"},
		{fp.CustomerLendingRate < 0 || fp.CustomerLendingRate > maxPlanBps, "customer_lending_rate", "must be between 0 and 10000 bps"},
		{fp.DeferredTriggerLimitDays != nil && (*fp.DeferredTriggerLimitDays < 0 || *fp.DeferredTriggerLimitDays > maxPlanDays), "deferred_trigger_limit_days", fmt.Sprintf("must be between 0 and %d", maxPlanDays)},
	}
	for _, c := range checks {
		if c.bad {
			return c.field, c.rule
		}
	}
	return "", ""
}

// LoadFeePlans reads a fee-plan file (serve --fee-plans): YAML, a list
// under fee_plans, one mapping per plan with FeePlan's keys; kind defaults
// to general, allowed and available_online to true. Errors name the file,
// the line and the field.
func LoadFeePlans(path string) ([]FeePlan, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("fee plans: %w", err)
	}
	return ParseFeePlans(path, data)
}

// feePlanFile is a fee-plan file.
type feePlanFile struct {
	FeePlans []yaml.Node `yaml:"fee_plans"`
}

// ParseFeePlans parses a fee-plan file's content; name names it in errors.
func ParseFeePlans(name string, data []byte) ([]FeePlan, error) {
	var file feePlanFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&file); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(file.FeePlans) == 0 {
		return nil, fmt.Errorf("%s: fee_plans: no fee plan listed", name)
	}
	var errs []error
	out := make([]FeePlan, 0, len(file.FeePlans))
	seen := map[string]int{}
	for i := range file.FeePlans {
		fp, err := parseFeePlan(name, &file.FeePlans[i])
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if line, dup := seen[fp.key()]; dup {
			errs = append(errs, fmt.Errorf("%s:%d: fee plan %s already listed at line %d", name, file.FeePlans[i].Line, fp.key(), line))
			continue
		}
		seen[fp.key()] = file.FeePlans[i].Line
		out = append(out, fp)
	}
	return out, errors.Join(errs...)
}

// feePlanFields are the fields of fp a plan's mapping may set, by key.
func feePlanFields(fp *FeePlan) map[string]any {
	return map[string]any{
		"kind": &fp.Kind, "installments_count": &fp.InstallmentsCount,
		"deferred_days": &fp.DeferredDays, "deferred_months": &fp.DeferredMonths,
		"allowed": &fp.Allowed, "available_online": &fp.AvailableOnline,
		"min_purchase_amount": &fp.MinPurchaseAmount, "max_purchase_amount": &fp.MaxPurchaseAmount,
		"merchant_fee_variable": &fp.MerchantFeeVariable, "merchant_fee_fixed": &fp.MerchantFeeFixed,
		"customer_fee_variable": &fp.CustomerFeeVariable, "customer_fee_fixed": &fp.CustomerFeeFixed,
		"customer_lending_rate": &fp.CustomerLendingRate, "deferred_trigger_limit_days": &fp.DeferredTriggerLimitDays,
	}
}

// parseFeePlan decodes and checks one plan's node, field by field, so an
// error names its line and field.
func parseFeePlan(name string, n *yaml.Node) (FeePlan, error) {
	if n.Kind != yaml.MappingNode {
		return FeePlan{}, fmt.Errorf("%s:%d: a fee plan is a mapping of its fields", name, n.Line)
	}
	fp := FeePlan{Kind: kindGeneral, Allowed: true, AvailableOnline: true}
	fields := feePlanFields(&fp)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		dst, ok := fields[k.Value]
		if !ok {
			return FeePlan{}, fmt.Errorf("%s:%d: %s: unknown field", name, k.Line, k.Value)
		}
		if err := v.Decode(dst); err != nil {
			return FeePlan{}, fmt.Errorf("%s:%d: %s: %q is not a %s", name, v.Line, k.Value, v.Value, typeName(dst))
		}
	}
	if _, ok := fieldValue(n, "installments_count"); !ok {
		return FeePlan{}, fmt.Errorf("%s:%d: installments_count: missing", name, n.Line)
	}
	for _, f := range []string{"min_purchase_amount", "max_purchase_amount"} {
		if _, ok := fieldValue(n, f); !ok {
			return FeePlan{}, fmt.Errorf("%s:%d: %s: missing", name, n.Line, f)
		}
	}
	if field, why := checkFeePlan(fp); field != "" {
		return FeePlan{}, fmt.Errorf("%s:%d: %s: %s", name, fieldLine(n, field), field, why)
	}
	return fp, nil
}

// typeName names what dst holds, for an error.
func typeName(dst any) string {
	switch dst.(type) {
	case *string:
		return "string"
	case *bool:
		return "boolean"
	}
	return "whole number"
}

// fieldValue is field's value node in the mapping n.
func fieldValue(n *yaml.Node, field string) (*yaml.Node, bool) {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == field {
			return n.Content[i+1], true
		}
	}
	return nil, false
}

// fieldLine is the line of field's key in the mapping n, else n's own.
func fieldLine(n *yaml.Node, field string) int {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == field {
			return n.Content[i].Line
		}
	}
	return n.Line
}
