package connector_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alma-sandbox/alma-sandbox/connector"
)

func TestCheckReasons(t *testing.T) {
	valid := minimalSession(27092)
	tests := []struct {
		name   string
		edit   func(*connector.Session)
		reason []string
	}{
		{"valid", func(*connector.Session) {}, nil},
		{"empty session", func(s *connector.Session) { *s = connector.Session{} }, []string{
			"amount: required", "order.reference: required", "order.currency_code: required", "order.redirection: required"}},
		{"negative amount", func(s *connector.Session) { s.Amount = -100 }, []string{"amount: -1.00 is negative"}},
		{"below minimum", func(s *connector.Session) { s.Amount = 4999 }, []string{"amount: 49.99 EUR is below the almacb4x plan's minimum 50.00 EUR"}},
		{"above maximum", func(s *connector.Session) { s.Amount = 200001 }, []string{"amount: 2000.01 EUR is above the almacb4x plan's maximum 2000.00 EUR"}},
		{"limits inclusive low", func(s *connector.Session) { s.Amount = 5000 }, nil},
		{"limits inclusive high", func(s *connector.Session) { s.Amount = 200000 }, nil},
		{"not EUR", func(s *connector.Session) { s.Order.CurrencyCode = "USD" }, []string{`order.currency_code: "USD" is not supported, Alma takes EUR only`}},
		{"eur lowercase", func(s *connector.Session) { s.Order.CurrencyCode = "eur" }, nil},
		{"blank reference", func(s *connector.Session) { s.Order.Reference = "  " }, []string{"order.reference: required"}},
		{"relative redirection", func(s *connector.Session) { s.Order.Redirection = "/return" }, []string{`order.redirection: "/return" is not an absolute http(s) URL`}},
		{"order amount differs", func(s *connector.Session) { s.Order.Amount = 100 }, []string{"order.amount: 1.00 differs from amount 270.92"}},
		{"other label", func(s *connector.Session) { s.PaymentLabel = "almacb3x" }, []string{`payment_label: "almacb3x" is not offered, only "almacb4x"`}},
		{"bad birthdate", func(s *connector.Session) { s.Customer.Birthdate = "12/04/1985" }, []string{`customer.birthdate: "12/04/1985" is not an ISO-8601 date`}},
		{"datetime birthdate", func(s *connector.Session) { s.Customer.Birthdate = "1985-04-12T00:00:00Z" }, nil},
		{"line total overflows", func(s *connector.Session) { s.Shipments = hugeLine(100, 0) }, []string{
			"shipments[0].item_lines[0]: price 999999999999999.99 × quantity 100 overflows; send the line amount"}},
		{"huge line with its amount", func(s *connector.Session) { s.Shipments = hugeLine(100, 27092) }, nil},
		{"huge price, quantity 1", func(s *connector.Session) { s.Shipments = hugeLine(1, 0) }, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := valid
			tt.edit(&s)
			assert.Equal(t, tt.reason, connector.Check(s, connector.DefaultPlan()))
		})
	}
}

// hugeLine is one shipment with one item line at the largest price a session
// can carry, quantity times, with the given line amount (0: none).
func hugeLine(quantity int, amount connector.Amount) []connector.Shipment {
	return []connector.Shipment{{ItemLines: []connector.ItemLine{{
		Name: "yacht", Price: 99999999999999999, Quantity: quantity, Amount: amount}}}}
}

func TestInitializeRefusesBadSessionWithoutCalling(t *testing.T) {
	tests := []struct {
		name    string
		session connector.Session
		flow    connector.Flow
		reasons int
	}{
		{"empty session", connector.Session{}, connector.FlowCapture, 4},
		{"dollars, too small", connector.Session{Amount: 100, Order: connector.Order{Reference: "r", CurrencyCode: "USD", Redirection: "https://x.example"}}, connector.FlowAuthorize, 2},
		{"unknown flow", minimalSession(10000), connector.Flow("later"), 1},
		{"line total overflows", func() connector.Session { s := minimalSession(10000); s.Shipments = hugeLine(100, 0); return s }(), connector.FlowCapture, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, s := newStub(t, failIfHit(t))
			r := c.Initialize(context.Background(), tt.session, tt.flow)
			assert.Equal(t, "SESSION_DATA_NOT_OK", r.Status.PSPStatus)
			assert.Equal(t, "ERROR", r.Status.State)
			assert.Equal(t, "BAD_REQUEST", r.Status.Code)
			assert.Len(t, r.Reasons, tt.reasons, r.Reasons)
			assert.Zero(t, r.HTTPStatus)
			assert.Empty(t, s.requests())
		})
	}
}

func TestDecodeSession(t *testing.T) {
	s := loadSession(t, "session_full.json")
	assert.Equal(t, int64(27092), s.Amount.Cents())
	assert.Equal(t, int64(4515), s.Order.TaxAmount.Cents())
	assert.Equal(t, int64(490), s.Shipments[0].Amount.Cents())
	assert.Equal(t, int64(2600), s.Shipments[0].ItemLines[1].Price.Cents())
	assert.Equal(t, []string{"12 rue de la Paix", "Bâtiment B", "3e étage"}, s.Customer.BillingAddress.AddressLines)
	require.NotNil(t, s.Customer.Account)
	assert.Equal(t, "low_value", s.Customer.Account.ThreeDSExemption)
	assert.Empty(t, connector.Check(s, connector.DefaultPlan()))

	_, err := connector.DecodeSession(strings.NewReader(`{"amount": 270.925}`))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "more than two decimals")
	_, err = connector.DecodeSession(strings.NewReader(`{"amount": `))
	require.Error(t, err)
}
