package connector

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
)

// Secret is an API key. Printed, formatted, logged or encoded (JSON, text)
// it shows only its prefix and last four characters (sk_test_…abcd), so it
// cannot leak into a log, an error string or a config dump by accident.
type Secret string

// Redacted returns the key as logs may show it.
func (s Secret) Redacted() string {
	v := string(s)
	prefix := ""
	for _, p := range []string{"sk_test_", "sk_live_"} {
		if len(v) >= len(p) && v[:len(p)] == p {
			prefix = p
		}
	}
	if len(v)-len(prefix) <= 8 {
		return prefix + "…"
	}
	return prefix + "…" + v[len(v)-4:]
}

// String returns the redacted key.
func (s Secret) String() string { return s.Redacted() }

// GoString returns the redacted key, for %#v.
func (s Secret) GoString() string { return fmt.Sprintf("connector.Secret(%q)", s.Redacted()) }

// Format writes the redacted key whatever the verb.
func (s Secret) Format(f fmt.State, verb rune) { fmt.Fprint(f, s.Redacted()) }

// MarshalJSON writes the redacted key as a JSON string, so a config or
// struct dumped as JSON does not leak it.
func (s Secret) MarshalJSON() ([]byte, error) { return json.Marshal(s.Redacted()) }

// MarshalText returns the redacted key, for text encoders (XML, YAML,
// flag dumps).
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.Redacted()), nil }

// LogValue makes slog write the redacted key.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.Redacted()) }

// unwrapURLError drops net/url's wrapper, whose text repeats the full URL,
// keeping the cause; the caller names the method and path itself.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
