package emulator

import (
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

var updateDocs = flag.Bool("update-docs", false, "rewrite the README's generated tables")

// The README's test-card table lies between these markers.
const (
	cardsBegin = "<!-- test-cards:begin (generated from emulator/card.go: go test ./emulator -run TestREADMETestCards -update-docs) -->\n"
	cardsEnd   = "<!-- test-cards:end -->"
)

// cardsTable renders TestCards as the README's Markdown table.
func cardsTable() string {
	var b strings.Builder
	b.WriteString("| number | expiry | CVC | outcome |\n|---|---|---|---|\n")
	for _, c := range TestCards() {
		expiry, cvc, outcome := "any future", "any 3 digits", "`"+c.Outcome+"`"
		switch {
		case c.Number == yesCardNumber:
			expiry, cvc = yesCardExpiry, yesCardCVC
			outcome = "accepted (with any other expiry or CVC: `card_declined`)"
		case c.AnyExpiry:
			expiry, cvc = "any", "any"
			outcome += " (fails the Luhn check, as does any such number)"
		}
		b.WriteString("| " + spaced(c.Number) + " | " + expiry + " | " + cvc + " | " + outcome + " |\n")
	}
	return b.String()
}

// spaced groups a card number by four digits.
func spaced(n string) string {
	var parts []string
	for len(n) > 4 {
		parts, n = append(parts, n[:4]), n[4:]
	}
	return strings.Join(append(parts, n), " ")
}

// TestREADMETestCards: the README's test-card table is the one in card.go.
func TestREADMETestCards(t *testing.T) {
	const path = "../README.md"
	readme, err := os.ReadFile(path)
	require.NoError(t, err)
	s := string(readme)
	i, j := strings.Index(s, cardsBegin), strings.Index(s, cardsEnd)
	require.True(t, i >= 0 && j > i, "README.md lacks the test-card markers")
	got := s[i+len(cardsBegin) : j]
	if *updateDocs {
		s = s[:i+len(cardsBegin)] + cardsTable() + s[j:]
		require.NoError(t, os.WriteFile(path, []byte(s), 0o644))
		got = cardsTable()
	}
	require.Equal(t, cardsTable(), got, "the README's test cards are stale: go test ./emulator -run TestREADMETestCards -update-docs")
}
