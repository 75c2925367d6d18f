package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDemoFlagsRefusesBadValues(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown flag", []string{"--nope"}, "flag provided but not defined: -nope"},
		{"live key", []string{"--api-key", "sk_live_x"}, "--api-key must be a sk_test_ key"},
		{"stray argument", []string{"extra"}, `unexpected argument "extra"`},
		{"address not host:port", []string{"--addr", "not-an-address"}, "--addr not-an-address: want host:port"},
		{"widget url without scheme", []string{"--emulator-url", "alma.test:4242"}, "--emulator-url alma.test:4242: want an absolute URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var d demoFlags
			var stdout, stderr strings.Builder
			code, ok := d.parse(tt.args, &stdout, &stderr)
			assert.False(t, ok)
			assert.Equal(t, 2, code)
			assert.Contains(t, stderr.String(), tt.want)
			assert.Equal(t, 1, strings.Count(stderr.String(), "\n"), "one line: %q", stderr.String())
			assert.Empty(t, stdout.String())
		})
	}
}

func TestStartDemoRefusesALiveKey(t *testing.T) {
	t.Parallel()
	stop, err := startDemo(context.Background(), "http://127.0.0.1:1", demoFlags{addr: "127.0.0.1:0", apiKey: "sk_live_x"})
	require.Error(t, err)
	assert.Nil(t, stop)
}

// demoOn returns the demo flags of a checkout on addr with the default key.
func demoOn(t *testing.T, addr string, args ...string) demoFlags {
	t.Helper()
	var d demoFlags
	var stderr strings.Builder
	_, ok := d.parse(append([]string{"--addr", addr}, args...), io.Discard, &stderr)
	require.True(t, ok, stderr.String())
	return d
}

// freeAddr returns a 127.0.0.1 address that was free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

// getPage fetches the demo's product page.
func getPage(addr string) (int, string, error) {
	res, err := http.Get("http://" + addr + "/demo/")
	if err != nil {
		return 0, "", err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	return res.StatusCode, string(body), err
}

func TestStartDemoServesUntilStopped(t *testing.T) {
	t.Parallel()
	addr := freeAddr(t)
	stop, err := startDemo(context.Background(), "http://127.0.0.1:4242/", demoOn(t, addr, "--api-key", "sk_test_x"))
	require.NoError(t, err)
	status, body, err := getPage(addr)
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, `src="http://127.0.0.1:4242/in-page/alma-in-page.js"`)
	stop()
	stop() // a second stop is harmless
	_, _, err = getPage(addr)
	assert.Error(t, err, "the demo still answers after stop")
}

func TestStartDemoStopsWithTheContext(t *testing.T) {
	t.Parallel()
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	stop, err := startDemo(ctx, "http://127.0.0.1:4242", demoOn(t, addr))
	require.NoError(t, err)
	defer stop()
	_, _, err = getPage(addr)
	require.NoError(t, err)
	cancel()
	assert.Eventually(t, func() bool {
		_, _, err := getPage(addr)
		return err != nil
	}, 10*time.Second, 20*time.Millisecond, "the demo still answers after its context ended")
}

func TestBrowserReachable(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"http://0.0.0.0:4242", "http://127.0.0.1:4242"},
		{"http://[::]:4242", "http://127.0.0.1:4242"},
		{"http://127.0.0.1:4242", "http://127.0.0.1:4242"},
		{"https://alma.test", "https://alma.test"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, browserReachable(tt.in), tt.in)
	}
}

func TestStartDemoWidgetURLFlag(t *testing.T) {
	t.Parallel()
	addr := freeAddr(t)
	stop, err := startDemo(context.Background(), "http://0.0.0.0:4242", demoOn(t, addr, "--emulator-url", "http://alma.test:8080"))
	require.NoError(t, err)
	defer stop()
	_, body, err := getPage(addr)
	require.NoError(t, err)
	assert.Contains(t, body, `src="http://alma.test:8080/in-page/alma-in-page.js"`)
}
