package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestHealthURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		flag    string
		env     string // ALMA_SANDBOX_ADDR
		envURL  string // ALMA_SANDBOX_URL
		want    string
		wantErr string
	}{
		{name: "default", want: "http://127.0.0.1:4242/healthz"},
		{name: "env loopback", env: "127.0.0.1:5000", want: "http://127.0.0.1:5000/healthz"},
		{name: "env wildcard v4", env: "0.0.0.0:4242", want: "http://127.0.0.1:4242/healthz"},
		{name: "env port only", env: ":4300", want: "http://127.0.0.1:4300/healthz"},
		{name: "env wildcard v6", env: "[::]:4242", want: "http://[::1]:4242/healthz"},
		{name: "env host name", env: "localhost:4242", want: "http://localhost:4242/healthz"},
		{name: "env url", env: "http://alma:4242", want: "http://alma:4242/healthz"},
		{name: "env ALMA_SANDBOX_URL", envURL: "http://127.0.0.1:5001", want: "http://127.0.0.1:5001/healthz"},
		{name: "ALMA_SANDBOX_URL wins over ALMA_SANDBOX_ADDR", envURL: "http://127.0.0.1:5001/", env: "0.0.0.0:4242", want: "http://127.0.0.1:5001/healthz"},
		{name: "flag wins over env", flag: "http://127.0.0.1:9", env: "0.0.0.0:4242", envURL: "http://127.0.0.1:5001", want: "http://127.0.0.1:9/healthz"},
		{name: "flag trailing slash", flag: "http://127.0.0.1:9/", want: "http://127.0.0.1:9/healthz"},
		{name: "flag already healthz", flag: "http://127.0.0.1:9/healthz", want: "http://127.0.0.1:9/healthz"},
		{name: "flag with prefix", flag: "https://sandbox.test/alma", want: "https://sandbox.test/alma/healthz"},
		{name: "env without port", env: "127.0.0.1", wantErr: "ALMA_SANDBOX_ADDR=127.0.0.1: want a listen address host:port"},
		{name: "env empty port", env: "127.0.0.1:", wantErr: "ALMA_SANDBOX_ADDR=127.0.0.1:: missing port"},
		{name: "env ALMA_SANDBOX_URL without scheme", envURL: "127.0.0.1:4242", wantErr: "ALMA_SANDBOX_URL=127.0.0.1:4242: want http://host:port, such as http://127.0.0.1:4242 (the scheme is missing)"},
		{name: "flag without scheme", flag: "127.0.0.1:4242", wantErr: "--url 127.0.0.1:4242: want http://host:port, such as http://127.0.0.1:4242 (the scheme is missing)"},
		{name: "flag without host", flag: "http:///healthz", wantErr: "--url http:///healthz: want http://host:port"},
		{name: "flag other scheme", flag: "ftp://127.0.0.1:4242", wantErr: "--url ftp://127.0.0.1:4242: want http://host:port"},
		{name: "flag unparsable", flag: "http://[::1", wantErr: "--url http://[::1: want http://host:port"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			getenv := func(key string) string {
				return map[string]string{"ALMA_SANDBOX_ADDR": tt.env, "ALMA_SANDBOX_URL": tt.envURL}[key]
			}
			got, err := healthURL(tt.flag, getenv)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.True(t, strings.HasPrefix(err.Error(), tt.wantErr), "error %q, want it to start with %q", err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestCheckHealth(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		handler http.HandlerFunc
		wantErr string
	}{
		{name: "200", handler: func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/healthz" || r.Method != http.MethodGet {
				http.NotFound(w, r)
				return
			}
			_, _ = w.Write([]byte(`{"status":"ok"}`))
		}},
		{name: "503", handler: func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(http.StatusServiceUnavailable)
		}, wantErr: "status 503"},
		{name: "204 is not 200", handler: func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(http.StatusNoContent)
		}, wantErr: "status 204"},
		{name: "redirect is not followed", handler: func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/healthz" {
				http.Redirect(w, r, "/elsewhere", http.StatusFound)
				return
			}
			w.WriteHeader(http.StatusOK)
		}, wantErr: "status 302"},
		{name: "no answer before the deadline", handler: func(_ http.ResponseWriter, r *http.Request) {
			<-r.Context().Done()
		}, wantErr: "get http"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(tt.handler)
			t.Cleanup(srv.Close)
			err := checkHealth(context.Background(), newHealthClient(200*time.Millisecond), srv.URL+"/healthz")
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
		})
	}
}

func TestCheckHealthConnectionRefused(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.NotFoundHandler())
	target := srv.URL + "/healthz"
	srv.Close()
	err := checkHealth(context.Background(), newHealthClient(time.Second), target)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "get "+target)
}

func TestRunHealth(t *testing.T) {
	t.Parallel()
	healthy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/healthz" {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write([]byte(`{"status":"ok"}`))
	}))
	t.Cleanup(healthy.Close)
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
	}))
	t.Cleanup(failing.Close)

	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout string
		wantStderr string
	}{
		{name: "healthy", args: []string{"health", "--url", healthy.URL}, wantCode: 0, wantStdout: "ok (" + healthy.URL + "/healthz)"},
		{name: "unhealthy", args: []string{"health", "--url", failing.URL}, wantCode: 1, wantStderr: "unhealthy: get " + failing.URL + "/healthz: status 500"},
		{name: "bad url", args: []string{"health", "--url", "localhost"}, wantCode: 2, wantStderr: "alma-sandbox health: --url localhost: want http://host:port"},
		{name: "no scheme", args: []string{"health", "--url", "127.0.0.1:4242"}, wantCode: 2, wantStderr: "(the scheme is missing)"},
		{name: "-h", args: []string{"health", "-h"}, wantCode: 0, wantStdout: "usage: alma-sandbox health [--url URL]"},
		{name: "--help", args: []string{"health", "--help"}, wantCode: 0, wantStdout: "ALMA_SANDBOX_URL"},
		{name: "unknown flag", args: []string{"health", "--nope"}, wantCode: 2, wantStderr: "alma-sandbox health: flag provided but not defined: -nope (alma-sandbox health -h lists the flags)"},
		{name: "extra argument", args: []string{"health", "--url", healthy.URL, "extra"}, wantCode: 2, wantStderr: `unexpected argument "extra"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), tt.args, &stdout, &stderr)
			assert.Equal(t, tt.wantCode, code, "stderr: %s", stderr.String())
			if tt.wantStdout != "" {
				assert.Contains(t, stdout.String(), tt.wantStdout)
			}
			if tt.wantStderr != "" {
				assert.Contains(t, stderr.String(), tt.wantStderr)
			}
		})
	}
}

func TestRunHealthReadsALMA_SANDBOX_URL(t *testing.T) {
	healthy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"status":"ok"}`))
	}))
	t.Cleanup(healthy.Close)
	t.Setenv("ALMA_SANDBOX_URL", healthy.URL)
	t.Setenv("ALMA_SANDBOX_ADDR", "127.0.0.1:1") // nothing listens there
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"health"}, &stdout, &stderr)
	assert.Equal(t, 0, code, "stderr: %s", stderr.String())
	assert.Contains(t, stdout.String(), "ok ("+healthy.URL+"/healthz)")
}
