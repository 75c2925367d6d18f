package emulator_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/alma-sandbox/alma-sandbox/emulator"
	"github.com/alma-sandbox/alma-sandbox/scenarios"
)

// fuzzHandler is an emulator without scenarios (transport faults need a
// real connection), served in-process for speed.
func fuzzHandler(t testing.TB) (*emulator.Server, http.Handler) {
	cat, err := scenarios.NewCatalog(nil)
	require.NoError(t, err)
	s := emulator.NewServer()
	s.Seed, s.Scenarios, s.MaxPayments, s.MaxJournal = 1, cat, 1000, 100
	t.Cleanup(func() { _ = s.Close() })
	return s, s.Handler()
}

// serve runs one request in-process.
func serve(h http.Handler, method, path string, body []byte) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	req.Header.Set("Authorization", "Alma-Auth "+testKey)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// checkAnswer fails on a 5xx, a panic caught by the server, a
// Content-Type other than Alma's, or a body that is not JSON.
func checkAnswer(t *testing.T, s *emulator.Server, rec *httptest.ResponseRecorder, input []byte) {
	t.Helper()
	if rec.Code >= 500 {
		t.Fatalf("status %d for %q: %s", rec.Code, input, rec.Body)
	}
	if s.Panics() != 0 {
		t.Fatalf("handler panicked for %q", input)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Fatalf("Content-Type %q for %q", ct, input)
	}
	if !json.Valid(rec.Body.Bytes()) {
		t.Fatalf("invalid JSON answer for %q: %s", input, rec.Body)
	}
	if rec.Code >= 400 && !bytes.Contains(rec.Body.Bytes(), []byte(`"message"`)) && !bytes.Contains(rec.Body.Bytes(), []byte(`"errors"`)) {
		t.Fatalf("error without Alma's shape for %q: %s", input, rec.Body)
	}
}

// seedRequests adds the golden requests and a few broken bodies.
func seedRequests(f *testing.F, prefix string) {
	paths, err := filepath.Glob(filepath.Join("testdata", "requests", prefix+"*.json"))
	require.NoError(f, err)
	for _, p := range paths {
		b, err := os.ReadFile(p)
		require.NoError(f, err)
		f.Add(b)
	}
	for _, s := range []string{"", "{", "null", "[]", `"x"`, "0", `{"payment":null}`, `{"payment":{"purchase_amount":1e400}}`,
		`{"payment":{"purchase_amount":-9223372036854775808,"installments_count":-1}}`, strings.Repeat("[", 10000)} {
		f.Add([]byte(s))
	}
}

func FuzzCreatePayment(f *testing.F) {
	seedRequests(f, "create")
	s, h := fuzzHandler(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		rec := serve(h, http.MethodPost, "/v1/payments", body)
		checkAnswer(t, s, rec, body)
		if rec.Code == http.StatusOK {
			var p struct{ ID, State string }
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &p))
			require.NotEmpty(t, p.ID)
			require.Equal(t, "not_started", p.State)
		}
	})
}

func FuzzEligibility(f *testing.F) {
	seedRequests(f, "eligibility")
	s, h := fuzzHandler(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		checkAnswer(t, s, serve(h, http.MethodPost, "/v1/payments/eligibility", body), body)
		checkAnswer(t, s, serve(h, http.MethodPost, "/v2/payments/eligibility", body), body)
	})
}

// payable creates a payment in-process and returns its id.
func payable(t testing.TB, h http.Handler, extra string) string {
	rec := serve(h, http.MethodPost, "/v1/payments", []byte(`{"payment":{"purchase_amount":30000`+extra+`}}`))
	require.Equal(t, http.StatusOK, rec.Code, "%s", rec.Body)
	var p struct{ ID string }
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &p))
	return p.ID
}

func FuzzPaymentOperations(f *testing.F) {
	seedRequests(f, "refund")
	seedRequests(f, "capture")
	f.Add([]byte(`{"action":"pay","card":{"number":"4242 4242 4242 4242","expiry":"04/42","cvc":"424"}}`))
	f.Add([]byte(`{"action":"close"}`))
	f.Add([]byte(`{"payment":{"custom_data":{"a":[1,2]},"return_url":"https://x.example/r"}}`))
	f.Add([]byte(`{"order":{"merchant_reference":"o"}}`))
	f.Add([]byte(`{"state":"paid"}`))
	f.Add([]byte(`{"by":"720h"}`))
	s, h := fuzzHandler(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		auto, manual := payable(t, h, ""), payable(t, h, `,"capture_method":"manual"`)
		for _, id := range []string{auto, manual} {
			for _, call := range []struct{ method, path string }{
				{http.MethodPost, "/__admin/payments/" + id + "/customer"},
				{http.MethodPost, "/v1/payments/" + id + "/capture"},
				{http.MethodPost, "/v1/payments/" + id + "/refund"},
				{http.MethodPost, "/v1/payments/" + id},
				{http.MethodPut, "/v1/payments/" + id + "/orders"},
				{http.MethodPost, "/v1/payments/" + id + "/potential-fraud"},
				{http.MethodPost, "/__admin/payments/" + id + "/state"},
				{http.MethodPost, "/__admin/payments/" + id + "/advance"},
				{http.MethodPut, "/v1/payments/" + id + "/cancel"},
				{http.MethodGet, "/v1/payments/" + id},
			} {
				checkAnswer(t, s, serve(h, call.method, call.path, body), body)
			}
		}
	})
}

func FuzzQuery(f *testing.F) {
	for _, q := range []string{"limit=2", "state=paid,in_progress", "starting_after=payment_11x", "limit=-1", "limit=99999999999999999999", "%zz",
		"kind=general&only=all&deferred=true", "kind=pos&only=3,4&deferred=false", "kind=all&only=1,,12", "only=99999999999999999999", "deferred=maybe&kind=shop"} {
		f.Add(q)
	}
	s, h := fuzzHandler(f)
	payable(f, h, "")
	f.Fuzz(func(t *testing.T, q string) {
		req := httptest.NewRequest(http.MethodGet, "/v1/payments", nil)
		req.URL.RawQuery = q
		req.Header.Set("Authorization", "Alma-Auth "+testKey)
		for _, path := range []string{"/v1/payments", "/__admin/payments", "/__admin/journal", "/v1/me/fee-plans", "/__admin/ipn", "/v1/orders", "/v1/webhooks"} {
			req.URL.Path = path
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			checkAnswer(t, s, rec, []byte(q))
		}
	})
}

// orderedPayable creates a payment with one order in-process and returns
// the payment's and the order's ids.
func orderedPayable(t testing.TB, h http.Handler) (string, string) {
	rec := serve(h, http.MethodPost, "/v1/payments", []byte(`{"payment":{"purchase_amount":30000},"order":{"merchant_reference":"o"}}`))
	require.Equal(t, http.StatusOK, rec.Code, "%s", rec.Body)
	var p struct {
		ID     string
		Orders []struct{ ID string }
	}
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &p))
	require.Len(t, p.Orders, 1)
	return p.ID, p.Orders[0].ID
}

// FuzzClientCalls sends one body to every call of Alma's clients beyond
// payments: each answers Alma's JSON, or 204 with no body.
func FuzzClientCalls(f *testing.F) {
	for _, prefix := range []string{"webhook", "business_event", "integration", "order"} {
		seedRequests(f, prefix)
	}
	f.Add([]byte(`{"event_type":"order_confirmed","cart_id":"7","order_id":"4","is_alma_p1x":false,"is_alma_bnpl":false,"was_bnpl_eligible":false}`))
	f.Add([]byte(`{"status":"x","is_shipped":null}`))
	s, h := fuzzHandler(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		id, order := orderedPayable(t, h)
		for _, call := range []struct{ method, path string }{
			{http.MethodPost, "/v1/webhooks"},
			{http.MethodPost, "/v1/me/business-events"},
			{http.MethodPut, "/v1/integration-configuration/api"},
			{http.MethodPost, "/v1/orders/" + order},
			{http.MethodPut, "/v1/orders/" + order},
			{http.MethodPost, "/v2/orders/" + order + "/shipment"},
			{http.MethodPost, "/v2/orders/" + order + "/status"},
			{http.MethodPost, "/v1/payments/" + id + "/orders/o/status"},
			{http.MethodPost, "/v1/payments/" + id + "/send-sms"},
			{http.MethodPost, "/v1/payments/" + id + "/ask-acceptance"},
			{http.MethodPost, "/v1/payments/" + id + "/charge-first-installment"},
			{http.MethodGet, "/v1/orders/" + order},
			{http.MethodGet, "/v1/me/extended-data"},
			{http.MethodGet, "/v1/checkout/payments/" + id + "/return-urls"},
			{http.MethodGet, "/pay/" + strings.TrimPrefix(id, "payment_") + "/payment"},
		} {
			rec := serve(h, call.method, call.path, body)
			if rec.Code == http.StatusNoContent {
				require.Empty(t, rec.Body.Bytes(), "%s %s", call.method, call.path)
				continue
			}
			checkAnswer(t, s, rec, body)
		}
	})
}
