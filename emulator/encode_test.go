package emulator

import (
	"encoding/json"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tricky are strings whose escaping differs between careless encoders.
var tricky = []string{"", "plain", `quote " and \ backslash`, "<script>&amp;</script>", "tab\tnl\nret\rbs\bff\f",
	"ctl \x00\x01\x1f\x7f", "é ü 漢字 🎉", "line\u2028sep\u2029", "bad \xff\xfe utf8", "half \xe2\x82"}

func TestAppendStringMatchesEncodingJSON(t *testing.T) {
	t.Parallel()
	for _, s := range tricky {
		want, err := json.Marshal(s)
		require.NoError(t, err)
		assert.Equal(t, string(want), string(appendString(nil, s)), "%q", s)
	}
}

func FuzzAppendString(f *testing.F) {
	for _, s := range tricky {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := json.Marshal(s)
		require.NoError(t, err)
		require.Equal(t, string(want), string(appendString(nil, s)))
	})
}

func TestAppendPaymentMatchesEncodingJSON(t *testing.T) {
	t.Parallel()
	s := NewServer()
	s.Seed = 3
	s.Now = func() time.Time { return time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC) }
	svc := newService(s.config())
	for i, str := range tricky {
		amount := int64(20000 + i)
		n := 3
		req := &createRequest{
			Payment: &paymentRequest{
				PurchaseAmount: &amount, InstallmentsCount: &n, Locale: str, ReturnURL: "https://x.example/?q=" + str,
				CustomData:     json.RawMessage(` { "k" : "<` + "v" + `>" , "n": [1, 2] } `),
				BillingAddress: &addressJSON{City: str, Country: "FR"},
				Cart:           &cartRequest{Items: []cartItem{{Title: &str, Quantity: &n, LinePrice: &amount}}},
				Deferred:       "trigger", DeferredDescription: str,
			},
			Customer: &customerRequest{FirstName: str, Addresses: []addressJSON{{Line1: str}}},
			Order:    &orderRequest{MerchantReference: str, Data: json.RawMessage(`{"a" : 1}`)},
		}
		rec := svc.newRecord(req, "sk_test_x", nil)
		rec.p.Refunds = append(rec.p.Refunds, refundJSON{ID: "refund_1", Comment: str})
		paid := int64(5)
		rec.p.ExpiredAt, rec.p.PaymentPlan[0].DatePaid = &paid, &paid
		want, err := json.Marshal(&rec.p)
		require.NoError(t, err)
		got := appendPayment(nil, &rec.p)
		assert.Equal(t, string(want), string(withoutInstallmentIDs(t, got)), "%q", str)
	}
}

// withoutInstallmentIDs checks the derived installment ids and removes them,
// the one difference from encoding/json's output of paymentJSON.
func withoutInstallmentIDs(t *testing.T, body []byte) []byte {
	t.Helper()
	re := regexp.MustCompile(`\{"id":"installment_11[0-9A-Za-z]{32}",`)
	ids := re.FindAll(body, -1)
	require.NotEmpty(t, ids)
	seen := map[string]bool{}
	for _, id := range ids {
		assert.False(t, seen[string(id)], "installment ids are distinct")
		seen[string(id)] = true
	}
	return re.ReplaceAll(body, []byte("{"))
}

func TestInstallmentIDsAreStable(t *testing.T) {
	t.Parallel()
	a := appendInstallmentID(nil, "payment_11abc", 0)
	assert.Equal(t, string(a), string(appendInstallmentID(nil, "payment_11abc", 0)))
	assert.NotEqual(t, string(a), string(appendInstallmentID(nil, "payment_11abc", 1)))
	assert.NotEqual(t, string(a), string(appendInstallmentID(nil, "payment_11abd", 0)))
	assert.Regexp(t, `^installment_11[0-9A-Za-z]{32}$`, string(a))
}
