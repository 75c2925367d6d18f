package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alma-sandbox/alma-sandbox/internal/pgtest"
)

// TestMain stops the PostgreSQL cluster the replica tests started.
func TestMain(m *testing.M) {
	code := m.Run()
	pgtest.Stop()
	os.Exit(code)
}

var (
	builtOnce sync.Once
	builtBin  string
	builtErr  error
)

// binary builds alma-sandbox once for the package's tests.
func binary(t *testing.T) string {
	t.Helper()
	builtOnce.Do(func() {
		dir, err := os.MkdirTemp("", "alma-sandbox-bin-")
		if err != nil {
			builtErr = err
			return
		}
		builtBin = filepath.Join(dir, "alma-sandbox")
		out, err := exec.Command("go", "build", "-o", builtBin, ".").CombinedOutput()
		if err != nil {
			builtErr = fmt.Errorf("go build: %v: %s", err, out)
		}
	})
	require.NoError(t, builtErr)
	return builtBin
}

// replica is one alma-sandbox serve process.
type replica struct {
	url string
	cmd *exec.Cmd
}

// startReplica runs serve with args on a free loopback port; the test's
// end stops it (SIGTERM) unless it was killed.
func startReplica(t *testing.T, args ...string) *replica {
	t.Helper()
	cmd := exec.Command(binary(t), append([]string{"serve", "--addr", "127.0.0.1:0", "--log-level", "warn"}, args...)...)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = io.Discard
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	})
	line, err := bufio.NewReader(out).ReadString('\n')
	require.NoError(t, err, "serve's first line")
	go func() { _, _ = io.Copy(io.Discard, out) }()
	url := regexp.MustCompile(`http://127\.0\.0\.1:\d+`).FindString(line)
	require.NotEmpty(t, url, "%q", line)
	return &replica{url: url, cmd: cmd}
}

// kill ends the replica with SIGKILL, as a crash would.
func (r *replica) kill(t *testing.T) {
	t.Helper()
	require.NoError(t, r.cmd.Process.Signal(syscall.SIGKILL))
	_ = r.cmd.Wait()
}

// call sends one request with key (none when empty) and decodes the JSON
// answer into out (when not nil); it returns the status.
func (r *replica) call(t *testing.T, key, method, path string, body, out any) int {
	t.Helper()
	var rd io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		require.NoError(t, err)
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, r.url+path, rd)
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Authorization", "Alma-Auth "+key)
	}
	res, err := (&http.Client{Timeout: 20 * time.Second}).Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	if out != nil {
		_ = json.NewDecoder(res.Body).Decode(out)
	}
	return res.StatusCode
}

// payment is the part of a payment the tests compare.
type payment struct {
	ID      string           `json:"id"`
	State   string           `json:"state"`
	Refunds []map[string]any `json:"refunds"`
}

// create makes a payment (notified at ipn when not empty) and returns its id.
func (r *replica) create(t *testing.T, key, ipn string) string {
	t.Helper()
	p := map[string]any{"purchase_amount": 20000, "installments_count": 3, "return_url": "https://shop.test/return"}
	if ipn != "" {
		p["ipn_callback_url"] = ipn
	}
	var out payment
	require.Equal(t, http.StatusOK, r.call(t, key, http.MethodPost, "/v1/payments", map[string]any{"payment": p}, &out))
	return out.ID
}

// pay runs the customer step with the yes card.
func (r *replica) pay(t *testing.T, id string) {
	t.Helper()
	card := map[string]any{"action": "pay", "card": map[string]any{"number": "4242 4242 4242 4242", "expiry": "04/42", "cvc": "424"}}
	require.Equal(t, http.StatusOK, r.call(t, "", http.MethodPost, "/__admin/payments/"+id+"/customer", card, nil))
}

// TestSQLiteSurvivesKill9: every payment and refund the emulator answered
// is there after a kill -9 and a restart on the same file.
func TestSQLiteSurvivesKill9(t *testing.T) {
	t.Parallel()
	store := "sqlite:" + filepath.Join(t.TempDir(), "alma.db")
	first := startReplica(t, "--store", store)
	const key = "sk_test_kill9"
	want := map[string]payment{}
	for i := range 30 {
		id := first.create(t, key, "")
		if i%2 == 0 {
			first.pay(t, id)
			require.Equal(t, http.StatusOK, first.call(t, key, http.MethodPost, "/v1/payments/"+id+"/refund", map[string]any{"amount": 1000}, nil))
		}
		var p payment
		require.Equal(t, http.StatusOK, first.call(t, key, http.MethodGet, "/v1/payments/"+id, nil, &p))
		want[id] = p
	}
	first.kill(t)

	second := startReplica(t, "--store", store)
	for id, w := range want {
		var got payment
		require.Equal(t, http.StatusOK, second.call(t, key, http.MethodGet, "/v1/payments/"+id, nil, &got), id)
		assert.Equal(t, w, got, id)
	}
	var list struct {
		Data []payment `json:"data"`
	}
	second.call(t, key, http.MethodGet, "/v1/payments?limit=100", nil, &list)
	assert.Len(t, list.Data, len(want))
}

// ipnCounter counts the signed-or-not IPNs it receives per payment.
type ipnCounter struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *ipnCounter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	c.n[r.URL.Query().Get("pid")]++
	c.mu.Unlock()
	_, _ = w.Write([]byte(`{"success":true}`))
}

func (c *ipnCounter) counts() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]int, len(c.n))
	for k, v := range c.n {
		out[k] = v
	}
	return out
}

// TestReplicaKilledTheOtherDelivers: two replicas on one PostgreSQL; the
// one that armed the IPNs is killed with SIGKILL before they fall due, and
// the other delivers each of them, once; what the first created, the
// other reads.
func TestReplicaKilledTheOtherDelivers(t *testing.T) {
	t.Parallel()
	db := pgtest.Database(t)
	rc := &ipnCounter{n: map[string]int{}}
	srv := httptest.NewServer(rc)
	t.Cleanup(srv.Close)
	args := []string{"--store", db, "--ipn-delay", "3s", "--ipn-retry-base", "100ms"}
	one, two := startReplica(t, args...), startReplica(t, args...)
	const key = "sk_test_replicas"
	var ids []string
	for range 20 {
		id := one.create(t, key, srv.URL+"/ipn")
		one.pay(t, id)
		ids = append(ids, id)
	}
	one.kill(t)
	require.Eventually(t, func() bool { return len(rc.counts()) == len(ids) }, 30*time.Second, 50*time.Millisecond, "the survivor delivers what was due")
	time.Sleep(500 * time.Millisecond) // would a second copy come?
	for _, id := range ids {
		assert.Equal(t, 1, rc.counts()[id], "IPN of %s delivered once", id)
		var p payment
		require.Equal(t, http.StatusOK, two.call(t, key, http.MethodGet, "/v1/payments/"+id, nil, &p))
		assert.Equal(t, "in_progress", p.State)
	}
}

// TestStateExportImport: `state export` of one emulator and `state
// import` into another carry a merchant's payments.
func TestStateExportImport(t *testing.T) {
	t.Parallel()
	from, to := startReplica(t), startReplica(t, "--store", "sqlite:"+filepath.Join(t.TempDir(), "to.db"))
	const key = "sk_test_handover"
	id := from.create(t, key, "")
	from.pay(t, id)
	file := filepath.Join(t.TempDir(), "state.json")
	var stdout, stderr bytes.Buffer
	require.Equal(t, 0, run(t.Context(), []string{"state", "export", "--url", from.url, "--key", key, "-o", file}, &stdout, &stderr), stderr.String())
	require.Equal(t, 0, run(t.Context(), []string{"state", "import", "--url", to.url, "--key", key, file}, &stdout, &stderr), stderr.String())
	assert.Contains(t, stdout.String(), "1 payments")
	var p payment
	require.Equal(t, http.StatusOK, to.call(t, key, http.MethodGet, "/v1/payments/"+id, nil, &p))
	assert.Equal(t, "in_progress", p.State)

	require.NoError(t, os.WriteFile(file, []byte(`{"kind":"alma-sandbox/state","version":7}`), 0o600))
	stderr.Reset()
	assert.Equal(t, 1, run(t.Context(), []string{"state", "import", "--url", to.url, "--key", key, file}, &stdout, &stderr))
	assert.Contains(t, stderr.String(), "this emulator reads version 1")
}
