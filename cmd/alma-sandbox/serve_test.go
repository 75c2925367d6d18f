package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
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
		want string
	}{
		{"unknown flag", []string{"--nope"}, nil, "alma-sandbox serve: flag provided but not defined: -nope (alma-sandbox serve -h lists the flags)"},
		{"bad log format", []string{"--log-format", "xml"}, nil, "--log-format xml: want text or json"},
		{"bad log level", []string{"--log-level", "loud"}, nil, "--log-level loud: want debug, info, warn or error"},
		{"bad env log level", nil, map[string]string{"ALMA_SANDBOX_LOG_LEVEL": "loud"}, "ALMA_SANDBOX_LOG_LEVEL=loud: want debug, info, warn or error"},
		{"stray argument", []string{"extra"}, nil, `unexpected argument "extra"`},
		{"bad env seed", nil, map[string]string{"ALMA_SANDBOX_SEED": "abc"}, "ALMA_SANDBOX_SEED=abc: not an integer"},
		{"bad env duration", nil, map[string]string{"ALMA_SANDBOX_IPN_DELAY": "soon"}, "ALMA_SANDBOX_IPN_DELAY=soon: not a duration"},
		{"bad env bool", nil, map[string]string{"ALMA_SANDBOX_LOG_REQUESTS": "maybe"}, "ALMA_SANDBOX_LOG_REQUESTS=maybe: want true or false"},
		{"origin without scheme", []string{"--allow-origin", "localhost:3000"}, nil, `--allow-origin localhost:3000: "localhost:3000" is not an origin: want scheme://host[:port]`},
		{"env origin without scheme", nil, map[string]string{"ALMA_SANDBOX_ALLOW_ORIGIN": "localhost:3000"}, `ALMA_SANDBOX_ALLOW_ORIGIN=localhost:3000: "localhost:3000" is not an origin`},
		{"origin with a path", []string{"--allow-origin", "http://localhost:3000/app"}, nil, "without a path"},
		{"api key not a sandbox key", []string{"--api-key", "sk_live_x"}, nil, `--api-key sk_live_x: "sk_live_x" is not a sandbox key`},
		{"env api key bare", nil, map[string]string{"ALMA_SANDBOX_API_KEY": "sk_test_"}, `ALMA_SANDBOX_API_KEY=sk_test_: "sk_test_" is not a sandbox key`},
		{"allowed host with a scheme", []string{"--allowed-host", "http://alma"}, nil, `--allowed-host http://alma: "http://alma" is not a host name`},
		{"public url not a url", []string{"--public-url", "notaurl"}, nil, "--public-url notaurl: want an absolute URL such as http://127.0.0.1:4242"},
		{"env public url without scheme", nil, map[string]string{"ALMA_SANDBOX_PUBLIC_URL": "127.0.0.1:4242"}, "ALMA_SANDBOX_PUBLIC_URL=127.0.0.1:4242: want an absolute URL"},
		{"min above max", []string{"--min-amount", "300000"}, nil, "--min-amount 300000 is above --max-amount 200000"},
		{"env min above flag max", []string{"--max-amount", "1000"}, map[string]string{"ALMA_SANDBOX_MIN_AMOUNT": "2000"}, "ALMA_SANDBOX_MIN_AMOUNT=2000 is above --max-amount 1000"},
		{"min amount 0", []string{"--min-amount", "0"}, nil, "--min-amount 0: must be at least 1"},
		{"max payments 0", []string{"--max-payments", "0"}, nil, "--max-payments 0: must be at least 1"},
		{"max payments -1", []string{"--max-payments", "-1"}, nil, "--max-payments -1: must be at least 1"},
		{"env max payments 0", nil, map[string]string{"ALMA_SANDBOX_MAX_PAYMENTS": "0"}, "alma-sandbox serve: ALMA_SANDBOX_MAX_PAYMENTS=0: must be at least 1"},
		{"max journal 0", []string{"--max-journal", "0"}, nil, "--max-journal 0: must be at least 1"},
		{"max conns 0", []string{"--max-conns", "0"}, nil, "--max-conns 0: must be at least 1"},
		{"ipn allow a url", []string{"--ipn-allow", "http://shop.test"}, nil, `--ipn-allow http://shop.test: "http://shop.test" is not a host pattern`},
		{"env max conns", nil, map[string]string{"ALMA_SANDBOX_MAX_CONNS": "-3"}, "ALMA_SANDBOX_MAX_CONNS=-3: must be at least 1"},
		{"negative ipn delay", []string{"--ipn-delay", "-1s"}, nil, "--ipn-delay -1s: must not be negative"},
		{"hang limit 0", []string{"--hang-limit", "0"}, nil, "--hang-limit 0s: must be above 0"},
		{"ipn retry base 0", []string{"--ipn-retry-base", "0"}, nil, "--ipn-retry-base 0s: must be above 0"},
		{"env ipn retry base 0", nil, map[string]string{"ALMA_SANDBOX_IPN_RETRY_BASE": "0s"}, "ALMA_SANDBOX_IPN_RETRY_BASE=0s: must be above 0"},
		{"missing scenario dir", []string{"--scenarios", "/nonexistent/scenarios"}, nil, "alma-sandbox serve: --scenarios /nonexistent/scenarios: no such directory"},
		{"env missing scenario dir", nil, map[string]string{"ALMA_SANDBOX_SCENARIOS": "/nonexistent/scenarios"}, "ALMA_SANDBOX_SCENARIOS=/nonexistent/scenarios: no such directory"},
		{"scenario dir is a file", []string{"--scenarios", "serve.go"}, nil, "--scenarios serve.go: not a directory"},
		{"address not host:port", []string{"--addr", "4242"}, nil, "--addr 4242: want host:port"},
		{"address port out of range", []string{"--addr", "127.0.0.1:99999"}, nil, `--addr 127.0.0.1:99999: port "99999": want a number from 0 to 65535`},
		{"env address", nil, map[string]string{"ALMA_SANDBOX_ADDR": "localhost"}, "ALMA_SANDBOX_ADDR=localhost: want host:port"},
		{"bad demo flag", []string{"--demo", "--", "--nope"}, nil, "flag provided but not defined: -nope"},
		{"open admin off loopback", []string{"--addr", "0.0.0.0:0"}, nil, "--addr 0.0.0.0:0: the admin API would be open to the network: set --admin-token"},
		{"env open admin on every interface", nil, map[string]string{"ALMA_SANDBOX_ADDR": ":0"}, "ALMA_SANDBOX_ADDR=:0: the admin API would be open to the network"},
		{"admin token too short", []string{"--admin-token", "abc"}, nil, "--admin-token abc: too short"},
		{"max tenants 0", []string{"--max-tenants", "0"}, nil, "--max-tenants 0: must be at least 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			var stdout, stderr strings.Builder
			ctx, cancel := context.WithCancel(context.Background())
			cancel() // were the settings taken, serve would stop at once with 0
			got := runServe(ctx, tt.args, &stdout, &stderr)
			assert.Equal(t, 2, got, "stderr: %s", stderr.String())
			assert.Contains(t, stderr.String(), tt.want)
			assert.Equal(t, 1, strings.Count(stderr.String(), "\n"), "one line: %q", stderr.String())
			assert.Empty(t, stdout.String(), "nothing listened")
		})
	}
}

func TestServeReportsEveryBadSettingOnItsOwnLine(t *testing.T) {
	var stderr strings.Builder
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	got := runServe(ctx, []string{"--max-payments", "0", "--hang-limit", "0"}, io.Discard, &stderr)
	assert.Equal(t, 2, got)
	assert.Equal(t, "alma-sandbox serve: --max-payments 0: must be at least 1\n"+
		"alma-sandbox serve: --hang-limit 0s: must be above 0, such as 1s\n", stderr.String())
}

func TestServeAcceptsGoodConfiguration(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
	}{
		{"defaults", nil, nil},
		{"flag wins over a bad env value", []string{"--max-payments", "10", "--allow-origin", "http://localhost:3000"},
			map[string]string{"ALMA_SANDBOX_MAX_PAYMENTS": "0", "ALMA_SANDBOX_ALLOW_ORIGIN": "localhost:3000"}},
		{"origin with a trailing slash, any origin", []string{"--allow-origin", "http://localhost:3000/,*"}, nil},
		{"ipn delay 0, min equal to max", []string{"--ipn-delay", "0", "--min-amount", "5000", "--max-amount", "5000"}, nil},
		{"public url with a path", []string{"--public-url", "https://alma.test/sandbox"}, nil},
		{"scenario dir", []string{"--scenarios", t.TempDir()}, nil},
		{"ipn allow and max conns", []string{"--ipn-allow", "shop.test,*.example.com,127.0.0.1:8080", "--max-conns", "10"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("ALMA_SANDBOX_ADDR", "127.0.0.1:0")
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			var stderr strings.Builder
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			got := runServe(ctx, append(tt.args, "--log-level", "error"), io.Discard, &stderr)
			assert.Equal(t, 0, got, "stderr: %s", stderr.String())
		})
	}
}

func TestServeAddressInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	var stderr strings.Builder
	got := runServe(context.Background(), []string{"--addr", ln.Addr().String()}, io.Discard, &stderr)
	assert.Equal(t, 1, got)
	assert.Contains(t, stderr.String(), "alma-sandbox serve: emulator: listen "+ln.Addr().String())
	assert.Equal(t, 1, strings.Count(stderr.String(), "\n"), "one line: %q", stderr.String())
}

func TestServeHelp(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"-h", []string{"-h"}, []string{"usage: alma-sandbox serve", "-max-payments", "(ALMA_SANDBOX_MAX_PAYMENTS)", "-log-level", "(ALMA_SANDBOX_LOG_LEVEL)", "serve --demo -- -h"}},
		{"--help", []string{"--help"}, []string{"usage: alma-sandbox serve", "-allow-origin"}},
		{"demo flags", []string{"--demo", "--", "--help"}, []string{"usage: alma-sandbox serve [serve flags] --demo --", "-api-key", "-emulator-url", "(ALMA_SANDBOX_DEMO_ADDR)"}},
		{"demo -h", []string{"--demo", "--", "-h"}, []string{"-emulator-url"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr strings.Builder
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			got := runServe(ctx, tt.args, &stdout, &stderr)
			assert.Equal(t, 0, got, "stderr: %s", stderr.String())
			for _, w := range tt.want {
				assert.Contains(t, stdout.String(), w)
			}
			assert.NotContains(t, stdout.String(), "listening on", "help does not start the emulator")
			assert.Empty(t, stderr.String())
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

// syncBuffer is a strings.Builder safe for a writer and a reader at once.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startServe runs serve with args and returns its URL, what it logs, and
// stop, which ends serve (at the latest when the test ends) and returns once
// every request has finished and been logged.
func startServe(t *testing.T, args ...string) (base string, logs *syncBuffer, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	logs = new(syncBuffer)
	done := make(chan int, 1)
	go func() {
		done <- runServe(ctx, append([]string{"--addr", "127.0.0.1:0"}, args...), pw, logs)
		_ = pw.Close()
	}()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			assert.Equal(t, 0, <-done, "serve's exit status; logs: %s", logs.String())
		})
	}
	t.Cleanup(stop)
	line, err := bufio.NewReader(pr).ReadString('\n')
	require.NoError(t, err, "logs: %s", logs.String())
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	base = regexp.MustCompile(`http://127\.0\.0\.1:\d+`).FindString(line)
	require.NotEmpty(t, base, "serve prints its URL: %q", line)
	return base, logs, stop
}

// createAndGetPayment creates a payment on base and fetches it: two API requests.
func createAndGetPayment(t *testing.T, base string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, base+"/v1/payments", strings.NewReader(`{"payment":{"purchase_amount":20000}}`))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Alma-Auth sk_test_logs")
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	body, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	_ = res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode, string(body))
	id := regexp.MustCompile(`"id":"(payment_[^"]+)"`).FindStringSubmatch(string(body))
	require.Len(t, id, 2, string(body))
	req, err = http.NewRequest(http.MethodGet, base+"/v1/payments/"+id[1], nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Alma-Auth sk_test_logs")
	res, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, res.Body)
	_ = res.Body.Close()
}

// requestLines are the request log lines in logs.
func requestLines(logs string) []string {
	var out []string
	for _, l := range strings.Split(logs, "\n") {
		if strings.Contains(l, "msg=request ") {
			out = append(out, l)
		}
	}
	return out
}

func TestServeLogsOneLinePerRequestAtInfo(t *testing.T) {
	base, logs, stop := startServe(t) // the default level: info
	createAndGetPayment(t, base)
	stop()
	lines := requestLines(logs.String())
	require.Len(t, lines, 2, "logs: %s", logs.String())
	assert.Contains(t, lines[0], "level=INFO msg=request method=POST path=/v1/payments status=200")
	assert.Contains(t, lines[1], "level=INFO msg=request method=GET path=/v1/payments/payment_")
	assert.NotContains(t, logs.String(), "level=DEBUG", "other debug lines stay hidden at info")
}

func TestServeRequestLogOff(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
	}{
		{"--log-requests=false", []string{"--log-requests=false"}, nil},
		{"env false", nil, map[string]string{"ALMA_SANDBOX_LOG_REQUESTS": "false"}},
		{"level warn", []string{"--log-level", "warn"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			base, logs, stop := startServe(t, tt.args...)
			createAndGetPayment(t, base)
			stop()
			assert.Empty(t, requestLines(logs.String()), "logs: %s", logs.String())
		})
	}
}

// TestServeShutsDownUnderLoad: SIGTERM while clients keep creating payments,
// bodies trickle in and spare connections sit unused: serve stops within
// its grace with exit status 0 (stop asserts it), and /healthz answered
// throughout.
func TestServeShutsDownUnderLoad(t *testing.T) {
	base, logs, stop := startServe(t, "--log-level", "warn", "--max-conns", "64")
	addr := strings.TrimPrefix(base, "http://")
	quit := make(chan struct{})
	var wg sync.WaitGroup
	for range 4 { // busy clients
		wg.Go(func() {
			for i := 0; i < 2000; i++ { // bounded
				select {
				case <-quit:
					return
				default:
				}
				req, _ := http.NewRequest(http.MethodPost, base+"/v1/payments", strings.NewReader(`{"payment":{"purchase_amount":20000}}`))
				req.Header.Set("Authorization", "Alma-Auth sk_test_load")
				if res, err := http.DefaultClient.Do(req); err == nil {
					_, _ = io.Copy(io.Discard, res.Body)
					_ = res.Body.Close()
				}
			}
		})
	}
	var conns []net.Conn
	for range 8 { // bodies that trickle in, and spares never used
		slow, err := net.Dial("tcp", addr)
		require.NoError(t, err)
		_, err = io.WriteString(slow, "POST /v1/payments HTTP/1.1\r\nHost: x\r\nAuthorization: Alma-Auth sk_test_slow\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{")
		require.NoError(t, err)
		spare, err := net.Dial("tcp", addr)
		require.NoError(t, err)
		conns = append(conns, slow, spare)
	}
	defer func() {
		for _, c := range conns {
			_ = c.Close()
		}
	}()
	for range 10 {
		res, err := http.Get(base + "/healthz")
		require.NoError(t, err, "healthz under load")
		_ = res.Body.Close()
		require.Equal(t, http.StatusOK, res.StatusCode)
	}
	stop()
	close(quit)
	wg.Wait()
	assert.NotContains(t, logs.String(), "shutdown:")
}

// TestServeKeysHostsAndFrozenClock: --api-key makes the emulator refuse any
// other key, --allowed-host opens the admin API to that name, and
// --frozen-clock stops the clock until advanced.
func TestServeKeysHostsAndFrozenClock(t *testing.T) {
	base, _, stop := startServe(t, "--api-key", "sk_test_team_a", "--allowed-host", "alma-sandbox", "--frozen-clock")
	defer stop()
	get := func(path, key, host string) int {
		req, err := http.NewRequest(http.MethodGet, base+path, nil)
		require.NoError(t, err)
		if key != "" {
			req.Header.Set("Authorization", "Alma-Auth "+key)
		}
		if host != "" {
			req.Host = host
		}
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		_ = res.Body.Close()
		return res.StatusCode
	}
	assert.Equal(t, http.StatusOK, get("/v1/me", "sk_test_team_a", ""))
	assert.Equal(t, http.StatusUnauthorized, get("/v1/me", "sk_test_team_b", ""), "a key the emulator was not given")
	assert.Equal(t, http.StatusOK, get("/__admin/payments", "", "alma-sandbox:4242"))
	assert.Equal(t, http.StatusMisdirectedRequest, get("/__admin/payments", "", "elsewhere.example"))
	res, err := http.Get(base + "/__admin/clock")
	require.NoError(t, err)
	var clock struct {
		Frozen bool `json:"frozen"`
	}
	require.NoError(t, json.NewDecoder(res.Body).Decode(&clock))
	_ = res.Body.Close()
	assert.True(t, clock.Frozen)
}

// TestServeWatchReloadsScenarios: with --watch, a file added to --scenarios is
// served without a restart; a file with an error keeps the last good ones.
func TestServeWatchReloadsScenarios(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "first.yaml"), []byte("id: watch_first\n"), 0o644))
	base, logs, stop := startServe(t, "--scenarios", dir, "--watch")
	defer stop()
	status := func(id string) int {
		res, err := http.Get(base + "/__admin/scenarios/" + id)
		require.NoError(t, err)
		_ = res.Body.Close()
		return res.StatusCode
	}
	waitFor := func(what string, ok func() bool) {
		deadline := time.Now().Add(15 * time.Second)
		for !ok() {
			require.True(t, time.Now().Before(deadline), "%s; logs: %s", what, logs.String())
			time.Sleep(50 * time.Millisecond)
		}
	}
	assert.Equal(t, http.StatusOK, status("watch_first"))
	assert.Equal(t, http.StatusNotFound, status("watch_second"))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "second.yaml"), []byte("id: watch_second\n"), 0o644))
	waitFor("the new file is served", func() bool { return status("watch_second") == http.StatusOK })

	require.NoError(t, os.WriteFile(filepath.Join(dir, "broken.yaml"), []byte("id: watch_broken\nflow: sideways\n"), 0o644))
	waitFor("the error is logged", func() bool { return strings.Contains(logs.String(), "scenarios not reloaded") })
	assert.Equal(t, http.StatusOK, status("watch_second"), "the last good catalogue stays")
	assert.Equal(t, http.StatusNotFound, status("watch_broken"))
}

// TestServeOffLoopbackNeedsATokenOrConsent: off loopback, serve starts with
// --admin-token or --insecure-admin, and says when the admin API is open.
func TestServeOffLoopbackNeedsATokenOrConsent(t *testing.T) {
	for _, args := range [][]string{
		{"--addr", "0.0.0.0:0", "--admin-token", "a-long-token"},
		{"--addr", "0.0.0.0:0", "--insecure-admin"},
	} {
		var stdout, stderr strings.Builder
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		assert.Equal(t, 0, runServe(ctx, args, &stdout, &stderr), "%v: %s", args, stderr.String())
		assert.Contains(t, stdout.String(), "alma-sandbox listening on")
		if slices.Contains(args, "--insecure-admin") {
			assert.Contains(t, stderr.String(), "the admin API and dashboard are open")
		} else {
			assert.NotContains(t, stderr.String(), "are open")
		}
	}
}

// TestServeFeePlans: --fee-plans gives the merchant the file's plans; a bad
// file stops serve with an error naming the file, the line and the field.
func TestServeFeePlans(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "plans.yaml")
	require.NoError(t, os.WriteFile(good, []byte("fee_plans:\n  - {installments_count: 2, min_purchase_amount: 1000, max_purchase_amount: 90000}\n"), 0o600))
	base, _, stop := startServe(t, "--fee-plans", good)
	defer stop()
	req, err := http.NewRequest(http.MethodGet, base+"/v1/me/fee-plans?kind=general&only=all&deferred=true", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Alma-Auth sk_test_serve")
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	var plans []map[string]any
	require.NoError(t, json.NewDecoder(res.Body).Decode(&plans))
	_ = res.Body.Close()
	require.Len(t, plans, 1)
	assert.Equal(t, float64(2), plans[0]["installments_count"])
	assert.Equal(t, float64(90000), plans[0]["max_purchase_amount"])

	bad := filepath.Join(dir, "bad.yaml")
	require.NoError(t, os.WriteFile(bad, []byte("fee_plans:\n  - installments_count: 2\n    min_purchase_amount: -5\n    max_purchase_amount: 90000\n"), 0o600))
	var stderr bytes.Buffer
	code := runServe(context.Background(), []string{"--addr", "127.0.0.1:0", "--fee-plans", bad}, io.Discard, &stderr)
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr.String(), bad+":3: min_purchase_amount: must be between 1 and")
}
