package emulator_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alma-sandbox/alma-sandbox/emulator"
	"github.com/alma-sandbox/alma-sandbox/emulator/emulatortest"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// testKey is a sandbox key.
const testKey = "sk_test_0123456789abcdef"

// fixedNow is the clock of golden tests.
var fixedNow = time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC)

// fixed makes an emulator reproducible: fixed clock and public URL.
func fixed(s *emulator.Server) {
	s.Now = func() time.Time { return fixedNow }
	s.PublicURL = "http://sandbox.test"
}

// client talks to one emulator.
type client struct {
	t    testing.TB
	base string
	http *http.Client
	key  string // the key it sends; testKey when empty
}

// as is a client of the same emulator sending key (another tenant).
func (c *client) as(key string) *client {
	cc := *c
	cc.key = key
	return &cc
}

func newClient(t testing.TB, s *emulator.Server) *client {
	return &client{t: t, base: s.URL(), http: &http.Client{Timeout: 10 * time.Second}}
}

// response is a read answer.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into a generic value.
func (r response) JSON(t testing.TB) map[string]any {
	t.Helper()
	var v map[string]any
	require.NoError(t, json.Unmarshal(r.Body, &v), "body: %s", r.Body)
	return v
}

// do sends a request with the test key (unless headers set Authorization).
func (c *client) do(method, path string, body any, headers ...string) response {
	c.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		data, err := json.Marshal(b)
		require.NoError(c.t, err)
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	require.NoError(c.t, err)
	req.Header.Set("Authorization", "Alma-Auth "+orDefault(c.key, testKey))
	if rd != nil || method != http.MethodGet {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		switch {
		case headers[i] == "Host":
			req.Host = headers[i+1]
		case headers[i+1] == "":
			req.Header.Del(headers[i])
		default:
			req.Header.Set(headers[i], headers[i+1])
		}
	}
	res, err := c.http.Do(req)
	require.NoError(c.t, err)
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	require.NoError(c.t, err)
	return response{Status: res.StatusCode, Header: res.Header, Body: data}
}

// createBody is a full create request, as a connector sends it.
func createBody(amount int64, extra ...func(map[string]any)) map[string]any {
	body := map[string]any{
		"payment": map[string]any{
			"purchase_amount":    amount,
			"installments_count": 3,
			"return_url":         "https://shop.example.com/return",
			"origin":             "online_in_page",
			"locale":             "fr",
			"custom_data":        map[string]any{"order_reference": "order-42"},
			"billing_address": map[string]any{
				"first_name": "Jeanne", "last_name": "Martin", "line1": "1 rue de la Paix",
				"postal_code": "75002", "city": "Paris", "country": "FR", "email": "jeanne@example.com",
			},
		},
		"customer": map[string]any{"first_name": "Jeanne", "last_name": "Martin", "email": "jeanne@example.com", "phone": "+33612345678"},
		"order":    map[string]any{"merchant_reference": "order-42"},
	}
	for _, f := range extra {
		f(body)
	}
	return body
}

// paymentField sets one field of the request's payment object.
func paymentField(k string, v any) func(map[string]any) {
	return func(b map[string]any) { b["payment"].(map[string]any)[k] = v }
}

// create makes a payment and returns its JSON.
func (c *client) create(amount int64, extra ...func(map[string]any)) map[string]any {
	c.t.Helper()
	res := c.do(http.MethodPost, "/v1/payments", createBody(amount, extra...))
	require.Equal(c.t, http.StatusOK, res.Status, "create: %s", res.Body)
	return res.JSON(c.t)
}

// pay runs the customer step with the yes card.
func (c *client) pay(id string) map[string]any {
	c.t.Helper()
	res := c.do(http.MethodPost, "/__admin/payments/"+id+"/customer", map[string]any{
		"action": "pay", "card": map[string]any{"number": "4242 4242 4242 4242", "expiry": "04/42", "cvc": "424"},
	})
	require.Equal(c.t, http.StatusOK, res.Status, "customer: %s", res.Body)
	return res.JSON(c.t)
}

// golden compares body (indented) with testdata/name, rewriting it with -update.
func golden(t testing.TB, name string, body []byte) {
	t.Helper()
	emulatortest.Golden(t, filepath.Join("testdata", name), body, *update)
}

// open starts an emulator for one test, with options.
func open(t testing.TB, opts ...func(*emulator.Server)) (*emulator.Server, *client) {
	s := emulatortest.MustOpen(t, opts...)
	t.Cleanup(func() { assert.Zero(t, s.Panics(), "a handler panicked") })
	return s, newClient(t, s)
}

// mustJSON encodes v as a request body.
func mustJSON(t testing.TB, v any) io.Reader {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return bytes.NewReader(b)
}

// checkAlmaError checks an error answer in Alma's shape: a validation error
// on field with code, or (field "") a top-level error code with a message.
func checkAlmaError(t *testing.T, body map[string]any, field, code string) {
	t.Helper()
	if field != "" {
		assert.Equal(t, validationErr(field, code), firstError(body))
		return
	}
	assert.Equal(t, code, body["error_code"])
	assert.NotEmpty(t, body["message"])
}

// orDefault is s, or def when s is empty.
func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
