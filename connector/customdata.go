package connector

// The custom_data keys the connector writes: the order reference Reconcile
// and the IPN match on, and the session fields Alma has no field for.
const (
	cdOrderReference = "order_reference"
	cdOrderTaxAmount = "order_tax_amount_cents"
	cdOrderTaxLines  = "order_tax_lines"
	cdGenderCode     = "customer_gender_code"
	cdIP             = "customer_ip"
	cdWorkPhone      = "customer_work_phone"
	cdAccount        = "customer_account"
	cdShipments      = "shipments"
	cdItemTaxLines   = "item_tax_lines"
)

// taxLineData is a tax line in custom_data, amounts in cents.
type taxLineData struct {
	Item     *int   `json:"item,omitempty"` // index in cart.items, for item tax lines
	TypeCode string `json:"type_code,omitempty"`
	Rate     any    `json:"rate,omitempty"`
	Amount   int64  `json:"amount_cents"`
}

// shipmentData is a shipment's delivery data in custom_data.
type shipmentData struct {
	DeliveryTypeCode string `json:"delivery_type_code,omitempty"`
	Amount           int64  `json:"amount_cents"`
}

// customData carries the order reference and every session field without
// an Alma field.
func customData(s Session) map[string]any {
	cd := map[string]any{cdOrderReference: s.Order.Reference}
	put := func(k string, v any, ok bool) {
		if ok {
			cd[k] = v
		}
	}
	put(cdOrderTaxAmount, s.Order.TaxAmount.Cents(), s.Order.TaxAmount != 0)
	put(cdOrderTaxLines, taxLines(nil, s.Order.TaxLines), len(s.Order.TaxLines) > 0)
	put(cdGenderCode, s.Customer.GenderCode, s.Customer.GenderCode != "")
	put(cdIP, s.Customer.IP, s.Customer.IP != "")
	put(cdWorkPhone, s.Customer.BillingAddress.WorkPhone, s.Customer.BillingAddress.WorkPhone != "")
	put(cdAccount, s.Customer.Account, s.Customer.Account != nil)
	put(cdShipments, shipments(s.Shipments), len(s.Shipments) > 0)
	items := itemTaxLines(s.Shipments)
	put(cdItemTaxLines, items, len(items) > 0)
	return cd
}

// taxLines converts tax lines, tagged with an item index when item is set.
func taxLines(item *int, lines []TaxLine) []taxLineData {
	out := make([]taxLineData, 0, len(lines))
	for _, t := range lines {
		var rate any
		if len(t.Rate) > 0 {
			rate = t.Rate
		}
		out = append(out, taxLineData{Item: item, TypeCode: t.TypeCode, Rate: rate, Amount: t.Amount.Cents()})
	}
	return out
}

// itemTaxLines gathers the item lines' taxes, indexed as cart.items.
func itemTaxLines(shipments []Shipment) []taxLineData {
	var out []taxLineData
	i := 0
	for _, sh := range shipments {
		for _, it := range sh.ItemLines {
			idx := i
			out = append(out, taxLines(&idx, it.TaxLines)...)
			i++
		}
	}
	return out
}

// shipments keeps each shipment's delivery type and amount.
func shipments(list []Shipment) []shipmentData {
	out := make([]shipmentData, 0, len(list))
	for _, sh := range list {
		out = append(out, shipmentData{DeliveryTypeCode: sh.DeliveryTypeCode, Amount: sh.Amount.Cents()})
	}
	return out
}
