package connector

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Amount is a sum of money in integer cents. In JSON it is written in major
// units, as the orchestrator does (270.92), and read from a JSON number or
// string with at most two decimals, exactly, without floating point.
type Amount int64

// maxAmountDigits bounds the integer part so cents never overflow an int64.
const maxAmountDigits = 15

// ParseAmount reads a decimal in major units ("270.92", "-3", "12.5") into
// cents. More than two decimals, exponents and anything not a plain decimal
// are errors.
func ParseAmount(s string) (Amount, error) {
	s = strings.TrimSpace(s)
	neg := strings.HasPrefix(s, "-")
	digits := strings.TrimPrefix(s, "-")
	whole, frac, hasDot := strings.Cut(digits, ".")
	if err := checkAmountParts(whole, frac, hasDot); err != nil {
		return 0, fmt.Errorf("amount %q: %w", s, err)
	}
	frac += strings.Repeat("0", 2-len(frac))
	cents, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("amount %q: %w", s, err)
	}
	if neg {
		cents = -cents
	}
	return Amount(cents), nil
}

// checkAmountParts validates the integer and fractional digits of an amount.
func checkAmountParts(whole, frac string, hasDot bool) error {
	switch {
	case whole == "":
		return errors.New("no digits before the decimal point")
	case !allDigits(whole) || !allDigits(frac):
		return errors.New("not a plain decimal number")
	case hasDot && frac == "":
		return errors.New("no digits after the decimal point")
	case len(frac) > 2:
		return errors.New("more than two decimals")
	case len(whole) > maxAmountDigits:
		return errors.New("too large")
	}
	return nil
}

// allDigits reports whether s holds only ASCII digits (true for "").
func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// times returns a × n; ok is false when the product overflows an int64.
func (a Amount) times(n int) (product Amount, ok bool) {
	x, m := int64(a), int64(n)
	if x == 0 || m == 0 {
		return 0, true
	}
	p := x * m
	if p/m != x || (m == -1 && x == math.MinInt64) {
		return 0, false
	}
	return Amount(p), true
}

// Cents returns the amount in integer cents.
func (a Amount) Cents() int64 { return int64(a) }

// String writes the amount in major units with two decimals: "270.92".
func (a Amount) String() string {
	sign, c := "", int64(a)
	if c < 0 {
		sign, c = "-", -c
	}
	return fmt.Sprintf("%s%d.%02d", sign, c/100, c%100)
}

// MarshalJSON writes the amount as a JSON number in major units.
func (a Amount) MarshalJSON() ([]byte, error) { return []byte(a.String()), nil }

// UnmarshalJSON reads a JSON number or string in major units.
func (a *Amount) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, []byte("null")) {
		*a = 0
		return nil
	}
	s := string(b)
	if len(b) > 0 && b[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return fmt.Errorf("amount: %w", err)
		}
	}
	v, err := ParseAmount(s)
	if err != nil {
		return err
	}
	*a = v
	return nil
}
