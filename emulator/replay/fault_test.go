package replay

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alma-sandbox/alma-sandbox/scenarios"
)

func TestFaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		step  scenarios.Step
		check func(t *testing.T, resp *http.Response, err error)
	}{
		{
			name: "hang outlasts the client's deadline",
			step: scenarios.Step{Fault: scenarios.FaultHang},
			check: func(t *testing.T, _ *http.Response, err error) {
				var ne net.Error
				require.ErrorAs(t, err, &ne)
				assert.True(t, ne.Timeout(), "want a timeout, got %v", err)
			},
		},
		{
			name: "reset resets the connection",
			step: scenarios.Step{Fault: scenarios.FaultReset},
			check: func(t *testing.T, _ *http.Response, err error) {
				assert.ErrorIs(t, err, syscall.ECONNRESET)
			},
		},
		{
			name: "empty closes without a byte",
			step: scenarios.Step{Fault: scenarios.FaultEmpty},
			check: func(t *testing.T, _ *http.Response, err error) {
				assert.ErrorIs(t, err, io.EOF)
			},
		},
		{
			name: "malformed answers JSON that does not parse",
			step: scenarios.Step{Fault: scenarios.FaultMalformed},
			check: func(t *testing.T, resp *http.Response, err error) {
				require.NoError(t, err)
				assert.Equal(t, http.StatusOK, resp.StatusCode)
				assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
				var v any
				assert.Error(t, json.Unmarshal(readAll(t, resp), &v))
			},
		},
		{
			name: "malformed with a status",
			step: scenarios.Step{Fault: scenarios.FaultMalformed, Status: 502},
			check: func(t *testing.T, resp *http.Response, err error) {
				require.NoError(t, err)
				assert.Equal(t, http.StatusBadGateway, resp.StatusCode)
				assert.False(t, json.Valid(readAll(t, resp)))
			},
		},
		{
			name: "truncated announces more than it writes",
			step: scenarios.Step{Fault: scenarios.FaultTruncated},
			check: func(t *testing.T, resp *http.Response, err error) {
				require.NoError(t, err)
				assert.Equal(t, http.StatusOK, resp.StatusCode)
				assert.Equal(t, int64(len(truncatedFallback)), resp.ContentLength)
				body, err := io.ReadAll(resp.Body)
				assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
				assert.Equal(t, truncatedFallback[:len(truncatedFallback)/2], string(body))
			},
		},
		{
			name: "html answers a page",
			step: scenarios.Step{Fault: scenarios.FaultHTML, Status: 503},
			check: func(t *testing.T, resp *http.Response, err error) {
				require.NoError(t, err)
				assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
				assert.Equal(t, "text/html; charset=utf-8", resp.Header.Get("Content-Type"))
				assert.Contains(t, string(readAll(t, resp)), "<html>")
			},
		},
		{
			name: "unknown fault answers 500",
			step: scenarios.Step{Fault: "smoke"},
			check: func(t *testing.T, resp *http.Response, err error) {
				require.NoError(t, err)
				assert.Equal(t, http.StatusInternalServerError, resp.StatusCode)
				assert.JSONEq(t, `{"message":"Internal Server Error"}`, string(readAll(t, resp)))
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var acts int
			srv := serveStep(t, New(nil, Options{HangLimit: time.Minute}), &tt.step, &acts)
			resp, err := client(t, 300*time.Millisecond).Post(srv.URL+"/v1/payments", "application/json", strings.NewReader(`{}`))
			if resp != nil {
				defer resp.Body.Close()
			}
			tt.check(t, resp, err)
			srv.Close()
			assert.Zero(t, acts, "a fault without commit must not perform the operation")
		})
	}
}

func TestCloseUnblocksHang(t *testing.T) {
	t.Parallel()
	e := New(nil, Options{HangLimit: time.Hour})
	started := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		e.Serve(w, r, &scenarios.Step{Fault: scenarios.FaultHang}, func() Answer { return Answer{} })
	}))
	t.Cleanup(srv.Close)
	errc := make(chan error, 1)
	go func() {
		resp, err := client(t, time.Minute).Get(srv.URL)
		if err == nil {
			resp.Body.Close()
		}
		errc <- err
	}()
	// Once the request hangs, closing the engine drops the connection: the
	// client sees EOF, not its own one-minute deadline.
	<-started
	e.Close()
	err := <-errc
	require.Error(t, err)
	assert.ErrorIs(t, err, io.EOF)
}

func TestHangLimitDropsConnection(t *testing.T) {
	t.Parallel()
	var acts int
	srv := serveStep(t, New(nil, Options{HangLimit: time.Millisecond}), &scenarios.Step{Fault: scenarios.FaultHang}, &acts)
	_, err := client(t, time.Minute).Get(srv.URL)
	assert.ErrorIs(t, err, io.EOF)
}

func TestFaultWithoutHijack(t *testing.T) {
	t.Parallel()
	for _, f := range []scenarios.Fault{scenarios.FaultReset, scenarios.FaultEmpty, scenarios.FaultTruncated} {
		t.Run(string(f), func(t *testing.T) {
			t.Parallel()
			e := New(nil, Options{})
			rec := httptest.NewRecorder()
			e.Serve(rec, httptest.NewRequest(http.MethodGet, "/", nil), &scenarios.Step{Fault: f}, func() Answer { return Answer{} })
			assert.Equal(t, http.StatusInternalServerError, rec.Code)
		})
	}
}

// readAll reads the response body, failing the test on error.
func readAll(t *testing.T, resp *http.Response) []byte {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return b
}
