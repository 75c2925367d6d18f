package demo_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The cross-site test (issue 16): a page served from another origin
// (127.0.0.2) drives a browser against the real binary, started with
// --allow-origin '*', and tries everything a simple cross-site request or
// a DNS-rebinding page can send; then the admin API, read from Go, must
// show that nothing changed.

// rebindName is the name a DNS-rebinding page uses: Chromium resolves it to
// 127.0.0.1, so the browser reaches the emulator with Host rebind.test.
const rebindName = "rebind.test"

// buildSandbox builds the alma-sandbox binary into a temporary folder.
func buildSandbox(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "alma-sandbox")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/alma-sandbox/alma-sandbox/cmd/alma-sandbox").CombinedOutput()
	require.NoError(t, err, "go build: %s", out)
	return bin
}

// startSandbox runs `bin serve` on a free loopback port with args and
// returns its base URL; t.Cleanup sends SIGTERM and waits for the exit.
func startSandbox(t *testing.T, bin string, args ...string) string {
	t.Helper()
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
	return base
}

// serveAttacker serves page on 127.0.0.2, another origin than the
// emulator's 127.0.0.1, and returns the page's URL.
func serveAttacker(t *testing.T, page string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.2:0")
	require.NoError(t, err, "a second loopback address for the other origin")
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, page)
	})}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return "http://" + ln.Addr().String() + "/"
}

// crossSiteBrowser starts headless Chromium resolving rebindName to
// 127.0.0.1, bounded by timeout.
func crossSiteBrowser(t *testing.T, timeout time.Duration) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium(t)),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("host-resolver-rules", "MAP "+rebindName+" 127.0.0.1"),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(allocCtx)
	ctx, cancelTimeout := context.WithTimeout(ctx, timeout)
	t.Cleanup(func() {
		cancelTimeout()
		cancelTab()
		cancelAlloc()
	})
	require.NoError(t, chromedp.Do(ctx), "start Chromium")
	return ctx
}

// attackPage is the other site's page. attack() sends, without a
// preflight, every change the admin API and the customer's page offer
// (fetch no-cors with text/plain, then auto-submitted forms into hidden
// frames), tries the same change with a preflight, tries to read the
// admin API with CORS, and sends one control request to the merchant API
// that the journal records. It resolves to what the page could observe;
// reset() then tries the reset.
// Arguments: the emulator's URL, the payment's id, its page's short id.
const attackPage = `<!doctype html><html><body><script>
var E = %q, ID = %q, SHORT = %q;
var card = {number: '4242 4242 4242 4242', expiry: '04/42', cvc: '424'};
var simple = [
  ['/__admin/payments/' + ID + '/state', {state: 'paid'}],
  ['/__admin/payments/' + ID + '/customer', {action: 'pay', card: card}],
  ['/pay/' + SHORT, {action: 'pay', card: card}],
  ['/__admin/scenarios/create_server_error/arm', {count: 1000}],
  ['/__admin/payments/' + ID + '/advance', {by: '8760h'}],
  ['/__admin/clock/advance', {by: '8760h'}],
];
function sendNoCors(path, body) {
  return fetch(E + path, {method: 'POST', mode: 'no-cors', headers: {'Content-Type': 'text/plain'}, body: JSON.stringify(body)})
    .then(function (r) { return r.type; }, function (e) { return 'error ' + e; });
}
// postForm submits a form into a hidden frame and resolves once it loaded.
// A text/plain form whose one field is named '{"k":"v","_":"' with the
// value '"}' sends the JSON body {"k":"v","_":"="}.
function postForm(path, enctype, json) {
  return new Promise(function (done) {
    var name = 'f' + Math.random().toString(36).slice(2);
    var frame = document.createElement('iframe');
    frame.name = name; frame.style.display = 'none';
    frame.onload = function () { done('loaded'); };
    document.body.appendChild(frame);
    var form = document.createElement('form');
    form.method = 'POST'; form.action = E + path; form.enctype = enctype; form.target = name;
    var input = document.createElement('input');
    input.type = 'hidden';
    var s = JSON.stringify(json);
    input.name = s.slice(0, -1) + ',"_":"'; input.value = '"}';
    form.appendChild(input);
    document.body.appendChild(form);
    form.submit();
    setTimeout(function () { done('timeout'); }, 5000);
  });
}
async function attack() {
  var seen = {};
  for (var i = 0; i < simple.length; i++) {
    seen['no-cors ' + simple[i][0]] = await sendNoCors(simple[i][0], simple[i][1]);
  }
  seen['form state'] = await postForm('/__admin/payments/' + ID + '/state', 'text/plain', {state: 'paid'});
  seen['form pay'] = await postForm('/pay/' + SHORT, 'text/plain', {action: 'pay', card: card});
  seen['form arm'] = await postForm('/__admin/scenarios/create_server_error/arm', 'text/plain', {count: 1000});
  seen['form urlencoded state'] = await postForm('/__admin/payments/' + ID + '/state', 'application/x-www-form-urlencoded', {state: 'paid'});
  seen['preflighted state'] = await fetch(E + '/__admin/payments/' + ID + '/state', {method: 'POST',
      headers: {'Content-Type': 'application/json'}, body: JSON.stringify({state: 'paid'})})
    .then(function (r) { return 'answered ' + r.status; }, function () { return 'blocked'; });
  seen['cors read'] = await fetch(E + '/__admin/payments').then(function (r) { return r.text(); }, function () { return 'blocked'; });
  seen['control'] = await fetch(E + '/v1/payments/' + ID + '/refund?from=crosssite', {method: 'POST', mode: 'no-cors',
      headers: {'Content-Type': 'text/plain'}, body: '{}'}).then(function (r) { return r.type; }, function (e) { return 'error ' + e; });
  return seen;
}
// reset tries the reset last, so a failure above is not wiped out by it.
async function reset() {
  return {'no-cors /__admin/reset': await sendNoCors('/__admin/reset', {}),
    'form reset': await postForm('/__admin/reset', 'application/x-www-form-urlencoded', {reset: true})};
}
</script><p id="ready">ready</p></body></html>`

// adminSnapshot is what the cross-site page must not change, read from Go.
type adminSnapshot struct {
	State  string
	Armed  map[string]int
	Clock  string
	Exists bool
}

// snapshot reads the payment's state, the armed scenarios and the clock.
func snapshot(t *testing.T, base, id string) adminSnapshot {
	t.Helper()
	var s adminSnapshot
	var view struct {
		Payment struct {
			State string `json:"state"`
		} `json:"payment"`
	}
	status := getJSON(t, base+"/__admin/payments/"+id, &view)
	s.Exists, s.State = status == http.StatusOK, view.Payment.State
	var sc struct {
		Armed map[string]int `json:"armed"`
	}
	require.Equal(t, http.StatusOK, getJSON(t, base+"/__admin/scenarios", &sc))
	s.Armed = sc.Armed
	var clock struct {
		Now    int64  `json:"now"`
		Offset string `json:"offset"`
	}
	require.Equal(t, http.StatusOK, getJSON(t, base+"/__admin/clock", &clock))
	s.Clock = fmt.Sprintf("%d %s", clock.Now, clock.Offset)
	return s
}

// getJSON GETs url into out and returns the status.
func getJSON(t *testing.T, url string, out any) int {
	t.Helper()
	res, err := http.Get(url)
	require.NoError(t, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	if res.StatusCode == http.StatusOK {
		require.NoError(t, json.Unmarshal(body, out), "%s: %s", url, body)
	}
	return res.StatusCode
}

// journalHas reports whether the journal holds a request of method on
// path with status.
func journalHas(t *testing.T, base, method, path string, status int) bool {
	t.Helper()
	var j struct {
		Data []struct {
			Method string `json:"method"`
			Path   string `json:"path"`
			Status int    `json:"status"`
		} `json:"data"`
	}
	require.Equal(t, http.StatusOK, getJSON(t, base+"/__admin/journal?limit=500", &j))
	for _, e := range j.Data {
		if e.Method == method && e.Path == path && e.Status == status {
			return true
		}
	}
	return false
}

// preflight sends a CORS preflight for a JSON POST to path from origin and
// returns the Access-Control-Allow-Origin answered.
func preflight(t *testing.T, url, origin string) string {
	t.Helper()
	req, err := http.NewRequest(http.MethodOptions, url, nil)
	require.NoError(t, err)
	req.Header.Set("Origin", origin)
	req.Header.Set("Access-Control-Request-Method", http.MethodPost)
	req.Header.Set("Access-Control-Request-Headers", "content-type")
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	_ = res.Body.Close()
	return res.Header.Get("Access-Control-Allow-Origin")
}

// runPage awaits the page's async function call js and returns what it
// resolved to.
func runPage(t *testing.T, ctx context.Context, js string) map[string]string {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	seen, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]string](js, chromedp.EvalAwaitPromise))
	require.NoError(t, err, "the attack page's %s", js)
	t.Logf("what %s saw: %v", js, seen)
	return seen
}

// TestCrossSitePageChangesNothing: a page on another origin sends every
// simple cross-site request the admin API and the customer's page could
// take (no-cors fetches with text/plain, auto-submitted text/plain and
// urlencoded forms), a preflighted JSON POST and a CORS read, against the
// binary started with --allow-origin '*'. Afterwards the payment is still
// not_started, nothing is armed, the clock has not moved and the payment
// still exists (reset refused); the page could read nothing. The page's
// control request to the merchant API is in the journal, so the browser
// did reach the emulator. Then a DNS-rebinding page, whose Host is its own
// name, reads the emulator's unguarded pages but not the admin API.
func TestCrossSitePageChangesNothing(t *testing.T) {
	bin := buildSandbox(t)
	base := startSandbox(t, bin, "--allow-origin", "*", "--frozen-clock", "--log-level", "warn")
	p := createPayment(t, base, "", map[string]any{"ipn_callback_url": "http://127.0.0.1:9/ipn"})
	short := strings.TrimPrefix(p.ID, "payment_")
	before := snapshot(t, base, p.ID)
	require.Equal(t, adminSnapshot{State: "not_started", Armed: map[string]int{}, Clock: before.Clock, Exists: true}, before)

	page := serveAttacker(t, fmt.Sprintf(attackPage, base, p.ID, short))
	origin := strings.TrimSuffix(page, "/")
	ctx := crossSiteBrowser(t, 90*time.Second)
	require.NoError(t, within(ctx, 15*time.Second, chromedp.Navigate(page), chromedp.WaitVisible(css("#ready"))))
	seen := runPage(t, ctx, `attack()`)

	assert.Equal(t, before, snapshot(t, base, p.ID), "the cross-site page changed the emulator")
	assert.Equal(t, "blocked", seen["cors read"], "the page read the admin API")
	assert.Equal(t, "blocked", seen["preflighted state"], "a preflighted JSON POST was let through")
	assert.Equal(t, "opaque", seen["control"], "the page's control request")
	assert.True(t, journalHas(t, base, http.MethodPost, "/v1/payments/"+p.ID+"/refund", http.StatusUnauthorized),
		"the journal holds the page's control request: the browser did reach the emulator")
	runPage(t, ctx, `reset()`)
	assert.Equal(t, before, snapshot(t, base, p.ID), "the cross-site page reset the emulator")

	t.Run("allow-origin * never opens the admin API", func(t *testing.T) {
		for _, path := range []string{"/__admin/payments", "/__admin/payments/" + p.ID + "/state", "/__admin/reset", "/pay/" + short} {
			assert.Empty(t, preflight(t, base+path, origin), "Access-Control-Allow-Origin on %s", path)
		}
		assert.Equal(t, "*", preflight(t, base+"/v1/payments", origin), "the merchant API follows --allow-origin '*'")
	})

	t.Run("a DNS-rebinding page reads nothing", func(t *testing.T) {
		rebound := strings.Replace(base, "127.0.0.1", rebindName, 1)
		require.NoError(t, within(ctx, 15*time.Second, chromedp.Navigate(rebound+"/healthz")))
		read := `fetch('/__admin/payments').then(function (r) { return r.text().then(function (b) { return r.status + ' ' + b; }); })`
		rctx, cancel := context.WithTimeout(ctx, 15*time.Second)
		got, err := chromedp.Run(rctx, chromedp.Evaluate[string](read, chromedp.EvalAwaitPromise))
		cancel()
		require.NoError(t, err)
		assert.True(t, strings.HasPrefix(got, "421 "), "a page named %s read the admin API: %.200s", rebindName, got)
		assert.NotContains(t, got, p.ID)
	})
}
