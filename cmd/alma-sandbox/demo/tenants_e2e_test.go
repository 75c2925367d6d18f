package demo_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alma-sandbox/alma-sandbox/emulator"
	"github.com/alma-sandbox/alma-sandbox/emulator/emulatortest"
)

// adminToken protects the admin API of the emulators below, as
// serve --admin-token does.
const adminToken = "e2e-admin-token"

// openProtected starts an emulator whose admin API needs adminToken.
func openProtected(t *testing.T) *emulator.Server {
	t.Helper()
	s := emulatortest.MustOpen(t, func(s *emulator.Server) { s.AdminToken = adminToken })
	t.Cleanup(http.DefaultClient.CloseIdleConnections)
	return s
}

// createAs creates a payment of 300.00 EUR in 4 as the merchant of key and
// returns its id.
func createAs(t *testing.T, emulatorURL, key string) string {
	t.Helper()
	body, err := json.Marshal(map[string]any{"payment": map[string]any{"purchase_amount": 30000, "installments_count": 4, "locale": "en"}})
	require.NoError(t, err)
	req, err := http.NewRequest(http.MethodPost, emulatorURL+"/v1/payments", bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Alma-Auth "+key)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)
	var p almaPayment
	require.NoError(t, json.NewDecoder(res.Body).Decode(&p))
	return p.ID
}

// agents records the X-Alma-Agent each request to a URL containing part
// was sent with.
type agents struct {
	mu   sync.Mutex
	part string
	seen []string
}

// listenAgents starts recording the tab's requests to URLs containing part.
func listenAgents(t *testing.T, ctx context.Context, part string) *agents {
	t.Helper()
	a := &agents{part: part}
	require.NoError(t, chromedp.Listen(ctx, func(ev any) {
		e, ok := ev.(*network.EventRequestWillBeSent)
		if !ok || !strings.Contains(e.Request.URL, a.part) || e.Request.Method != http.MethodGet {
			return
		}
		agent, _ := e.Request.Headers["X-Alma-Agent"].(string)
		a.mu.Lock()
		a.seen = append(a.seen, agent)
		a.mu.Unlock()
	}))
	return a
}

// sent is what was recorded.
func (a *agents) sent() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string{}, a.seen...)
}

// TestPagesWithAdminToken: on an emulator whose admin API needs a token,
// the hosted page loads its payment and the widget, on the merchant's own
// origin, opens the modal, asks Alma's return-urls call with X-Alma-Agent,
// and a card pays: the customer lands on return_url with the pid.
func TestPagesWithAdminToken(t *testing.T) {
	ctx := browser(t, chromium(t), 2*time.Minute)
	emu := openProtected(t)
	m := openMerchant(t, emu.URL())
	hosted := createPayment(t, emu.URL(), "", map[string]any{"return_url": m.URL + "/return", "locale": "en"})

	res, err := http.Get(emu.URL() + "/__admin/payments/" + hosted.ID)
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusUnauthorized, res.StatusCode, "the admin API is closed to the page")

	t.Run("the hosted page loads and a card pays", func(t *testing.T) {
		require.NoError(t, within(ctx, 15*time.Second,
			chromedp.Navigate(hosted.URL),
			chromedp.WaitVisible(css("#alma-number")),
		), "the hosted page")
		assert.Contains(t, text(t, ctx, "#alma-title"), "300", "the amount read from GET /pay/{id}/payment")
		assert.Len(t, allText(t, ctx, "#alma-plan li"), 4, "the plan")
		require.NoError(t, within(ctx, 15*time.Second, typeCard(nil, "4242 4242 4242 4242", "04/42", "424")))
		assert.Equal(t, "/return?pid="+hosted.ID, landed(t, ctx))
	})

	t.Run("the widget pays and asks return-urls as Alma's", func(t *testing.T) {
		inPage := createPayment(t, emu.URL(), "", map[string]any{"return_url": m.URL + "/return", "origin": "online_in_page"})
		calls := listenAgents(t, ctx, "/v1/checkout/payments/"+inPage.ID+"/return-urls")
		require.NoError(t, within(ctx, 15*time.Second, chromedp.Navigate(m.URL+"/widget?payment="+inPage.ID)))
		in := frame(t, ctx)
		require.NoError(t, within(ctx, 15*time.Second, typeCard(in, "4242 4242 4242 4242", "04/42", "424")))
		assert.Equal(t, "/return?pid="+inPage.ID, landed(t, ctx))
		got := calls.sent()
		require.NotEmpty(t, got, "the widget called GET /v1/checkout/payments/{id}/return-urls")
		assert.True(t, strings.HasPrefix(got[0], "Alma In-Page/"), "with X-Alma-Agent: %q", got[0])
	})
}

// allText is the text of every element sel matches (none: empty).
func allText(t *testing.T, ctx context.Context, sel string) []string {
	t.Helper()
	n, err := get(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll(`+jsString(sel)+`)).map(function (e) { return e.textContent; })`))
	require.NoError(t, err, sel)
	return n
}

// jsString quotes s for JavaScript.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// shown is the payment ids the dashboard lists now.
func shown(t *testing.T, ctx context.Context) []string {
	t.Helper()
	ids, err := get(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('#payments tbody tr')).map(function (r) { return r.getAttribute('data-payment-id'); })`))
	require.NoError(t, err)
	return ids
}

// useCredential types a key or token in the dashboard's scope field.
func useCredential(t *testing.T, ctx context.Context, credential string) {
	t.Helper()
	require.NoError(t, within(ctx, 10*time.Second,
		chromedp.SetValue(css("#auth-value"), credential),
		chromedp.Click(css("#auth-use")),
	), "use %s", credential[:8])
}

// TestDashboardTenants: on an emulator with an admin token the dashboard
// first asks for a key or token; tenant A's key shows A's payments only;
// the token shows every payment with its merchant and the tenants list,
// and narrows to one tenant; the credential lasts for the tab's session.
func TestDashboardTenants(t *testing.T) {
	ctx := browser(t, chromium(t), 2*time.Minute)
	emu := openProtected(t)
	const keyA, keyB = "sk_test_tenant_a", "sk_test_tenant_b"
	a, b := createAs(t, emu.URL(), keyA), createAs(t, emu.URL(), keyB)
	row := func(id string) string { return `#payments tr[data-payment-id="` + id + `"]` }

	require.NoError(t, within(ctx, 15*time.Second,
		chromedp.Navigate(emu.URL()+"/__admin/ui"),
		chromedp.Click(css("#auto")),
		chromedp.WaitVisible(css("#auth-prompt")),
	), "the dashboard asks for a key or token")
	assert.Empty(t, shown(t, ctx), "nothing without a key or token")
	assert.Contains(t, text(t, ctx, "#auth-prompt"), "admin token")

	t.Run("tenant A's key shows A's payments only", func(t *testing.T) {
		useCredential(t, ctx, keyA)
		require.NoError(t, within(ctx, 10*time.Second, chromedp.WaitVisible(css(row(a)))))
		assert.Equal(t, []string{a}, shown(t, ctx))
		assert.True(t, evalBool(t, ctx, `document.getElementById('auth-prompt').hidden`), "the prompt is gone")
		assert.True(t, evalBool(t, ctx, `document.getElementById('tenants-box').hidden`), "no tenants list for a tenant")
		assert.Contains(t, text(t, ctx, "#scope"), "merchant merchant_11")
	})

	t.Run("the operator token shows both and the tenants", func(t *testing.T) {
		useCredential(t, ctx, adminToken)
		require.NoError(t, within(ctx, 10*time.Second,
			chromedp.WaitVisible(css(row(a))), chromedp.WaitVisible(css(row(b))),
			chromedp.WaitVisible(css("#tenants tbody tr.tenant")),
		))
		assert.ElementsMatch(t, []string{a, b}, shown(t, ctx))
		tenants, err := get(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('#tenants tbody tr')).map(function (r) { return r.getAttribute('data-merchant-id'); })`))
		require.NoError(t, err)
		assert.GreaterOrEqual(t, len(tenants), 2, "A and B (and the README's merchant)")
		merchantA := attr(t, ctx, row(a)+" td.merchant", "title")
		merchantB := attr(t, ctx, row(b)+" td.merchant", "title")
		assert.NotEqual(t, merchantA, merchantB, "each payment shows its merchant")
		assert.Subset(t, tenants, []string{merchantA, merchantB})

		require.NoError(t, within(ctx, 10*time.Second, chromedp.Click(css(`#tenants tr[data-merchant-id="`+merchantB+`"]`))))
		require.NoError(t, within(ctx, 10*time.Second, chromedp.WaitNotPresent(css(row(a)))), "narrowed to B")
		assert.Equal(t, []string{b}, shown(t, ctx))
		assert.Contains(t, text(t, ctx, "#scope"), merchantB+" only")
	})

	t.Run("the credential lasts for the tab", func(t *testing.T) {
		stored, err := get(ctx, chromedp.Evaluate[string](`sessionStorage.getItem('alma-sandbox:admin-credential')`))
		require.NoError(t, err)
		assert.Equal(t, adminToken, stored)
		require.NoError(t, within(ctx, 15*time.Second,
			chromedp.Reload(),
			chromedp.WaitVisible(css(row(a))), chromedp.WaitVisible(css(row(b))),
		), "a reload keeps the operator's view")
	})
}
