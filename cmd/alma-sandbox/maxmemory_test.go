package main

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestParseByteSize: --max-memory takes bytes or KiB, MiB, GiB (KB, MB,
// GB as the same powers of 1024); anything else is an error.
func TestParseByteSize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"1048576", 1 << 20, true},
		{"32MiB", 32 << 20, true},
		{"512KiB", 512 << 10, true},
		{"1GiB", 1 << 30, true},
		{"16MB", 16 << 20, true},
		{" 2 MiB ", 2 << 20, true},
		{"", 0, false},
		{"12x", 0, false},
		{"-1MiB", 0, false},
		{"1.5MiB", 0, false},
		{"99999999999GiB", 0, false},
	}
	for _, tt := range tests {
		got, err := parseByteSize(tt.in)
		if !tt.ok {
			assert.Error(t, err, "%q", tt.in)
			continue
		}
		require.NoError(t, err, "%q", tt.in)
		assert.Equal(t, tt.want, got, "%q", tt.in)
	}
	b := byteSize(16 << 20)
	assert.Equal(t, "16MiB", b.String())
}

// TestServeRefusesBadMaxMemory: a size that does not parse or is under
// 1 MiB is refused in one line naming the flag or its variable.
func TestServeRefusesBadMaxMemory(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"not a size", []string{"--max-memory", "lots"}, nil, `invalid value "lots" for flag -max-memory: want a size such as 32MiB`},
		{"under 1 MiB", []string{"--max-memory", "512KiB"}, nil, "--max-memory 512KiB: must be a size of at least 1MiB"},
		{"env not a size", nil, map[string]string{"ALMA_SANDBOX_MAX_MEMORY": "12x"}, "ALMA_SANDBOX_MAX_MEMORY=12x: must be a size of at least 1MiB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			var stdout, stderr strings.Builder
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			assert.Equal(t, 2, runServe(ctx, tt.args, &stdout, &stderr), "stderr: %s", stderr.String())
			assert.Contains(t, stderr.String(), tt.want)
			assert.Equal(t, 1, strings.Count(stderr.String(), "\n"), "one line: %q", stderr.String())
		})
	}
}
