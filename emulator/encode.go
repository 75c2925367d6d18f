package emulator

import (
	"encoding/json"
	"strconv"
	"unicode/utf8"
)

// The payment is the hot object of the API: it is encoded by hand, field
// for field in the order of paymentJSON, byte for byte what encoding/json
// writes (encode_test.go checks), without reflection.

// appendPayment appends p as JSON.
func appendPayment(b []byte, p *paymentJSON) []byte {
	b = append(b, `{"id":`...)
	b = appendString(b, p.ID)
	b = appendIntField(b, `,"created":`, p.Created)
	b = appendStringField(b, `,"state":`, p.State)
	b = appendStringField(b, `,"kind":`, p.Kind)
	b = appendIntField(b, `,"purchase_amount":`, p.PurchaseAmount)
	b = appendIntField(b, `,"installments_count":`, int64(p.InstallmentsCount))
	b = appendIntField(b, `,"deferred_days":`, int64(p.DeferredDays))
	b = appendIntField(b, `,"deferred_months":`, int64(p.DeferredMonths))
	b = appendIntField(b, `,"customer_fee":`, p.CustomerFee)
	b = appendIntField(b, `,"customer_interest":`, p.CustomerInterest)
	b = appendIntField(b, `,"amount_already_refunded":`, p.AmountAlreadyRefunded)
	b = appendRaw(append(b, `,"custom_data":`...), p.CustomData)
	b = appendIntPtr(append(b, `,"expired_at":`...), p.ExpiredAt)
	b = appendStringField(b, `,"url":`, p.URL)
	b = appendStringPtr(append(b, `,"return_url":`...), p.ReturnURL)
	b = appendStringPtr(append(b, `,"failure_return_url":`...), p.FailureReturnURL)
	b = appendStringPtr(append(b, `,"customer_cancel_url":`...), p.CustomerCancelURL)
	b = appendStringPtr(append(b, `,"ipn_callback_url":`...), p.IPNCallbackURL)
	b = appendStringField(b, `,"locale":`, p.Locale)
	b = appendStringField(b, `,"origin":`, p.Origin)
	b = appendStringField(b, `,"capture_method":`, p.CaptureMethod)
	b = appendStringField(b, `,"merchant_id":`, p.MerchantID)
	b = appendStringField(b, `,"merchant_name":`, p.MerchantName)
	b = appendBoolField(b, `,"deferred_trigger":`, p.DeferredTrigger)
	b = appendStringPtr(append(b, `,"deferred_trigger_description":`...), p.DeferredTriggerDescription)
	b = appendIntPtr(append(b, `,"deferred_trigger_applied":`...), p.DeferredTriggerApplied)
	b = appendPlan(append(b, `,"payment_plan":`...), p.ID, p.PaymentPlan)
	b = appendList(append(b, `,"refunds":`...), p.Refunds, appendRefund)
	b = appendList(append(b, `,"orders":`...), p.Orders, appendOrder)
	b = appendCustomer(append(b, `,"customer":`...), &p.Customer)
	b = appendAddressPtr(append(b, `,"billing_address":`...), p.BillingAddress)
	b = appendAddressPtr(append(b, `,"shipping_address":`...), p.ShippingAddress)
	if len(p.Cart) > 0 {
		b = appendRaw(append(b, `,"cart":`...), p.Cart)
	}
	return append(b, '}')
}

// appendPlan appends the payment plan, each installment with its derived id.
func appendPlan(b []byte, paymentID string, plan []installment) []byte {
	if plan == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i := range plan {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendInstallment(b, paymentID, i, &plan[i])
	}
	return append(b, ']')
}

// appendInstallment appends the i-th installment of a payment.
func appendInstallment(b []byte, paymentID string, i int, in *installment) []byte {
	b = append(b, `{"id":"`...)
	b = append(appendInstallmentID(b, paymentID, i), '"')
	b = appendIntField(b, `,"due_date":`, in.DueDate)
	b = appendIntPtr(append(b, `,"date_paid":`...), in.DatePaid)
	b = appendIntField(b, `,"purchase_amount":`, in.PurchaseAmount)
	b = appendIntField(b, `,"original_purchase_amount":`, in.OriginalPurchaseAmount)
	b = appendIntField(b, `,"customer_fee":`, in.CustomerFee)
	b = appendIntField(b, `,"customer_interest":`, in.CustomerInterest)
	b = appendIntField(b, `,"total_amount":`, in.TotalAmount)
	b = appendBoolField(b, `,"customer_can_postpone":`, in.CustomerCanPostpone)
	b = appendStringField(b, `,"state":`, in.State)
	return append(b, '}')
}

// appendRefund appends one refund.
func appendRefund(b []byte, r *refundJSON) []byte {
	b = appendString(append(b, `{"id":`...), r.ID)
	b = appendIntField(b, `,"created":`, r.Created)
	b = appendIntField(b, `,"amount":`, r.Amount)
	b = appendStringField(b, `,"merchant_reference":`, r.MerchantReference)
	b = appendStringField(b, `,"comment":`, r.Comment)
	b = appendStringField(b, `,"payment":`, r.Payment)
	b = appendBoolField(b, `,"from_payment_cancellation":`, r.FromPaymentCancellation)
	return append(b, '}')
}

// appendOrder appends one order.
func appendOrder(b []byte, o *orderJSON) []byte {
	b = appendString(append(b, `{"id":`...), o.ID)
	b = appendIntField(b, `,"created":`, o.Created)
	b = appendIntField(b, `,"updated":`, o.Updated)
	b = appendStringField(b, `,"payment":`, o.Payment)
	b = appendStringPtr(append(b, `,"merchant_reference":`...), o.MerchantReference)
	b = appendStringPtr(append(b, `,"merchant_url":`...), o.MerchantURL)
	b = appendStringPtr(append(b, `,"customer_url":`...), o.CustomerURL)
	b = appendStringPtr(append(b, `,"comment":`...), o.Comment)
	b = appendRaw(append(b, `,"data":`...), o.Data)
	return append(b, '}')
}

// appendCustomer appends the customer.
func appendCustomer(b []byte, c *customerJSON) []byte {
	b = appendString(append(b, `{"id":`...), c.ID)
	b = appendIntField(b, `,"created":`, c.Created)
	b = appendStringField(b, `,"first_name":`, c.FirstName)
	b = appendStringField(b, `,"last_name":`, c.LastName)
	b = appendStringField(b, `,"email":`, c.Email)
	b = appendStringField(b, `,"phone":`, c.Phone)
	b = appendStringPtr(append(b, `,"birth_date":`...), c.BirthDate)
	b = appendList(append(b, `,"addresses":`...), c.Addresses, appendAddress)
	b = appendBoolField(b, `,"is_business":`, c.IsBusiness)
	b = appendStringPtr(append(b, `,"business_name":`...), c.BusinessName)
	b = appendStringPtr(append(b, `,"business_id_number":`...), c.BusinessIDNumber)
	return append(b, '}')
}

// appendAddressPtr appends an address or null.
func appendAddressPtr(b []byte, a *addressJSON) []byte {
	if a == nil {
		return append(b, "null"...)
	}
	return appendAddress(b, a)
}

// appendAddress appends an address, leaving out empty fields (omitempty).
func appendAddress(b []byte, a *addressJSON) []byte {
	b = append(b, '{')
	first := true
	for _, f := range [...]struct{ key, value string }{
		{"first_name", a.FirstName}, {"last_name", a.LastName}, {"company", a.Company},
		{"line1", a.Line1}, {"line2", a.Line2}, {"postal_code", a.PostalCode}, {"city", a.City},
		{"country", a.Country}, {"county_sublocality", a.CountySublocality},
		{"state_province", a.StateProvince}, {"email", a.Email}, {"phone", a.Phone},
	} {
		if f.value == "" {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = appendString(b, f.key)
		b = appendString(append(b, ':'), f.value)
	}
	return append(b, '}')
}

// appendList appends a JSON array of items (null for a nil slice).
func appendList[T any](b []byte, items []T, one func([]byte, *T) []byte) []byte {
	if items == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i := range items {
		if i > 0 {
			b = append(b, ',')
		}
		b = one(b, &items[i])
	}
	return append(b, ']')
}

func appendIntField(b []byte, key string, v int64) []byte {
	return strconv.AppendInt(append(b, key...), v, 10)
}

func appendStringField(b []byte, key, v string) []byte {
	return appendString(append(b, key...), v)
}

func appendBoolField(b []byte, key string, v bool) []byte {
	return strconv.AppendBool(append(b, key...), v)
}

func appendIntPtr(b []byte, v *int64) []byte {
	if v == nil {
		return append(b, "null"...)
	}
	return strconv.AppendInt(b, *v, 10)
}

func appendStringPtr(b []byte, v *string) []byte {
	if v == nil {
		return append(b, "null"...)
	}
	return appendString(b, *v)
}

// appendRaw appends stored JSON, normalized by normalizeRaw when stored;
// empty is null.
func appendRaw(b []byte, raw json.RawMessage) []byte {
	if len(raw) == 0 {
		return append(b, "null"...)
	}
	return append(b, raw...)
}

// normalizeRaw compacts and HTML-escapes raw JSON as encoding/json writes
// a RawMessage, so that it can be appended as is.
func normalizeRaw(raw json.RawMessage) json.RawMessage {
	if len(raw) == 0 {
		return nil
	}
	out, err := json.Marshal(raw)
	if err != nil {
		return nil
	}
	return out
}

// appendInstallmentID appends the id of the i-th installment of a payment:
// installment_11 + 32 base62 characters drawn from a hash of the payment id
// and i — stable, in Alma's format, and never stored.
func appendInstallmentID(b []byte, paymentID string, i int) []byte {
	h := uint64(14695981039346656037) // FNV-1a
	for j := 0; j < len(paymentID); j++ {
		h = (h ^ uint64(paymentID[j])) * 1099511628211
	}
	h ^= uint64(i+1) * 0x9e3779b97f4a7c15
	b = append(b, "installment_11"...)
	for range idRandomLen / 8 {
		h += 0x9e3779b97f4a7c15 // splitmix64
		v := h
		v = (v ^ (v >> 30)) * 0xbf58476d1ce4e5b9
		v = (v ^ (v >> 27)) * 0x94d049bb133111eb
		v ^= v >> 31
		for range 8 {
			b = append(b, base62[v%62])
			v /= 62
		}
	}
	return b
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string, escaped as encoding/json does
// (HTML characters, U+2028 and U+2029 escaped; invalid UTF-8 as U+FFFD).
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			b = appendEscape(b, c)
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, `\u202`...)
			b = append(b, hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// appendEscape appends the escape of one ASCII byte.
func appendEscape(b []byte, c byte) []byte {
	switch c {
	case '"', '\\':
		return append(b, '\\', c)
	case '\b':
		return append(b, '\\', 'b')
	case '\f':
		return append(b, '\\', 'f')
	case '\n':
		return append(b, '\\', 'n')
	case '\r':
		return append(b, '\\', 'r')
	case '\t':
		return append(b, '\\', 't')
	}
	return append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
}
