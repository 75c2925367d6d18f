package emulator

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestCheckCard(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		card cardInput
		want string // "" = accepted
	}{
		{"yes card", cardInput{"4242 4242 4242 4242", "04/42", "424"}, ""},
		{"yes card other cvc", cardInput{"4242 4242 4242 4242", "04/42", "123"}, "card_declined"},
		{"declined", cardInput{"4000 0000 0000 0002", "12/30", "123"}, "card_declined"},
		{"insufficient funds", cardInput{"4000 0000 0000 9995", "12/30", "123"}, "insufficient_funds"},
		{"expired card", cardInput{"4000 0000 0000 0069", "12/30", "123"}, "expired_card"},
		{"incorrect cvc card", cardInput{"4000 0000 0000 0127", "12/30", "123"}, "incorrect_cvc"},
		{"incorrect number card", cardInput{"4242 4242 4242 4241", "99/99", "x"}, "incorrect_number"},
		{"incorrect expiration card", cardInput{"4000 0000 0000 0101", "12/30", "123"}, "incorrect_expiration_date"},
		{"3DS impossible", cardInput{"4000 0000 0000 3220", "12/30", "123"}, "three_d_s_impossible"},
		{"other Luhn-valid number", cardInput{"5555 5555 5555 4444", "12/30", "123"}, ""},
		{"non-Luhn number", cardInput{"1234 5678 9012 3456", "12/30", "123"}, "incorrect_number"},
		{"letters", cardInput{"4242 4242 4242 424a", "12/30", "123"}, "incorrect_number"},
		{"too short", cardInput{"42", "12/30", "123"}, "incorrect_number"},
		{"past expiry", cardInput{"5555 5555 5555 4444", "12/25", "123"}, "expired_card"},
		{"current month still valid", cardInput{"5555 5555 5555 4444", "01/26", "123"}, ""},
		{"expiry not MM/YY", cardInput{"5555 5555 5555 4444", "2030-12", "123"}, "incorrect_expiration_date"},
		{"month 13", cardInput{"5555 5555 5555 4444", "13/30", "123"}, "incorrect_expiration_date"},
		{"cvc of 4 digits", cardInput{"5555 5555 5555 4444", "12/30", "1234"}, "incorrect_cvc"},
		{"empty", cardInput{}, "incorrect_number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := checkCard(tt.card, now)
			assert.Equal(t, tt.want, res.Code)
			assert.NotEmpty(t, res.Message)
			assert.LessOrEqual(t, len(res.Last4), 4, "only the last four digits are kept")
		})
	}
}

func TestCardTableCoversEveryCardError(t *testing.T) {
	t.Parallel()
	for code, status := range errorStatus {
		if status != 402 {
			continue
		}
		found := false
		for _, c := range testCards {
			found = found || c.Outcome == code
		}
		assert.True(t, found, "no test card for %s", code)
	}
}

func TestRedactKey(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"sk_test_0123456789abcd": "sk_test_…abcd",
		"sk_live_secretvalue":    "sk_live_…alue",
		"sk_test_ab":             "sk_test_…",
		"whatever-key":           "…-key",
		"":                       "…",
	}
	for in, want := range tests {
		assert.Equal(t, want, redactKey(in), in)
	}
}

func TestSplit(t *testing.T) {
	t.Parallel()
	assert.Equal(t, []int64{66668, 66666, 66666}, split(200000, 3))
	assert.Equal(t, []int64{5000}, split(5000, 1))
	assert.Equal(t, []int64{2503, 2500, 2500, 2500}, split(10003, 4))
	assert.Equal(t, []int64{7}, split(7, 0))
}

func TestIDFormat(t *testing.T) {
	t.Parallel()
	a, b := newGen(1), newGen(1)
	id := a.id("payment")
	assert.Regexp(t, `^payment_11[0-9A-Za-z]{32}$`, id)
	assert.Equal(t, id, b.id("payment"), "same seed, same ids")
	assert.NotEqual(t, id, a.id("payment"))
}
