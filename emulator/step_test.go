package emulator

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

	"github.com/alma-sandbox/alma-sandbox/emulator/replay"
	"github.com/alma-sandbox/alma-sandbox/scenarios"
)

func TestStepFaults(t *testing.T) {
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
				assert.Error(t, json.Unmarshal(bodyOf(t, resp), &v))
			},
		},
		{
			name: "malformed with a status",
			step: scenarios.Step{Fault: scenarios.FaultMalformed, Status: 502},
			check: func(t *testing.T, resp *http.Response, err error) {
				require.NoError(t, err)
				assert.Equal(t, http.StatusBadGateway, resp.StatusCode)
				assert.False(t, json.Valid(bodyOf(t, resp)))
			},
		},
		{
			name: "truncated announces more than it writes",
			step: scenarios.Step{Fault: scenarios.FaultTruncated},
			check: func(t *testing.T, resp *http.Response, err error) {
				require.NoError(t, err)
				assert.Equal(t, http.StatusOK, resp.StatusCode)
				assert.Equal(t, int64(len(replay.TruncatedFallback)), resp.ContentLength)
				body, err := io.ReadAll(resp.Body)
				assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
				assert.Equal(t, replay.TruncatedFallback[:len(replay.TruncatedFallback)/2], string(body))
			},
		},
		{
			name: "html answers a page",
			step: scenarios.Step{Fault: scenarios.FaultHTML, Status: 503},
			check: func(t *testing.T, resp *http.Response, err error) {
				require.NoError(t, err)
				assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
				assert.Equal(t, "text/html; charset=utf-8", resp.Header.Get("Content-Type"))
				assert.Contains(t, string(bodyOf(t, resp)), "<html>")
			},
		},
		{
			name: "unknown fault answers 500",
			step: scenarios.Step{Fault: "smoke"},
			check: func(t *testing.T, resp *http.Response, err error) {
				require.NoError(t, err)
				assert.Equal(t, http.StatusInternalServerError, resp.StatusCode)
				assert.JSONEq(t, `{"message":"Internal Server Error"}`, string(bodyOf(t, resp)))
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var acts int
			srv := stepServer(t, time.Minute, &tt.step, &acts)
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

func TestStallSendsHalfThenHoldsUntilTheClientLeaves(t *testing.T) {
	t.Parallel()
	var acts int
	srv := stepServer(t, time.Hour, &scenarios.Step{Fault: scenarios.FaultStall}, &acts)
	resp, err := client(t, 300*time.Millisecond).Get(srv.URL)
	require.NoError(t, err, "the head arrives")
	defer resp.Body.Close()
	assert.Equal(t, int64(len(replay.TruncatedFallback)), resp.ContentLength)
	body, err := io.ReadAll(resp.Body)
	var ne net.Error
	require.ErrorAs(t, err, &ne, "the body stalls until the client's deadline")
	assert.True(t, ne.Timeout(), "a deadline, not a reset: %v", err)
	assert.Equal(t, replay.TruncatedFallback[:len(replay.TruncatedFallback)/2], string(body))
	srv.Close() // returns only once the stalled handler saw the client leave
	assert.Zero(t, acts)
}

func TestCloseUnblocksHang(t *testing.T) {
	t.Parallel()
	s := NewServer()
	s.HangLimit = time.Hour
	s.Handler()
	started := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		s.serveStep(w, r, &scenarios.Step{Fault: scenarios.FaultHang}, func() answer { return answer{} })
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
	// Once the request hangs, closing the server drops the connection: the
	// client sees EOF, not its own one-minute deadline.
	<-started
	require.NoError(t, s.Close())
	err := <-errc
	require.Error(t, err)
	assert.ErrorIs(t, err, io.EOF)
}

func TestHangLimitDropsConnection(t *testing.T) {
	t.Parallel()
	var acts int
	srv := stepServer(t, time.Millisecond, &scenarios.Step{Fault: scenarios.FaultHang}, &acts)
	_, err := client(t, time.Minute).Get(srv.URL)
	assert.ErrorIs(t, err, io.EOF)
}

func TestFaultWithoutHijack(t *testing.T) {
	t.Parallel()
	for _, f := range []scenarios.Fault{scenarios.FaultReset, scenarios.FaultEmpty, scenarios.FaultTruncated} {
		t.Run(string(f), func(t *testing.T) {
			t.Parallel()
			s := NewServer()
			s.Handler()
			rec := httptest.NewRecorder()
			s.serveStep(rec, httptest.NewRequest(http.MethodGet, "/", nil), &scenarios.Step{Fault: f}, func() answer { return answer{} })
			assert.Equal(t, http.StatusInternalServerError, rec.Code)
		})
	}
}

func TestStepAnswers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		step   *scenarios.Step
		status int
		body   string
		acts   int
	}{
		{name: "no step acts", step: nil, status: 200, body: paymentBody, acts: 1},
		{name: "an empty step acts", step: &scenarios.Step{}, status: 200, body: paymentBody, acts: 1},
		{name: "error in Alma's shape, no act", step: &scenarios.Step{Error: &scenarios.Error{Code: "invalid_amount", Message: "nope"}},
			status: 400, body: `{"error_code":"invalid_amount","message":"nope"}`},
		{name: "field error", step: &scenarios.Step{Error: &scenarios.Error{Code: "missing_field", Field: "payment.purchase_amount"}},
			status: 400, body: `{"error_code":"validation_error","errors":[{"field":"payment.purchase_amount","error_code":"missing_field","message":"Error: missing_field"}]}`},
		{name: "card error is a 402", step: &scenarios.Step{Error: &scenarios.Error{Code: "card_declined", Message: "declined"}},
			status: 402, body: `{"error_code":"card_declined","message":"declined"}`},
		{name: "bare status", step: &scenarios.Step{Status: 503}, status: 503, body: `{"message":"Service Unavailable"}`},
		{name: "scripted body", step: &scenarios.Step{Status: 200, Body: `{"state":"paid"}`}, status: 200, body: `{"state":"paid"}`},
		{name: "patch merges into the answer", step: &scenarios.Step{Patch: map[string]any{"purchase_amount": 1}},
			status: 200, body: `{"id":"payment_1","purchase_amount":1,"state":"in_progress"}`, acts: 1},
		{name: "commit then error: the operation ran", step: &scenarios.Step{Commit: true, Status: 500},
			status: 500, body: `{"message":"Internal Server Error"}`, acts: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var acts int
			srv := stepServer(t, time.Minute, tt.step, &acts)
			resp, err := client(t, 10*time.Second).Post(srv.URL+"/v1/payments", "application/json", strings.NewReader(`{}`))
			require.NoError(t, err)
			defer resp.Body.Close()
			assert.Equal(t, tt.status, resp.StatusCode)
			assert.JSONEq(t, tt.body, string(bodyOf(t, resp)))
			srv.Close()
			assert.Equal(t, tt.acts, acts)
		})
	}
}

func TestStepCommitThenTruncateCutsTheRealAnswer(t *testing.T) {
	t.Parallel()
	var acts int
	srv := stepServer(t, time.Minute, &scenarios.Step{Commit: true, Fault: scenarios.FaultTruncated}, &acts)
	resp, err := client(t, 10*time.Second).Get(srv.URL)
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, int64(len(paymentBody)), resp.ContentLength)
	body, _ := io.ReadAll(resp.Body)
	assert.Equal(t, paymentBody[:len(paymentBody)/2], string(body))
	srv.Close()
	assert.Equal(t, 1, acts)
}

func TestStepClientLeavesDuringDelay(t *testing.T) {
	t.Parallel()
	var acts int
	srv := stepServer(t, time.Minute, &scenarios.Step{Delay: &scenarios.Delay{Fixed: scenarios.Duration(time.Minute)}}, &acts)
	_, err := client(t, 50*time.Millisecond).Get(srv.URL)
	require.Error(t, err)
	srv.Close()
	assert.Zero(t, acts, "the client left during the delay: nothing was done")
}

// paymentBody is the normal answer the step servers' act returns.
const paymentBody = `{"id":"payment_1","purchase_amount":10000,"state":"in_progress"}`

// stepServer starts a real server on 127.0.0.1 answering every request with
// serveStep(step) and an act that counts its calls into *acts (read it only
// after the server is closed).
func stepServer(tb testing.TB, hangLimit time.Duration, step *scenarios.Step, acts *int) *httptest.Server {
	tb.Helper()
	s := NewServer()
	s.HangLimit = hangLimit
	s.Handler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.serveStep(w, r, step, func() answer {
			*acts++
			return ok([]byte(paymentBody))
		})
	}))
	tb.Cleanup(srv.Close)
	tb.Cleanup(func() { _ = s.Close() })
	return srv
}

// client returns a fresh client that never reuses connections (so a fault
// is never hidden by a transport retry) with the given deadline.
func client(tb testing.TB, timeout time.Duration) *http.Client {
	tb.Helper()
	tr := &http.Transport{DisableKeepAlives: true}
	tb.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: timeout}
}

// bodyOf reads the response body, failing the test on error.
func bodyOf(t *testing.T, resp *http.Response) []byte {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return b
}
