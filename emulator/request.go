package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"sync"
	"unicode/utf8"

	gojson "github.com/goccy/go-json"
)

// createRequest is the body of POST /v1/payments.
type createRequest struct {
	Payment  *paymentRequest  `json:"payment"`
	Customer *customerRequest `json:"customer"`
	Order    *orderRequest    `json:"order"`
}

// paymentRequest is the create request's payment object.
type paymentRequest struct {
	PurchaseAmount      *int64          `json:"purchase_amount"`
	InstallmentsCount   *int            `json:"installments_count"`
	DeferredDays        int             `json:"deferred_days"`
	DeferredMonths      int             `json:"deferred_months"`
	Locale              string          `json:"locale"`
	ExpiresAfter        *int            `json:"expires_after"`
	CaptureMethod       string          `json:"capture_method"`
	ReturnURL           string          `json:"return_url"`
	FailureReturnURL    string          `json:"failure_return_url"`
	CustomerCancelURL   string          `json:"customer_cancel_url"`
	IPNCallbackURL      string          `json:"ipn_callback_url"`
	CustomData          json.RawMessage `json:"custom_data"`
	Origin              string          `json:"origin"`
	BillingAddress      *addressJSON    `json:"billing_address"`
	ShippingAddress     *addressJSON    `json:"shipping_address"`
	Cart                *cartRequest    `json:"cart"`
	Deferred            string          `json:"deferred"`
	DeferredDescription string          `json:"deferred_description"`
}

// cartRequest is the payment's cart.
type cartRequest struct {
	Items     []cartItem      `json:"items"`
	Discounts json.RawMessage `json:"discounts,omitempty"`
}

// cartItem is one line of the cart; title, quantity and line_price are
// required.
type cartItem struct {
	Title            *string  `json:"title"`
	Quantity         *int     `json:"quantity"`
	LinePrice        *int64   `json:"line_price"`
	SKU              string   `json:"sku,omitempty"`
	UnitPrice        *int64   `json:"unit_price,omitempty"`
	Categories       []string `json:"categories,omitempty"`
	URL              string   `json:"url,omitempty"`
	PictureURL       string   `json:"picture_url,omitempty"`
	RequiresShipping *bool    `json:"requires_shipping,omitempty"`
}

// customerRequest is the create request's customer object.
type customerRequest struct {
	FirstName        string        `json:"first_name"`
	LastName         string        `json:"last_name"`
	Email            string        `json:"email"`
	Phone            string        `json:"phone"`
	BirthDate        string        `json:"birth_date"`
	Addresses        []addressJSON `json:"addresses"`
	IsBusiness       bool          `json:"is_business"`
	BusinessName     string        `json:"business_name"`
	BusinessIDNumber string        `json:"business_id_number"`
}

// orderRequest is the create request's order object (and the body of the
// orders calls).
type orderRequest struct {
	MerchantReference string          `json:"merchant_reference"`
	MerchantURL       string          `json:"merchant_url"`
	CustomerURL       string          `json:"customer_url"`
	Comment           string          `json:"comment"`
	Data              json.RawMessage `json:"data"`
}

// editRequest is the body of POST /v1/payments/{id}.
type editRequest struct {
	Payment *struct {
		CustomData        json.RawMessage `json:"custom_data"`
		Locale            *string         `json:"locale"`
		ReturnURL         *string         `json:"return_url"`
		FailureReturnURL  *string         `json:"failure_return_url"`
		CustomerCancelURL *string         `json:"customer_cancel_url"`
		IPNCallbackURL    *string         `json:"ipn_callback_url"`
		ShippingAddress   *addressJSON    `json:"shipping_address"`
	} `json:"payment"`
}

// amountRequest is the body of refund and capture.
type amountRequest struct {
	Amount            *int64 `json:"amount"`
	MerchantReference string `json:"merchant_reference"`
	Comment           string `json:"comment"`
}

// decodeAmountRequest reads a capture or refund body; an amount, when
// given, must be positive.
func decodeAmountRequest(r *http.Request) (amountRequest, *apiError) {
	var req amountRequest
	if aerr := decodeBody(r, &req); aerr != nil {
		return req, aerr
	}
	if req.Amount != nil && *req.Amount <= 0 {
		return req, fieldError("amount", codeInvalidValue, "amount must be positive", *req.Amount)
	}
	return req, nil
}

// decodeBody reads a JSON body into v. An empty body leaves v as is. The
// errors are Alma's: invalid_type on "body" for malformed JSON, invalid_type
// on the field path for a mistyped field, too_long on "body" past the size
// limit.
func decodeBody(r *http.Request, v any) *apiError {
	if r.Body == nil {
		return nil
	}
	buf := getBuffer()
	defer putBuffer(buf)
	data, err := readAll(r.Body, (*buf)[:0])
	*buf = data[:0]
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return fieldError("body", codeTooLong, "request body is too large", nil)
		}
		return fieldError("body", codeInvalidValue, "request body could not be read", nil)
	}
	if len(data) == 0 {
		return nil
	}
	return decodeJSON(data, v)
}

// readAll appends everything r reads to dst (a pooled buffer).
func readAll(r io.Reader, dst []byte) ([]byte, error) {
	for {
		if len(dst) == cap(dst) {
			dst = append(dst, 0)[:len(dst)]
		}
		n, err := r.Read(dst[len(dst):cap(dst)])
		dst = dst[:len(dst)+n]
		if err == io.EOF {
			return dst, nil
		}
		if err != nil {
			return dst, err
		}
	}
}

// bufferPool recycles request and answer buffers: json.Unmarshal copies
// what it keeps, and an answer is written before its handler returns.
var bufferPool = sync.Pool{New: func() any {
	b := make([]byte, 0, paymentJSONSize)
	return &b
}}

// maxPooledBuffer keeps an oversized buffer out of the pool.
const maxPooledBuffer = 64 << 10

func getBuffer() *[]byte { return bufferPool.Get().(*[]byte) }

func putBuffer(b *[]byte) {
	if cap(*b) <= maxPooledBuffer {
		*b = (*b)[:0]
		bufferPool.Put(b)
	}
}

// decodeJSON unmarshals data into v with Alma's errors, as encoding/json
// does. A valid body of valid UTF-8 without escapes whose keys are plain
// lowercase — what most clients send — is decoded by goccy/go-json, twice as fast on a create and
// held to encoding/json's result by json_test.go and FuzzFastJSON; any other
// body (goccy keeps invalid UTF-8 and folds the case of keys only in small
// structs), and any body goccy refuses, goes through encoding/json, whose
// error names the field.
func decodeJSON(data []byte, v any) *apiError {
	if fastDecodable(data) && gojson.Unmarshal(data, v) == nil {
		return nil
	}
	err := json.Unmarshal(data, v)
	if err == nil {
		return nil
	}
	if te, ok := errors.AsType[*json.UnmarshalTypeError](err); ok {
		field := te.Field
		if field == "" {
			field = "body"
		}
		return fieldError(field, codeInvalidType, "expected "+jsonKind(te.Type.Kind().String())+", got "+te.Value, nil)
	}
	return fieldError("body", codeInvalidType, "request body is not valid JSON", nil)
}

// jsonKind names a Go kind the way a JSON reader would.
func jsonKind(kind string) string {
	switch kind {
	case "int", "int64", "int32", "uint", "uint64", "float64":
		return "an integer"
	case "string":
		return "a string"
	case "bool":
		return "a boolean"
	case "slice", "array":
		return "an array"
	}
	return "an object"
}

// paymentJSONSize is the usual size of a rendered payment, to allocate once.
const paymentJSONSize = 3072

// fastDecodable reports whether data is valid JSON (goccy skips what a
// struct does not hold without checking it), valid UTF-8, holds no escape
// (goccy's unescaping does pointer arithmetic that -race's checkptr refuses)
// and every object key in it is free of ASCII uppercase letters, so that a
// case-folding decoder and an exact one read it alike. It allocates
// nothing.
func fastDecodable(data []byte) bool {
	if bytes.IndexByte(data, '\\') >= 0 || !utf8.Valid(data) || !json.Valid(data) {
		return false
	}
	for i := 0; i < len(data); i++ {
		if data[i] != '"' {
			continue
		}
		start, plain := i+1, true
		for i++; i < len(data) && data[i] != '"'; i++ {
			switch c := data[i]; {
			case c == '\\':
				plain = false
				i++ // the escaped byte
			case c >= 'A' && c <= 'Z':
				plain = false
			}
		}
		if plain || start > len(data) {
			continue
		}
		j := i + 1
		for j < len(data) && (data[j] == ' ' || data[j] == '\t' || data[j] == '\n' || data[j] == '\r') {
			j++
		}
		if j < len(data) && data[j] == ':' {
			return false // a key with an uppercase letter or an escape
		}
	}
	return true
}
