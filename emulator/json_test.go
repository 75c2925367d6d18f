package emulator

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// jsonCases are create bodies whose rendering could part two JSON
// libraries' ways: HTML and line-separator escapes, bad UTF-8, nested raw
// JSON, nulls.
var jsonCases = []string{
	`{}`, `null`, `{"payment":null}`,
	`{"payment":{"purchase_amount":20000,"custom_data":{"a":"<b>&amp;</b>","u":"\u2028\u2029é😀"}}}`,
	`{"PAYMENT":{"Purchase_Amount":20000}}`,
	`{"payment":{"purchase_amount":1,"purchase_amount":2}}`,
	`{"payment":{"purchase_amount":1e3}}`, `{"payment":{"purchase_amount":99999999999999999999}}`,
	`{"payment":{"purchase_amount":"20000"}}`, `{"payment":{"installments_count":3.5}}`,
	"{\"payment\":{\"locale\":\"\xff\xfe\"}}", `{"payment":{"locale":"\ud800"}}`,
	`{"payment":{"cart":{"items":[{"title":"a","quantity":1,"line_price":100,"categories":["x"]}]}}}`,
	`{"payment":{"billing_address":{"first_name":"A"}},"customer":{"addresses":[{"city":"P"}]}}`,
	`{"order":{"merchant_reference":"r","data":{"k":[1,2,{"z":null}]}}}`,
	`{"payment":{"custom_data":{ "spaced" : [ 1 , 2 ] }}}`, `{"payment":{"custom_data":[]}}`,
	`[]`, `"x"`, `{"payment":{}} trailing`, `{"payment":{"purchase_amount":}}`,
	`{"PAYMENT":{"Purchase_Amount":20000}}`, `{"payment":{"purchase_amount":1,"purchase_amount":2}}`,
	`{"payment":{"purchase_\u0061mount":5}}`, `{"payment":{"locale":"FR","return_url":"https://A.example/X"}}`,
	`{"payment":{"purchase_amount":99999999999999999999}}`, `{"payment":{"installments_count":3.5}}`,
	`{"payment":{"purchase_amount":"20000"}}`, `{"payment":{"deferred_days":null}}`, `{"payment":[]}`,
	`{"payment":{"custom_data":"\"}}`, `{"payment":{"purchase_amount":-0}}`, `{"payment":{"purchase_amount":1.0}}`,
}

// sameDecode checks that decodeJSON (fast path or not) reads data as
// encoding/json does: both accept it or both refuse it, and decode it alike.
func sameDecode(t *testing.T, data []byte) {
	t.Helper()
	var std, got createRequest
	errStd := json.Unmarshal(data, &std)
	aerr := decodeJSON(data, &got)
	switch {
	case (aerr == nil) != (errStd == nil):
		t.Fatalf("decodeJSON says %v where encoding/json says %v: %q", aerr, errStd, data)
	case aerr == nil && !reflect.DeepEqual(asJSON(std), asJSON(got)):
		t.Fatalf("decodes differ for %q:\nstd  %s\nfast %s", data, asJSON(std), asJSON(got))
	}
}

// asJSON is r re-encoded, raw members compacted.
func asJSON(r createRequest) string {
	b, _ := json.Marshal(r)
	return string(b)
}

// sameEncode checks that appendJSON writes what encoding/json writes.
func sameEncode(t *testing.T, v any) {
	t.Helper()
	want, err := json.Marshal(v)
	if err != nil {
		return
	}
	if got := appendJSON(nil, v); string(got) != string(want) {
		t.Fatalf("encodings differ:\nstd  %s\nfast %s", want, got)
	}
}

// TestFastJSONMatchesEncodingJSON: appendJSON (goccy/go-json) writes the
// requests and the payments made from the fixtures and the tricky cases
// byte for byte as encoding/json does.
func TestFastJSONMatchesEncodingJSON(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join("testdata", "requests", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no request fixtures: %v", err)
	}
	cases := append([]string(nil), jsonCases...)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		cases = append(cases, string(b))
	}
	for _, c := range cases {
		sameDecode(t, []byte(c))
		var req createRequest
		if json.Unmarshal([]byte(c), &req) == nil {
			sameEncode(t, req)
			sameEncode(t, renderable(&req))
		}
	}
}

// FuzzFastJSON: for any body, the fast decoder reads it as encoding/json
// does, and the payment it makes renders byte for byte as encoding/json
// renders it.
func FuzzFastJSON(f *testing.F) {
	for _, c := range jsonCases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sameDecode(t, data)
		var req createRequest
		if json.Unmarshal(data, &req) == nil {
			sameEncode(t, renderable(&req))
		}
	})
}

// renderable is the wire payment a create request would make (ids and time
// fixed), whatever the request's validity.
func renderable(req *createRequest) paymentJSON {
	p := newTestPayment("automatic")
	if in := req.Payment; in != nil {
		p.CustomData = normalizeRaw(in.CustomData)
		p.Locale, p.ReturnURL, p.Billing, p.Shipping = in.Locale, in.ReturnURL, in.BillingAddress, in.ShippingAddress
		if in.Cart != nil {
			p.Cart, _ = json.Marshal(in.Cart)
		}
	}
	if req.Customer != nil {
		p.Customer = customerJSON{FirstName: optString(req.Customer.FirstName), Addresses: req.Customer.Addresses, BirthDate: optString(req.Customer.BirthDate)}
	}
	if req.Order != nil {
		p.Orders = []orderJSON{{MerchantReference: optString(req.Order.MerchantReference), Data: normalizeRaw(orEmptyObject(req.Order.Data))}}
	}
	return toJSON(p, &tenant{ID: "merchant_11x", Name: "Shop <&>"}, "http://127.0.0.1:4242")
}
