package connector

import "strings"

// redact hides what a server's text must not carry into a result or a log:
// card numbers (last four kept) and API keys (as Secret prints them).
func redact(s string) string { return redactKeys(maskCardNumbers(s)) }

// redact redacts every text of Alma's error body in place.
func (e *AlmaError) redact() {
	e.ErrorCode, e.Message = redact(e.ErrorCode), redact(e.Message)
	for i := range e.Errors {
		f := &e.Errors[i]
		f.Field, f.ErrorCode, f.Message = redact(f.Field), redact(f.ErrorCode), redact(f.Message)
	}
}

// keyPrefixes start Alma's API keys.
var keyPrefixes = []string{"sk_test_", "sk_live_"}

// redactKeys replaces every sk_test_… or sk_live_… token with its redacted
// form (prefix and last four characters).
func redactKeys(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		n := keyAt(s, i)
		switch {
		case n == 0:
			b.WriteByte(s[i])
			n = 1
		case alreadyRedacted(s, i, n):
			b.WriteString(s[i : i+n])
		default:
			b.WriteString(Secret(s[i : i+n]).Redacted())
		}
		i += n
	}
	return b.String()
}

// alreadyRedacted reports whether the key token s[i:i+n] is a bare prefix,
// as in a key redacted before (sk_test_…wxyz): redacting stays idempotent.
func alreadyRedacted(s string, i, n int) bool {
	for _, p := range keyPrefixes {
		if n == len(p) && strings.HasPrefix(s[i:], p) {
			return true
		}
	}
	return false
}

// keyAt is the length of the API key starting at s[i], 0 when none does.
func keyAt(s string, i int) int {
	for _, p := range keyPrefixes {
		if strings.HasPrefix(s[i:], p) {
			n := len(p)
			for i+n < len(s) && isKeyByte(s[i+n]) {
				n++
			}
			return n
		}
	}
	return 0
}

// isKeyByte reports whether c may appear in an API key.
func isKeyByte(c byte) bool {
	return c == '_' || c == '-' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// maskCardNumbers replaces every run of 12 to 19 digits (spaces and dashes
// allowed between them) with its last four digits behind asterisks, so a
// card number Alma echoes never reaches a result, a log or an error.
func maskCardNumbers(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		end, digits := digitRun(s, i)
		if len(digits) >= 12 && len(digits) <= 19 {
			b.WriteString("****" + digits[len(digits)-4:])
			i = end
			continue
		}
		if end > i {
			b.WriteString(s[i:end])
			i = end
			continue
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}

// digitRun reads the digits starting at i, allowing single spaces or dashes
// between them; it returns where the run ends and its digits.
func digitRun(s string, i int) (int, string) {
	var digits []byte
	end := i
	for j := i; j < len(s); j++ {
		c := s[j]
		if c >= '0' && c <= '9' {
			digits = append(digits, c)
			end = j + 1
			continue
		}
		if (c == ' ' || c == '-') && len(digits) > 0 && j+1 < len(s) && s[j+1] >= '0' && s[j+1] <= '9' {
			continue
		}
		break
	}
	return end, string(digits)
}
