package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// writeList writes a mutants file into a temporary folder and returns it.
func writeList(t *testing.T, text string) (dir, name string) {
	t.Helper()
	dir = t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "m.txt"), []byte(text), 0o644))
	return dir, "m.txt"
}

func TestLoadMutants(t *testing.T) {
	dir, name := writeList(t, "# header comment\n\n=== one\n# why\nfile: a/b.go\ntest: ./a/... ./c/\ntags: pact\n"+
		"--- original\n\tx := 1\n\ty := 2\n--- replacement\n\tx := 2\n\n\n=== two\nfile: a/b.go\ntest: ./a/\ncount: all\n"+
		"--- original\nfoo\n--- replacement\n")
	got, err := loadMutants(dir, name)
	require.NoError(t, err)
	require.Len(t, got, 2)
	assert.Equal(t, mutant{name: "one", file: "a/b.go", original: "\tx := 1\n\ty := 2", replacement: "\tx := 2",
		packages: []string{"./a/...", "./c/"}, tags: "pact", line: 3}, got[0])
	assert.Equal(t, "", got[1].replacement, "an empty replacement deletes")
	assert.True(t, got[1].all)
	assert.Equal(t, "-tags pact ./a/... ./c/", got[0].testKey())
}

func TestLoadMutantsRefusesBadLists(t *testing.T) {
	tests := []struct{ name, text, want string }{
		{"text before a mutant", "oops\n", "before the first"},
		{"no replacement", "=== a\nfile: f\ntest: ./x\n--- original\nx\n", "no \"--- original\" and \"--- replacement\""},
		{"no file", "=== a\ntest: ./x\n--- original\nx\n--- replacement\ny\n", "needs a file and a test line"},
		{"same text", "=== a\nfile: f\ntest: ./x\n--- original\nx\n--- replacement\nx\n", "changes nothing"},
		{"twice", "=== a\nfile: f\ntest: ./x\n--- original\nx\n--- replacement\ny\n=== a\nfile: f\ntest: ./x\n--- original\nx\n--- replacement\ny\n", "listed twice"},
		{"unknown key", "=== a\nfiles: f\n", "unknown key"},
		{"name with a space", "=== a b\nfile: f\ntest: ./x\n--- original\nx\n--- replacement\ny\n", "one word"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, name := writeList(t, tt.text)
			_, err := loadMutants(dir, name)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestApply(t *testing.T) {
	one := mutant{name: "m", file: "f.go", original: "a < b", replacement: "a <= b"}
	got, err := one.apply("if a < b {}")
	require.NoError(t, err)
	assert.Equal(t, "if a <= b {}", got)

	_, err = one.apply("if a > b {}")
	assert.ErrorContains(t, err, "not in f.go")
	_, err = one.apply("a < b; a < b")
	assert.ErrorContains(t, err, "2 times")

	one.all = true
	got, err = one.apply("a < b; a < b")
	require.NoError(t, err)
	assert.Equal(t, "a <= b; a <= b", got)
}

func TestFailedTests(t *testing.T) {
	out := []byte("--- FAIL: TestB (0.00s)\n    --- FAIL: TestB/sub (0.00s)\n--- FAIL: TestA (0.01s)\nFAIL\n")
	assert.Equal(t, []string{"TestA", "TestB"}, failedTests(out))
	assert.Equal(t, []string{"(a failure outside a test, e.g. a panic)"}, failedTests([]byte("panic: boom\n")))
}
