package main

import (
	"bytes"
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRunHelpAndVersion(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout string
		wantStderr string
	}{
		{"-h", []string{"-h"}, 0, "usage: alma-sandbox <command>", ""},
		{"--help", []string{"--help"}, 0, "usage: alma-sandbox <command>", ""},
		{"help", []string{"help"}, 0, "usage: alma-sandbox <command>", ""},
		{"no command", nil, 2, "", "usage: alma-sandbox <command>"},
		{"version", []string{"version"}, 0, "alma-sandbox dev\n", ""},
		{"--version", []string{"--version"}, 0, "alma-sandbox dev\n", ""},
		{"version -h", []string{"version", "-h"}, 0, "usage: alma-sandbox version", ""},
		{"version extra", []string{"version", "extra"}, 2, "", `unexpected argument "extra"`},
		{"version bad flag", []string{"version", "--nope"}, 2, "", "alma-sandbox version: flag provided but not defined: -nope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), tt.args, &stdout, &stderr)
			assert.Equal(t, tt.wantCode, code, "stderr: %s", stderr.String())
			if tt.wantStdout == "" {
				assert.Empty(t, stdout.String())
			} else {
				assert.Contains(t, stdout.String(), tt.wantStdout)
			}
			if tt.wantStderr == "" {
				assert.Empty(t, stderr.String())
			} else {
				assert.Contains(t, stderr.String(), tt.wantStderr)
			}
		})
	}
}

// repoRoot is the module's root, where the Makefile is.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	require.NoError(t, err)
	require.FileExists(t, filepath.Join(root, "Makefile"))
	return root
}

// environ is the test's environment without the variables named, plus set.
func environ(drop []string, set ...string) []string {
	var out []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		keep := true
		for _, d := range drop {
			keep = keep && name != d
		}
		if keep {
			out = append(out, kv)
		}
	}
	return append(out, set...)
}

// makeOutput runs make in the repository root and returns its combined
// output and error.
func makeOutput(t *testing.T, env []string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command("make", append([]string{"--no-print-directory"}, args...)...)
	cmd.Dir = repoRoot(t)
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// serveLine is the `alma-sandbox serve` command of make's dry-run output.
func serveLine(t *testing.T, out string) string {
	t.Helper()
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, "alma-sandbox serve") {
			return l
		}
	}
	require.Fail(t, "no serve command", out)
	return ""
}

func TestMakeRunListensWhereTold(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		env  []string
		args []string
		want string
	}{
		{"default", nil, nil, "serve --addr 127.0.0.1:4242"},
		{"ALMA_SANDBOX_ADDR", []string{"ALMA_SANDBOX_ADDR=127.0.0.1:5555"}, nil, "serve --addr 127.0.0.1:5555"},
		{"ADDR wins over ALMA_SANDBOX_ADDR", []string{"ALMA_SANDBOX_ADDR=127.0.0.1:5555"}, []string{"ADDR=127.0.0.1:6666"}, "serve --addr 127.0.0.1:6666"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out, err := makeOutput(t, environ([]string{"ALMA_SANDBOX_ADDR", "ADDR"}, tt.env...), append([]string{"-n", "run"}, tt.args...)...)
			require.NoError(t, err, out)
			assert.True(t, strings.HasSuffix(serveLine(t, out), tt.want), "make -n run: %q, want it to end with %q", serveLine(t, out), tt.want)
		})
	}
}

func TestMakeDockerUpWithoutAnEngineSaysSoFirst(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		env  []string
		args []string
		want string
	}{
		{"engine not running", []string{"DOCKER_HOST=unix://" + filepath.Join(t.TempDir(), "no-engine.sock")}, nil,
			"no Docker engine is reachable at DOCKER_HOST=unix://"},
		{"docker not installed", nil, []string{"DOCKER=/nonexistent/docker"},
			"no Docker engine is reachable: the /nonexistent/docker command is not installed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out, err := makeOutput(t, environ([]string{"DOCKER_HOST", "DOCKER_CONTEXT"}, tt.env...), append([]string{"-s", "docker-up"}, tt.args...)...)
			require.Error(t, err, "docker-up without an engine must fail: %s", out)
			lines := strings.Split(strings.TrimSpace(out), "\n")
			assert.Contains(t, lines[0], tt.want, "the first line says what is wrong: %s", out)
			assert.Contains(t, lines[0], "start", "and how to start an engine")
			assert.Len(t, lines, 2, "that line and make's own error line, before any build: %s", out)
		})
	}
}

func TestBenchBinaryPicksAFreePort(t *testing.T) {
	t.Parallel()
	root := repoRoot(t)
	bin := filepath.Join(t.TempDir(), "alma-sandbox")
	build := exec.Command("go", "build", "-o", bin, ".")
	out, err := build.CombinedOutput()
	require.NoError(t, err, string(out))
	// The port the script used to hard-code: busy (held here, or by someone else).
	if ln, err := net.Listen("tcp", "127.0.0.1:47242"); err == nil {
		t.Cleanup(func() { _ = ln.Close() })
	}
	cmd := exec.Command("bash", filepath.Join(root, ".ci", "bench-binary"))
	cmd.Env = environ([]string{"BENCH_ADDR"}, "BIN="+bin, "BENCH_REQUESTS=100")
	out, err = cmd.CombinedOutput()
	require.NoError(t, err, string(out))
	assert.Regexp(t, `binary: listening on http://127\.0\.0\.1:\d+`, string(out))
	assert.NotContains(t, string(out), "127.0.0.1:47242")
	assert.Contains(t, string(out), "binary: first healthy /healthz")
	assert.Regexp(t, `binary: BenchmarkCreatePayment\S*\s+100\s`, string(out))
	assert.Contains(t, string(out), "binary: RSS after the load")
}
