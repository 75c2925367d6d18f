package demo_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// merchant is a bare shop on 127.0.0.1: /return and /failure say where the
// customer landed; / is a checkout with the widget in French.
type merchant struct {
	*httptest.Server
}

// widgetPage starts the widget in French for a payment, recording in
// window.name (which survives the navigation) which callback ran and
// whether the modal was still there when it did.
const widgetPage = `<!doctype html><html lang="fr"><body><div id="plan"></div>
<script src="%s/npm/@alma/in-page@2.x/dist/index.umd.js"></script>
<script>
  function seen(what) {
    return function () { window.name = what + ':' + (document.querySelector('.alma-in-page-modal') ? 'open' : 'closed'); };
  }
  var inPage = Alma.InPage.initialize({ merchantId: %q, amountInCents: 30000, installmentsCount: 4, selector: '#plan', locale: 'fr' });
  inPage.startPayment({ paymentId: %q, onPaymentSucceeded: seen('succeeded'), onPaymentRejected: seen('rejected'),
    onUserCloseModal: seen('closed') });
</script></body></html>`

func openMerchant(t *testing.T, emulatorURL string) merchant {
	t.Helper()
	merchantID := merchantOf(t, emulatorURL)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		switch r.URL.Path {
		case "/return", "/failure", "/cancel":
			fmt.Fprintf(w, `<p id="landed">%s</p>`, r.URL.Path)
		case "/widget":
			fmt.Fprintf(w, widgetPage, emulatorURL, merchantID, r.URL.Query().Get("payment"))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return merchant{srv}
}

// almaPayment is the part of Alma's payment the tests read.
type almaPayment struct {
	ID  string `json:"id"`
	URL string `json:"url"`
}

// createPayment creates a payment at the emulator as a merchant does, with
// the given payment fields and scenario header ("" for none).
func createPayment(t *testing.T, emulatorURL, scenario string, fields map[string]any) almaPayment {
	t.Helper()
	payment := map[string]any{"purchase_amount": 30000, "installments_count": 4, "locale": "fr"}
	for k, v := range fields {
		payment[k] = v
	}
	body, err := json.Marshal(map[string]any{"payment": payment})
	require.NoError(t, err)
	req, err := http.NewRequest(http.MethodPost, emulatorURL+"/v1/payments", bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Alma-Auth sk_test_pages")
	req.Header.Set("Content-Type", "application/json")
	if scenario != "" {
		req.Header.Set("X-Alma-Sandbox-Scenario", scenario)
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)
	var p almaPayment
	require.NoError(t, json.NewDecoder(res.Body).Decode(&p))
	require.NotEmpty(t, p.ID)
	return p
}

// force sets a payment's state through the admin API.
func force(t *testing.T, emulatorURL, id, state string) {
	t.Helper()
	res, err := http.Post(emulatorURL+"/__admin/payments/"+id+"/state", "application/json", strings.NewReader(`{"state":"`+state+`"}`))
	require.NoError(t, err)
	defer res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)
}

// landed waits for the merchant's landing page and returns its path and
// query.
func landed(t *testing.T, ctx context.Context) string {
	t.Helper()
	require.NoError(t, within(ctx, 15*time.Second, chromedp.WaitVisible(css("#landed"))), "back at the merchant's")
	at, err := get(ctx, chromedp.Evaluate[string](`location.pathname + location.search`))
	require.NoError(t, err)
	return at
}

// computed is a CSS property of the page's element sel, as computed.
func computed(t *testing.T, ctx context.Context, sel, property string) string {
	t.Helper()
	v, err := get(ctx, chromedp.Evaluate[string](fmt.Sprintf(`getComputedStyle(document.querySelector(%q)).getPropertyValue(%q)`, sel, property)))
	require.NoError(t, err, "style of %s", sel)
	return v
}

// attr reads an element's attribute ("" when absent).
func attr(t *testing.T, ctx context.Context, sel, name string) string {
	t.Helper()
	v, err := get(ctx, chromedp.AttributeValue(css(sel), name))
	require.NoError(t, err, "attribute %s of %s", name, sel)
	return v.Value
}

// TestRefusedPaymentOnHostedPage: Alma's scoring refuses after a valid card
// (scenario state_scored_no). The French hosted page says so in red and
// sends the customer to failure_return_url, or to return_url when the
// payment has none, with the pid.
func TestRefusedPaymentOnHostedPage(t *testing.T) {
	ctx := browser(t, chromium(t), 2*time.Minute)
	s := openShop(t)
	m := openMerchant(t, s.emulator.URL())
	for _, tt := range []struct {
		name, landing string
		fields        map[string]any
	}{
		{"failure_return_url set", "/failure", map[string]any{"return_url": m.URL + "/return", "failure_return_url": m.URL + "/failure"}},
		{"failure_return_url unset", "/return", map[string]any{"return_url": m.URL + "/return"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := createPayment(t, s.emulator.URL(), "state_scored_no", tt.fields)
			require.NoError(t, within(ctx, 15*time.Second,
				chromedp.Navigate(p.URL),
				chromedp.WaitVisible(css("#alma-number")),
				typeCard(nil, "4242 4242 4242 4242", "04/42", "424"),
				chromedp.WaitVisible(css(`#alma-status[data-tone="bad"]`)),
			), "pay, then the refusal")
			assert.Equal(t, "Alma a refusé le paiement en plusieurs fois. Vous allez être redirigé vers la boutique.", text(t, ctx, "#alma-status"))
			assert.Equal(t, "rgb(166, 27, 15)", computed(t, ctx, "#alma-status", "color"), "the refusal is red")
			hidden, err := get(ctx, chromedp.Evaluate[bool](`document.getElementById('alma-form').hidden`))
			require.NoError(t, err)
			assert.True(t, hidden, "no card form after a refusal")
			screenshot(t, ctx, "pages-refused-hosted-"+strings.TrimPrefix(tt.landing, "/"))
			assert.Equal(t, tt.landing+"?pid="+p.ID, landed(t, ctx))
		})
	}
}

// TestRefusedPaymentInWidget: in the In-Page modal the refusal shows in red
// and in French, then the modal closes, onPaymentRejected (not
// onPaymentSucceeded) runs, and the browser goes to failure_return_url.
func TestRefusedPaymentInWidget(t *testing.T) {
	ctx := browser(t, chromium(t), 2*time.Minute)
	s := openShop(t)
	m := openMerchant(t, s.emulator.URL())
	p := createPayment(t, s.emulator.URL(), "state_scored_no", map[string]any{
		"return_url": m.URL + "/return", "failure_return_url": m.URL + "/failure", "origin": "online_in_page",
	})
	require.NoError(t, within(ctx, 15*time.Second, chromedp.Navigate(m.URL+"/widget?payment="+p.ID)), "the merchant's page")
	in := frame(t, ctx)
	from := chromedp.FromNode(in)
	require.NoError(t, within(ctx, 15*time.Second,
		typeCard(in, "4242 4242 4242 4242", "04/42", "424"),
		chromedp.WaitVisible(css(`#alma-status[data-tone="bad"]`), from),
	), "pay, then the refusal")
	assert.Equal(t, "Alma a refusé le paiement en plusieurs fois. Vous allez être redirigé vers la boutique.", text(t, ctx, "#alma-status", from))
	screenshot(t, ctx, "pages-refused-widget")
	assert.Equal(t, "/failure?pid="+p.ID, landed(t, ctx))
	name, err := get(ctx, chromedp.Evaluate[string](`window.name`))
	require.NoError(t, err)
	assert.Equal(t, "rejected:closed", name, "onPaymentRejected ran once the modal had closed")
}

// TestReopenedPaymentPage: the hosted page of a payment that no longer
// awaits the customer shows its status in French and a link back to the
// shop (return_url?pid=…), never the card form.
func TestReopenedPaymentPage(t *testing.T) {
	ctx := browser(t, chromium(t), 2*time.Minute)
	s := openShop(t)
	m := openMerchant(t, s.emulator.URL())
	for _, tt := range []struct{ state, says, tone string }{
		{"scored_yes", "Ce paiement est déjà accepté par Alma : il ne reste rien à saisir.", "ok"},
		{"in_progress", "Ce paiement est déjà réglé : la première échéance a été payée.", "ok"},
		{"paid", "Ce paiement est déjà réglé en totalité.", "ok"},
		{"scored_maybe", "Alma étudie ce paiement : la boutique vous informera de sa décision.", ""},
	} {
		t.Run(tt.state, func(t *testing.T) {
			p := createPayment(t, s.emulator.URL(), "", map[string]any{"return_url": m.URL + "/return", "capture_method": "manual"})
			force(t, s.emulator.URL(), p.ID, tt.state)
			require.NoError(t, within(ctx, 15*time.Second,
				chromedp.Navigate(p.URL),
				chromedp.WaitVisible(css("#alma-back")),
			), "the reopened page")
			assert.Equal(t, tt.says, text(t, ctx, "#alma-status"))
			assert.Equal(t, tt.tone, attr(t, ctx, "#alma-status", "data-tone"))
			assert.Equal(t, "Retour à la boutique", text(t, ctx, "#alma-back"))
			hidden, err := get(ctx, chromedp.Evaluate[bool](`document.getElementById('alma-form').hidden`))
			require.NoError(t, err)
			assert.True(t, hidden, "no card form")
			screenshot(t, ctx, "pages-reopened-"+tt.state)
			require.NoError(t, within(ctx, 10*time.Second, chromedp.Click(css("#alma-back"))), "back to the shop")
			assert.Equal(t, "/return?pid="+p.ID, landed(t, ctx))
		})
	}

	t.Run("decided while the form was open", func(t *testing.T) {
		p := createPayment(t, s.emulator.URL(), "", map[string]any{"return_url": m.URL + "/return"})
		require.NoError(t, within(ctx, 15*time.Second,
			chromedp.Navigate(p.URL),
			chromedp.WaitVisible(css("#alma-number")),
		), "the card form")
		force(t, s.emulator.URL(), p.ID, "in_progress")
		require.NoError(t, within(ctx, 15*time.Second,
			typeCard(nil, "4242 4242 4242 4242", "04/42", "424"),
			chromedp.WaitVisible(css("#alma-back")),
		), "pay a payment paid meanwhile")
		_, err := get(ctx, chromedp.Poll[bool](
			`document.getElementById('alma-status').textContent === "Ce paiement est déjà réglé : la première échéance a été payée."`,
			chromedp.WithPollingTimeout(15*time.Second)))
		require.NoError(t, err, "the status, got %q", text(t, ctx, "#alma-status"))
		errHidden, err := get(ctx, chromedp.Evaluate[bool](`document.getElementById('alma-error').hidden`))
		require.NoError(t, err)
		assert.True(t, errHidden, "no developer message on the French page")
	})
}

// events reads the payment's sandbox events (kind: detail) from the admin
// API.
func events(t *testing.T, emulatorURL, id string) []string {
	t.Helper()
	res, err := http.Get(emulatorURL + "/__admin/payments/" + id)
	require.NoError(t, err)
	defer res.Body.Close()
	var v struct {
		Sandbox struct {
			Events []struct{ Kind, Detail string } `json:"events"`
		} `json:"sandbox"`
	}
	require.NoError(t, json.NewDecoder(res.Body).Decode(&v))
	out := []string{}
	for _, e := range v.Sandbox.Events {
		out = append(out, e.Kind+": "+e.Detail)
	}
	return out
}

// TestWidgetModalClosesWithEscapeAndOverlay: Escape (in the card form or on
// the merchant's page) and a click on the overlay close the modal as the ×
// does: the customer's close is recorded and onUserCloseModal runs.
func TestWidgetModalClosesWithEscapeAndOverlay(t *testing.T) {
	ctx := browser(t, chromium(t), 2*time.Minute)
	s := openShop(t)
	m := openMerchant(t, s.emulator.URL())
	for _, tt := range []struct {
		name string
		act  func(in *chromedp.Node) chromedp.Action[chromedp.Void]
	}{
		{"Escape in the card form", func(in *chromedp.Node) chromedp.Action[chromedp.Void] {
			return chromedp.SendKeys(css("#alma-number"), kb.Escape, chromedp.FromNode(in))
		}},
		{"Escape on the merchant's page", func(*chromedp.Node) chromedp.Action[chromedp.Void] {
			return chromedp.Evaluate[chromedp.Void](`document.activeElement.blur(); document.dispatchEvent(new KeyboardEvent('keydown', {key: 'Escape', bubbles: true}))`)
		}},
		{"a click on the overlay", func(*chromedp.Node) chromedp.Action[chromedp.Void] {
			return chromedp.MouseClickXY(8, 8)
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := createPayment(t, s.emulator.URL(), "", map[string]any{"return_url": m.URL + "/return", "origin": "online_in_page"})
			require.NoError(t, within(ctx, 15*time.Second, chromedp.Navigate(m.URL+"/widget?payment="+p.ID)), "the merchant's page")
			in := frame(t, ctx)
			require.NoError(t, within(ctx, 10*time.Second,
				tt.act(in),
				chromedp.WaitNotPresent(css(".alma-in-page-modal")),
			), "close the modal")
			name, err := get(ctx, chromedp.Evaluate[string](`window.name`))
			require.NoError(t, err)
			assert.Equal(t, "closed:closed", name, "onUserCloseModal, once the modal is gone")
			assert.Contains(t, events(t, s.emulator.URL(), p.ID), "customer: closed the widget")
		})
	}
}

// TestRefusalAsAnsweredAfterTheServerFix: the customer step of an emulator
// fixed for issue 13 answers a scoring refusal as outcome "refused" (state
// scored_no) with redirect_url = return_url?pid=… when the payment has no
// failure_return_url. A proxy in front of the real emulator rewrites
// today's answer into that shape; the page must handle it the same way.
func TestRefusalAsAnsweredAfterTheServerFix(t *testing.T) {
	ctx := browser(t, chromium(t), 2*time.Minute)
	s := openShop(t)
	m := openMerchant(t, s.emulator.URL())
	target, err := url.Parse(s.emulator.URL())
	require.NoError(t, err)
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.ModifyResponse = func(res *http.Response) error {
		if !strings.HasSuffix(res.Request.URL.Path, "/customer") {
			return nil
		}
		var answer map[string]any
		if err := json.NewDecoder(res.Body).Decode(&answer); err != nil {
			return err
		}
		res.Body.Close()
		if answer["state"] == "scored_no" {
			answer["outcome"] = "refused"
			if answer["redirect_url"] == nil || answer["redirect_url"] == "" {
				pid := strings.TrimPrefix(res.Request.URL.Path, "/__admin/payments/")
				answer["redirect_url"] = m.URL + "/return?pid=" + strings.TrimSuffix(pid, "/customer")
			}
		}
		b, err := json.Marshal(answer)
		if err != nil {
			return err
		}
		res.Body = io.NopCloser(bytes.NewReader(b))
		res.ContentLength = int64(len(b))
		res.Header.Set("Content-Length", fmt.Sprint(len(b)))
		return nil
	}
	front := httptest.NewServer(proxy)
	t.Cleanup(front.Close)

	p := createPayment(t, s.emulator.URL(), "state_scored_no", map[string]any{"return_url": m.URL + "/return"})
	require.NoError(t, within(ctx, 15*time.Second,
		chromedp.Navigate(front.URL+"/pay/"+strings.TrimPrefix(p.ID, "payment_")),
		chromedp.WaitVisible(css("#alma-number")),
		typeCard(nil, "4242 4242 4242 4242", "04/42", "424"),
		chromedp.WaitVisible(css(`#alma-status[data-tone="bad"]`)),
	), "pay, then the refusal")
	assert.Equal(t, "Alma a refusé le paiement en plusieurs fois. Vous allez être redirigé vers la boutique.", text(t, ctx, "#alma-status"))
	errHidden, err := get(ctx, chromedp.Evaluate[bool](`document.getElementById('alma-error').hidden`))
	require.NoError(t, err)
	assert.True(t, errHidden, "a scoring refusal is not a card error")
	assert.Equal(t, "/return?pid="+p.ID, landed(t, ctx))
}
