package demo_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alma-sandbox/alma-sandbox/cmd/alma-sandbox/demo"
	"github.com/alma-sandbox/alma-sandbox/connector"
	"github.com/alma-sandbox/alma-sandbox/emulator"
	"github.com/alma-sandbox/alma-sandbox/emulator/emulatortest"
)

// shop is the demo checkout in front of a real emulator, both on 127.0.0.1.
type shop struct {
	emulator *emulator.Server
	demo     *demo.Server
}

func openShop(t *testing.T) shop {
	t.Helper()
	emu := emulatortest.MustOpen(t)
	c := connector.NewClient(emu.URL(), "sk_test_browser")
	c.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	d := demo.NewServer(c, emu.URL())
	d.Logger = c.Logger
	require.NoError(t, d.Open())
	t.Cleanup(func() {
		// Before the emulator closes (cleanups run last-in first-out): no
		// idle client connection may keep its graceful shutdown waiting.
		_ = d.Close()
		c.HTTPClient.CloseIdleConnections()
		http.DefaultClient.CloseIdleConnections()
	})
	return shop{emulator: emu, demo: d}
}

// order reads GET /demo/orders/{ref}.
func (s shop) order(t *testing.T, ref string) demo.Order {
	t.Helper()
	res, err := http.Get(s.demo.URL() + "/demo/orders/" + url.PathEscape(ref))
	require.NoError(t, err)
	defer res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)
	var o demo.Order
	require.NoError(t, json.NewDecoder(res.Body).Decode(&o))
	return o
}

// openModal loads the product page, clicks "Pay in 4 installments" and
// waits for the widget's modal.
func (s shop) openModal(t *testing.T, ctx context.Context) {
	t.Helper()
	require.NoError(t, within(ctx, 15*time.Second,
		chromedp.Navigate(s.demo.URL()+"/demo/"),
		chromedp.WaitVisible(css("#alma-in-page .alma-in-page")),
		chromedp.Click(css("#pay-4x")),
	), "open the widget")
}

// text reads an element's text.
func text(t *testing.T, ctx context.Context, sel string, opts ...chromedp.QueryOption) string {
	t.Helper()
	s, err := get(ctx, chromedp.Text(css(sel), opts...))
	require.NoError(t, err, "text of %s", sel)
	return s
}

// TestCheckoutInBrowser is the frontend team's flow in headless Chromium:
// the demo checkout (real connector) with the widget served by the real
// emulator.
func TestCheckoutInBrowser(t *testing.T) {
	ctx := browser(t, chromium(t), 3*time.Minute)
	s := openShop(t)
	var paid, aborted string

	t.Run("the test card pays and the IPN confirms", func(t *testing.T) {
		s.openModal(t, ctx)
		in := frame(t, ctx)
		screenshot(t, ctx, "1-widget-modal")
		require.NoError(t, within(ctx, 15*time.Second,
			typeCard(in, "4242 4242 4242 4242", "04/42", "424"),
			chromedp.WaitVisible(css(`#result[data-psp-status="in_progress"]`)),
		), "pay and land on the return page")
		assert.Equal(t, "SUCCESS / SUCCEEDED", text(t, ctx, "#result"))
		ref := text(t, ctx, "#order")
		paid = text(t, ctx, "#payment")
		require.NoError(t, within(ctx, 20*time.Second,
			chromedp.WaitVisible(css(`#ipn[data-psp-status="in_progress"]`)),
		), "the IPN reaches the demo, whose Verify says in_progress")
		screenshot(t, ctx, "2-return-page")
		o := s.order(t, ref)
		require.NotNil(t, o.IPN)
		assert.Equal(t, []string{"SUCCESS", "SUCCEEDED"}, []string{o.IPN.State, o.IPN.Code})
		assert.Equal(t, paid, o.PaymentID)
	})

	t.Run("refusal cards show the refusal, then closing aborts", func(t *testing.T) {
		s.openModal(t, ctx)
		in := frame(t, ctx)
		from := chromedp.FromNode(in)
		refusals := []struct{ card, code, says string }{
			{"4000 0000 0000 0002", "card_declined", "Votre carte a été refusée par votre banque. Essayez une autre carte."},
			{"4000 0000 0000 9995", "insufficient_funds", "Paiement refusé : fonds insuffisants. Essayez une autre carte."},
			{"4242 4242 4242 4241", "incorrect_number", "Le numéro de carte est incorrect."},
		}
		for _, r := range refusals {
			require.NoError(t, within(ctx, 15*time.Second,
				typeCard(in, r.card, "04/42", "424"),
				chromedp.WaitVisible(css(`#alma-error[data-error-code="`+r.code+`"]`), from),
			), "refusal %s", r.code)
			assert.Equal(t, r.says, text(t, ctx, "#alma-error", from), r.code)
		}
		screenshot(t, ctx, "3-refusal")
		require.NoError(t, within(ctx, 15*time.Second,
			chromedp.Click(css("#alma-close"), from),
			chromedp.WaitVisible(css(`#result[data-psp-status="ABORTED"]`)),
			chromedp.WaitNotPresent(css("iframe.alma-in-page-frame")),
		), "close the modal")
		screenshot(t, ctx, "4-closed")
		ref, err := get(ctx, chromedp.AttributeValue(css("#result"), "data-order"))
		require.NoError(t, err)
		o := s.order(t, ref.Value)
		require.NotNil(t, o.Cancel)
		require.NotNil(t, o.Abort)
		assert.Equal(t, "SUCCESS", o.Cancel.PSPStatus)
		assert.Equal(t, []string{"ABORTED", "ERROR", "ABORTED_BY_CUSTOMER"}, []string{o.Abort.PSPStatus, o.Abort.State, o.Abort.Code})
		aborted = o.PaymentID
	})

	t.Run("the hosted payment page pays too (redirect integrations)", func(t *testing.T) {
		c := s.create(t, `{}`)
		require.NoError(t, within(ctx, 20*time.Second,
			chromedp.Navigate(c.Widget.URL),
			chromedp.WaitVisible(css("#alma-number")),
			typeCard(nil, "4000 0000 0000 0069", "04/42", "424"),
			chromedp.WaitVisible(css(`#alma-error[data-error-code="expired_card"]`)),
			typeCard(nil, "4242 4242 4242 4242", "04/42", "424"),
			chromedp.WaitVisible(css(`#result[data-psp-status="in_progress"]`)),
		), "pay on the hosted page")
		assert.Equal(t, c.Widget.PaymentID, text(t, ctx, "#payment"))

		closed := s.create(t, `{}`)
		require.NoError(t, within(ctx, 20*time.Second,
			chromedp.Navigate(closed.Widget.URL),
			chromedp.WaitVisible(css("#alma-number")),
			chromedp.Click(css("#alma-close")),
			// customer_cancel_url?pid=…: the demo's return page, which
			// verifies: the payment is still not_started (WAITING).
			chromedp.WaitVisible(css(`#result[data-psp-status="not_started"]`)),
		), "close the hosted page")
		assert.Equal(t, closed.Widget.PaymentID, text(t, ctx, "#payment"))
	})

	t.Run("the dashboard lists the payments", func(t *testing.T) {
		require.NotEmpty(t, paid)
		require.NotEmpty(t, aborted)
		require.NoError(t, within(ctx, 15*time.Second,
			chromedp.Navigate(s.emulator.URL()+"/__admin/ui"),
			chromedp.WaitVisible(css(`tr[data-payment-id="`+paid+`"]`)),
			chromedp.WaitVisible(css(`tr[data-payment-id="`+aborted+`"]`)),
			chromedp.Click(css(`tr[data-payment-id="`+paid+`"]`)),
			chromedp.WaitVisible(css(`#timeline tbody tr`)),
		), "the dashboard")
		rows, err := get(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#timeline tbody tr').length`))
		require.NoError(t, err)
		assert.GreaterOrEqual(t, rows, 3, "the paid payment's timeline: created, customer, ipn at least")
		screenshot(t, ctx, "5-dashboard")
	})

	t.Run("the dashboard acts as the customer", func(t *testing.T) {
		c := s.create(t, `{}`)
		row := `tr[data-payment-id="` + c.Widget.PaymentID + `"]`
		require.NoError(t, within(ctx, 15*time.Second,
			chromedp.Click(css("#refresh")),
			chromedp.WaitVisible(css(row+` .state.not_started`)),
			chromedp.Click(css(row)),
			chromedp.WaitVisible(css(`#d-id`)),
			chromedp.Click(css("#a-pay")), // the default card: 4242… accepted
			chromedp.WaitVisible(css(row+` .state.in_progress`)),
		), "pay from the dashboard")
	})
}
