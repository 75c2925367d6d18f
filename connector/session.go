package connector

import (
	"encoding/json"
	"fmt"
	"io"
)

// Session is the orchestrator's Create Session request: every field its Alma
// connector page maps, in the orchestrator's snake_case JSON. Amounts are
// decimals in major units (see Amount).
type Session struct {
	Amount    Amount     `json:"amount"`
	Order     Order      `json:"order"`
	Customer  Customer   `json:"customer"`
	Shipments []Shipment `json:"shipments,omitempty"`
	// PaymentLabel, when set, must name the connector's plan (almacb4x).
	PaymentLabel string `json:"payment_label,omitempty"`
}

// Order is the session's order.
type Order struct {
	Reference    string `json:"reference"`
	Amount       Amount `json:"amount,omitempty"` // when set, must equal Session.Amount
	CurrencyCode string `json:"currency_code"`
	// Redirection is the one return URL; Alma sends the customer back to it
	// after paying, refusing or closing the widget, with ?pid=<payment id>.
	Redirection string    `json:"redirection"`
	TaxAmount   Amount    `json:"tax_amount,omitempty"`
	TaxLines    []TaxLine `json:"tax_lines,omitempty"`
}

// TaxLine is one tax of an order or an item line.
type TaxLine struct {
	TypeCode string          `json:"type_code,omitempty"`
	Rate     json.RawMessage `json:"rate,omitempty"` // kept as sent (a number or a string)
	Amount   Amount          `json:"amount"`
}

// Customer is the session's customer.
type Customer struct {
	// Reference is used only for tokenization, which this connector does not
	// support; it is not sent to Alma.
	Reference      string   `json:"reference,omitempty"`
	CompanyName    string   `json:"company_name,omitempty"`
	GenderCode     string   `json:"gender_code,omitempty"`
	FirstName      string   `json:"first_name,omitempty"`
	MiddleName     string   `json:"middle_name,omitempty"`
	LastName       string   `json:"last_name,omitempty"`
	Birthdate      string   `json:"birthdate,omitempty"` // ISO-8601 date
	IP             string   `json:"ip,omitempty"`
	BillingAddress Address  `json:"billing_address,omitempty"`
	Account        *Account `json:"account,omitempty"`
}

// Address is a billing or shipping address.
type Address struct {
	AddressLines []string `json:"address_lines,omitempty"`
	City         string   `json:"city,omitempty"`
	PostalCode   string   `json:"postal_code,omitempty"`
	CountryCode  string   `json:"country_code,omitempty"` // ISO 3166-1 alpha-2
	Email        string   `json:"email,omitempty"`
	Phone        string   `json:"phone,omitempty"`
	MobilePhone  string   `json:"mobile_phone,omitempty"`
	WorkPhone    string   `json:"work_phone,omitempty"`
}

// Account is what the merchant knows of the customer's account (3-D Secure
// risk data). Alma has no field for it: it travels in custom_data.
type Account struct {
	PurchaseCountLastDay       *int   `json:"purchase_count_last_day,omitempty"`
	PurchaseCountLastSixMonths *int   `json:"purchase_count_last_six_months,omitempty"`
	PurchaseCountLastYear      *int   `json:"purchase_count_last_year,omitempty"`
	DifferentCardCountLastDay  *int   `json:"different_card_count_last_day,omitempty"`
	AuthenticationMethod       string `json:"authentication_method,omitempty"`
	PriorPaymentAuthentication string `json:"prior_payment_authentication,omitempty"`
	AgeIndicator               string `json:"age_indicator,omitempty"`
	UpdateDateTime             string `json:"update_date_time,omitempty"`
	ChangeIndicator            string `json:"change_indicator,omitempty"`
	CreationDateTime           string `json:"creation_date_time,omitempty"`
	PasswordUpdateDateTime     string `json:"password_update_date_time,omitempty"`
	PasswordChangeIndicator    string `json:"password_change_indicator,omitempty"`
	ThreeDSExemption           string `json:"three_ds_exemption,omitempty"`
	ChallengeIndicator         string `json:"challenge_indicator,omitempty"`
}

// Shipment is one shipment of the order.
type Shipment struct {
	Amount           Amount     `json:"amount,omitempty"`
	DeliveryTypeCode string     `json:"delivery_type_code,omitempty"`
	ShippingAddress  Address    `json:"shipping_address,omitempty"`
	ItemLines        []ItemLine `json:"item_lines,omitempty"`
}

// ItemLine is one line of a shipment.
type ItemLine struct {
	TypeCode     string    `json:"type_code,omitempty"` // product or digital
	SKUReference string    `json:"sku_reference,omitempty"`
	Name         string    `json:"name,omitempty"`
	Price        Amount    `json:"price,omitempty"` // unit price
	Quantity     int       `json:"quantity,omitempty"`
	Amount       Amount    `json:"amount,omitempty"` // line total
	TaxLines     []TaxLine `json:"tax_lines,omitempty"`
}

// DecodeSession reads one session from the orchestrator's JSON. Unknown
// fields are ignored (the orchestrator sends more than Alma needs); an amount
// with more than two decimals is an error.
func DecodeSession(r io.Reader) (Session, error) {
	var s Session
	if err := json.NewDecoder(r).Decode(&s); err != nil {
		return Session{}, fmt.Errorf("decode session: %w", err)
	}
	return s, nil
}
