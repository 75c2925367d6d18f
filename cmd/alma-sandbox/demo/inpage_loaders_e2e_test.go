package demo_test

import (
	"archive/tar"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// requireJSVersion is the requirejs the Magento-style page loads (Magento 2
// ships requirejs 2.3.x).
const requireJSVersion = "2.3.7"

// merchantOf reads the emulator's merchant id, as a merchant copies it from
// Alma's dashboard (GET /v1/me).
func merchantOf(t *testing.T, emulatorURL string) string {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, emulatorURL+"/v1/me", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Alma-Auth sk_test_pages")
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)
	var me struct{ ID string }
	require.NoError(t, json.NewDecoder(res.Body).Decode(&me))
	require.NotEmpty(t, me.ID)
	return me.ID
}

// requireJS returns requirejs's require.js, fetched once with `npm pack`
// into testdata/requirejs (git-ignored).
func requireJS(t *testing.T) []byte {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("testdata", "requirejs", requireJSVersion))
	require.NoError(t, err)
	file := filepath.Join(dir, "require.js")
	if body, err := os.ReadFile(file); err == nil {
		return body
	}
	npm, err := exec.LookPath("npm")
	require.NoError(t, err, "npm is needed once to fetch requirejs %s (make test needs it anyway)", requireJSVersion)
	tmp := t.TempDir()
	out, err := exec.Command(npm, "pack", "--silent", "--pack-destination", tmp, "requirejs@"+requireJSVersion).CombinedOutput()
	require.NoError(t, err, "npm pack requirejs@%s: %s", requireJSVersion, out)
	body := untarFile(t, filepath.Join(tmp, "requirejs-"+requireJSVersion+".tgz"), "package/require.js")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	require.NoError(t, os.WriteFile(file, body, 0o644))
	return body
}

// untarFile reads one file out of a .tgz.
func untarFile(t *testing.T, archive, name string) []byte {
	t.Helper()
	f, err := os.Open(archive)
	require.NoError(t, err)
	defer f.Close()
	gz, err := gzip.NewReader(f)
	require.NoError(t, err)
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		require.NoError(t, err, "%s holds no %s", archive, name)
		if h.Name == name {
			body, err := io.ReadAll(io.LimitReader(tr, 4<<20))
			require.NoError(t, err)
			return body
		}
	}
}

// loaderPage is a checkout page: a log the test reads (console.error lands
// there too), the plugin's container, then the page's own scripts.
const loaderPage = `<!doctype html><html><body>
<div id="%s"></div><p id="log"></p>
<script>
  function log(s) { document.getElementById('log').textContent += s + ';'; }
  var logError = console.error;
  console.error = function (m) { log('error: ' + m); logError.apply(console, arguments); };
</script>
%s
</body></html>`

// byScript loads the widget with a plain <script> from path, then runs call
// (the global Alma is there).
func byScript(emulatorURL, path, call string) string {
	return fmt.Sprintf(`<script src="%s%s"></script><script>%s</script>`, emulatorURL, path, call)
}

// byRequireJS loads the widget as Magento does: requirejs maps a module
// name to the CDN path without .js, and the module's value is what
// Magento's checkout calls Alma.
func byRequireJS(emulatorURL, call string) string {
	return fmt.Sprintf(`<script src="/require.js"></script><script>
  require.config({ paths: { 'inPage/Alma': '%s/npm/@alma/in-page@2.x/dist/index.umd' } });
  require(['inPage/Alma'], function (Alma) {
    log('global Alma ' + typeof window.Alma);
    %s
  }, function (err) { log('requirejs: ' + err); });
</script>`, emulatorURL, call)
}

// TestInPageAsThePluginsLoadIt loads the emulator's widget in Chromium the
// way WooCommerce (a <script> of @2.x, selector '#id'), PrestaShop (@2.x.x,
// the bare element id, dataset strings) and Magento (requirejs,
// Alma.initialize on the AMD module) do, then an unknown merchantId and
// selectors that match no element.
func TestInPageAsThePluginsLoadIt(t *testing.T) {
	ctx := browser(t, chromium(t), 3*time.Minute)
	s := openShop(t)
	emu := s.emulator.URL()
	merchantID := merchantOf(t, emu)
	pay := createPayment(t, emu, "", map[string]any{"origin": "online_in_page", "return_url": "https://shop.example.com/return"})
	rjs := requireJS(t)

	start := fmt.Sprintf(`inPage.startPayment({ paymentId: %q });`, pay.ID)
	tests := []struct {
		name, container, scripts string
		// wantLog is the page's log once the widget is done; wantPlan that
		// the plan is drawn, wantModal that startPayment opened the modal.
		wantLog             string
		wantPlan, wantModal bool
	}{
		{
			name: "WooCommerce: script of @2.x, selector #id", container: "alma-inpage-alma_in_page",
			scripts: byScript(emu, "/npm/@alma/in-page@2.x/dist/index.umd.js", fmt.Sprintf(`
  var inPage = Alma.InPage.initialize({ merchantId: %q, amountInCents: 30000, installmentsCount: 3,
    selector: '#alma-inpage-alma_in_page', environment: 'TEST', locale: 'fr' }); %s log('ready');`, merchantID, start)),
			wantLog: "ready;", wantPlan: true, wantModal: true,
		},
		{
			name: "PrestaShop: script of @2.x.x, bare id, dataset strings", container: "alma-inpage-payment-option-3",
			scripts: byScript(emu, "/npm/@alma/in-page@2.x.x/dist/index.umd.js", fmt.Sprintf(`
  var inPage = Alma.InPage.initialize({ merchantId: %q, amountInCents: '30000', installmentsCount: '3',
    deferredDays: '0', deferredMonths: '0', selector: 'alma-inpage-payment-option-3', environment: 'TEST', locale: 'fr' }); %s log('ready');`, merchantID, start)),
			wantLog: "ready;", wantPlan: true, wantModal: true,
		},
		{
			name: "Magento: requirejs, Alma.initialize on the module", container: "alma-in-page-alma_monthly_payments_installments",
			scripts: byRequireJS(emu, fmt.Sprintf(`
    window.inPage = Alma.initialize({ merchantId: %q, amountInCents: 30000, installmentsCount: 3,
      selector: '#alma-in-page-alma_monthly_payments_installments', environment: 'TEST', locale: 'fr' }); %s log('ready');`, merchantID, start)),
			wantLog: "global Alma undefined;ready;", wantPlan: true, wantModal: true,
		},
		{
			name: "unknown merchantId", container: "alma-in-page",
			scripts: byScript(emu, "/npm/@alma/in-page@2.x/dist/index.umd.js", fmt.Sprintf(`
  var inPage = Alma.InPage.initialize({ merchantId: 'merchant_unknown', amountInCents: 30000, installmentsCount: 3,
    selector: '#alma-in-page', environment: 'TEST', locale: 'en' }); %s`, start)),
			wantLog: "error: Alma: unknown merchant id (merchant_unknown). Check the merchantId given to Alma.InPage.initialize.;" +
				`error: Alma.InPage: startPayment refused: merchant id "merchant_unknown" is unknown;`,
		},
		{
			name: "no element has the id", container: "alma-in-page",
			scripts: byScript(emu, "/npm/@alma/in-page@2.x/dist/index.umd.js", fmt.Sprintf(`
  try { Alma.InPage.initialize({ merchantId: %q, amountInCents: 30000, installmentsCount: 3, selector: 'alma-in-page-typo' }); }
  catch (e) { log(e.message.split(' (')[0]); }`, merchantID)),
			wantLog: `Alma.InPage.initialize: no element has the id of selector "alma-in-page-typo";`,
		},
		{
			name: "a class selector is not an id, as at Alma", container: "alma-in-page",
			scripts: byScript(emu, "/npm/@alma/in-page@2.x/dist/index.umd.js", fmt.Sprintf(`
  try { Alma.InPage.initialize({ merchantId: %q, amountInCents: 30000, installmentsCount: 3, selector: '.alma-in-page' }); }
  catch (e) { log(e.message.split(' (')[0]); }`, merchantID)),
			wantLog: `Alma.InPage.initialize: no element has the id of selector ".alma-in-page";`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/require.js" {
					w.Header().Set("Content-Type", "text/javascript")
					_, _ = w.Write(rjs)
					return
				}
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				fmt.Fprintf(w, loaderPage, tt.container, tt.scripts)
			}))
			t.Cleanup(page.Close)
			want := strings.TrimSuffix(tt.wantLog, ";")
			last := want[strings.LastIndex(want, ";")+1:]
			require.NoError(t, within(ctx, 15*time.Second,
				chromedp.Navigate(page.URL),
				chromedp.Poll[chromedp.Void](fmt.Sprintf(`document.getElementById("log").textContent.indexOf(%q) >= 0`, last)),
			), "the page's log")
			if tt.wantModal {
				frame(t, ctx)
			}
			assert.Equal(t, tt.wantLog, text(t, ctx, "#log"))
			plan, err := get(ctx, chromedp.Evaluate[bool](`!!document.querySelector('.alma-in-page-plan')`))
			require.NoError(t, err)
			assert.Equal(t, tt.wantPlan, plan, "the plan is drawn")
			modal, err := get(ctx, chromedp.Evaluate[bool](`!!document.querySelector('iframe.alma-in-page-frame')`))
			require.NoError(t, err)
			assert.Equal(t, tt.wantModal, modal, "the modal is open")
		})
	}
}
