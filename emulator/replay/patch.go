package replay

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Patch sets each field on the top-level JSON object body and re-encodes the
// object: the other members keep their values (equal as JSON), but members
// come out sorted by key, without insignificant whitespace, with <, > and &
// in strings escaped as \u003c, \u003e and \u0026, and a key repeated in
// body keeps its last value only. A body that is not a JSON object is an
// error.
func Patch(body []byte, fields map[string]any) ([]byte, error) {
	if !bytes.HasPrefix(bytes.TrimSpace(body), []byte("{")) {
		return nil, fmt.Errorf("patch: body is not a JSON object")
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(body, &obj); err != nil {
		return nil, fmt.Errorf("patch: decode body: %w", err)
	}
	for k, v := range fields {
		raw, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("patch field %s: %w", k, err)
		}
		obj[k] = raw
	}
	out, err := json.Marshal(obj)
	if err != nil {
		return nil, fmt.Errorf("patch: encode body: %w", err)
	}
	return out, nil
}
