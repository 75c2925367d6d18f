//go:build pact

package contracts

import (
	"context"
	"fmt"

	"github.com/pact-foundation/pact-go/v2/consumer"
	"github.com/pact-foundation/pact-go/v2/matchers"

	"github.com/alma-sandbox/alma-sandbox/connector"
)

// invalidKey is a merchant key Alma does not accept.
const invalidKey = "not_a_key"

// errorInteractions: every error shape the connector classifies, each with
// the row it must produce.
func errorInteractions() []interaction {
	list := []interaction{
		{
			desc:  "a request to create a payment that Alma refuses as invalid (400 with errors[])",
			given: state(stateCreateMissingField), request: createRequest(false),
			status: 400, body: validationBody("payment.purchase_amount", "missing_field"),
			call: initialize, want: "validation_error_missing_field",
		},
		{
			desc:  "a request to create a payment with a key Alma does not accept",
			given: state(stateMerchant),
			request: func(i *consumer.V3UnconfiguredInteraction) *consumer.V3InteractionWithRequest {
				return i.WithRequest("POST", "/v1/payments", func(b *consumer.V3RequestBuilder) {
					b.Header("Authorization", matchers.String("Alma-Auth "+invalidKey))
					b.Header("Content-Type", matchers.String("application/json"))
					b.JSONBody(createBody(false))
				})
			},
			apiKey: invalidKey,
			status: 401, body: object{"message": matchers.Like("Credentials invalid or not supplied")},
			call: initialize, want: "validation_error_unauthorized",
		},
		{
			desc:  "a request to get a payment that does not exist",
			given: state(stateNoPayment), request: getPayment(matchers.String("/v1/payments/" + unknownPaymentID)),
			status: 404,
			call: func(ctx context.Context, c *connector.Client) connector.Result {
				return c.Verify(ctx, unknownPaymentID, session())
			},
			want: "UNKNOWN_PARTNER_ERROR",
		},
		{
			desc:  "a request to get a payment while Alma rate-limits the merchant",
			given: state(stateReadRateLimited), request: getPayment(paymentPath("")),
			status: 429, call: verify, want: "validation_error_too_many_request",
		},
		{
			desc:  "a request to get a payment while Alma fails with HTTP 500",
			given: state(stateReadFails500), request: getPayment(paymentPath("")),
			status: 500, call: verify, want: "VERIFY_PARTNER_ERROR",
		},
		{
			desc:  "a request to capture a payment whose card the bank declines",
			given: state(stateCaptureDeclined), request: postPayment("/capture", map[string]any{}),
			status: 402, body: object{"error_code": "card_declined", "message": matchers.Like("Your card was declined.")},
			call: capture, want: "card_declined",
		},
		{
			desc:  "a request to capture a payment a second time",
			given: state(stateCaptured), request: postPayment("/capture", map[string]any{}),
			status: 400, body: validationBody("payment", "payment_already_captured"),
			call: capture, want: "validation_error_payment_already_captured",
		},
		{
			desc:  "a request to refund more than remains of a payment",
			given: state(stateInProgress),
			request: postPayment("/refund", map[string]any{
				"amount": matchers.Integer(30000), "merchant_reference": matchers.Like("refund-3"),
				"comment": matchers.Like("refund refund-3"),
			}),
			status: 400, body: object{"error_code": "invalid_amount", "message": matchers.Like("Refund amount is above what remains")},
			call: func(ctx context.Context, c *connector.Client) connector.Result {
				return c.Refund(ctx, examplePaymentID, 30000, "refund-3")
			},
			want: "invalid_amount",
		},
		{
			desc:  "a request to cancel a payment that is already being paid",
			given: state(stateInProgress), request: cancelPayment(),
			status: 403, body: object{"message": matchers.Like("This payment cannot be cancelled")},
			call: func(ctx context.Context, c *connector.Client) connector.Result {
				return c.Cancel(ctx, examplePaymentID)
			},
			want: "ERROR",
		},
	}
	return append(list, serverErrorInteractions()...)
}

// serverErrorInteractions: a create answered 500, 502 or 503, each an
// UNCERTAIN row of its own.
func serverErrorInteractions() []interaction {
	var list []interaction
	for _, se := range []struct {
		status int
		given  string
		want   string
	}{
		{500, stateCreate500, "PARTNER_SERVER_ERROR"},
		{502, stateCreate502, "PARTNER_BAD_GATEWAY"},
		{503, stateCreate503, "PARTNER_UNAVAILABLE"},
	} {
		list = append(list, interaction{
			desc:  fmt.Sprintf("a request to create a payment while Alma fails with HTTP %d", se.status),
			given: state(se.given), request: createRequest(false),
			status: se.status, call: initialize, want: se.want,
		})
	}
	return list
}

// validationBody is Alma's 400 validation error on one field; the sub-code
// is exact (it names the row), the rest typed.
func validationBody(field, code string) object {
	return object{
		"error_code": "validation_error",
		"errors": []any{object{
			"field": matchers.Like(field), "error_code": code, "message": matchers.Like("…"),
		}},
	}
}

// initialize is Initialize of session() in the 1-step flow.
func initialize(ctx context.Context, c *connector.Client) connector.Result {
	return c.Initialize(ctx, session(), connector.FlowCapture)
}

// capture is Capture of the whole example payment.
func capture(ctx context.Context, c *connector.Client) connector.Result {
	return c.Capture(ctx, examplePaymentID, 0)
}
