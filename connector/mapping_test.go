package connector_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alma-sandbox/alma-sandbox/connector"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// createBody initializes session in flow against a stub and returns the
// create-payment body Alma received, indented.
func createBody(t *testing.T, s connector.Session, flow connector.Flow) []byte {
	t.Helper()
	c, st := newStub(t, reply(200, paymentJSON("not_started", s.Amount.Cents(), nil)))
	r := c.Initialize(context.Background(), s, flow)
	require.Equal(t, "not_started", r.Status.PSPStatus, describe(r))
	reqs := st.requests()
	require.Len(t, reqs, 1)
	var out bytes.Buffer
	require.NoError(t, json.Indent(&out, reqs[0].Body, "", "  "))
	out.WriteByte('\n')
	return out.Bytes()
}

func TestCreateRequestGolden(t *testing.T) {
	tests := []struct {
		name    string
		session string
		flow    connector.Flow
	}{
		{"create_full", "session_full.json", connector.FlowAuthorize},
		{"create_minimal", "session_minimal.json", connector.FlowCapture},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := createBody(t, loadSession(t, tt.session), tt.flow)
			path := filepath.Join("testdata", tt.name+".golden.json")
			if *update {
				require.NoError(t, os.WriteFile(path, got, 0o644))
			}
			want, err := os.ReadFile(path)
			require.NoError(t, err, "run go test ./connector -run Golden -update")
			assert.JSONEq(t, string(want), string(got))
			assert.Equal(t, string(want), string(got), "byte-for-byte")
		})
	}
}

// field reads a dotted path from decoded JSON; arrays take an index.
func field(t *testing.T, doc any, path ...any) any {
	t.Helper()
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := doc.(map[string]any)
			require.True(t, ok, "not an object at %v", p)
			doc = m[k]
		case int:
			a, ok := doc.([]any)
			require.True(t, ok, "not an array at %v", p)
			require.Greater(t, len(a), k)
			doc = a[k]
		}
	}
	return doc
}

// TestMappingTable checks the README's mapping table row by row: each session field lands in
// its Alma field.
func TestMappingTable(t *testing.T) {
	var doc any
	require.NoError(t, json.Unmarshal(createBody(t, loadSession(t, "session_full.json"), connector.FlowPending), &doc))
	tests := []struct {
		from string
		to   []any
		want any
	}{
		{"amount", []any{"payment", "purchase_amount"}, 27092.0},
		{"(plan almacb4x)", []any{"payment", "installments_count"}, 4.0},
		{"(In-Page)", []any{"payment", "origin"}, "online_in_page"},
		{"(flow authorize/pending)", []any{"payment", "capture_method"}, "manual"},
		{"order.redirection", []any{"payment", "return_url"}, "https://shop.example/return"},
		{"order.redirection", []any{"payment", "failure_return_url"}, "https://shop.example/return"},
		{"order.redirection", []any{"payment", "customer_cancel_url"}, "https://shop.example/return"},
		{"(Client.IPNCallbackURL)", []any{"payment", "ipn_callback_url"}, "https://shop.example/alma/ipn"},
		{"order.reference", []any{"order", "merchant_reference"}, "order-42"},
		{"order.reference", []any{"payment", "custom_data", "order_reference"}, "order-42"},
		{"order.tax_amount", []any{"payment", "custom_data", "order_tax_amount_cents"}, 4515.0},
		{"order.tax_lines.amount", []any{"payment", "custom_data", "order_tax_lines", 0, "amount_cents"}, 4515.0},
		{"order.tax_lines.rate", []any{"payment", "custom_data", "order_tax_lines", 0, "rate"}, 20.0},
		{"customer.first_name + middle_name", []any{"customer", "first_name"}, "Marie Anne"},
		{"customer.last_name", []any{"customer", "last_name"}, "Dupont"},
		{"customer.birthdate", []any{"customer", "birth_date"}, "1985-04-12"},
		{"customer.company_name", []any{"customer", "business_name"}, "Dupont SARL"},
		{"customer.company_name", []any{"customer", "is_business"}, true},
		{"customer.company_name", []any{"payment", "billing_address", "company"}, "Dupont SARL"},
		{"customer.gender_code", []any{"payment", "custom_data", "customer_gender_code"}, "female"},
		{"customer.ip", []any{"payment", "custom_data", "customer_ip"}, "203.0.113.7"},
		{"customer.account.*", []any{"payment", "custom_data", "customer_account", "purchase_count_last_six_months"}, 4.0},
		{"customer.account.*", []any{"payment", "custom_data", "customer_account", "challenge_indicator"}, "no_preference"},
		{"billing_address.email", []any{"customer", "email"}, "marie.dupont@example.com"},
		{"billing_address.email", []any{"payment", "billing_address", "email"}, "marie.dupont@example.com"},
		{"billing_address.mobile_phone", []any{"customer", "phone"}, "+33612345678"},
		{"billing_address.phone", []any{"payment", "billing_address", "phone"}, "+33142000000"},
		{"billing_address.work_phone", []any{"payment", "custom_data", "customer_work_phone"}, "+33143000000"},
		{"billing_address.address_lines[0]", []any{"payment", "billing_address", "line1"}, "12 rue de la Paix"},
		{"billing_address.address_lines[1:]", []any{"payment", "billing_address", "line2"}, "Bâtiment B, 3e étage"},
		{"billing_address.city", []any{"payment", "billing_address", "city"}, "Paris"},
		{"billing_address.postal_code", []any{"payment", "billing_address", "postal_code"}, "75002"},
		{"billing_address.country_code", []any{"payment", "billing_address", "country"}, "FR"},
		{"customer names", []any{"payment", "billing_address", "last_name"}, "Dupont"},
		{"shipments[0].shipping_address.address_lines[0]", []any{"payment", "shipping_address", "line1"}, "8 avenue Foch"},
		{"shipments[0].shipping_address.city", []any{"payment", "shipping_address", "city"}, "Lyon"},
		{"shipments[0].shipping_address.postal_code", []any{"payment", "shipping_address", "postal_code"}, "69006"},
		{"shipments[0].shipping_address.country_code", []any{"payment", "shipping_address", "country"}, "FR"},
		{"shipments.amount", []any{"payment", "custom_data", "shipments", 0, "amount_cents"}, 490.0},
		{"shipments.delivery_type_code", []any{"payment", "custom_data", "shipments", 0, "delivery_type_code"}, "home"},
		{"item_lines.name", []any{"payment", "cart", "items", 0, "title"}, "Lampe"},
		{"item_lines.quantity", []any{"payment", "cart", "items", 0, "quantity"}, 2.0},
		{"item_lines.price", []any{"payment", "cart", "items", 0, "unit_price"}, 12001.0},
		{"item_lines.amount", []any{"payment", "cart", "items", 0, "line_price"}, 24002.0},
		{"item_lines.price × quantity (no amount)", []any{"payment", "cart", "items", 1, "line_price"}, 2600.0},
		{"item_lines.sku_reference", []any{"payment", "cart", "items", 0, "sku"}, "SKU-1"},
		{"item_lines.type_code product", []any{"payment", "cart", "items", 0, "requires_shipping"}, true},
		{"item_lines.type_code digital", []any{"payment", "cart", "items", 1, "requires_shipping"}, false},
		{"item_lines.tax_lines.amount", []any{"payment", "custom_data", "item_tax_lines", 1, "amount_cents"}, 515.0},
		{"item_lines.tax_lines (item index)", []any{"payment", "custom_data", "item_tax_lines", 1, "item"}, 1.0},
	}
	for _, tt := range tests {
		t.Run(tt.from, func(t *testing.T) {
			assert.Equal(t, tt.want, field(t, doc, tt.to...))
		})
	}
}

func TestMappingCaptureFlowIsAutomatic(t *testing.T) {
	var doc map[string]map[string]any
	require.NoError(t, json.Unmarshal(createBody(t, minimalSession(10000), connector.FlowCapture), &doc))
	_, ok := doc["payment"]["capture_method"]
	assert.False(t, ok, "1-step flow: no capture_method")
	assert.NotContains(t, doc, "customer", "no customer data: no customer object")
}

// shipment is a test shipment: its amount in cents, and its item lines,
// each named with its tax amounts in cents.
func shipment(cents int64, city string, items ...connector.ItemLine) connector.Shipment {
	return connector.Shipment{Amount: connector.Amount(cents), DeliveryTypeCode: "home",
		ShippingAddress: connector.Address{AddressLines: []string{"1 rue " + city}, City: city, PostalCode: "75001", CountryCode: "fr"},
		ItemLines:       items}
}

// item is an item line of one unit at cents, with one tax line per taxes
// entry.
func item(name string, cents int64, taxes ...int64) connector.ItemLine {
	it := connector.ItemLine{TypeCode: "product", Name: name, Price: connector.Amount(cents), Quantity: 1}
	for _, tax := range taxes {
		it.TaxLines = append(it.TaxLines, connector.TaxLine{TypeCode: "vat", Amount: connector.Amount(tax)})
	}
	return it
}

// TestMappingSeveralShipments: with two and three shipments, cart.items
// holds every shipment's items in order, item_tax_lines[].item indexes
// cart.items across shipments (it does not restart per shipment), each
// shipment keeps its amount, and the shipping address is the first
// shipment's.
func TestMappingSeveralShipments(t *testing.T) {
	tests := []struct {
		name      string
		shipments []connector.Shipment
		titles    []any
		taxItems  []any // item_tax_lines[].item
		taxCents  []any // item_tax_lines[].amount_cents
		shipCents []any
	}{
		{"two shipments", []connector.Shipment{
			shipment(490, "Lyon", item("A1", 1000, 200), item("A2", 2000)),
			shipment(590, "Lille", item("B1", 3000, 500, 100), item("B2", 4000, 800)),
		}, []any{"A1", "A2", "B1", "B2"}, []any{0.0, 2.0, 2.0, 3.0}, []any{200.0, 500.0, 100.0, 800.0}, []any{490.0, 590.0}},
		{"three shipments", []connector.Shipment{
			shipment(100, "Nice", item("A1", 1000)),
			shipment(200, "Brest", item("B1", 2000, 400)),
			shipment(300, "Pau", item("C1", 3000), item("C2", 4000, 700), item("C3", 5000, 900)),
		}, []any{"A1", "B1", "C1", "C2", "C3"}, []any{1.0, 3.0, 4.0}, []any{400.0, 700.0, 900.0}, []any{100.0, 200.0, 300.0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := minimalSession(27092)
			s.Shipments = tt.shipments
			var doc any
			require.NoError(t, json.Unmarshal(createBody(t, s, connector.FlowCapture), &doc))
			assert.Equal(t, tt.titles, pluck(t, field(t, doc, "payment", "cart", "items"), "title"))
			taxes := field(t, doc, "payment", "custom_data", "item_tax_lines")
			assert.Equal(t, tt.taxItems, pluck(t, taxes, "item"), "item_tax_lines[].item indexes cart.items")
			assert.Equal(t, tt.taxCents, pluck(t, taxes, "amount_cents"))
			assert.Equal(t, tt.shipCents, pluck(t, field(t, doc, "payment", "custom_data", "shipments"), "amount_cents"))
			assert.Equal(t, tt.shipments[0].ShippingAddress.City, field(t, doc, "payment", "shipping_address", "city"))
		})
	}
}

// pluck returns key of every object of the JSON array list.
func pluck(t *testing.T, list any, key string) []any {
	t.Helper()
	a, ok := list.([]any)
	require.True(t, ok, "not an array: %v", list)
	out := make([]any, 0, len(a))
	for _, e := range a {
		out = append(out, field(t, e, key))
	}
	return out
}
