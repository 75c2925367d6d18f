package replay

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPatchReencodes(t *testing.T) {
	t.Parallel()
	out, err := Patch([]byte(`{"state":"in_progress", "b":"<&>","a":1}`), map[string]any{"state": "paid"})
	require.NoError(t, err)
	assert.Equal(t, `{"a":1,"b":"\u003c\u0026\u003e","state":"paid"}`, string(out))
	_, err = Patch([]byte(`[1]`), map[string]any{"a": 1})
	assert.ErrorContains(t, err, "not a JSON object")
	_, err = Patch([]byte(`{"a":`), map[string]any{"a": 1})
	assert.ErrorContains(t, err, "decode body")
}
