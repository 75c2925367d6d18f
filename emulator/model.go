package emulator

import "encoding/json"

// The wire shapes of Alma's objects, as the emulator writes them. They are
// the emulator's own reading of Alma's API: the connector has its own.

// paymentJSON is Alma's Payment object in its full shape: every field
// Alma's PHP 3.x client requires, plus the others Alma sends.
type paymentJSON struct {
	ID                         string          `json:"id"`
	Created                    int64           `json:"created"`
	State                      string          `json:"state"`
	Kind                       string          `json:"kind"`
	PurchaseAmount             int64           `json:"purchase_amount"`
	InstallmentsCount          int             `json:"installments_count"`
	DeferredDays               int             `json:"deferred_days"`
	DeferredMonths             int             `json:"deferred_months"`
	CustomerFee                int64           `json:"customer_fee"`
	CustomerInterest           int64           `json:"customer_interest"`
	AmountAlreadyRefunded      int64           `json:"amount_already_refunded"`
	CustomData                 json.RawMessage `json:"custom_data"`
	ExpiredAt                  *int64          `json:"expired_at"`
	URL                        string          `json:"url"`
	ReturnURL                  *string         `json:"return_url"`
	FailureReturnURL           *string         `json:"failure_return_url"`
	CustomerCancelURL          *string         `json:"customer_cancel_url"`
	IPNCallbackURL             *string         `json:"ipn_callback_url"`
	Locale                     string          `json:"locale"`
	Origin                     string          `json:"origin"`
	CaptureMethod              string          `json:"capture_method"`
	MerchantID                 string          `json:"merchant_id"`
	MerchantName               string          `json:"merchant_name"`
	DeferredTrigger            bool            `json:"deferred_trigger"`
	DeferredTriggerDescription *string         `json:"deferred_trigger_description"`
	DeferredTriggerApplied     *int64          `json:"deferred_trigger_applied"`
	PaymentPlan                []installment   `json:"payment_plan"`
	Refunds                    []refundJSON    `json:"refunds"`
	Orders                     []orderJSON     `json:"orders"`
	Customer                   customerJSON    `json:"customer"`
	BillingAddress             *addressJSON    `json:"billing_address"`
	ShippingAddress            *addressJSON    `json:"shipping_address"`
	Cart                       json.RawMessage `json:"cart,omitempty"`
}

// installment is one line of a payment plan. Its id is derived from the
// payment's when rendered (installmentID), so it costs no memory.
type installment struct {
	DueDate                int64  `json:"due_date"`
	DatePaid               *int64 `json:"date_paid"`
	PurchaseAmount         int64  `json:"purchase_amount"`
	OriginalPurchaseAmount int64  `json:"original_purchase_amount"`
	CustomerFee            int64  `json:"customer_fee"`
	CustomerInterest       int64  `json:"customer_interest"`
	TotalAmount            int64  `json:"total_amount"`
	CustomerCanPostpone    bool   `json:"customer_can_postpone"`
	State                  string `json:"state"`
}

// refundJSON is one refund of a payment.
type refundJSON struct {
	ID                      string `json:"id"`
	Created                 int64  `json:"created"`
	Amount                  int64  `json:"amount"`
	MerchantReference       string `json:"merchant_reference"`
	Comment                 string `json:"comment"`
	Payment                 string `json:"payment"`
	FromPaymentCancellation bool   `json:"from_payment_cancellation"`
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
}

// customerJSON is the payment's customer.
type customerJSON struct {
	ID               string        `json:"id"`
	Created          int64         `json:"created"`
	FirstName        string        `json:"first_name"`
	LastName         string        `json:"last_name"`
	Email            string        `json:"email"`
	Phone            string        `json:"phone"`
	BirthDate        *string       `json:"birth_date"`
	Addresses        []addressJSON `json:"addresses"`
	IsBusiness       bool          `json:"is_business"`
	BusinessName     *string       `json:"business_name"`
	BusinessIDNumber *string       `json:"business_id_number"`
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

// The states of a payment.
const (
	stateNotStarted  = "not_started"
	stateScoredNo    = "scored_no"
	stateScoredMaybe = "scored_maybe"
	stateScoredYes   = "scored_yes"
	stateInProgress  = "in_progress"
	statePaid        = "paid"
)

// paymentStates lists every state an admin may force.
var paymentStates = []string{
	stateNotStarted, stateScoredNo, stateScoredMaybe, stateScoredYes, stateInProgress, statePaid,
	"stopped", "late", "default", "hold", "delegated", "covered", "claimed",
}

// The states of an installment.
const (
	installmentPending = "pending"
	installmentPaid    = "paid"
)
