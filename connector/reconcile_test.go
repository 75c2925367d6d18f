package connector_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// listed is a payment of a list page, for order ref.
func listed(n int, ref, state string) json.RawMessage {
	return json.RawMessage(paymentJSON(state, 27092, map[string]any{
		"id": fmt.Sprintf("payment_11p%03d", n), "custom_data": map[string]any{"order_reference": ref}}))
}

// pagedList serves total payments newest first (payment n has order
// "order-n", except those in refs), honouring limit and starting_after.
func pagedList(total int, refs map[int]string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
		start := 0
		if after := r.URL.Query().Get("starting_after"); after != "" {
			fmt.Sscanf(after, "payment_11p%03d", &start)
			start++
		}
		var data []json.RawMessage
		for n := start; n < total && len(data) < limit; n++ {
			ref, ok := refs[n]
			if !ok {
				ref = fmt.Sprintf("order-%d", n)
			}
			data = append(data, listed(n, ref, "not_started"))
		}
		b, _ := json.Marshal(map[string]any{"data": data, "has_more": start+len(data) < total})
		reply(200, string(b))(w, r)
	}
}

func TestReconcile(t *testing.T) {
	tests := []struct {
		name     string
		answer   http.HandlerFunc
		pages    int
		want     string
		payment  string
		calls    int
		reasonIn string
	}{
		{"found on the first page", pagedList(25, map[int]string{3: "order-42"}), 5, "not_started", "payment_11p003", 1, "found payment"},
		{"found on the third page", pagedList(25, map[int]string{22: "order-42"}), 5, "not_started", "payment_11p022", 3, "found payment"},
		// Not found is not final: the timed-out create may still commit.
		{"none: every page read", pagedList(25, nil), 5, "TIMEOUT", "", 3, "no payment found yet for order"},
		{"none within the bounded pages", pagedList(500, nil), 2, "TIMEOUT", "", 2, "the newest pages"},
		{"empty list", reply(200, `{"data":[],"has_more":false}`), 5, "TIMEOUT", "", 1, "no payment found yet for order"},
		{"list fails: uncertain", reply(503, `{}`), 5, "PARTNER_UNAVAILABLE", "", 1, ""},
		// An unreadable page proves nothing: the payment may be on it.
		{"list not JSON", reply(200, `{"data":[`), 5, "TIMEOUT", "", 1, "could not be read"},
		{"list without data", reply(200, `{"items":[]}`), 5, "TIMEOUT", "", 1, "could not be read"},
		{"list HTML", replyAs(200, "text/html", "<html>"), 5, "TIMEOUT", "", 1, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, st := newStub(t, tt.answer)
			c.ReconcilePages, c.ReconcilePageSize = tt.pages, 10
			r := c.Reconcile(context.Background(), minimalSession(27092))
			assert.Equal(t, tt.want, r.Status.PSPStatus, describe(r))
			assert.Equal(t, tt.payment, r.PaymentID)
			reqs := st.requests()
			assert.Len(t, reqs, tt.calls)
			if tt.reasonIn != "" {
				require.NotEmpty(t, r.Reasons)
				assert.Contains(t, r.Reasons[0], tt.reasonIn)
			}
			if tt.payment == "" && tt.reasonIn != "" {
				assert.Equal(t, "UNCERTAIN", r.Status.State, "not found yet is never final")
				assert.Contains(t, r.Reasons[0], "check again before creating another")
			}
			for i, req := range reqs {
				assert.Equal(t, "GET", req.Method)
				assert.Equal(t, "/v1/payments", req.Path)
				if i > 0 {
					assert.Contains(t, req.Query, "starting_after=payment_11p")
				}
			}
		})
	}
}

func TestReconcileFoundExpiredIsAborted(t *testing.T) {
	p := paymentJSON("not_started", 27092, map[string]any{"expired_at": 1700000000})
	c, _ := newStub(t, reply(200, `{"data":[`+p+`],"has_more":false}`))
	r := c.Reconcile(context.Background(), minimalSession(27092))
	assert.Equal(t, "ABORTED", r.Status.PSPStatus, describe(r))
	assert.Equal(t, payID, r.PaymentID)
}

func TestEligibility(t *testing.T) {
	tests := []struct {
		name     string
		answer   http.HandlerFunc
		want     string
		eligible bool
		reasons  []string
	}{
		{"eligible", reply(200, `{"eligible":true,"installments_count":4,"purchase_amount":27092,"payment_plan":[{"due_date":1,"total_amount":6773}]}`), "SUCCESS", true, nil},
		{"not eligible", reply(200, `{"eligible":false,"installments_count":4,"reasons":{"purchase_amount":"invalid_value"}}`), "SUCCESS", false, []string{"purchase_amount: invalid_value"}},
		{"array answer", reply(200, `[{"eligible":false,"installments_count":3},{"eligible":true,"installments_count":4}]`), "SUCCESS", true, nil},
		{"array without the plan", reply(200, `[{"eligible":true,"installments_count":3}]`), "PARTNER_RESPONSE_VALIDATION_FAILED", false, nil},
		{"not JSON", reply(200, `nope`), "PARTNER_RESPONSE_VALIDATION_FAILED", false, nil},
		{"401", reply(401, `{"message":"Credentials invalid or not supplied"}`), "validation_error_unauthorized", false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := newStub(t, tt.answer)
			r := c.Eligibility(context.Background(), 27092)
			assert.Equal(t, tt.want, r.Status.PSPStatus, describe(r))
			if tt.want == "SUCCESS" {
				require.NotNil(t, r.Eligibility)
				assert.Equal(t, tt.eligible, r.Eligibility.Eligible)
				assert.Equal(t, tt.reasons, r.Reasons)
			}
		})
	}
}
