package demo_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alma-sandbox/alma-sandbox/emulator/emulatortest"
)

// traffic records what the tab requested and which answers were 404.
type traffic struct {
	mu        sync.Mutex
	requested []string
	notFound  []string
	answered  int
}

// watch starts recording the tab's requests and answers.
func watch(t *testing.T, ctx context.Context) *traffic {
	t.Helper()
	tr := &traffic{}
	require.NoError(t, chromedp.Listen(ctx, func(ev any) {
		tr.mu.Lock()
		defer tr.mu.Unlock()
		switch e := ev.(type) {
		case *network.EventRequestWillBeSent:
			tr.requested = append(tr.requested, e.Request.URL)
		case *network.EventResponseReceived:
			tr.answered++
			if e.Response.Status == 404 {
				tr.notFound = append(tr.notFound, e.Response.URL)
			}
		}
	}))
	return tr
}

// snapshot copies what was recorded.
func (tr *traffic) snapshot() (requested, notFound []string, answered int) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return append([]string{}, tr.requested...), append([]string{}, tr.notFound...), tr.answered
}

// evalBool runs a JavaScript expression that yields a boolean.
func evalBool(t *testing.T, ctx context.Context, js string, args ...any) bool {
	t.Helper()
	v, err := get(ctx, chromedp.Evaluate[bool](fmt.Sprintf(js, args...)))
	require.NoError(t, err, js)
	return v
}

// oneLine is JavaScript telling whether the text of the element sel sits
// on one line (or none, when empty), and the page is no wider than the
// window.
const oneLine = `(function () {
  var el = document.querySelector(%q);
  var walk = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  var tops = {};
  for (var n = walk.nextNode(); n; n = walk.nextNode()) {
    var r = document.createRange(); r.selectNodeContents(n);
    Array.from(r.getClientRects()).forEach(function (b) { tops[Math.round(b.top)] = true; });
  }
  return Object.keys(tops).length <= 1 && document.documentElement.scrollWidth <= window.innerWidth;
})()`

// notWider is JavaScript telling whether the page fits the window's width.
const notWider = `document.documentElement.scrollWidth <= window.innerWidth`

// TestDashboardInBrowser: the dashboard's one-line messages (green for
// success, red for a refusal or an error with the server's reason), ids and
// counts that do not wrap, the timeline on the emulator's clock, the
// journal asked for with a small limit, and no 404 (favicon).
func TestDashboardInBrowser(t *testing.T) {
	ctx := browser(t, chromium(t), 3*time.Minute)
	s := openShop(t)
	m := openMerchant(t, s.emulator.URL())
	ten := createPayment(t, s.emulator.URL(), "", map[string]any{"installments_count": 10, "purchase_amount": 150000, "return_url": m.URL + "/return"})
	refused := createPayment(t, s.emulator.URL(), "state_scored_no", map[string]any{"return_url": m.URL + "/return"})
	tr := watch(t, ctx)
	row := func(id string) string { return `tr[data-payment-id="` + id + `"]` }

	require.NoError(t, within(ctx, 15*time.Second,
		chromedp.Navigate(s.emulator.URL()+"/__admin/ui"),
		// No auto-refresh: it re-renders rows under the test's clicks; every
		// action refreshes the page itself.
		chromedp.Click(css("#auto")),
		chromedp.WaitVisible(css(row(ten.ID))),
		chromedp.WaitVisible(css(row(refused.ID))),
	), "the dashboard")
	t.Run("ids and counts on one line", func(t *testing.T) {
		assert.Equal(t, "10", text(t, ctx, row(ten.ID)+" td:nth-child(4)"))
		assert.True(t, evalBool(t, ctx, oneLine, row(ten.ID)+" td:nth-child(4)"), "10 on one line")
		assert.True(t, evalBool(t, ctx, oneLine, row(ten.ID)+" td.id"), "the id on one line")
		for _, id := range []string{ten.ID, refused.ID} {
			for i := 1; i <= 6; i++ {
				assert.True(t, evalBool(t, ctx, oneLine, fmt.Sprintf("%s td:nth-child(%d)", row(id), i)), "column %d of %s on one line", i, id)
			}
		}
		assert.Equal(t, "state_scored_no", attr(t, ctx, row(refused.ID)+" td:nth-child(6)", "title"), "the full scenario as tooltip")
		assert.Equal(t, ten.ID, attr(t, ctx, row(ten.ID)+" td.id", "title"), "the full id as tooltip")
	})

	t.Run("force says what it did, in green", func(t *testing.T) {
		require.NoError(t, within(ctx, 15*time.Second,
			chromedp.Click(css(row(ten.ID))),
			chromedp.WaitVisible(css("#d-id")),
			chromedp.SetValue(css("#a-state"), "paid"),
			chromedp.Click(css("#a-force")),
			chromedp.WaitVisible(css(`#flash[data-tone="ok"]`)),
		), "force paid")
		assert.Equal(t, "forced: "+ten.ID+" is paid", text(t, ctx, "#flash"))
		assert.Equal(t, "rgb(215, 245, 223)", computed(t, ctx, "#flash", "background-color"))
		assert.True(t, evalBool(t, ctx, notWider), "the page is no wider than the window")
		assert.True(t, evalBool(t, ctx, oneLine, "#d-id"), "the detail's id on one line")
		screenshot(t, ctx, "dashboard-forced")
	})

	t.Run("a refusal is red", func(t *testing.T) {
		require.NoError(t, within(ctx, 15*time.Second,
			chromedp.Click(css(row(refused.ID))),
			chromedp.WaitVisible(css(`#d-id[title="`+refused.ID+`"]`)),
			chromedp.Click(css("#a-pay")), // the default card, 4242…: Alma's scoring refuses
			chromedp.WaitVisible(css(`#flash[data-tone="bad"]`)),
		), "pay as the customer")
		assert.Equal(t, "Alma refused the payment (scored_no)", text(t, ctx, "#flash"))
		assert.Equal(t, "rgb(251, 217, 213)", computed(t, ctx, "#flash", "background-color"))
		screenshot(t, ctx, "dashboard-refused")
	})

	t.Run("an error carries the server's reason", func(t *testing.T) {
		require.NoError(t, within(ctx, 15*time.Second,
			chromedp.Click(css(row(refused.ID))), // selecting clears the message
			chromedp.WaitNotVisible(css("#flash")),
			chromedp.SetValue(css("#clock-by"), "soon"),
			chromedp.Click(css("#clock-advance")),
			chromedp.WaitVisible(css(`#flash[data-tone="bad"]`)),
		), "advance the clock by nonsense")
		said := text(t, ctx, "#flash")
		assert.True(t, strings.HasPrefix(said, "POST /clock/advance: 400 — "), said)
		assert.Contains(t, said, "positive duration", "the emulator's message")
		screenshot(t, ctx, "dashboard-error")
	})

	t.Run("the timeline follows the emulator's clock", func(t *testing.T) {
		require.NoError(t, within(ctx, 15*time.Second,
			chromedp.SetValue(css("#clock-by"), "720h"),
			chromedp.Click(css("#clock-advance")),
			chromedp.WaitVisible(css(`#flash[data-tone=""]`)),
			chromedp.Click(css(row(ten.ID))),
			chromedp.WaitVisible(css(`#d-id[title="`+ten.ID+`"]`)),
			chromedp.SetValue(css("#a-state"), "in_progress"),
			chromedp.Click(css("#a-force")),
			chromedp.WaitVisible(css(`#flash[data-tone="ok"]`)),
		), "advance the clock, then act")
		assert.True(t, strings.HasPrefix(text(t, ctx, "#flash"), "forced: "+ten.ID), "the force went through")
		// Events are on the emulator's clock: the one after the advance is
		// 30 days after the creation, and the rows are in order.
		// The detail re-renders after the force: wait for the new event.
		atOK, err := get(ctx, chromedp.Poll[bool](`(function () {
		  var cells = Array.from(document.querySelectorAll('#timeline tbody tr td:first-child')).map(function (td) { return Date.parse(td.textContent.replace(' ', 'T')); });
		  for (var i = 1; i < cells.length; i++) { if (!(cells[i] >= cells[i - 1])) { return false; } }
		  return cells.length >= 3 && cells[cells.length - 1] - cells[0] >= 720 * 3600 * 1000;
		})()`, chromedp.WithPollingTimeout(15*time.Second)))
		require.NoError(t, err, "timeline rows in emulator time, in order")
		assert.True(t, atOK)
		calls := text(t, ctx, "#calls")
		assert.Contains(t, calls, "POST /v1/payments", "the requests are in their own table")
		assert.NotContains(t, text(t, ctx, "#timeline"), "/v1/", "no wall-clock row in the timeline")
		screenshot(t, ctx, "dashboard-timeline")
	})

	requested, notFound, answered := tr.snapshot()
	assert.Positive(t, answered, "the recorder saw the answers")
	assert.Empty(t, notFound, "no 404 (favicon included)")
	journal := 0
	for _, u := range requested {
		if !strings.Contains(u, "/__admin/journal") {
			continue
		}
		journal++
		q, err := url.Parse(u)
		require.NoError(t, err)
		assert.Equal(t, "100", q.Query().Get("limit"), u)
		assert.NotEmpty(t, q.Query().Get("payment"), u)
	}
	assert.Positive(t, journal, "the detail asked for the journal")
}

// TestDashboardAlmaIsDown: the dashboard's switch takes the merchant API
// down (503 for every call) and brings it back.
func TestDashboardAlmaIsDown(t *testing.T) {
	ctx := browser(t, chromium(t), 2*time.Minute)
	s := openShop(t)
	require.NoError(t, within(ctx, 15*time.Second,
		chromedp.Navigate(s.emulator.URL()+"/__admin/ui"),
		chromedp.WaitVisible(css("#alma-down")),
		chromedp.Click(css("#alma-down")),
		chromedp.WaitVisible(css(`#flash[data-tone="bad"]`)),
	), "Alma is down")
	assert.Contains(t, text(t, ctx, "#flash"), "Alma is down")
	screenshot(t, ctx, "dashboard-alma-down")
	status := func() int {
		req, err := http.NewRequest(http.MethodGet, s.emulator.URL()+"/v1/me", nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", "Alma-Auth sk_test_dashboard")
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		_ = res.Body.Close()
		return res.StatusCode
	}
	assert.Equal(t, http.StatusServiceUnavailable, status(), "the merchant API is down")
	require.NoError(t, within(ctx, 15*time.Second,
		chromedp.Click(css("#alma-back")),
		chromedp.WaitVisible(css(`#flash[data-tone="ok"]`)),
	), "Alma is back")
	assert.Equal(t, http.StatusOK, status(), "and back")
}

// TestDashboardResendsIPN: the detail's button sends the payment's IPN again
// now; the lists of states and cards come from the emulator's tables.
func TestDashboardResendsIPN(t *testing.T) {
	ctx := browser(t, chromium(t), 2*time.Minute)
	s := openShop(t)
	rc := emulatortest.NewIPNReceiver(t, "sk_test_pages")
	p := createPayment(t, s.emulator.URL(), "", map[string]any{"ipn_callback_url": rc.URL + "/ipn"})
	row := `tr[data-payment-id="` + p.ID + `"]`
	require.NoError(t, within(ctx, 15*time.Second,
		chromedp.Navigate(s.emulator.URL()+"/__admin/ui"),
		chromedp.Click(css("#auto")),
		chromedp.WaitVisible(css(row)),
		chromedp.Click(css(row)),
		chromedp.WaitVisible(css("#a-resend")),
		chromedp.Click(css("#a-resend")),
		chromedp.WaitVisible(css(`#flash[data-tone="ok"]`)),
	), "resend")
	assert.Equal(t, "IPN resent: 200", text(t, ctx, "#flash"))
	assert.Equal(t, []string{p.ID}, rc.PIDs())
	assert.True(t, evalBool(t, ctx, `Array.from(document.querySelectorAll('#a-state option')).some(function (o) { return o.textContent === 'claimed'; })`),
		"the states come from GET /__admin/tables")
	assert.True(t, evalBool(t, ctx, `document.querySelectorAll('#a-card option').length === 8`), "one option per test card")
	screenshot(t, ctx, "dashboard-ipn-resent")
}
