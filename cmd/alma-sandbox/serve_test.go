package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestServeAnswersAndShutsDown(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	code := make(chan int, 1)
	go func() {
		code <- runServe(ctx, []string{"--addr", "127.0.0.1:0", "--seed", "5", "--log-level", "error", "--allow-origin", "https://a.example,https://b.example"}, pw, io.Discard)
		_ = pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	require.NoError(t, err)
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	base := regexp.MustCompile(`http://127\.0\.0\.1:\d+`).FindString(line)
	require.NotEmpty(t, base, "serve prints its URL: %q", line)

	res, err := http.Get(base + "/healthz")
	require.NoError(t, err)
	_ = res.Body.Close()
	assert.Equal(t, http.StatusOK, res.StatusCode)

	req, err := http.NewRequest(http.MethodPost, base+"/v1/payments", strings.NewReader(`{"payment":{"purchase_amount":20000}}`))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Alma-Auth sk_test_serve")
	req.Header.Set("Origin", "https://b.example")
	res, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	_ = res.Body.Close()
	assert.Equal(t, http.StatusOK, res.StatusCode)
	assert.Equal(t, "https://b.example", res.Header.Get("Access-Control-Allow-Origin"))

	cancel()
	select {
	case c := <-code:
		assert.Equal(t, 0, c)
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not shut down")
	}
}

func TestServeRefusesBadConfiguration(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want int
	}{
		{"unknown flag", []string{"--nope"}, nil, 2},
		{"bad log format", []string{"--log-format", "xml"}, nil, 2},
		{"bad log level", []string{"--log-level", "loud"}, nil, 2},
		{"stray argument", []string{"extra"}, nil, 2},
		{"bad env seed", nil, map[string]string{"ALMA_SANDBOX_SEED": "abc"}, 2},
		{"bad env duration", nil, map[string]string{"ALMA_SANDBOX_IPN_DELAY": "soon"}, 2},
		{"missing scenario dir", []string{"--addr", "127.0.0.1:0", "--scenarios", "/nonexistent/scenarios"}, nil, 1},
		{"address in use or invalid", []string{"--addr", "256.0.0.1:99999"}, nil, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			var stderr strings.Builder
			got := runServe(context.Background(), tt.args, io.Discard, &stderr)
			assert.Equal(t, tt.want, got, "stderr: %s", stderr.String())
		})
	}
}

func TestSplitList(t *testing.T) {
	t.Parallel()
	assert.Equal(t, []string{"a", "b"}, splitList(" a,, b ,"))
	assert.Nil(t, splitList(""))
	var l listFlag
	require.NoError(t, l.Set("x,y"))
	require.NoError(t, l.Set("z"))
	assert.Equal(t, "x,y,z", l.String())
}
