package connector

import "strings"

// createRequest is the body of POST /v1/payments as the connector sends it.
type createRequest struct {
	Payment  paymentFields  `json:"payment"`
	Customer *customerField `json:"customer,omitempty"`
	Order    orderField     `json:"order"`
}

// paymentFields is the create request's payment object.
type paymentFields struct {
	PurchaseAmount    int64          `json:"purchase_amount"`
	InstallmentsCount int            `json:"installments_count"`
	Origin            string         `json:"origin"`
	CaptureMethod     string         `json:"capture_method,omitempty"`
	ReturnURL         string         `json:"return_url"`
	FailureReturnURL  string         `json:"failure_return_url"`
	CustomerCancelURL string         `json:"customer_cancel_url"`
	IPNCallbackURL    string         `json:"ipn_callback_url,omitempty"`
	CustomData        map[string]any `json:"custom_data"`
	BillingAddress    *almaAddress   `json:"billing_address,omitempty"`
	ShippingAddress   *almaAddress   `json:"shipping_address,omitempty"`
	Cart              *cart          `json:"cart,omitempty"`
}

// almaAddress is Alma's address object.
type almaAddress struct {
	FirstName  string `json:"first_name,omitempty"`
	LastName   string `json:"last_name,omitempty"`
	Company    string `json:"company,omitempty"`
	Line1      string `json:"line1,omitempty"`
	Line2      string `json:"line2,omitempty"`
	PostalCode string `json:"postal_code,omitempty"`
	City       string `json:"city,omitempty"`
	Country    string `json:"country,omitempty"`
	Email      string `json:"email,omitempty"`
	Phone      string `json:"phone,omitempty"`
}

// customerField is Alma's customer object.
type customerField struct {
	FirstName    string `json:"first_name,omitempty"`
	LastName     string `json:"last_name,omitempty"`
	Email        string `json:"email,omitempty"`
	Phone        string `json:"phone,omitempty"`
	BirthDate    string `json:"birth_date,omitempty"`
	IsBusiness   bool   `json:"is_business,omitempty"`
	BusinessName string `json:"business_name,omitempty"`
}

// orderField is Alma's order object.
type orderField struct {
	MerchantReference string `json:"merchant_reference"`
}

// cart is Alma's cart object.
type cart struct {
	Items []cartItem `json:"items"`
}

// cartItem is one item of Alma's cart.
type cartItem struct {
	Title            string `json:"title"`
	Quantity         int    `json:"quantity"`
	LinePrice        int64  `json:"line_price"`
	UnitPrice        int64  `json:"unit_price"`
	SKU              string `json:"sku,omitempty"`
	RequiresShipping *bool  `json:"requires_shipping,omitempty"`
}

// Origins and capture methods the connector sends.
const (
	originInPage  = "online_in_page"
	captureManual = "manual"
)

// newCreateRequest maps a checked session to Alma's create-payment request;
// The README's mapping table is this function in a table.
func newCreateRequest(s Session, flow Flow, plan Plan, ipnURL string) createRequest {
	p := paymentFields{
		PurchaseAmount:    s.Amount.Cents(),
		InstallmentsCount: plan.Installments,
		Origin:            originInPage,
		ReturnURL:         s.Order.Redirection,
		FailureReturnURL:  s.Order.Redirection,
		CustomerCancelURL: s.Order.Redirection,
		IPNCallbackURL:    ipnURL,
		CustomData:        customData(s),
		BillingAddress:    billingAddress(s.Customer),
		Cart:              newCart(s.Shipments),
	}
	if flow == FlowAuthorize || flow == FlowPending {
		p.CaptureMethod = captureManual
	}
	if len(s.Shipments) > 0 {
		p.ShippingAddress = address(s.Customer, s.Shipments[0].ShippingAddress)
	}
	return createRequest{Payment: p, Customer: customer(s.Customer), Order: orderField{MerchantReference: s.Order.Reference}}
}

// firstName joins the customer's first and middle names: Alma has no
// middle-name field.
func firstName(c Customer) string {
	return strings.TrimSpace(c.FirstName + " " + c.MiddleName)
}

// customer maps the session's customer to Alma's, nil when nothing is known.
func customer(c Customer) *customerField {
	b := c.BillingAddress
	cf := customerField{
		FirstName:    firstName(c),
		LastName:     c.LastName,
		Email:        b.Email,
		Phone:        firstNonEmpty(b.MobilePhone, b.Phone, b.WorkPhone),
		BusinessName: c.CompanyName,
		IsBusiness:   c.CompanyName != "",
	}
	if c.Birthdate != "" {
		cf.BirthDate, _ = birthDate(c.Birthdate) // checked before: never fails here
	}
	if cf == (customerField{}) {
		return nil
	}
	return &cf
}

// billingAddress maps the billing address, nil when it is empty.
func billingAddress(c Customer) *almaAddress {
	a := address(c, c.BillingAddress)
	if a == nil {
		return nil
	}
	a.Company = c.CompanyName
	a.Email = c.BillingAddress.Email
	a.Phone = firstNonEmpty(c.BillingAddress.Phone, c.BillingAddress.MobilePhone, c.BillingAddress.WorkPhone)
	return a
}

// address maps an address with the customer's names, nil when it holds
// no location.
func address(c Customer, a Address) *almaAddress {
	if len(a.AddressLines) == 0 && a.City == "" && a.PostalCode == "" && a.CountryCode == "" {
		return nil
	}
	out := &almaAddress{
		FirstName: firstName(c), LastName: c.LastName,
		PostalCode: a.PostalCode, City: a.City, Country: strings.ToUpper(a.CountryCode),
	}
	if len(a.AddressLines) > 0 {
		out.Line1 = a.AddressLines[0]
		out.Line2 = strings.Join(a.AddressLines[1:], ", ")
	}
	return out
}

// newCart maps every shipment's item lines to cart items, nil when none.
func newCart(shipments []Shipment) *cart {
	var items []cartItem
	for _, sh := range shipments {
		for _, it := range sh.ItemLines {
			items = append(items, newCartItem(it))
		}
	}
	if len(items) == 0 {
		return nil
	}
	return &cart{Items: items}
}

// newCartItem maps one item line; a missing line amount is price × quantity.
func newCartItem(it ItemLine) cartItem {
	line, _ := lineAmount(it) // Check refused a line whose product overflows
	ci := cartItem{Title: it.Name, Quantity: it.Quantity, LinePrice: line.Cents(), UnitPrice: it.Price.Cents(), SKU: it.SKUReference}
	switch it.TypeCode {
	case "product":
		ci.RequiresShipping = boolPtr(true)
	case "digital":
		ci.RequiresShipping = boolPtr(false)
	}
	return ci
}

// lineAmount is the line's amount, else price × quantity; ok is false when
// that product overflows (the amount is then 0).
func lineAmount(it ItemLine) (Amount, bool) {
	if it.Amount != 0 {
		return it.Amount, true
	}
	return it.Price.times(it.Quantity)
}

func boolPtr(b bool) *bool { return &b }

// firstNonEmpty returns the first non-empty string.
func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
