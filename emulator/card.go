package emulator

import (
	"slices"
	"strconv"
	"strings"
	"time"
)

// TestCard is one row of the test-card table.
type TestCard struct {
	Number  string `json:"number"`  // digits only
	Outcome string `json:"outcome"` // "" = accepted, else the card error code
	Message string `json:"message"`
	// AnyExpiry accepts any expiry, even a past or malformed one.
	AnyExpiry bool `json:"any_expiry"`
}

// TestCards returns THE test-card table (the README's table, the dashboard
// and GET /__admin/tables read it). Any other Luhn-valid number is
// accepted; a number failing Luhn is incorrect_number.
func TestCards() []TestCard { return slices.Clone(testCards[:]) }

// testCards is the table, an array so that no one changes it.
var testCards = [...]TestCard{
	{Number: "4242424242424242", Message: "Payment accepted"},
	{Number: "4000000000000002", Outcome: "card_declined", Message: "Your card was declined."},
	{Number: "4000000000009995", Outcome: "insufficient_funds", Message: "Your card has insufficient funds."},
	{Number: "4000000000000069", Outcome: "expired_card", Message: "Your card has expired."},
	{Number: "4000000000000127", Outcome: "incorrect_cvc", Message: "Your card's security code is incorrect."},
	{Number: "4242424242424241", Outcome: "incorrect_number", Message: "Your card number is incorrect.", AnyExpiry: true},
	{Number: "4000000000000101", Outcome: "incorrect_expiration_date", Message: "Your card's expiration date is incorrect."},
	{Number: "4000000000003220", Outcome: "three_d_s_impossible", Message: "3-D Secure authentication is impossible for this card."},
}

// The yes card of the orchestrator's page: only this expiry and CVC pass.
const (
	yesCardNumber = "4242424242424242"
	yesCardExpiry = "04/42"
	yesCardCVC    = "424"
)

// cardInput is what the customer types.
type cardInput struct {
	Number string `json:"number"`
	Expiry string `json:"expiry"`
	CVC    string `json:"cvc"`
}

// cardResult is the outcome of checking a card: Code "" means accepted.
type cardResult struct {
	Code    string
	Message string
	Last4   string
}

// checkCard decides what the bank says about card at now.
func checkCard(c cardInput, now time.Time) cardResult {
	number := digitsOnly(c.Number)
	res := cardResult{Last4: last4(number)}
	row, known := findCard(number)
	switch {
	case len(number) < 12 || len(number) > 19 || !luhn(number):
		return refuse(res, "incorrect_number")
	case known && row.AnyExpiry:
		return refuse(res, row.Outcome)
	}
	if code := checkExpiry(c.Expiry, now); code != "" {
		return refuse(res, code)
	}
	if !threeDigits(c.CVC) {
		return refuse(res, "incorrect_cvc")
	}
	if number == yesCardNumber && (strings.TrimSpace(c.Expiry) != yesCardExpiry || c.CVC != yesCardCVC) {
		return refuse(res, "card_declined")
	}
	if known && row.Outcome != "" {
		return refuse(res, row.Outcome)
	}
	res.Message = "Payment accepted"
	return res
}

// refuse fills the refusal code and its message.
func refuse(res cardResult, code string) cardResult {
	res.Code = code
	res.Message = cardMessage(code)
	return res
}

// cardMessage is the table's message for a card error code.
func cardMessage(code string) string {
	for _, c := range testCards {
		if c.Outcome == code {
			return c.Message
		}
	}
	return "Your card was declined."
}

// findCard looks a number up in the table.
func findCard(number string) (TestCard, bool) {
	for _, c := range testCards {
		if c.Number == number {
			return c, true
		}
	}
	return TestCard{}, false
}

// checkExpiry returns "" for a valid future MM/YY, else the card error.
func checkExpiry(expiry string, now time.Time) string {
	mm, yy, ok := strings.Cut(strings.ReplaceAll(expiry, " ", ""), "/")
	if !ok || len(mm) != 2 || len(yy) != 2 {
		return "incorrect_expiration_date"
	}
	month, err1 := strconv.Atoi(mm)
	year, err2 := strconv.Atoi(yy)
	if err1 != nil || err2 != nil || month < 1 || month > 12 || year < 0 {
		return "incorrect_expiration_date"
	}
	// A card is valid until the end of its month.
	end := time.Date(2000+year, time.Month(month)+1, 1, 0, 0, 0, 0, time.UTC)
	if !now.Before(end) {
		return "expired_card"
	}
	return ""
}

// digitsOnly drops spaces and dashes; any other character keeps the number
// invalid (it is kept, so Luhn fails).
func digitsOnly(s string) string {
	return strings.NewReplacer(" ", "", "-", "").Replace(s)
}

// last4 is the only part of a card number ever stored.
func last4(number string) string {
	if len(number) < 4 {
		return ""
	}
	return number[len(number)-4:]
}

// luhn reports whether number is all digits and passes the Luhn check.
func luhn(number string) bool {
	sum := 0
	double := false
	for i := len(number) - 1; i >= 0; i-- {
		d := int(number[i] - '0')
		if d < 0 || d > 9 {
			return false
		}
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return number != "" && sum%10 == 0
}

// threeDigits reports whether s is exactly three digits.
func threeDigits(s string) bool {
	if len(s) != 3 {
		return false
	}
	for i := range 3 {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
