package emulator

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	gojson "github.com/goccy/go-json"
)

// The wire shapes of Alma's objects, as the emulator writes them, and the
// rendering of a payment into them. They are the emulator's own reading of
// Alma's API: the connector has its own.

// paymentJSON is Alma's Payment object in its full shape: every field
// Alma's PHP 3.x client requires, plus the others Alma sends.
type paymentJSON struct {
	ID                         string            `json:"id"`
	Created                    int64             `json:"created"`
	State                      string            `json:"state"`
	Kind                       string            `json:"kind"`
	PurchaseAmount             int64             `json:"purchase_amount"`
	InstallmentsCount          int               `json:"installments_count"`
	DeferredDays               int               `json:"deferred_days"`
	DeferredMonths             int               `json:"deferred_months"`
	CustomerFee                int64             `json:"customer_fee"`
	CustomerInterest           int64             `json:"customer_interest"`
	CustomerTotalCostBps       int64             `json:"customer_total_cost_bps"`
	AmountAlreadyRefunded      int64             `json:"amount_already_refunded"`
	CustomData                 json.RawMessage   `json:"custom_data"`
	ExpiredAt                  *int64            `json:"expired_at"`
	URL                        string            `json:"url"`
	ReturnURL                  *string           `json:"return_url"`
	FailureReturnURL           *string           `json:"failure_return_url"`
	CustomerCancelURL          *string           `json:"customer_cancel_url"`
	IPNCallbackURL             *string           `json:"ipn_callback_url"`
	Locale                     string            `json:"locale"`
	Origin                     string            `json:"origin"`
	CaptureMethod              string            `json:"capture_method"`
	MerchantID                 string            `json:"merchant_id"`
	MerchantName               string            `json:"merchant_name"`
	DeferredTrigger            bool              `json:"deferred_trigger"`
	DeferredTriggerDescription *string           `json:"deferred_trigger_description"`
	DeferredTriggerApplied     *int64            `json:"deferred_trigger_applied"`
	PaymentPlan                []installmentJSON `json:"payment_plan"`
	Refunds                    []refundJSON      `json:"refunds"`
	Orders                     []orderJSON       `json:"orders"`
	Customer                   *customerOut      `json:"customer"`
	BillingAddress             *addressOut       `json:"billing_address"`
	ShippingAddress            *addressOut       `json:"shipping_address"`
	Cart                       json.RawMessage   `json:"cart,omitempty"`
	// What Alma's clients' fixtures show besides (alma-php-client feature/3.0
	// PaymentTest.php, a 2025 sandbox payment).
	Updated              int64    `json:"updated"`
	ProcessingStatus     string   `json:"processing_status"`
	IsDeferredCapture    bool     `json:"is_deferred_capture"`
	IsCompletelyRefunded bool     `json:"is_completely_refunded"`
	CustomerFeesRefunded int64    `json:"customer_fees_refunded"`
	CancelationReason    *string  `json:"cancelation_reason"`
	Fees                 feesJSON `json:"fees"`
	MerchantTargetFee    int64    `json:"merchant_target_fee"`
	CustomerTargetFee    int64    `json:"customer_target_fee"`
	CountryOfService     string   `json:"country_of_service"`
	TransactionCountry   string   `json:"transaction_country"`
	IntegrationOrigin    *string  `json:"integration_origin"`
	// What Alma's JS client's Payment type adds (src/types.ts).
	CanBeCharged           bool            `json:"can_be_charged"`
	IsCustomerKYCed        bool            `json:"is_customer_kyced"`
	MerchantWebsite        *string         `json:"merchant_website"`
	PreferredPaymentMethod *string         `json:"preferred_payment_method"`
	Requirements           []requirement   `json:"requirements"`
	Seller                 json.RawMessage `json:"seller"`
	SEPADebitEnabled       bool            `json:"sepa_debit_enabled"`
	UsingSEPADebit         bool            `json:"using_sepa_debit"`
}

// feesJSON is what Alma charges the merchant for a payment: the fee plan's
// merchant fees plus 20 % VAT (total = total_excluding_tax + tax, as in the
// fixture: 1186 = 989 + 197).
type feesJSON struct {
	Merchant struct {
		Tax               int64 `json:"tax"`
		Total             int64 `json:"total"`
		TotalExcludingTax int64 `json:"total_excluding_tax"`
	} `json:"merchant"`
}

// requirement is one of a payment's requirements on the customer.
type requirement struct {
	IsMet bool   `json:"is_met"`
	Name  string `json:"name"`
}

// installmentJSON is one line of a payment plan.
type installmentJSON struct {
	ID                     string `json:"id"`
	DueDate                int64  `json:"due_date"`
	DatePaid               *int64 `json:"date_paid"`
	PurchaseAmount         int64  `json:"purchase_amount"`
	OriginalPurchaseAmount int64  `json:"original_purchase_amount"`
	CustomerFee            int64  `json:"customer_fee"`
	CustomerInterest       int64  `json:"customer_interest"`
	TotalAmount            int64  `json:"total_amount"`
	CustomerCanPostpone    bool   `json:"customer_can_postpone"`
	State                  string `json:"state"`
	IsCheck                bool   `json:"is_check"`
}

// refundJSON is one refund of a payment: merchant_reference null when not
// sent (the JS client's Refund type: string | null); payment_refund_amount
// what the refund takes back from the payment and rebate_amount what Alma
// gives back of its fees (our choice: the refunded amount, and none).
type refundJSON struct {
	ID                      string  `json:"id"`
	Created                 int64   `json:"created"`
	Amount                  int64   `json:"amount"`
	MerchantReference       *string `json:"merchant_reference"`
	Comment                 string  `json:"comment"`
	Payment                 string  `json:"payment"`
	FromPaymentCancellation bool    `json:"from_payment_cancellation"`
	PaymentRefundAmount     int64   `json:"payment_refund_amount"`
	RebateAmount            int64   `json:"rebate_amount"`
}

// orderJSON is an order attached to a payment.
type orderJSON struct {
	ID                string          `json:"id"`
	Created           int64           `json:"created"`
	Updated           int64           `json:"updated"`
	Payment           string          `json:"payment"`
	MerchantReference *string         `json:"merchant_reference"`
	MerchantURL       *string         `json:"merchant_url"`
	CustomerURL       *string         `json:"customer_url"`
	Comment           *string         `json:"comment"`
	Data              json.RawMessage `json:"data"`
	Carrier           *string         `json:"carrier"`
	TrackingNumber    *string         `json:"tracking_number"`
	TrackingURL       *string         `json:"tracking_url"`
}

// customerJSON is the payment's customer.
type customerJSON struct {
	ID               string        `json:"id"`
	Created          int64         `json:"created"`
	FirstName        *string       `json:"first_name"` // null when Alma was not sent it
	LastName         *string       `json:"last_name"`
	Email            *string       `json:"email"`
	Phone            *string       `json:"phone"`
	BirthDate        *string       `json:"birth_date"`
	Addresses        []addressJSON `json:"addresses"` // as sent; rendered as addressOut
	IsBusiness       bool          `json:"is_business"`
	BusinessName     *string       `json:"business_name"`
	BusinessIDNumber *string       `json:"business_id_number"`
	// What Alma's JS client's Customer type adds: the sandbox keeps no cards
	// or bank accounts, and verifies nothing.
	BankAccounts         []json.RawMessage `json:"bank_accounts"`
	BankingDataCollected bool              `json:"banking_data_collected"`
	Card                 json.RawMessage   `json:"card"`
	Cards                []json.RawMessage `json:"cards"`
	CollectionState      *string           `json:"collection_state"`
	EmailVerified        bool              `json:"email_verified"`
	PhoneVerified        bool              `json:"phone_verified"`
	PrimaryBankAccount   json.RawMessage   `json:"primary_bank_account"`
}

// addressJSON is a billing or shipping address, request and answer alike.
type addressJSON struct {
	FirstName         string `json:"first_name,omitempty"`
	LastName          string `json:"last_name,omitempty"`
	Company           string `json:"company,omitempty"`
	Line1             string `json:"line1,omitempty"`
	Line2             string `json:"line2,omitempty"`
	PostalCode        string `json:"postal_code,omitempty"`
	City              string `json:"city,omitempty"`
	Country           string `json:"country,omitempty"`
	CountySublocality string `json:"county_sublocality,omitempty"`
	StateProvince     string `json:"state_province,omitempty"`
	Email             string `json:"email,omitempty"`
	Phone             string `json:"phone,omitempty"`
}

// addressOut is an address as Alma answers it: every key, null when not
// sent, with its creation time and title.
type addressOut struct {
	FirstName         *string `json:"first_name"`
	LastName          *string `json:"last_name"`
	Company           *string `json:"company"`
	Line1             *string `json:"line1"`
	Line2             *string `json:"line2"`
	PostalCode        *string `json:"postal_code"`
	City              *string `json:"city"`
	Country           *string `json:"country"`
	CountySublocality *string `json:"county_sublocality"`
	StateProvince     *string `json:"state_province"`
	Email             *string `json:"email"`
	Phone             *string `json:"phone"`
	Created           int64   `json:"created"`
	Title             *string `json:"title"`
}

// customerOut is the payment's customer as Alma answers it: its addresses
// in their full shape.
type customerOut struct {
	customerJSON
	Addresses []addressOut `json:"addresses"`
}

// addressOf renders a as Alma answers it, created at (nil stays nil).
func addressOf(a *addressJSON, created int64) *addressOut {
	if a == nil {
		return nil
	}
	return &addressOut{
		FirstName: optString(a.FirstName), LastName: optString(a.LastName), Company: optString(a.Company),
		Line1: optString(a.Line1), Line2: optString(a.Line2), PostalCode: optString(a.PostalCode),
		City: optString(a.City), Country: optString(a.Country), CountySublocality: optString(a.CountySublocality),
		StateProvince: optString(a.StateProvince), Email: optString(a.Email), Phone: optString(a.Phone),
		Created: created,
	}
}

// toJSON is p in Alma's shape, as its merchant m sees it, its payment page
// under base.
func toJSON(p *payment, m *tenant, base string) paymentJSON {
	out := paymentJSON{
		ID: p.ID, Created: p.Created.Unix(), State: p.State, Kind: planKind(p.Installments),
		PurchaseAmount: p.Amount, InstallmentsCount: p.Installments,
		DeferredDays: p.DeferredDays, DeferredMonths: p.DeferredMonths,
		AmountAlreadyRefunded: p.refunded(), CustomData: p.CustomData, ExpiredAt: unixOrNil(p.ExpiredAt),
		URL:       base + "/pay/" + strings.TrimPrefix(p.ID, "payment_"),
		ReturnURL: optString(echoPID(p.ReturnURL, p.ID)), FailureReturnURL: optString(p.FailureReturnURL),
		CustomerCancelURL: optString(echoPID(p.CustomerCancelURL, p.ID)), IPNCallbackURL: optString(echoPID(p.IPNCallbackURL, p.ID)),
		Locale: p.Locale, Origin: p.Origin, CaptureMethod: p.CaptureMethod,
		MerchantID: m.ID, MerchantName: m.Name, DeferredTrigger: p.Trigger,
		PaymentPlan: make([]installmentJSON, len(p.Plan)),
		Refunds:     orEmpty(p.Refunds), Orders: orEmpty(p.Orders),
		BillingAddress: addressOf(p.Billing, p.Created.Unix()), ShippingAddress: addressOf(p.Shipping, p.Created.Unix()), Cart: p.Cart,
	}
	out.CanBeCharged = p.CaptureMethod == "manual" && p.State == stateScoredYes && !p.Captured && !p.expired()
	out.Updated = p.updated().Unix()
	out.ProcessingStatus = p.processingStatus()
	out.IsDeferredCapture = p.CaptureMethod == "manual"
	out.IsCompletelyRefunded = len(p.Refunds) > 0 && p.refunded() >= p.charged()
	out.CountryOfService, out.TransactionCountry = "FR", "FR"
	if len(out.CustomData) == 0 {
		out.CustomData = emptyObject
	}
	out.MerchantWebsite = optString(merchantWebsite)
	customer := customerOut{customerJSON: p.Customer, Addresses: make([]addressOut, len(p.Customer.Addresses))}
	customer.BankAccounts, customer.Cards = []json.RawMessage{}, []json.RawMessage{}
	for i := range p.Customer.Addresses {
		customer.Addresses[i] = *addressOf(&p.Customer.Addresses[i], p.Customer.Created)
	}
	out.Customer = &customer
	if p.CardLast4 != "" {
		card := "card"
		out.PreferredPaymentMethod = &card
	}
	out.Requirements = []requirement{}
	out.Seller = jsonNull
	if p.Trigger {
		out.DeferredTriggerDescription = optString(p.TriggerText)
		out.DeferredTriggerApplied = unixOrNil(p.TriggeredAt)
	}
	for i, in := range p.Plan {
		out.PaymentPlan[i] = installmentJSON{
			ID: installmentID(p.ID, i), DueDate: in.Due.Unix(), DatePaid: unixOrNil(in.Paid),
			PurchaseAmount: in.Amount, OriginalPurchaseAmount: in.original(), CustomerFee: in.Fee,
			CustomerInterest: in.Interest, TotalAmount: in.total(), State: in.State,
		}
	}
	setCosts(&out, p)
	return out
}

// vatBps is the VAT on Alma's fees (France's 20 %).
const vatBps = 2000

// setCosts sets out's costs from p's fee plan: the customer's fees and
// interest over the plan and their total in bps of the purchase; the
// merchant's fees (VAT included) and the target fees.
func setCosts(out *paymentJSON, p *payment) {
	out.CustomerFee, out.CustomerInterest = p.customerCosts()
	out.CustomerTotalCostBps = totalCostBps(out.CustomerFee+out.CustomerInterest, p.Amount)
	excl := p.terms().merchantFee(p.Amount)
	m := &out.Fees.Merchant
	m.TotalExcludingTax, m.Tax = excl, bpsOf(excl, vatBps)
	m.Total = m.TotalExcludingTax + m.Tax
	out.MerchantTargetFee, out.CustomerTargetFee = m.Total, out.CustomerFee
}

// echoPID is a URL the payment echoes as Alma does, with pid=<id> added
// to its query as the clients' fixtures show it (return_url,
// customer_cancel_url, ipn_callback_url); the rest of the URL is kept as
// sent, and "" stays "".
func echoPID(raw, id string) string {
	switch {
	case raw == "":
		return ""
	case strings.Contains(raw, "?"):
		return raw + "&pid=" + id
	}
	return raw + "?pid=" + id
}

// renderPayment appends p's JSON to dst.
func (s *Server) renderPayment(dst []byte, p *payment) []byte {
	return appendJSON(dst, toJSON(p, s.tenantOfPayment(p), s.publicURL()))
}

// appendJSON appends v byte for byte as encoding/json writes it (v must be
// marshalable: the emulator's own shapes always are). It encodes with
// goccy/go-json, 2.5 times faster on a payment; json_test.go and
// FuzzFastJSON hold it to encoding/json's output.
func appendJSON(dst []byte, v any) []byte {
	buf := bytes.NewBuffer(dst)
	if err := gojson.NewEncoder(buf).Encode(v); err != nil {
		return append(dst, "null"...)
	}
	b := buf.Bytes()
	return b[:len(b)-1] // Encode's newline
}

// emptyObject is JSON's {}, as a raw value.
var emptyObject = json.RawMessage("{}")

// planKind is Alma's plan code for n installments: P3X.
func planKind(n int) string { return "P" + strconv.Itoa(n) + "X" }

// merchantWebsite is the sandbox merchant's website.
const merchantWebsite = "https://shop.example.com"

// jsonNull is JSON's null, as a raw value.
var jsonNull = json.RawMessage("null")

// unixOrNil is t in unix seconds, or nil (JSON null) for the zero time.
func unixOrNil(t time.Time) *int64 {
	if t.IsZero() {
		return nil
	}
	u := t.Unix()
	return &u
}

// optString is nil for "", else &s (JSON null or the string).
func optString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// orEmpty is list, or an empty (not null) list.
func orEmpty[T any](list []T) []T {
	if list == nil {
		return []T{}
	}
	return list
}

// normalizeRaw compacts and HTML-escapes raw JSON as encoding/json writes
// a RawMessage; empty stays empty.
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

// installmentID is the id of the i-th installment of a payment:
// installment_11 + 32 base62 characters drawn from a hash of the payment id
// and i — stable, in Alma's format, and never stored.
func installmentID(paymentID string, i int) string {
	h := uint64(14695981039346656037) // FNV-1a
	for j := 0; j < len(paymentID); j++ {
		h = (h ^ uint64(paymentID[j])) * 1099511628211
	}
	h ^= uint64(i+1) * 0x9e3779b97f4a7c15
	b := make([]byte, 0, len("installment_11")+idRandomLen)
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
	return string(b)
}
