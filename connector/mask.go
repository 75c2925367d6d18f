package connector

import "strings"

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
