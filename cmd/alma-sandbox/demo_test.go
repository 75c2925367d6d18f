package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStartDemoFlags(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
	}{
		{"unknown flag", []string{"--nope"}},
		{"live key", []string{"--api-key", "sk_live_x"}},
		{"stray argument", []string{"extra"}},
		{"address not host:port", []string{"--addr", "not-an-address"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			stop, err := startDemo(context.Background(), "http://127.0.0.1:1", tt.args)
			require.Error(t, err)
			assert.Nil(t, stop)
		})
	}
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
	stop, err := startDemo(context.Background(), "http://127.0.0.1:4242/", []string{"--addr", addr, "--api-key", "sk_test_x"})
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
	stop, err := startDemo(ctx, "http://127.0.0.1:4242", []string{"--addr", addr})
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
	stop, err := startDemo(context.Background(), "http://0.0.0.0:4242", []string{"--addr", addr, "--emulator-url", "http://alma.test:8080"})
	require.NoError(t, err)
	defer stop()
	_, body, err := getPage(addr)
	require.NoError(t, err)
	assert.Contains(t, body, `src="http://alma.test:8080/in-page/alma-in-page.js"`)
}
