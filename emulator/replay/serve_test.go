package replay

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alma-sandbox/alma-sandbox/scenarios"
)

func TestServeAnswers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		step     *scenarios.Step
		act      Answer
		status   int
		ctype    string
		body     string
		wantActs int
	}{
		{name: "nil step writes act's answer", act: Answer{Body: []byte(paymentBody)},
			status: 200, ctype: "application/json", body: paymentBody, wantActs: 1},
		{name: "act's own content type kept", step: nil,
			act:    Answer{Status: 201, Body: []byte("ok"), Header: http.Header{"Content-Type": {"text/plain"}}},
			status: 201, ctype: "text/plain", body: "ok", wantActs: 1},
		{name: "bare status answers Alma's message", step: &scenarios.Step{Status: 502},
			status: 502, ctype: "application/json", body: `{"message":"Bad Gateway"}`},
		{name: "unknown status text", step: &scenarios.Step{Status: 599},
			status: 599, ctype: "application/json", body: `{"message":"Status 599"}`},
		{name: "raw JSON body with status", step: &scenarios.Step{Status: 418, Body: `{"teapot":true}`},
			status: 418, ctype: "application/json", body: `{"teapot":true}`},
		{name: "raw text body defaults to 200", step: &scenarios.Step{Body: "not json"},
			status: 200, ctype: "text/plain; charset=utf-8", body: "not json"},
		{name: "default error writer, top-level code", step: &scenarios.Step{Error: &scenarios.Error{Code: "invalid_amount", Message: "too much"}},
			status: 400, ctype: "application/json", body: `{"error_code":"invalid_amount","message":"too much"}`},
		{name: "default error writer, field and status",
			step:   &scenarios.Step{Status: 403, Error: &scenarios.Error{Code: "missing_field", Field: "payment.purchase_amount", Message: "m"}},
			status: 403, ctype: "application/json",
			body: `{"error_code":"validation_error","errors":[{"field":"payment.purchase_amount","error_code":"missing_field","message":"m"}]}`},
		{name: "state-only step answers normally", step: &scenarios.Step{State: "scored_maybe"},
			act: Answer{Body: []byte(paymentBody)}, status: 200, ctype: "application/json", body: paymentBody, wantActs: 1},
		{name: "commit without a fault answers normally, acting once", step: &scenarios.Step{Commit: true},
			act: Answer{Body: []byte(paymentBody)}, status: 200, ctype: "application/json", body: paymentBody, wantActs: 1},
		{name: "commit then status: the operation happens, the answer is the status",
			step: &scenarios.Step{Commit: true, Status: 500}, act: Answer{Body: []byte(paymentBody)},
			status: 500, ctype: "application/json", body: `{"message":"Internal Server Error"}`, wantActs: 1},
		{name: "commit then error", step: &scenarios.Step{Commit: true, Error: &scenarios.Error{Code: "not_found"}},
			act: Answer{Body: []byte(paymentBody)}, status: 400, ctype: "application/json",
			body: `{"error_code":"not_found","message":""}`, wantActs: 1},
		{name: "patch merges into the payment", step: &scenarios.Step{Patch: map[string]any{"purchase_amount": 1, "extra": map[string]any{"a": "b"}}},
			act: Answer{Body: []byte(paymentBody)}, status: 200, ctype: "application/json",
			body: `{"id":"payment_1","purchase_amount":1,"state":"in_progress","extra":{"a":"b"}}`, wantActs: 1},
		{name: "patch leaves an error answer alone", step: &scenarios.Step{Patch: map[string]any{"purchase_amount": 1}},
			act:    Answer{Status: 404, Body: []byte(`{"error_code":"not_found"}`)},
			status: 404, ctype: "application/json", body: `{"error_code":"not_found"}`, wantActs: 1},
		{name: "patch leaves a JSON array alone", step: &scenarios.Step{Patch: map[string]any{"x": 1}},
			act: Answer{Body: []byte(`[1,2]`)}, status: 200, ctype: "application/json", body: `[1,2]`, wantActs: 1},
		{name: "patch leaves a non-JSON body alone", step: &scenarios.Step{Patch: map[string]any{"x": 1}},
			act:    Answer{Body: []byte(`{x`), Header: http.Header{"Content-Type": {"application/json"}}},
			status: 200, ctype: "application/json", body: `{x`, wantActs: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := New(nil, Options{})
			acts := 0
			rec := httptest.NewRecorder()
			e.Serve(rec, httptest.NewRequest(http.MethodGet, "/", nil), tt.step, func() Answer { acts++; return tt.act })
			assert.Equal(t, tt.status, rec.Code)
			assert.Equal(t, tt.ctype, rec.Header().Get("Content-Type"))
			if json.Valid([]byte(tt.body)) {
				assert.JSONEq(t, tt.body, rec.Body.String())
			} else {
				assert.Equal(t, tt.body, rec.Body.String())
			}
			assert.Equal(t, tt.wantActs, acts)
		})
	}
}

func TestServeCustomWriteError(t *testing.T) {
	t.Parallel()
	var got scenarios.Error
	var gotStatus int
	e := New(nil, Options{WriteError: func(w http.ResponseWriter, err scenarios.Error, status int) {
		got, gotStatus = err, status
		w.WriteHeader(http.StatusTeapot)
	}})
	want := scenarios.Error{Code: "card_declined", Message: "no"}
	rec := httptest.NewRecorder()
	e.Serve(rec, httptest.NewRequest(http.MethodPost, "/", nil), &scenarios.Step{Error: &want}, func() Answer {
		t.Error("act called for an error step without commit")
		return Answer{}
	})
	assert.Equal(t, want, got)
	assert.Zero(t, gotStatus)
	assert.Equal(t, http.StatusTeapot, rec.Code)
}

func TestServeCommitThenFault(t *testing.T) {
	t.Parallel()
	var acts int
	srv := serveStep(t, New(nil, Options{}), &scenarios.Step{Commit: true, Fault: scenarios.FaultReset}, &acts)
	_, err := client(t, 5*time.Second).Post(srv.URL, "application/json", strings.NewReader(`{}`))
	require.Error(t, err)
	srv.Close()
	assert.Equal(t, 1, acts, "the operation happened although the answer was lost")
}

func TestServeCommitTruncatesActsBody(t *testing.T) {
	t.Parallel()
	var acts int
	srv := serveStep(t, New(nil, Options{}), &scenarios.Step{Commit: true, Fault: scenarios.FaultTruncated}, &acts)
	resp, err := client(t, 5*time.Second).Get(srv.URL)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
	assert.Equal(t, paymentBody[:len(paymentBody)/2], string(body))
}

func TestServeDelayKeepsBodyForAct(t *testing.T) {
	t.Parallel()
	e := New(nil, Options{})
	t.Cleanup(e.Close)
	step := &scenarios.Step{Delay: &scenarios.Delay{Fixed: scenarios.Duration(time.Millisecond)}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.Serve(w, r, step, func() Answer {
			b, err := io.ReadAll(r.Body)
			if err != nil {
				return Answer{Status: 500}
			}
			return Answer{Body: b}
		})
	}))
	t.Cleanup(srv.Close)
	resp, err := client(t, 5*time.Second).Post(srv.URL, "application/json", strings.NewReader(`{"payment":{"purchase_amount":5000}}`))
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.JSONEq(t, `{"payment":{"purchase_amount":5000}}`, string(readAll(t, resp)))
}

func TestServeClientLeavesDuringDelay(t *testing.T) {
	t.Parallel()
	var acts int
	step := &scenarios.Step{Commit: true, Delay: &scenarios.Delay{Fixed: scenarios.Duration(time.Hour)}}
	srv := serveStep(t, New(nil, Options{HangLimit: time.Hour}), step, &acts)
	_, err := client(t, 100*time.Millisecond).Post(srv.URL, "application/json", strings.NewReader(`{}`))
	require.Error(t, err)
	srv.Close() // waits for the handler, which returns once the client is gone
	assert.Zero(t, acts, "a client gone during the delay must not commit the operation")
}

func TestDelayDraws(t *testing.T) {
	t.Parallel()
	d := func(v time.Duration) scenarios.Duration { return scenarios.Duration(v) }
	tests := []struct {
		name   string
		delay  *scenarios.Delay
		lo, hi time.Duration
	}{
		{name: "none", delay: nil, lo: 0, hi: 0},
		{name: "fixed", delay: &scenarios.Delay{Fixed: d(150 * time.Millisecond)}, lo: 150 * time.Millisecond, hi: 150 * time.Millisecond},
		{name: "uniform", delay: &scenarios.Delay{Min: d(10 * time.Millisecond), Max: d(20 * time.Millisecond)}, lo: 10 * time.Millisecond, hi: 20 * time.Millisecond},
		{name: "uniform, bounds swapped", delay: &scenarios.Delay{Min: d(20 * time.Millisecond), Max: d(10 * time.Millisecond)}, lo: 10 * time.Millisecond, hi: 20 * time.Millisecond},
		{name: "normal clamped at zero", delay: &scenarios.Delay{Mean: d(0), Stddev: d(time.Second)}, lo: 0, hi: time.Minute},
		{name: "capped by the hang limit", delay: &scenarios.Delay{Fixed: d(time.Hour)}, lo: time.Minute, hi: time.Minute},
		{name: "negative fixed is zero", delay: &scenarios.Delay{Fixed: d(-time.Second)}, lo: 0, hi: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := New(nil, Options{Seed: 7, HangLimit: time.Minute})
			for range 200 {
				v := e.delay(tt.delay)
				assert.GreaterOrEqual(t, v, tt.lo)
				assert.LessOrEqual(t, v, tt.hi)
			}
		})
	}
}

func TestDelaySeeded(t *testing.T) {
	t.Parallel()
	normal := &scenarios.Delay{Mean: scenarios.Duration(time.Second), Stddev: scenarios.Duration(300 * time.Millisecond)}
	draw := func(seed int64) []time.Duration {
		e := New(nil, Options{Seed: seed})
		out := make([]time.Duration, 20)
		for i := range out {
			out[i] = e.delay(normal)
		}
		return out
	}
	assert.Equal(t, draw(42), draw(42), "same seed, same delays")
	assert.NotEqual(t, draw(42), draw(43), "another seed, other delays")
}

// discardWriter is a reusable ResponseWriter for the benchmark.
type discardWriter struct{ h http.Header }

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (d *discardWriter) WriteHeader(int)             {}

func BenchmarkServeNilStep(b *testing.B) {
	e := New(nil, Options{})
	w := &discardWriter{h: make(http.Header)}
	r := httptest.NewRequest(http.MethodGet, "/v1/payments/payment_1", nil)
	ans := Answer{Status: http.StatusOK, Body: []byte(paymentBody)}
	act := func() Answer { return ans }
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h) // a fresh response's header, as net/http gives each request
		e.Serve(w, r, nil, act)
	}
}

// failingBody fails every read.
type failingBody struct{}

func (failingBody) Read([]byte) (int, error) { return 0, io.ErrClosedPipe }
func (failingBody) Close() error             { return nil }

func TestPrepareWaitKeepsReadError(t *testing.T) {
	t.Parallel()
	r := httptest.NewRequest(http.MethodPost, "/", nil)
	r.Body = failingBody{}
	prepareWait(r)
	_, err := io.ReadAll(r.Body)
	assert.ErrorIs(t, err, io.ErrClosedPipe, "the operation sees the body's read error")
	assert.NoError(t, r.Body.Close())
}

// TestMergeJSONReencodes pins what mergeJSON's doc says of the members it
// does not set: same values, re-encoded.
func TestMergeJSONReencodes(t *testing.T) {
	t.Parallel()
	out, err := mergeJSON([]byte(`{ "b" : [1, 2], "a": "x<y", "c": 1, "c": 2 }`), map[string]any{"z": true})
	require.NoError(t, err)
	assert.Equal(t, `{"a":"x\u003cy","b":[1,2],"c":2,"z":true}`, string(out))
}
