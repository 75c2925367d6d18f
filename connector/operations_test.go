package connector_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alma-sandbox/alma-sandbox/connector"
)

const payID = "payment_11testTESTtest"

// TestOperationRequests checks what each operation sends: method, path,
// query, headers and body.
func TestOperationRequests(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name   string
		call   func(*connector.Client) connector.Result
		method string
		path   string
		query  string
		body   string // JSON, "" for none
	}{
		{"initialize", func(c *connector.Client) connector.Result {
			return c.Initialize(ctx, minimalSession(27092), connector.FlowCapture)
		}, "POST", "/v1/payments", "", ""},
		{"verify", func(c *connector.Client) connector.Result { return c.Verify(ctx, payID, minimalSession(27092)) },
			"GET", "/v1/payments/" + payID, "", ""},
		{"capture whole", func(c *connector.Client) connector.Result { return c.Capture(ctx, payID, 0) },
			"POST", "/v1/payments/" + payID + "/capture", "", `{}`},
		{"capture partial", func(c *connector.Client) connector.Result { return c.Capture(ctx, payID, 1500) },
			"POST", "/v1/payments/" + payID + "/capture", "", `{"amount":1500}`},
		{"cancel", func(c *connector.Client) connector.Result { return c.Cancel(ctx, payID) },
			"PUT", "/v1/payments/" + payID + "/cancel", "", ""},
		{"refund whole", func(c *connector.Client) connector.Result { return c.Refund(ctx, payID, 0, "refund-1") },
			"POST", "/v1/payments/" + payID + "/refund", "", `{"merchant_reference":"refund-1","comment":"refund refund-1"}`},
		{"refund partial", func(c *connector.Client) connector.Result { return c.Refund(ctx, payID, 999, "refund-2") },
			"POST", "/v1/payments/" + payID + "/refund", "", `{"amount":999,"merchant_reference":"refund-2","comment":"refund refund-2"}`},
		{"eligibility", func(c *connector.Client) connector.Result { return c.Eligibility(ctx, 27092) },
			"POST", "/v1/payments/eligibility", "", `{"payment":{"purchase_amount":27092,"installments_count":4}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, st := newStub(t, reply(200, paymentJSON("in_progress", 27092, nil)))
			tt.call(c)
			reqs := st.requests()
			require.Len(t, reqs, 1)
			req := reqs[0]
			assert.Equal(t, tt.method, req.Method)
			assert.Equal(t, tt.path, req.Path)
			assert.Equal(t, tt.query, req.Query)
			assert.Equal(t, "Alma-Auth "+testKey, req.Header.Get("Authorization"))
			assert.Equal(t, "application/json", req.Header.Get("Accept"))
			assert.Equal(t, connector.DefaultUserAgent, req.Header.Get("User-Agent"))
			if tt.body != "" {
				assert.JSONEq(t, tt.body, string(req.Body))
				assert.Equal(t, "application/json", req.Header.Get("Content-Type"))
			}
			if tt.method == "GET" || tt.name == "cancel" {
				assert.Empty(t, req.Body)
			}
		})
	}
}

func TestInitializeWidget(t *testing.T) {
	c, _ := newStub(t, reply(200, paymentJSON("not_started", 27092, nil)))
	r := c.Initialize(context.Background(), minimalSession(27092), connector.FlowPending)
	require.Equal(t, "not_started", r.Status.PSPStatus, describe(r))
	assert.Equal(t, "WAITING", r.Status.State)
	assert.Equal(t, payID, r.PaymentID)
	assert.Equal(t, 200, r.HTTPStatus)
	require.NotNil(t, r.Widget)
	assert.Equal(t, connector.Widget{PaymentID: payID, MerchantID: "merchant_11merchant", AmountInCents: 27092,
		InstallmentsCount: 4, URL: "https://pay.example/11testTESTtest"}, *r.Widget)
}

func TestCreateIsNeverRetried(t *testing.T) {
	for _, h := range []http.HandlerFunc{reply(500, `{}`), reply(503, `{}`), reset, reply(429, `{}`)} {
		c, st := newStub(t, h)
		r := c.Initialize(context.Background(), minimalSession(27092), connector.FlowCapture)
		assert.NotEqual(t, "SUCCESS", r.Status.State, describe(r))
		assert.Len(t, st.requests(), 1, describe(r))
	}
}

func TestVerifyRetries(t *testing.T) {
	ok := reply(200, paymentJSON("in_progress", 27092, nil))
	tests := []struct {
		name     string
		attempts int
		answer   http.HandlerFunc
		want     string
		calls    int
	}{
		{"5xx persists: bounded, stays uncertain", 3, reply(500, `{}`), "VERIFY_PARTNER_ERROR", 3},
		{"timeouts persist", 2, reset, "VERIFY_TIMEOUT", 2},
		{"recovers on the third try", 3, sequence(reply(502, `{}`), reset, ok), "in_progress", 3},
		{"one attempt only", 1, reply(503, `{}`), "VERIFY_PARTNER_ERROR", 1},
		{"4xx is not retried", 3, reply(404, `{"error_code":"not_found"}`), "UNKNOWN_PARTNER_ERROR", 1},
		{"429 is not retried", 3, reply(429, `{}`), "validation_error_too_many_request", 1},
		{"final on the first try", 3, ok, "in_progress", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, st := newStub(t, tt.answer)
			c.VerifyRetry.Attempts = tt.attempts
			r := c.Verify(context.Background(), payID, minimalSession(27092))
			assert.Equal(t, tt.want, r.Status.PSPStatus, describe(r))
			assert.Len(t, st.requests(), tt.calls)
		})
	}
}

func TestVerifyRetryStopsWhenContextEnds(t *testing.T) {
	c, st := newStub(t, reply(500, `{}`))
	c.VerifyRetry = connector.Retry{Attempts: 50, Backoff: 1 << 40}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := c.Verify(ctx, payID, minimalSession(27092))
	assert.True(t, r.Status.Uncertain(), describe(r))
	assert.LessOrEqual(t, len(st.requests()), 1)
}

func TestVerifyAmountMismatchReportsPotentialFraud(t *testing.T) {
	tests := []struct {
		name   string
		report http.HandlerFunc
		reason string
	}{
		{"report accepted", reply(200, `{}`), "potential fraud reported to Alma"},
		{"report failed", reply(500, `{}`), "potential fraud report failed: PARTNER_SERVER_ERROR"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, st := newStub(t, func(w http.ResponseWriter, r *http.Request) {
				if strings.HasSuffix(r.URL.Path, "/potential-fraud") {
					tt.report(w, r)
					return
				}
				reply(200, paymentJSON("in_progress", 1, nil))(w, r)
			})
			r := c.Verify(context.Background(), payID, minimalSession(27092))
			assert.Equal(t, "ERROR", r.Status.PSPStatus, describe(r))
			assert.NotEqual(t, "SUCCESS", r.Status.State)
			require.Len(t, r.Reasons, 2)
			assert.Contains(t, r.Reasons[0], "amount_mismatch: Alma's purchase_amount 1 cents, session amount 27092 cents")
			assert.Contains(t, r.Reasons[1], tt.reason)
			reqs := st.requests()
			require.Len(t, reqs, 2)
			assert.Equal(t, "POST", reqs[1].Method)
			assert.Equal(t, "/v1/payments/"+payID+"/potential-fraud", reqs[1].Path)
			assert.JSONEq(t, `{"reason":"amount_mismatch"}`, string(reqs[1].Body))
		})
	}
}

func TestActionsRefuseBadArgumentsWithoutCalling(t *testing.T) {
	c, st := newStub(t, failIfHit(t))
	ctx := context.Background()
	for _, r := range []connector.Result{
		c.Capture(ctx, "", 0), c.Capture(ctx, payID, -1), c.Cancel(ctx, ""),
		c.Refund(ctx, payID, -5, "r"), c.Verify(ctx, "", minimalSession(27092)),
		c.Verify(ctx, payID, connector.Session{}), c.Reconcile(ctx, connector.Session{}),
	} {
		assert.Equal(t, "SESSION_DATA_NOT_OK", r.Status.PSPStatus, describe(r))
		assert.NotEmpty(t, r.Reasons)
	}
	assert.Empty(t, st.requests())
}

func TestPaymentIDIsEscapedInPaths(t *testing.T) {
	c, st := newStub(t, reply(200, `{}`))
	c.Cancel(context.Background(), "payment_11x/../../v1/me")
	reqs := st.requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, "/v1/payments/payment_11x%2F..%2F..%2Fv1%2Fme/cancel", reqs[0].Raw, "the id stays one path segment")
}

// TestZeroClientUsesDefaults checks a Client built without NewClient: zero
// timeouts, plan, retry and user agent fall back to the defaults.
func TestZeroClientUsesDefaults(t *testing.T) {
	_, st := newStub(t, reply(200, paymentJSON("not_started", 27092, nil)))
	c := &connector.Client{BaseURL: st.srv.URL, APIKey: testKey}
	r := c.Initialize(context.Background(), minimalSession(27092), connector.FlowCapture)
	assert.Equal(t, "not_started", r.Status.PSPStatus, describe(r))
	v := c.Verify(context.Background(), payID, minimalSession(27092))
	assert.Equal(t, "not_started", v.Status.PSPStatus, describe(v))
	reqs := st.requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, connector.DefaultUserAgent, reqs[0].Header.Get("User-Agent"))
	assert.JSONEq(t, "4", string(mustField(t, reqs[0].Body, "payment", "installments_count")))
}

// mustField returns the raw JSON at a path of object keys.
func mustField(t *testing.T, body []byte, keys ...string) json.RawMessage {
	t.Helper()
	raw := json.RawMessage(body)
	for _, k := range keys {
		var m map[string]json.RawMessage
		require.NoError(t, json.Unmarshal(raw, &m))
		raw = m[k]
	}
	return raw
}
