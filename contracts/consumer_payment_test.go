//go:build pact

package contracts

import (
	"context"
	"testing"

	"github.com/pact-foundation/pact-go/v2/consumer"
	"github.com/pact-foundation/pact-go/v2/matchers"
	"github.com/stretchr/testify/assert"

	"github.com/alma-sandbox/alma-sandbox/connector"
)

// interactions is every consumer case: the calls the connector makes on the
// happy paths, then every error shape it classifies.
func interactions() []interaction {
	list := createInteractions()
	list = append(list, getInteractions()...)
	list = append(list, actionInteractions()...)
	list = append(list, dataInteractions()...)
	return append(list, errorInteractions()...)
}

// createInteractions: Initialize for the 1-step flow and for the flows with
// a manual capture (authorize and pending send the same request).
func createInteractions() []interaction {
	return []interaction{
		{
			desc:  "a request to create a payment for the 1-step flow (automatic capture)",
			given: state(stateMerchant), request: createRequest(false),
			status: 200, body: paymentBody("not_started", nil),
			call: func(ctx context.Context, c *connector.Client) connector.Result {
				return c.Initialize(ctx, session(), connector.FlowCapture)
			},
			want: "not_started",
		},
		{
			desc:  "a request to create a payment with a manual capture (2- and 3-step flows)",
			given: state(stateMerchant), request: createRequest(true),
			status: 200, body: paymentBody("not_started", nil),
			call: func(ctx context.Context, c *connector.Client) connector.Result {
				return c.Initialize(ctx, session(), connector.FlowAuthorize)
			},
			want: "not_started",
		},
	}
}

// getInteractions: Verify in each state of a payment.
func getInteractions() []interaction {
	var list []interaction
	for _, st := range []struct{ state, given string }{
		{"not_started", stateNotStarted},
		{"scored_yes", stateScoredYes},
		{"scored_maybe", stateScoredMaybe},
		{"scored_no", stateScoredNo},
		{"in_progress", stateInProgress},
		{"paid", statePaid},
	} {
		list = append(list, interaction{
			desc:  "a request to get a payment in state " + st.state,
			given: state(st.given), request: getPayment(paymentPath("")),
			status: 200, body: paymentBody(st.state, nil),
			call: verify, want: st.state,
		})
	}
	for _, ab := range []struct{ how, given string }{
		{"cancelled", stateCancelled},
		{"that expired", stateExpired},
	} {
		list = append(list, interaction{
			desc:  "a request to get a payment " + ab.how + " before any installment was paid",
			given: state(ab.given), request: getPayment(paymentPath("")),
			status: 200, body: paymentBody("not_started", object{"expired_at": matchers.Integer(1764000600)}),
			call: verify, want: "ABORTED",
		})
	}
	return append(list, amountMismatch())
}

// actionInteractions: Capture, Cancel and Refund accepted.
func actionInteractions() []interaction {
	return []interaction{
		{
			desc:  "a request to capture a payment accepted with a manual capture",
			given: state(stateScoredYes), request: postPayment("/capture", map[string]any{}),
			status: 200, body: paymentBody("in_progress", nil),
			call: func(ctx context.Context, c *connector.Client) connector.Result {
				return c.Capture(ctx, examplePaymentID, 0)
			},
			want: "SUCCESS",
		},
		{
			desc:  "a request to capture part of a payment accepted with a manual capture",
			given: state(stateScoredYes), request: postPayment("/capture", object{"amount": matchers.Integer(20000)}),
			status: 200, body: paymentBody("in_progress", nil),
			call: func(ctx context.Context, c *connector.Client) connector.Result {
				return c.Capture(ctx, examplePaymentID, 20000)
			},
			want: "SUCCESS",
		},
		{
			desc:  "a request to cancel a payment the customer abandoned",
			given: state(stateNotStarted), request: cancelPayment(),
			status: 200,
			call: func(ctx context.Context, c *connector.Client) connector.Result {
				return c.Cancel(ctx, examplePaymentID)
			},
			want: "SUCCESS",
		},
		{
			desc:  "a request to refund part of a payment",
			given: state(stateInProgress),
			request: postPayment("/refund", map[string]any{
				"amount": matchers.Integer(10000), "merchant_reference": matchers.Like("refund-1"),
				"comment": matchers.Like("refund refund-1"),
			}),
			status: 200, body: refundedBody(10000),
			call: func(ctx context.Context, c *connector.Client) connector.Result {
				return c.Refund(ctx, examplePaymentID, 10000, "refund-1")
			},
			want: "SUCCESS",
		},
		{
			desc:  "a request to refund a whole payment",
			given: state(stateInProgress),
			request: postPayment("/refund", map[string]any{
				"merchant_reference": matchers.Like("refund-2"), "comment": matchers.Like("refund refund-2"),
			}),
			status: 200, body: wholeRefundBody(27092),
			call: func(ctx context.Context, c *connector.Client) connector.Result {
				return c.Refund(ctx, examplePaymentID, 0, "refund-2")
			},
			want: "SUCCESS",
		},
	}
}

// amountMismatch: Verify of a session whose amount is not the payment's
// reports the payment to Alma as potential fraud, and is ERROR.
func amountMismatch() interaction {
	return interaction{
		desc:  "a request to get a payment whose purchase_amount differs from the order's amount",
		given: state(stateInProgress), request: getPayment(paymentPath("")),
		status: 200, body: paymentBody("in_progress", nil),
		also: []interaction{{
			desc:  "a request to report a payment as potential fraud (amount mismatch)",
			given: state(stateInProgress), request: postPayment("/potential-fraud", object{"reason": "amount_mismatch"}),
			status: 200,
		}},
		call: func(ctx context.Context, c *connector.Client) connector.Result {
			s := session()
			s.Amount = connector.Amount(30000)
			return c.Verify(ctx, examplePaymentID, s)
		},
		want: "ERROR",
		check: func(t *testing.T, r connector.Result) {
			assert.Contains(t, r.Reasons, "potential fraud reported to Alma")
		},
	}
}

// verify is Verify of the example payment against the session.
func verify(ctx context.Context, c *connector.Client) connector.Result {
	return c.Verify(ctx, examplePaymentID, session())
}

// createRequest is POST /v1/payments as the connector sends it for session():
// every field, the flow's capture method exact, values typed.
func createRequest(manual bool) func(*consumer.V3UnconfiguredInteraction) *consumer.V3InteractionWithRequest {
	return func(i *consumer.V3UnconfiguredInteraction) *consumer.V3InteractionWithRequest {
		return i.WithRequest("POST", "/v1/payments", withJSON(createBody(manual)))
	}
}

// createBody is the create request's body for session().
func createBody(manual bool) object {
	addr := object{
		"first_name": matchers.Like("Camille"), "last_name": matchers.Like("Martin"),
		"line1": matchers.Like("3 rue de la Paix"), "postal_code": matchers.Like("75002"),
		"city": matchers.Like("Paris"), "country": matchers.Regex("FR", `^[A-Z]{2}$`),
	}
	billing := object{"email": matchers.Like("camille.martin@example.com"), "phone": matchers.Like("+33612345678")}
	for k, v := range addr {
		billing[k] = v
	}
	payment := object{
		"purchase_amount":     matchers.Integer(27092),
		"installments_count":  matchers.Integer(4),
		"origin":              "online_in_page",
		"return_url":          matchers.Like(returnURL),
		"failure_return_url":  matchers.Like(returnURL),
		"customer_cancel_url": matchers.Like(returnURL),
		"ipn_callback_url":    matchers.Like(ipnURL),
		"custom_data": object{
			"order_reference": matchers.Like(orderReference),
			"shipments": matchers.EachLike(object{
				"delivery_type_code": matchers.Like("standard"), "amount_cents": matchers.Integer(0),
			}, 1),
		},
		"billing_address":  billing,
		"shipping_address": addr,
		"cart": object{"items": matchers.EachLike(object{
			"title": matchers.Like("Desk lamp"), "quantity": matchers.Integer(1),
			"line_price": matchers.Integer(27092), "unit_price": matchers.Integer(27092),
			"sku": matchers.Like("LAMP-1"), "requires_shipping": matchers.Like(true),
		}, 1)},
	}
	if manual {
		payment["capture_method"] = "manual"
	}
	return object{
		"payment": payment,
		"customer": object{
			"first_name": matchers.Like("Camille"), "last_name": matchers.Like("Martin"),
			"email": matchers.Like("camille.martin@example.com"), "phone": matchers.Like("+33612345678"),
		},
		"order": object{"merchant_reference": matchers.Like(orderReference)},
	}
}

// getPayment is GET on path.
func getPayment(path matchers.Matcher) func(*consumer.V3UnconfiguredInteraction) *consumer.V3InteractionWithRequest {
	return func(i *consumer.V3UnconfiguredInteraction) *consumer.V3InteractionWithRequest {
		return i.WithRequestPathMatcher("GET", path, withAuth)
	}
}

// postPayment is POST /v1/payments/{id}<suffix> with a JSON body.
func postPayment(suffix string, body any) func(*consumer.V3UnconfiguredInteraction) *consumer.V3InteractionWithRequest {
	return func(i *consumer.V3UnconfiguredInteraction) *consumer.V3InteractionWithRequest {
		return i.WithRequestPathMatcher("POST", paymentPath(suffix), withJSON(body))
	}
}

// cancelPayment is PUT /v1/payments/{id}/cancel, without a body.
func cancelPayment() func(*consumer.V3UnconfiguredInteraction) *consumer.V3InteractionWithRequest {
	return func(i *consumer.V3UnconfiguredInteraction) *consumer.V3InteractionWithRequest {
		return i.WithRequestPathMatcher("PUT", paymentPath("/cancel"), withAuth)
	}
}

// paymentBody is Alma's payment object as the connector reads it, in state
// st: the fields the connector uses, ids by regex, amounts as integer cents,
// the state exact, expired_at null unless extra says otherwise.
func paymentBody(st string, extra object) object {
	m := object{
		"id":                      matchers.Regex(examplePaymentID, paymentIDRe),
		"state":                   matchers.Equality(st), // exact, also inside a list's EachLike
		"purchase_amount":         matchers.Integer(27092),
		"installments_count":      matchers.Integer(4),
		"merchant_id":             matchers.Regex("merchant_11xQ2Ygc5tJNnv7Tr1B1rwNj6BuZDcQ6Dx", merchantIDRe),
		"url":                     matchers.Like("https://pay.sandbox.getalma.eu/11jiyZd3Er547365omsqcwM6KsaMQ3fN2E"),
		"created":                 matchers.Integer(1764000000),
		"expired_at":              nil,
		"custom_data":             object{"order_reference": matchers.Like(orderReference)},
		"amount_already_refunded": matchers.Integer(0),
		"payment_plan":            paymentPlan(st),
	}
	for k, v := range extra {
		m[k] = v
	}
	return m
}

// paidInstallments is how many of the four installments a payment in each
// state has paid.
var paidInstallments = map[string]int{"in_progress": 1, "paid": 4}

// paymentPlan is the four installments of a payment in state st, each with
// its state matched exactly and its date_paid (null until paid): the
// connector reads both to tell a paid payment from an abandoned one.
func paymentPlan(st string) []any {
	plan := make([]any, 4)
	for n := range plan {
		state, datePaid := "pending", any(nil)
		if n < paidInstallments[st] {
			state, datePaid = "paid", matchers.Integer(1764000000)
		}
		plan[n] = object{
			"id":              matchers.Regex("installment_11Fd2VqS8m5KpL0aBcDeFgHiJkLmNoPqRs", installmentIDRe),
			"state":           matchers.Equality(state),
			"date_paid":       datePaid,
			"purchase_amount": matchers.Integer(6773),
			"due_date":        matchers.Integer(1764000000),
		}
	}
	return plan
}

// wholeRefundBody is a payment refunded whole, as Alma answers it: paid, its
// installments still pending zeroed (nothing more is collected).
func wholeRefundBody(cents int) object {
	body := refundedBody(cents)
	body["state"] = matchers.Equality("paid")
	plan := paymentPlan("in_progress")
	for n := 1; n < len(plan); n++ {
		plan[n].(object)["purchase_amount"] = matchers.Integer(0)
	}
	body["payment_plan"] = plan
	return body
}

// refundedBody is an in_progress payment after a refund of cents.
func refundedBody(cents int) object {
	return paymentBody("in_progress", object{
		"amount_already_refunded": matchers.Integer(cents),
		"refunds": matchers.EachLike(object{
			"id":                 matchers.Regex("refund_11Rf2VqS8m5KpL0aBcDeFgHiJkLmNoPqRs", refundIDRe),
			"amount":             matchers.Integer(cents),
			"merchant_reference": matchers.Like("refund-1"),
		}, 1),
	})
}
