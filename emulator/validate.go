package emulator

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Limits of free-text fields.
const (
	maxReferenceLen = 255
	maxExpiresAfter = 60 * 24 * 30 // minutes: 30 days
)

// Limits on what a payment stores, so that it cannot grow without bound
// after its creation: custom_data and each order at most 16 KiB once
// encoded, at most 50 orders.
const (
	maxCustomDataBytes  = 16 << 10
	maxOrderBytes       = 16 << 10
	maxOrdersPerPayment = 50
)

// defaultInstallments is Alma's default installments_count.
const defaultInstallments = 3

// validateCreate checks a create request as Alma does and returns the first
// problem, with its field path.
func (s *Server) validateCreate(req *createRequest) *apiError {
	if req.Payment == nil {
		return fieldError("payment", codeMissingField, "payment is required", nil)
	}
	if aerr := s.validatePayment(req.Payment); aerr != nil {
		return aerr
	}
	if aerr := validateCart(req.Payment.Cart); aerr != nil {
		return aerr
	}
	if aerr := validateAddress("payment.billing_address", req.Payment.BillingAddress); aerr != nil {
		return aerr
	}
	if aerr := validateAddress("payment.shipping_address", req.Payment.ShippingAddress); aerr != nil {
		return aerr
	}
	if aerr := validateCustomer(req.Customer); aerr != nil {
		return aerr
	}
	return validateOrder("order", req.Order)
}

// validatePayment checks the payment object's own fields.
func (s *Server) validatePayment(p *paymentRequest) *apiError {
	if p.PurchaseAmount == nil {
		return fieldError("payment.purchase_amount", codeMissingField, "purchase_amount is required", nil)
	}
	if aerr := s.checkPlan(*p.PurchaseAmount, installmentsOf(p), p.DeferredDays, p.DeferredMonths); aerr != nil {
		return aerr
	}
	if aerr := validateOptions(p); aerr != nil {
		return aerr
	}
	if aerr := checkCustomData(p.CustomData); aerr != nil {
		return aerr
	}
	for _, u := range []struct{ field, value string }{
		{"payment.return_url", p.ReturnURL},
		{"payment.failure_return_url", p.FailureReturnURL},
		{"payment.customer_cancel_url", p.CustomerCancelURL},
		{"payment.ipn_callback_url", p.IPNCallbackURL},
	} {
		if aerr := checkURL(u.field, u.value); aerr != nil {
			return aerr
		}
	}
	return nil
}

// checkPlan checks that the merchant has the fee plan
// general_{n}_{days}_{months}, that Alma allowed it, and that amount is
// within its limits (an amount outside every plan's is refused first, as
// before the plans had their own). The errors are our choice (Alma's
// clients show none): invalid_value on the field at fault.
func (s *Server) checkPlan(amount int64, n, days, months int) *apiError {
	plans := s.plans()
	fp, found := plans.find(n, days, months)
	if !found || !fp.Allowed {
		if minimum, maximum := plans.limits(); amount < minimum || amount > maximum {
			return fieldError("payment.purchase_amount", codeInvalidValue,
				fmt.Sprintf("purchase_amount must be between %d and %d", minimum, maximum), amount)
		}
	}
	switch {
	case !plans.hasCount(n):
		return fieldError("payment.installments_count", codeInvalidValue,
			fmt.Sprintf("installments_count %d is not offered (offered: %v)", n, plans.counts()), n)
	case days < 0 || months < 0 || !found || !fp.Allowed:
		return fieldError("payment.deferred_days", codeInvalidValue,
			fmt.Sprintf("fee plan %s is not enabled", planKey(n, days, months)), days)
	case !fp.fits(amount):
		return fieldError("payment.purchase_amount", codeInvalidValue,
			fmt.Sprintf("purchase_amount must be between %d and %d for fee plan %s", fp.MinPurchaseAmount, fp.MaxPurchaseAmount, fp.key()), amount)
	}
	return nil
}

// Allowed values of the enumerated payment options ("" = Alma's default).
var (
	captureMethods = []string{"", "automatic", "manual"}
	origins        = []string{"", "online", "online_in_page"}
	deferrals      = []string{"", "trigger"}
)

// validateOptions checks the enumerated options and their combinations.
func validateOptions(p *paymentRequest) *apiError {
	if aerr := oneOf("payment.capture_method", p.CaptureMethod, captureMethods); aerr != nil {
		return aerr
	}
	if aerr := oneOf("payment.origin", p.Origin, origins); aerr != nil {
		return aerr
	}
	if aerr := oneOf("payment.deferred", p.Deferred, deferrals); aerr != nil {
		return aerr
	}
	if p.CaptureMethod == "manual" && p.Deferred == "trigger" {
		return fieldError("payment.capture_method", codeIncompatible, "capture_method manual cannot be combined with deferred trigger", p.CaptureMethod)
	}
	if p.ExpiresAfter != nil && (*p.ExpiresAfter < 1 || *p.ExpiresAfter > maxExpiresAfter) {
		return fieldError("payment.expires_after", codeInvalidValue, fmt.Sprintf("expires_after must be between 1 and %d minutes", maxExpiresAfter), *p.ExpiresAfter)
	}
	return nil
}

// checkCustomData checks custom_data's encoded size as stored (compacted,
// with <, > and & escaped: at most 6 times the raw size, so small data is
// not encoded twice).
func checkCustomData(raw json.RawMessage) *apiError {
	if len(raw) > maxCustomDataBytes/6 && len(normalizeRaw(raw)) > maxCustomDataBytes {
		return fieldError("payment.custom_data", codeTooLong, fmt.Sprintf("custom_data is larger than %d bytes encoded", maxCustomDataBytes), nil)
	}
	return nil
}

// oneOf checks that value is one of allowed.
func oneOf(field, value string, allowed []string) *apiError {
	if slices.Contains(allowed, value) {
		return nil
	}
	return fieldError(field, codeInvalidValue, "must be one of "+strings.Join(allowed[1:], ", "), value)
}

// validateCart checks each cart item's required fields.
func validateCart(c *cartRequest) *apiError {
	if c == nil {
		return nil
	}
	for i, it := range c.Items {
		field := fmt.Sprintf("payment.cart.items[%d].", i)
		switch {
		case it.Title == nil:
			return fieldError(field+"title", codeMissingField, "title is required", nil)
		case strings.TrimSpace(*it.Title) == "":
			return fieldError(field+"title", codeTooShort, "title must not be empty", *it.Title)
		case it.Quantity == nil:
			return fieldError(field+"quantity", codeMissingField, "quantity is required", nil)
		case *it.Quantity < 1:
			return fieldError(field+"quantity", codeInvalidValue, "quantity must be at least 1", *it.Quantity)
		case it.LinePrice == nil:
			return fieldError(field+"line_price", codeMissingField, "line_price is required", nil)
		case *it.LinePrice < 0:
			return fieldError(field+"line_price", codeInvalidValue, "line_price must not be negative", *it.LinePrice)
		}
	}
	return nil
}

// validateAddress checks an address's country and email.
func validateAddress(field string, a *addressJSON) *apiError {
	if a == nil {
		return nil
	}
	if a.Country != "" && !isISO2(a.Country) {
		return fieldError(field+".country", codeInvalidValue, "country must be an ISO 3166-1 alpha-2 code", a.Country)
	}
	if a.Email != "" && !strings.Contains(a.Email, "@") {
		return fieldError(field+".email", codeInvalidValue, "email is not valid", a.Email)
	}
	return nil
}

// validateCustomer checks the customer's email, birth date and addresses.
func validateCustomer(c *customerRequest) *apiError {
	if c == nil {
		return nil
	}
	if c.Email != "" && !strings.Contains(c.Email, "@") {
		return fieldError("customer.email", codeInvalidValue, "email is not valid", c.Email)
	}
	if c.BirthDate != "" {
		if _, err := time.Parse(time.DateOnly, c.BirthDate); err != nil {
			return fieldError("customer.birth_date", codeInvalidValue, "birth_date must be YYYY-MM-DD", c.BirthDate)
		}
	}
	for i := range c.Addresses {
		if aerr := validateAddress(fmt.Sprintf("customer.addresses[%d]", i), &c.Addresses[i]); aerr != nil {
			return aerr
		}
	}
	return nil
}

// validateOrder checks an order's reference, URLs and encoded size.
func validateOrder(field string, o *orderRequest) *apiError {
	if o == nil {
		return nil
	}
	if orderTooLarge(o) {
		return fieldError(field, codeTooLong, fmt.Sprintf("an order is larger than %d bytes encoded", maxOrderBytes), nil)
	}
	if len(o.MerchantReference) > maxReferenceLen {
		return fieldError(field+".merchant_reference", codeTooLong, fmt.Sprintf("merchant_reference is longer than %d characters", maxReferenceLen), nil)
	}
	for _, u := range []struct{ name, value string }{{"merchant_url", o.MerchantURL}, {"customer_url", o.CustomerURL}} {
		if aerr := checkURL(field+"."+u.name, u.value); aerr != nil {
			return aerr
		}
	}
	return nil
}

// orderTooLarge reports whether o is larger than maxOrderBytes encoded. A
// small order is not encoded: escaping at most multiplies a field by 6.
func orderTooLarge(o *orderRequest) bool {
	n := len(o.MerchantReference) + len(o.MerchantURL) + len(o.CustomerURL) + len(o.Comment) + len(o.Data)
	if 6*n+128 <= maxOrderBytes {
		return false
	}
	b, _ := json.Marshal(o) // decoded from JSON: it marshals
	return len(b) > maxOrderBytes
}

// installmentsOf is the request's installments_count, Alma's default 3.
func installmentsOf(p *paymentRequest) int {
	if p.InstallmentsCount == nil {
		return defaultInstallments
	}
	return *p.InstallmentsCount
}

// maxURLLen bounds a URL a payment or an order keeps.
const maxURLLen = 2048

// maxCommentLen bounds a refund's comment.
const maxCommentLen = 1000

// checkURL refuses a URL longer than maxURLLen (too_long, not echoed) or not
// an absolute http(s) URL (invalid_value); "" is no URL.
func checkURL(field, value string) *apiError {
	switch {
	case value == "":
		return nil
	case len(value) > maxURLLen:
		return fieldError(field, codeTooLong, fmt.Sprintf("a URL is at most %d characters", maxURLLen), nil)
	case !validURL(value):
		return fieldError(field, codeInvalidValue, "must be an absolute http(s) URL", value)
	}
	return nil
}

// validURL reports whether s is an absolute http or https URL.
func validURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// isISO2 reports whether s is two ASCII letters.
func isISO2(s string) bool {
	return len(s) == 2 && isLetter(s[0]) && isLetter(s[1])
}

func isLetter(c byte) bool { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }

// planKey is Alma's fee plan key: general_{n}_{days}_{months}.
func planKey(n, days, months int) string {
	return fmt.Sprintf("general_%d_%d_%d", n, days, months)
}
