package connector

import (
	"errors"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// FuzzClassify feeds arbitrary answers to the classification table: it
// never panics, always yields a row of Statuses, and a row that claims
// success comes from a 2xx.
func FuzzClassify(f *testing.F) {
	f.Add(200, "application/json", `{"id":"payment_11x","state":"paid","expired_at":1}`, false)
	f.Add(400, "application/json", `{"errors":[{"error_code":"too_long"}]}`, false)
	f.Add(402, "text/html", `<html>`, false)
	f.Add(0, "", "", true)
	f.Add(503, "application/json", `{"message":"x"}`, false)
	f.Fuzz(func(t *testing.T, status int, contentType, body string, transportErr bool) {
		var err error
		if transportErr {
			err = errors.New("boom")
		}
		for _, k := range []callKind{kindPayment, kindVerify, kindAction, kindData} {
			r := classify(k, answer{status: status, contentType: contentType, body: []byte(body), err: err})
			got, ok := Lookup(r.Status.PSPStatus)
			require.True(t, ok, "status %d body %q: no row", status, body)
			assert.Equal(t, got, r.Status)
			if r.Status.State == StateSuccess {
				assert.True(t, status >= 200 && status < 300, "success from %d", status)
			}
		}
	})
}

func TestMaskCardNumbers(t *testing.T) {
	tests := []struct{ in, want string }{
		{"card 4242 4242 4242 4242 refused", "card ****4242 refused"},
		{"4000000000000002", "****0002"},
		{"4000-0000-0000-0069.", "****0069."},
		{"order 12345, amount 27092", "order 12345, amount 27092"},
		{"phone +33 6 12 34 56 78", "phone +33 6 12 34 56 78"},
		{"", ""},
		{"trailing 4242 ", "trailing 4242 "},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			assert.Equal(t, tt.want, maskCardNumbers(tt.in))
		})
	}
}

func FuzzDecodePayment(f *testing.F) {
	f.Add([]byte(`{"id":"p","state":"paid","payment_plan":[{"state":"paid"}],"custom_data":{"order_reference":"x"}}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := decodePayment(b)
		if err != nil {
			return
		}
		_ = p.OrderReference()
		_ = stateRow(p)
	})
}

func TestAmountTimes(t *testing.T) {
	tests := []struct {
		a    Amount
		n    int
		want Amount
		ok   bool
	}{
		{12001, 2, 24002, true},
		{0, math.MaxInt, 0, true},
		{math.MaxInt64, 1, math.MaxInt64, true},
		{math.MaxInt64, 2, 0, false},
		{99999999999999999, 100, 0, false},
		{-99999999999999999, 100, 0, false},
		{math.MinInt64, -1, 0, false},
		{-1, math.MinInt, 0, false},
		{-250, 3, -750, true},
	}
	for _, tt := range tests {
		got, ok := tt.a.times(tt.n)
		assert.Equal(t, tt.ok, ok, "%d × %d", tt.a, tt.n)
		assert.Equal(t, tt.want, got, "%d × %d", tt.a, tt.n)
	}
}
