//go:build pact

package contracts

import (
	"context"

	"github.com/pact-foundation/pact-go/v2/consumer"
	"github.com/pact-foundation/pact-go/v2/matchers"

	"github.com/alma-sandbox/alma-sandbox/connector"
)

// dataInteractions: Eligibility (eligible or not) and Reconcile.
func dataInteractions() []interaction {
	return []interaction{
		{
			desc:  "a request for the eligibility of an amount within the plan's limits",
			given: state(stateMerchant), request: eligibilityRequest(27092),
			status: 200, body: object{
				"eligible":                   true,
				"installments_count":         matchers.Integer(4),
				"purchase_amount":            matchers.Integer(27092),
				"customer_total_cost_amount": matchers.Integer(0),
				"payment_plan": matchers.EachLike(object{
					"due_date": matchers.Integer(1764000000), "total_amount": matchers.Integer(6773),
				}, 1),
			},
			call: func(ctx context.Context, c *connector.Client) connector.Result {
				return c.Eligibility(ctx, 27092)
			},
			want: "SUCCESS",
		},
		{
			desc:  "a request for the eligibility of an amount below the plan's minimum",
			given: state(stateMerchant), request: eligibilityRequest(1000),
			status: 200, body: object{
				"eligible":           false,
				"installments_count": matchers.Integer(4),
				"reasons":            object{"purchase_amount": matchers.Like("invalid_value")},
			},
			call: func(ctx context.Context, c *connector.Client) connector.Result {
				return c.Eligibility(ctx, 1000)
			},
			want: "SUCCESS",
		},
		{
			desc:  "a request to list the newest payments, to find the one created for an order",
			given: state(stateOrderPayment),
			request: func(i *consumer.V3UnconfiguredInteraction) *consumer.V3InteractionWithRequest {
				return i.WithRequest("GET", "/v1/payments", func(b *consumer.V3RequestBuilder) {
					withAuth(b)
					b.Query("limit", matchers.Regex("100", `^[1-9][0-9]*$`))
				})
			},
			status: 200, body: object{
				"data": matchers.EachLike(paymentBody("not_started", object{
					"custom_data": object{"order_reference": matchers.Regex(orderReference, "^"+orderReference+"$")},
				}), 1),
				"has_more": matchers.Like(false),
			},
			call: func(ctx context.Context, c *connector.Client) connector.Result {
				return c.Reconcile(ctx, session())
			},
			want: "not_started",
		},
	}
}

// eligibilityRequest is POST /v1/payments/eligibility for cents in the plan's
// installments.
func eligibilityRequest(cents int) func(*consumer.V3UnconfiguredInteraction) *consumer.V3InteractionWithRequest {
	return func(i *consumer.V3UnconfiguredInteraction) *consumer.V3InteractionWithRequest {
		return i.WithRequest("POST", "/v1/payments/eligibility", withJSON(object{
			"payment": object{
				"purchase_amount": matchers.Integer(cents), "installments_count": matchers.Integer(4),
			},
		}))
	}
}
