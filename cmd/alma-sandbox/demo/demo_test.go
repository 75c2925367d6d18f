package demo_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alma-sandbox/alma-sandbox/cmd/alma-sandbox/demo"
	"github.com/alma-sandbox/alma-sandbox/connector"
)

// call sends method url with an optional JSON body and returns the status
// and the body.
func call(t *testing.T, method, url, body string) (int, string) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, r)
	require.NoError(t, err)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res.StatusCode, string(b)
}

// created is POST /demo/orders's answer.
type created struct {
	Order  demo.Order        `json:"order"`
	Widget *connector.Widget `json:"widget"`
}

// create places an order through the demo, as the product page does.
func (s shop) create(t *testing.T, body string) created {
	t.Helper()
	status, answer := call(t, "POST", s.demo.URL()+"/demo/orders", body)
	require.Equal(t, http.StatusCreated, status, answer)
	var c created
	require.NoError(t, json.Unmarshal([]byte(answer), &c))
	require.NotNil(t, c.Widget)
	return c
}

// pay acts as the customer through the emulator's admin API.
func (s shop) pay(t *testing.T, paymentID, card string) map[string]any {
	t.Helper()
	body, err := json.Marshal(map[string]any{"action": "pay", "card": map[string]string{"number": card, "expiry": "04/42", "cvc": "424"}})
	require.NoError(t, err)
	res, err := http.Post(s.emulator.URL()+"/__admin/payments/"+paymentID+"/customer", "application/json", bytes.NewReader(body))
	require.NoError(t, err)
	defer res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)
	var answer map[string]any
	require.NoError(t, json.NewDecoder(res.Body).Decode(&answer))
	return answer
}

func TestCheckoutPage(t *testing.T) {
	t.Parallel()
	s := openShop(t)
	status, page := call(t, "GET", s.demo.URL()+"/demo/", "")
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, page, `<script src="`+s.emulator.URL()+`/in-page/alma-in-page.js"></script>`)
	assert.Regexp(t, `amountInCents: +24000 *,`, page)
	assert.Contains(t, page, `id="pay-4x"`)
}

func TestCreateOrder(t *testing.T) {
	t.Parallel()
	s := openShop(t)
	c := s.create(t, `{}`)
	assert.True(t, strings.HasPrefix(c.Widget.PaymentID, "payment_"), c.Widget.PaymentID)
	assert.Equal(t, int64(24000), c.Widget.AmountInCents)
	assert.Equal(t, 4, c.Widget.InstallmentsCount)
	assert.True(t, strings.HasPrefix(c.Order.Reference, "demo-"), c.Order.Reference)
	o := s.order(t, c.Order.Reference)
	assert.Equal(t, c.Widget.PaymentID, o.PaymentID)
	require.NotNil(t, o.Initialize)
	assert.Equal(t, "not_started", o.Initialize.PSPStatus)
	assert.Equal(t, "WAITING", o.Initialize.State)
}

func TestBadRequests(t *testing.T) {
	t.Parallel()
	s := openShop(t)
	tests := []struct {
		name, method, path, body string
		status                   int
	}{
		{"order body not JSON", "POST", "/demo/orders", `{`, 400},
		{"scenario not an id", "POST", "/demo/orders", `{"scenario":"../etc"}`, 400},
		{"scenario id with a colon", "POST", "/demo/orders", `{"scenario":"a:b"}`, 400},
		{"scenario too long", "POST", "/demo/orders", `{"scenario":"` + strings.Repeat("a", 65) + `"}`, 400},
		{"unknown order", "GET", "/demo/orders/nope", "", 404},
		{"cancel an unknown order", "POST", "/demo/orders/nope/cancel", "", 404},
		{"return without an order", "GET", "/demo/return", "", 404},
		{"return for an unknown payment", "GET", "/demo/return?pid=payment_11nope", "", 404},
		{"ipn without signature", "GET", "/demo/ipn?pid=payment_11nope", "", 401},
		{"orders by GET", "GET", "/demo/orders", "", 405},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			status, body := call(t, tt.method, s.demo.URL()+tt.path, tt.body)
			assert.Equal(t, tt.status, status, body)
		})
	}
}

// TestScenarioThroughReference checks that the product page's scenario
// field reaches the emulator (header and order reference): a scenario whose
// create answers an error makes Initialize fail and the page gets no
// widget, with words that follow the State and Alma's own message; an id
// the emulator does not serve is the emulator's 400, never the happy path.
func TestScenarioThroughReference(t *testing.T) {
	t.Parallel()
	s := openShop(t)
	tests := []struct {
		name, scenario string
		status         int
		psp, state     string
		message        string
		http           int
		alma           string
	}{
		{"create refused", "validation_missing_field", http.StatusBadGateway, "validation_error_missing_field", "ERROR",
			"Alma refused the payment.", 400, ""},
		{"create answered 500: uncertain, not refused", "create_server_error", http.StatusBadGateway, "PARTNER_SERVER_ERROR", "UNCERTAIN",
			"Alma did not answer clearly; the payment will be checked again.", 0, ""},
		{"a typo", "state_scored_n0", http.StatusBadGateway, "validation_error_invalid_value", "ERROR",
			"Alma refused the payment.", 400, "unknown scenario"},
		{"id with a hyphen, as the loader allows", "no-such-scenario", http.StatusBadGateway, "validation_error_invalid_value", "ERROR",
			"Alma refused the payment.", 400, "unknown scenario"},
		{"a known scenario", "state_scored_no", http.StatusCreated, "not_started", "WAITING",
			"Waiting for Alma's decision.", 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			status, body := call(t, "POST", s.demo.URL()+"/demo/orders", `{"scenario":"`+tt.scenario+`"}`)
			require.Equal(t, tt.status, status, body)
			var c created
			require.NoError(t, json.Unmarshal([]byte(body), &c))
			assert.True(t, strings.HasPrefix(c.Order.Reference, tt.scenario+":demo-"), c.Order.Reference)
			init := c.Order.Initialize
			require.NotNil(t, init)
			assert.Equal(t, []string{tt.psp, tt.state}, []string{init.PSPStatus, init.State})
			assert.Equal(t, tt.message, init.Message)
			if tt.http != 0 {
				assert.Equal(t, tt.http, init.HTTPStatus)
			}
			assert.Contains(t, init.AlmaMessage, tt.alma)
			if tt.alma != "" {
				assert.Contains(t, init.AlmaMessage, tt.scenario, "the emulator names the id")
			}
			assert.Equal(t, tt.status == http.StatusCreated, c.Widget != nil)
		})
	}
}

// TestScenarioLeavesTheConnectorAlone: the header goes on the one order's
// create only; the next order without a scenario is the happy path.
func TestScenarioLeavesTheConnectorAlone(t *testing.T) {
	t.Parallel()
	s := openShop(t)
	status, body := call(t, "POST", s.demo.URL()+"/demo/orders", `{"scenario":"no_such_scenario"}`)
	require.Equal(t, http.StatusBadGateway, status, body)
	c := s.create(t, `{}`)
	assert.Equal(t, "not_started", c.Order.Initialize.PSPStatus)
}

func TestReturnAndIPN(t *testing.T) {
	t.Parallel()
	s := openShop(t)
	c := s.create(t, `{}`)
	answer := s.pay(t, c.Widget.PaymentID, "4242 4242 4242 4242")
	require.Equal(t, "accepted", answer["outcome"])
	redirect, _ := answer["redirect_url"].(string)
	require.True(t, strings.HasPrefix(redirect, s.demo.URL()+"/demo/return?"), redirect)

	status, page := call(t, "GET", redirect, "")
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, page, `data-psp-status="in_progress">SUCCESS / SUCCEEDED</h2>`)
	o := s.order(t, c.Order.Reference)
	require.NotNil(t, o.Return)
	assert.Equal(t, "in_progress", o.Return.PSPStatus)

	deadline := time.Now().Add(20 * time.Second)
	for o.IPN == nil && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond) // polling for the IPN, not asserting on time
		o = s.order(t, c.Order.Reference)
	}
	require.NotNil(t, o.IPN, "no IPN reached the demo")
	assert.Equal(t, []string{"in_progress", "SUCCESS", "SUCCEEDED"}, []string{o.IPN.PSPStatus, o.IPN.State, o.IPN.Code})
}

func TestCancelAborts(t *testing.T) {
	t.Parallel()
	s := openShop(t)
	c := s.create(t, `{}`)
	answer := s.pay(t, c.Widget.PaymentID, "4000 0000 0000 0002")
	require.Equal(t, "refused", answer["outcome"])
	assert.Equal(t, "card_declined", answer["error_code"])

	status, body := call(t, "POST", s.demo.URL()+"/demo/orders/"+c.Order.Reference+"/cancel", "")
	require.Equal(t, http.StatusOK, status, body)
	var o demo.Order
	require.NoError(t, json.Unmarshal([]byte(body), &o))
	require.NotNil(t, o.Cancel)
	require.NotNil(t, o.Abort)
	assert.Equal(t, "SUCCESS", o.Cancel.PSPStatus)
	assert.Equal(t, []string{"ABORTED", "ERROR", "ABORTED_BY_CUSTOMER"}, []string{o.Abort.PSPStatus, o.Abort.State, o.Abort.Code})
}
