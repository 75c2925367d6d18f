package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alma-sandbox/alma-sandbox/scenarios"
)

// TestSchemaIsCurrent fails when scenarios/schema.json is not what the Go
// tables generate: a new fault, state, operation, key or status row needs
// `go generate ./scenarios`.
func TestSchemaIsCurrent(t *testing.T) {
	want, err := scenarios.JSONSchema(Table())
	require.NoError(t, err)
	got, err := os.ReadFile("../schema.json")
	require.NoError(t, err)
	require.Equal(t, string(want), string(got), "scenarios/schema.json is stale: go generate ./scenarios")
}

// TestWrite writes the schema where it is told to.
func TestWrite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "schema.json")
	require.NoError(t, write(path))
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Contains(t, string(data), `"VERIFY_TIMEOUT"`)
	assert.Contains(t, string(data), `"hang"`)
	assert.Error(t, write(filepath.Join(t.TempDir(), "no", "such", "dir", "schema.json")))
}
