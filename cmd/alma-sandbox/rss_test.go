package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// hostileLong runs TestRSSBudget's long form (make hostile): the store, the
// journal and the IPN log filled to their default caps. Without it the test
// runs its short form, the cases at their sizes, in a few seconds.
var hostileLong = flag.Bool("hostile.long", false, "TestRSSBudget fills every store to its default cap")

// Peak RSS (VmHWM) in KiB. Issue 16's goal is rssGoalKB at the default
// caps (the default --max-memory included). The short form measures under
// it, but by less than a MiB at worst, so its budget keeps a margin; the
// long form is still over it (figures in the README's Limits section).
const (
	rssGoalKB       = 40 << 10
	rssBudgetKB     = rssGoalKB // short form: measured 34.0-35.9 MiB (budget 8 MiB)
	rssLongBudgetKB = rssGoalKB // long form: measured 38.0-38.8 MiB
)

// Caps of the emulator the loads go up to (emulator/middleware.go,
// validate.go, admin.go, server.go).
const (
	capPath        = 2048 // a request's path
	capURL         = 2048 // ipn_callback_url and the other URLs
	capComment     = 1000 // a refund's comment
	capCustomData  = 16 << 10
	capJournal     = 500 // the largest journal page the admin API answers (the journal keeps 1000)
	capPayments    = 4000
	rssWorkers     = 8
	rssAPIKey      = "sk_test_rss"
	healthzTimeout = 2 * time.Second
)

// sandboxProcess is the binary under test: its URL and process.
type sandboxProcess struct {
	URL string
	cmd *exec.Cmd
}

// startBinary builds alma-sandbox into a temporary folder and runs it with
// serve on a free loopback port; t.Cleanup ends it with SIGTERM.
func startBinary(t *testing.T, args ...string) *sandboxProcess {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "alma-sandbox")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, "go build: %s", out)
	cmd := exec.Command(bin, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	require.NoError(t, err, "serve's first line")
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	base := regexp.MustCompile(`http://127\.0\.0\.1:\d+`).FindString(line)
	require.NotEmpty(t, base, "serve prints its URL: %q", line)
	return &sandboxProcess{URL: base, cmd: cmd}
}

// statusKB is a "VmRSS"-like field of /proc/PID/status, in KiB.
func (p *sandboxProcess) statusKB(t *testing.T, field string) int {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	require.NoError(t, err)
	m := regexp.MustCompile(`(?m)^` + field + `:\s+(\d+) kB$`).FindSubmatch(b)
	require.NotNil(t, m, "%s in /proc/PID/status", field)
	n, err := strconv.Atoi(string(m[1]))
	require.NoError(t, err)
	return n
}

// fds is the number of the process's open file descriptors.
func (p *sandboxProcess) fds(t *testing.T) int {
	t.Helper()
	entries, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", p.cmd.Process.Pid))
	require.NoError(t, err)
	return len(entries)
}

// rssClient sends the loads: a few keep-alive connections, bounded waits.
var rssClient = &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: rssWorkers}}

// call sends one request with the test's key (none when anonymous) and
// returns the status and the body's length.
func (p *sandboxProcess) call(method, path, body string, anonymous bool) (int, int, error) {
	req, err := http.NewRequest(method, p.URL+path, strings.NewReader(body))
	if err != nil {
		return 0, 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	if !anonymous {
		req.Header.Set("Authorization", "Alma-Auth "+rssAPIKey)
	}
	res, err := rssClient.Do(req)
	if err != nil {
		return 0, 0, err
	}
	defer res.Body.Close()
	n, err := io.Copy(io.Discard, res.Body)
	return res.StatusCode, int(n), err
}

// must is call for a request that must answer want; it returns the body's
// length.
func (p *sandboxProcess) must(t *testing.T, want int, method, path, body string) int {
	t.Helper()
	status, n, err := p.call(method, path, body, false)
	require.NoError(t, err, "%s %.80s", method, path)
	require.Equal(t, want, status, "%s %.80s", method, path)
	return n
}

// parallel runs do(i) for i in [0, n) on rssWorkers goroutines.
func parallel(n int, do func(i int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range rssWorkers {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < n; i = int(next.Add(1)) - 1 {
				do(i)
			}
		})
	}
	wg.Wait()
}

// probeHealth GETs /healthz every 20 ms until stop is closed and returns
// how many probes failed, and how many were sent.
func (p *sandboxProcess) probeHealth(stop <-chan struct{}) <-chan [2]int {
	out := make(chan [2]int, 1)
	go func() {
		client := &http.Client{Timeout: healthzTimeout, Transport: &http.Transport{}}
		defer client.CloseIdleConnections()
		var failed, sent int
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				out <- [2]int{failed, sent}
				return
			case <-tick.C:
			}
			sent++
			res, err := client.Get(p.URL + "/healthz")
			if err != nil {
				failed++
				continue
			}
			_, _ = io.Copy(io.Discard, res.Body)
			_ = res.Body.Close()
			if res.StatusCode != http.StatusOK {
				failed++
			}
		}
	}()
	return out
}

// paymentBody is a create body whose URLs are at the cap, with customData
// bytes of custom_data (its cap counts encoded bytes: plain letters).
func paymentBody(customData int) string {
	url := "http://127.0.0.1:9/ipn?pad=" // a closed port: every IPN attempt fails
	url += strings.Repeat("a", capURL-len(url))
	body := map[string]any{"payment": map[string]any{
		"purchase_amount": 30000, "installments_count": 3, "ipn_callback_url": url,
		"return_url": url, "custom_data": map[string]string{"pad": strings.Repeat("a", customData)},
	}}
	b, _ := json.Marshal(body)
	return string(b)
}

// create creates a payment with body and returns its id.
func (p *sandboxProcess) create(body string) (string, error) {
	req, err := http.NewRequest(http.MethodPost, p.URL+"/v1/payments", strings.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Alma-Auth "+rssAPIKey)
	res, err := rssClient.Do(req)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return "", err
	}
	if res.StatusCode != http.StatusOK {
		return "", fmt.Errorf("create answered %d: %.300s", res.StatusCode, b)
	}
	var created struct {
		ID string `json:"id"`
	}
	return created.ID, json.Unmarshal(b, &created)
}

// rssLoad is the size of TestRSSBudget's loads.
type rssLoad struct {
	anonymous  int // requests with a path at the cap, answered 401
	oversize   int // requests with a 1 MiB path, answered 431
	refunds    int // refunds with a comment at the cap, on one payment
	callbacks  int // payments with URLs at the cap, paid: IPNs to a closed port
	customData int // bytes of custom_data in each of those payments
	reads      int // GET /__admin/journal?limit=500 and GET /v1/payments/{id}
}

// TestRSSBudget: the real binary, at its default caps, under the issue's
// loads — anonymous requests with paths at the cap, refunds with comments
// at the cap, payments with callback URLs at the cap whose IPNs fail, the
// largest journal page, limit=500 — keeps its peak RSS under rssBudgetKB,
// answers /healthz throughout and returns to its baseline of file
// descriptors. -hostile.long fills the store to its 4000 payments with
// custom_data at its cap, and the journal and the IPN log to theirs.
func TestRSSBudget(t *testing.T) {
	load, budget := rssLoad{anonymous: 1000, oversize: 16, refunds: 20, callbacks: 100, customData: 1024, reads: 5}, rssBudgetKB
	if *hostileLong {
		load = rssLoad{anonymous: 5000, oversize: 200, refunds: 20, callbacks: capPayments - 1, customData: capCustomData - 64, reads: 20}
		budget = rssLongBudgetKB
	}
	p := startBinary(t, "--log-level", "error", "--ipn-delay", "0s", "--ipn-retry-base", "10ms")
	p.must(t, http.StatusOK, http.MethodGet, "/v1/me", "")
	rssClient.CloseIdleConnections()
	baseFDs, baseRSS := p.fds(t), p.statusKB(t, "VmRSS")
	stop := make(chan struct{})
	health := p.probeHealth(stop)

	anonymousPath := "/v1/payments/" + strings.Repeat("x", capPath-len("/v1/payments/"))
	parallel(load.anonymous, func(int) {
		status, _, err := p.call(http.MethodGet, anonymousPath, "", true)
		assert.NoError(t, err)
		assert.Equal(t, http.StatusUnauthorized, status)
	})
	t.Logf("after %d anonymous requests with %d-byte paths: VmRSS %d KiB", load.anonymous, capPath, p.statusKB(t, "VmRSS"))
	oversizePath := "/v1/payments/" + strings.Repeat("x", 1<<20)
	var cut atomic.Int64
	parallel(load.oversize, func(int) {
		// The server answers 431 once it has read 64 KiB of head, and
		// closes: a client still writing sees the connection reset.
		status, _, err := p.call(http.MethodGet, oversizePath, "", true)
		if err != nil {
			cut.Add(1)
			return
		}
		assert.Equal(t, http.StatusRequestHeaderFieldsTooLarge, status)
	})
	t.Logf("after %d anonymous requests with 1 MiB paths (%d cut while sending): VmRSS %d KiB", load.oversize, cut.Load(), p.statusKB(t, "VmRSS"))

	refunded, err := p.create(`{"payment":{"purchase_amount":200000,"installments_count":3}}`)
	require.NoError(t, err)
	p.must(t, http.StatusOK, http.MethodPost, "/__admin/payments/"+refunded+"/state", `{"state":"paid"}`)
	comment := strings.Repeat("&<", capComment/2)
	for range load.refunds {
		p.must(t, http.StatusOK, http.MethodPost, "/v1/payments/"+refunded+"/refund", `{"amount":100,"comment":"`+comment+`"}`)
	}
	t.Logf("after %d refunds with %d-character comments: VmRSS %d KiB", load.refunds, capComment, p.statusKB(t, "VmRSS"))
	var largest [3]int
	for range load.reads {
		// Read before the payments below, which may evict it (the byte
		// budget keeps the newest).
		largest[2] = max(largest[2], p.must(t, http.StatusOK, http.MethodGet, "/v1/payments/"+refunded, ""))
	}

	body := paymentBody(load.customData)
	parallel(load.callbacks, func(int) {
		id, err := p.create(body)
		if !assert.NoError(t, err) {
			return
		}
		status, _, err := p.call(http.MethodPost, "/__admin/payments/"+id+"/customer", `{"card":{"number":"4242 4242 4242 4242","expiry":"04/42","cvc":"424"}}`, false)
		assert.NoError(t, err)
		assert.Equal(t, http.StatusOK, status, "the customer pays %s", id)
	})
	t.Logf("after %d payments with %d-byte URLs and %d bytes of custom_data, IPNs failing: VmRSS %d KiB", load.callbacks, capURL, load.customData, p.statusKB(t, "VmRSS"))

	for range load.reads {
		largest[0] = max(largest[0], p.must(t, http.StatusOK, http.MethodGet, fmt.Sprintf("/__admin/journal?limit=%d", capJournal), ""))
		largest[1] = max(largest[1], p.must(t, http.StatusOK, http.MethodGet, "/__admin/ipn", ""))
	}
	close(stop)
	probes := <-health
	peak := p.statusKB(t, "VmHWM")
	t.Logf("answers: journal?limit=%d %d bytes, /__admin/ipn %d bytes, the refunded payment %d bytes", capJournal, largest[0], largest[1], largest[2])
	t.Logf("RSS: baseline %d KiB, now %d KiB, peak (VmHWM) %d KiB; budget %d KiB, issue 16's goal %d KiB", baseRSS, p.statusKB(t, "VmRSS"), peak, budget, rssGoalKB)
	if peak >= rssGoalKB {
		t.Logf("over issue 16's goal of %d KiB by %d KiB", rssGoalKB, peak-rssGoalKB)
	}

	t.Logf("/healthz: %d of %d probes failed; file descriptors: baseline %d, now %d", probes[0], probes[1], baseFDs, p.fds(t))
	assert.Zero(t, probes[0], "/healthz failed %d of %d probes under the load", probes[0], probes[1])
	assert.Less(t, peak, budget, "peak RSS (VmHWM) in KiB")
	rssClient.CloseIdleConnections()
	assert.Eventually(t, func() bool { return p.fds(t) <= baseFDs }, 10*time.Second, 50*time.Millisecond,
		"file descriptors back to their baseline of %d (now %d)", baseFDs, p.fds(t))
	_, _, err = p.call(http.MethodGet, "/healthz", "", true)
	require.NoError(t, err, "healthz after the load")
}
