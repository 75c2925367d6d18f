//go:build pact

package contracts

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/pact-foundation/pact-go/v2/consumer"
	"github.com/pact-foundation/pact-go/v2/matchers"
	"github.com/pact-foundation/pact-go/v2/models"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alma-sandbox/alma-sandbox/connector"
)

// interaction is one consumer case: what the connector is asked to do, what
// Alma must receive and answer, and the row of the status table the
// connector must then return.
type interaction struct {
	desc    string                 // the interaction's description in the pact
	given   []models.ProviderState // the provider states
	apiKey  string                 // the merchant key; default consumerKey
	request func(*consumer.V3UnconfiguredInteraction) *consumer.V3InteractionWithRequest
	status  int // Alma's HTTP status
	body    any // Alma's JSON body, with matchers; nil for none
	// call drives the real connector; want is the PSP status of the row it
	// must return, and check, when set, asserts more of the result.
	call  func(context.Context, *connector.Client) connector.Result
	want  string
	check func(*testing.T, connector.Result)
	// also are the further requests the same connector call makes, each an
	// interaction of its own in the pact (desc, given, request, status and
	// body only).
	also []interaction
}

// The consumer side's fixed values: the merchant key, where Alma sends the
// IPN, and the ids Alma created (examples; the provider injects real ones).
const (
	consumerKey      = "sk_test_contract"
	ipnURL           = "https://shop.example/alma/ipn"
	returnURL        = "https://shop.example/checkout/return"
	orderReference   = "order-42"
	examplePaymentID = "payment_11jiyZd3Er547365omsqcwM6KsaMQ3fN2E"
	unknownPaymentID = "payment_11UnknownUnknownUnknownUnknown0000"
)

// The regular expressions of Alma's ids and headers the pact pins.
const (
	paymentIDRe     = `^payment_11[0-9A-Za-z]{32}$`
	merchantIDRe    = `^merchant_11[0-9A-Za-z]{32}$`
	installmentIDRe = `^installment_11[0-9A-Za-z]{32}$`
	refundIDRe      = `^refund_11[0-9A-Za-z]{32}$`
	authHeaderRe    = `^Alma-Auth sk_test_[0-9A-Za-z_]+$`
	jsonTypeRe      = `^application/json$`
)

// session is the orchestrator's session the consumer cases pay: 270.92 EUR,
// a customer with a billing address, one shipped item.
func session() connector.Session {
	return connector.Session{
		Amount: connector.Amount(27092),
		Order: connector.Order{
			Reference: orderReference, CurrencyCode: "EUR", Redirection: returnURL,
		},
		Customer: connector.Customer{
			FirstName: "Camille", LastName: "Martin",
			BillingAddress: connector.Address{
				AddressLines: []string{"3 rue de la Paix"}, City: "Paris", PostalCode: "75002",
				CountryCode: "FR", Email: "camille.martin@example.com", Phone: "+33612345678",
			},
		},
		Shipments: []connector.Shipment{{
			DeliveryTypeCode: "standard",
			ShippingAddress: connector.Address{
				AddressLines: []string{"3 rue de la Paix"}, City: "Paris", PostalCode: "75002", CountryCode: "FR",
			},
			ItemLines: []connector.ItemLine{{
				TypeCode: "product", SKUReference: "LAMP-1", Name: "Desk lamp",
				Price: connector.Amount(27092), Quantity: 1, Amount: connector.Amount(27092),
			}},
		}},
	}
}

// newConsumerClient is the real connector pointed at the Pact mock server.
// Verify is tried once: each interaction is one request.
func newConsumerClient(cfg consumer.MockServerConfig, apiKey string) *connector.Client {
	c := connector.NewClient(fmt.Sprintf("http://%s:%d", cfg.Host, cfg.Port), apiKey)
	c.IPNCallbackURL = ipnURL
	c.VerifyRetry = connector.Retry{Attempts: 1}
	c.Logger = slog.New(slog.DiscardHandler)
	return c
}

// runConsumer records every consumer interaction into a pact in pactDir.
func runConsumer(t *testing.T, pactDir string) {
	pact, err := consumer.NewV3Pact(consumer.MockHTTPProviderConfig{
		Consumer: consumerName, Provider: providerName,
		Host: "127.0.0.1", PactDir: pactDir, LogDir: t.TempDir(),
	})
	require.NoError(t, err)
	for _, tt := range interactions() {
		t.Run(tt.desc, func(t *testing.T) { runInteraction(t, pact, tt) })
	}
}

// runInteraction registers one interaction (and those it implies) and
// drives the connector through it.
func runInteraction(t *testing.T, pact *consumer.V3HTTPMockProvider, tt interaction) {
	want, ok := connector.Lookup(tt.want)
	require.True(t, ok, "%s is not a row of the status table", tt.want)
	register(pact, tt)
	for _, more := range tt.also {
		register(pact, more)
	}
	key := tt.apiKey
	if key == "" {
		key = consumerKey
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := pact.ExecuteTest(t, func(cfg consumer.MockServerConfig) error {
		res := tt.call(ctx, newConsumerClient(cfg, key))
		if !assert.Equal(t, want, res.Status, "connector result: %s", res) {
			return fmt.Errorf("the connector returned %s, want %s", res.Status.PSPStatus, tt.want)
		}
		if tt.check != nil {
			tt.check(t, res)
		}
		return nil
	})
	require.NoError(t, err)
}

// register adds one interaction to the mock server.
func register(pact *consumer.V3HTTPMockProvider, tt interaction) {
	i := pact.AddInteraction()
	for _, s := range tt.given {
		i = i.GivenWithParameter(s)
	}
	i = i.UponReceiving(tt.desc)
	tt.request(i).WillRespondWith(tt.status, func(b *consumer.V3ResponseBuilder) {
		if tt.body != nil {
			b.Header("Content-Type", matchers.Term("application/json", jsonTypeRe))
			b.JSONBody(tt.body)
		}
	})
}

// state is a provider state without parameters.
func state(name string) []models.ProviderState {
	return []models.ProviderState{{Name: name}}
}

// withAuth adds the Authorization header every merchant call carries.
func withAuth(b *consumer.V3RequestBuilder) {
	b.Header("Authorization", matchers.Term("Alma-Auth "+consumerKey, authHeaderRe))
}

// withJSON adds the Authorization and Content-Type headers and a JSON body.
func withJSON(body any) consumer.V3RequestBuilderFunc {
	return func(b *consumer.V3RequestBuilder) {
		withAuth(b)
		b.Header("Content-Type", matchers.String("application/json"))
		b.JSONBody(body)
	}
}

// paymentPath is /v1/payments/{id}<suffix>, the id injected by the provider
// state ("id").
func paymentPath(suffix string) matchers.Matcher {
	return matchers.FromProviderState("/v1/payments/${id}"+suffix, "/v1/payments/"+examplePaymentID+suffix)
}

// object is a JSON object in a pact body: plain values are matched exactly,
// matchers by their rule.
type object = map[string]any
