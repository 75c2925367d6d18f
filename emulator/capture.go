package emulator

import (
	"io"
	"strings"
	"unsafe"
)

// maxCapturedBody bounds the request and answer bytes a journal entry keeps.
const maxCapturedBody = 1024

// captured keeps the first maxCapturedBody bytes of a stream.
type captured struct {
	buf  [maxCapturedBody]byte
	n    int
	more bool // bytes were left out
}

// keep copies what fits of b.
func (c *captured) keep(b []byte) {
	n := copy(c.buf[c.n:], b)
	c.n += n
	if n < len(b) {
		c.more = true
	}
}

// keptBody is what a journal entry keeps of a captured body: its bytes,
// at their size, not yet redacted.
type keptBody struct {
	raw  string
	more bool // bytes were left out
}

// keep copies what c captured, at its size.
func keep(c *captured) keptBody {
	return keptBody{raw: string(c.buf[:c.n]), more: c.more}
}

// text is what was kept, redacted, with "…" when cut.
func (k keptBody) text() string {
	if k.raw == "" {
		return ""
	}
	b := make([]byte, len(k.raw), len(k.raw)+len("…"))
	copy(b, k.raw)
	maskCards(b)
	if k.more {
		b = append(b, "…"...)
	}
	s := unsafe.String(unsafe.SliceData(b), len(b)) // b is not written again: one copy per read
	if strings.Contains(s, "sk_") {
		s = redactKeys(s)
	}
	return s
}

// teeBody copies what the handler reads of a request body into c.
type teeBody struct {
	io.ReadCloser
	c *captured
}

// Read implements io.Reader.
func (t teeBody) Read(p []byte) (int, error) {
	n, err := t.ReadCloser.Read(p)
	t.c.keep(p[:n])
	return n, err
}

// maskCards hides card numbers in b, in place: in each run of 13 to 19
// digits (spaces or dashes between them) all but the last four digits
// become *.
func maskCards(b []byte) {
	for i := 0; i < len(b); {
		if b[i] < '0' || b[i] > '9' {
			i++
			continue
		}
		j, digits := i, 0
		for j < len(b) && (b[j] >= '0' && b[j] <= '9' || ((b[j] == ' ' || b[j] == '-') && j+1 < len(b) && b[j+1] >= '0' && b[j+1] <= '9')) {
			if b[j] != ' ' && b[j] != '-' {
				digits++
			}
			j++
		}
		if digits >= 13 && digits <= 19 {
			seen := 0
			for k := j - 1; k >= i; k-- {
				if b[k] >= '0' && b[k] <= '9' {
					if seen >= 4 {
						b[k] = '*'
					}
					seen++
				}
			}
		}
		i = j
	}
}

// redactKeys replaces each sk_test_/sk_live_ key by its redacted form.
func redactKeys(s string) string {
	var out strings.Builder
	for {
		i := strings.Index(s, "sk_")
		if i < 0 {
			out.WriteString(s)
			return out.String()
		}
		j := i + 3
		for j < len(s) && (s[j] == '_' || s[j] >= '0' && s[j] <= '9' || s[j] >= 'a' && s[j] <= 'z' || s[j] >= 'A' && s[j] <= 'Z') {
			j++
		}
		out.WriteString(s[:i])
		out.WriteString(redactKey(s[i:j]))
		s = s[j:]
	}
}
