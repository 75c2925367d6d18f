package scenarios

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// typeError reports a bad value at a node the way yaml.v3 collects them, so
// that decoding goes on and every problem of a file is reported at once.
func typeError(n *yaml.Node, format string, args ...any) error {
	return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: %s", n.Line, fmt.Sprintf(format, args...))}}
}

// UnmarshalYAML reads a duration such as "150ms" or "2s"; it must not be
// negative.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return typeError(n, "a duration must be a string such as \"150ms\"")
	}
	v, err := time.ParseDuration(n.Value)
	if err != nil {
		return typeError(n, "bad duration %q: write it like \"150ms\" or \"2s\"", n.Value)
	}
	if v < 0 {
		return typeError(n, "duration %q must not be negative", n.Value)
	}
	*d = Duration(v)
	return nil
}

// MarshalYAML writes the duration as "150ms".
func (d Duration) MarshalYAML() (any, error) { return d.String(), nil }

// MarshalJSON writes the duration as "150ms".
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// UnmarshalJSON reads "150ms".
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("duration: %w", err)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("duration: %w", err)
	}
	*d = Duration(v)
	return nil
}

// Std is the duration as a time.Duration.
func (d Duration) Std() time.Duration { return time.Duration(d) }

// String is the duration as "150ms" or "720h".
func (d Duration) String() string { return shortDuration(time.Duration(d)) }

// shortDuration writes d without trailing zero units: "720h", not "720h0m0s".
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = s[:len(s)-2]
	}
	if strings.HasSuffix(s, "h0m") {
		s = s[:len(s)-2]
	}
	return s
}

// UnmarshalYAML reads a positive count or "always".
func (t *Times) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return typeError(n, "times must be a positive number or \"always\"")
	}
	if n.Value == "always" {
		*t = Always
		return nil
	}
	v, err := strconv.Atoi(n.Value)
	if err != nil || v < 1 {
		return typeError(n, "times must be a positive number or \"always\", not %q", n.Value)
	}
	*t = Times(v)
	return nil
}

// MarshalYAML writes "always" or the count.
func (t Times) MarshalYAML() (any, error) {
	if t == Always {
		return "always", nil
	}
	return int(t), nil
}

// MarshalJSON writes "always" or the count.
func (t Times) MarshalJSON() ([]byte, error) {
	if t == Always {
		return []byte(`"always"`), nil
	}
	return []byte(strconv.Itoa(int(t))), nil
}

// UnmarshalJSON reads "always" or a count.
func (t *Times) UnmarshalJSON(b []byte) error {
	if string(b) == `"always"` {
		*t = Always
		return nil
	}
	var v int
	if err := json.Unmarshal(b, &v); err != nil {
		return fmt.Errorf("times: %w", err)
	}
	*t = Times(v)
	return nil
}

// Count is how many successive calls the step answers; 0 means forever.
// An unset Times counts one.
func (t Times) Count() int {
	switch {
	case t == Always:
		return 0
	case t < 1:
		return 1
	default:
		return int(t)
	}
}

// delayFields is Delay's mapping form, decoded without Delay's own
// UnmarshalYAML.
type delayFields struct {
	Fixed  Duration `yaml:"fixed,omitempty"`
	Min    Duration `yaml:"min,omitempty"`
	Max    Duration `yaml:"max,omitempty"`
	Mean   Duration `yaml:"mean,omitempty"`
	Stddev Duration `yaml:"stddev,omitempty"`
}

// UnmarshalYAML reads a fixed delay ("150ms") or a distribution
// ({min, max} uniform, {mean, stddev} normal).
func (d *Delay) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		var fixed Duration
		if err := fixed.UnmarshalYAML(n); err != nil {
			return err
		}
		*d = Delay{Fixed: fixed}
		return nil
	case yaml.MappingNode:
		var f delayFields
		if err := n.Decode(&f); err != nil {
			return err
		}
		*d = Delay(f)
		return nil
	default:
		return typeError(n, "a delay is a duration such as \"150ms\" or a mapping {min, max} or {mean, stddev}")
	}
}

// Kind names the delay's form: "fixed", "uniform", "normal" or "" (none).
func (d Delay) Kind() string {
	switch {
	case d.Min != 0 || d.Max != 0:
		return "uniform"
	case d.Mean != 0 || d.Stddev != 0:
		return "normal"
	case d.Fixed != 0:
		return "fixed"
	default:
		return ""
	}
}
