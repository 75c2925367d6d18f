package harness_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alma-sandbox/alma-sandbox/emulator/emulatortest"
	"github.com/alma-sandbox/alma-sandbox/scenarios/harness"
)

// TestStatusPaths runs every embedded scenario through the real connector
// against an in-process emulator: each of the 41 rows must be produced by a
// passing scenario.
func TestStatusPaths(t *testing.T) {
	emu := emulatortest.MustOpen(t)
	rep := harness.Run(context.Background(), harness.Config{URL: emu.URL()})
	var out bytes.Buffer
	require.NoError(t, rep.WriteMatrix(&out))
	t.Log("\n" + out.String())
	assert.True(t, rep.OK(), "status paths failed:\n%s", out.String())
	assert.Len(t, rep.Rows, 41)
}
