package demo_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alma-sandbox/alma-sandbox/connector"
)

// merchantPage is a bare checkout written for Alma's widget, loading it from
// the CDN path: plan for 2 000.00 EUR in 3, the integrated pay button, and a
// log the test reads.
const merchantPage = `<!doctype html><html><body>
<div id="plan"></div><p id="log"></p>
<script src="%s/npm/@alma/in-page@2.x/dist/index.umd.js"></script>
<script>
  function log(s) { document.getElementById('log').textContent += s + ';'; }
  var inPage = Alma.InPage.initialize({
    merchantId: %q, amountInCents: 200000, installmentsCount: 3,
    selector: '#plan', environment: 'TEST', locale: 'en',
    onIntegratedPayButtonClicked: function () { log('clicked'); }
  });
</script></body></html>`

// TestWidgetContract checks the widget's own promises in Chromium, on a page
// that is not the demo's: Alma's split in the plan, the integrated button,
// forged messages ignored, onUserCloseModal, unmount.
func TestWidgetContract(t *testing.T) {
	ctx := browser(t, chromium(t), 2*time.Minute)
	s := openShop(t)
	merchantID := merchantOf(t, s.emulator.URL())
	page := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if r.URL.Path == "/return" {
			fmt.Fprint(w, `<p id="returned">back at the merchant's</p>`)
			return
		}
		fmt.Fprintf(w, merchantPage, s.emulator.URL(), merchantID)
	}))
	t.Cleanup(page.Close)
	c := connector.NewClient(s.emulator.URL(), "sk_test_widget")
	c.Logger = s.demo.Logger
	sess := connector.Session{Amount: 200000, Order: connector.Order{Reference: "widget-1", CurrencyCode: "EUR", Redirection: page.URL + "/return"}}
	res := c.Initialize(context.Background(), sess, connector.FlowCapture)
	require.NotNil(t, res.Widget, res.String())
	t.Cleanup(c.HTTPClient.CloseIdleConnections)

	require.NoError(t, within(ctx, 15*time.Second,
		chromedp.Navigate(page.URL),
		chromedp.WaitVisible(css("#plan .alma-in-page")),
		chromedp.Click(css("#plan .alma-in-page-pay")),
		chromedp.WaitVisible(css("#log")),
	), "the merchant's page")
	assert.Equal(t, "€666.68 today, then 2 x €666.66", text(t, ctx, "#plan .alma-in-page-plan"), "the first installment carries the remainder")
	assert.Equal(t, "clicked;", text(t, ctx, "#log"))

	// A message from the merchant's own window claims the modal closed: the
	// widget must ignore it (only its iframe on the emulator's origin counts).
	start := fmt.Sprintf(`inPage.startPayment({paymentId: %q, onUserCloseModal: function () { log('closed'); }});
		window.postMessage({type: 'alma-sandbox:closed'}, '*');
		window.postMessage({type: 'alma-sandbox:accepted', redirectUrl: 'about:blank#forged'}, '*'); true`, res.Widget.PaymentID)
	_, err := get(ctx, chromedp.Evaluate[bool](start))
	require.NoError(t, err)
	in := frame(t, ctx)
	assert.Equal(t, "Pay €2,000.00 in 4 installments", text(t, ctx, "#alma-title", chromedp.FromNode(in)), "the page speaks the widget's locale")
	require.NoError(t, within(ctx, 10*time.Second,
		chromedp.Click(css("#alma-close"), chromedp.FromNode(in)),
		chromedp.WaitNotPresent(css("iframe.alma-in-page-frame")),
	), "close the modal")
	assert.Equal(t, "clicked;closed;", text(t, ctx, "#log"), "onUserCloseModal once, forged messages ignored")
	location, err := get(ctx, chromedp.Evaluate[string](`location.href`))
	require.NoError(t, err)
	assert.Equal(t, page.URL+"/", location)

	empty, err := get(ctx, chromedp.Evaluate[bool](`inPage.unmount(); document.getElementById('plan').children.length === 0 && !document.querySelector('.alma-in-page-modal')`))
	require.NoError(t, err)
	assert.True(t, empty, "unmount removes the plan")

	// The closed payment still awaits the customer: pay it, with the
	// README's spelling paymentID and onPaymentSucceeded (window.name
	// survives the navigation to return_url).
	again := fmt.Sprintf(`inPage = Alma.InPage.initialize({merchantID: %q, selector: 'plan', amountInCents: 200000, installmentsCount: 4, locale: 'en'});
		inPage.startPayment({paymentID: %q, onPaymentSucceeded: function () { window.name = 'succeeded'; }}); true`, merchantID, res.Widget.PaymentID)
	_, err = get(ctx, chromedp.Evaluate[bool](again))
	require.NoError(t, err)
	in = frame(t, ctx)
	require.NoError(t, within(ctx, 15*time.Second,
		typeCard(in, "4242 4242 4242 4242", "04/42", "424"),
		chromedp.WaitVisible(css("#returned")),
	), "pay")
	landed, err := get(ctx, chromedp.Evaluate[string](`window.name + ' ' + location.pathname + location.search`))
	require.NoError(t, err)
	assert.Equal(t, "succeeded /return?pid="+res.Widget.PaymentID, landed)
}

// framingPage frames the emulator's payment page as any site could, with the
// parent origin it is given (none when empty), and logs every message it
// receives.
const framingPage = `<!doctype html><html><body><p id="log"></p>
<script>
  window.addEventListener('message', function (e) {
    document.getElementById('log').textContent += ((e.data && e.data.type) || 'other') + ';';
  });
</script>
<iframe class="alma-in-page-frame" onload="this.setAttribute('data-loaded', 'true')"
  src="%s/pay/%s?embed=1&locale=en%s"></iframe></body></html>`

// TestPayPageTellsOnlyItsParent: the payment page posts the outcome only to
// the origin the widget names in ?parent=, so a site framing /pay/{short}
// learns nothing; the widget's own origin does.
func TestPayPageTellsOnlyItsParent(t *testing.T) {
	ctx := browser(t, chromium(t), 2*time.Minute)
	s := openShop(t)
	c := connector.NewClient(s.emulator.URL(), "sk_test_framed")
	c.Logger = s.demo.Logger
	t.Cleanup(c.HTTPClient.CloseIdleConnections)
	res := c.Initialize(context.Background(), connector.Session{Amount: 20000, Order: connector.Order{Reference: "framed-1", CurrencyCode: "EUR", Redirection: "https://shop.example.com/return"}}, connector.FlowCapture)
	require.NotNil(t, res.Widget, res.String())
	short := strings.TrimPrefix(res.Widget.PaymentID, "payment_")

	var pageURL string
	page := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		parent := ""
		switch r.URL.Query().Get("parent") {
		case "self":
			parent = "&parent=" + url.QueryEscape(pageURL)
		case "other":
			parent = "&parent=" + url.QueryEscape("http://shop.example.com")
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, framingPage, s.emulator.URL(), short, parent)
	}))
	t.Cleanup(page.Close)
	pageURL = page.URL

	for _, tt := range []struct{ parent, want string }{
		{"none", ""},
		{"other", ""},
		{"self", "alma-sandbox:closed;"}, // the control: the message does reach its parent
	} {
		require.NoError(t, within(ctx, 10*time.Second, chromedp.Navigate(page.URL+"/?parent="+tt.parent)), tt.parent)
		in := frame(t, ctx)
		require.NoError(t, within(ctx, 10*time.Second,
			chromedp.Click(css("#alma-close"), chromedp.FromNode(in)),
			chromedp.WaitVisible(css("#alma-status"), chromedp.FromNode(in)),
		), "close, parent %s", tt.parent)
		time.Sleep(300 * time.Millisecond) // a message would have arrived by now
		assert.Equal(t, tt.want, text(t, ctx, "#log"), "parent %s", tt.parent)
	}
}
