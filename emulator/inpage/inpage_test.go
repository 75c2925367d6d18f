package inpage_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/gorilla/mux"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alma-sandbox/alma-sandbox/emulator/inpage"
)

// knownID is the one merchant the test server knows.
const knownID = "merchant_11known"

// open serves the package's routes on a real 127.0.0.1 server.
func open(t *testing.T) *httptest.Server {
	t.Helper()
	r := mux.NewRouter()
	inpage.Register(r, func(id string) bool { return id == knownID })
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	return srv
}

// get fetches path without following redirects.
func get(t *testing.T, srv *httptest.Server, method, path string) (*http.Response, string) {
	t.Helper()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, err := http.NewRequest(method, srv.URL+path, nil)
	require.NoError(t, err)
	res, err := client.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res, string(body)
}

func TestRoutes(t *testing.T) {
	t.Parallel()
	srv := open(t)
	tests := []struct {
		name, method, path string
		status             int
		contentType        string
		contains           string
	}{
		{"widget script", "GET", inpage.ScriptPath, 200, "text/javascript; charset=utf-8", "exports.initialize = initialize"},
		{"widget on the CDN path", "GET", inpage.CDNScriptPath, 200, "text/javascript; charset=utf-8", "Alma.InPage"},
		{"widget at @2.x.x (PrestaShop)", "GET", "/npm/@alma/in-page@2.x.x/dist/index.umd.js", 200, "text/javascript; charset=utf-8", "define.amd"},
		{"widget at an exact 2.x version", "GET", "/npm/@alma/in-page@2.7.3/dist/index.umd.js", 200, "text/javascript; charset=utf-8", "define.amd"},
		{"widget at @2", "GET", "/npm/@alma/in-page@2/dist/index.umd.js", 200, "text/javascript; charset=utf-8", "define.amd"},
		{"widget without /npm", "GET", "/@alma/in-page@2.x/dist/index.umd.js", 200, "text/javascript; charset=utf-8", "define.amd"},
		{"widget without /npm at @2.x.x", "GET", "/@alma/in-page@2.x.x/dist/index.umd.js", 200, "text/javascript; charset=utf-8", "define.amd"},
		{"head of the CDN script", "HEAD", "/npm/@alma/in-page@2.x.x/dist/index.umd.js", 200, "text/javascript; charset=utf-8", ""},
		{"widget 1.x is not served", "GET", "/npm/@alma/in-page@1.x/dist/index.umd.js", 404, "", ""},
		{"widget at a bad version", "GET", "/npm/@alma/in-page@2.x.x.x/dist/index.umd.js", 404, "", ""},
		{"widget under another file name", "GET", "/npm/@alma/in-page@2.x/dist/index.js", 404, "", ""},
		{"known merchant", "GET", "/in-page/merchants/" + knownID, 200, "application/json", `{"id":"` + knownID + `"}`},
		{"unknown merchant", "GET", "/in-page/merchants/merchant_x", 404, "application/json", `"unknown merchant id"`},
		{"overlong merchant id", "GET", "/in-page/merchants/" + strings.Repeat("m", 65), 404, "application/json", `"not_found"`},
		{"payment page", "GET", "/pay/11jiyZd3Er547365omsqcwM6KsaMQ3fN2E", 200, "text/html; charset=utf-8", `id="alma-form"`},
		{"payment page script", "GET", "/in-page/pay.js", 200, "text/javascript; charset=utf-8", "page + '/payment'"},
		{"payment page style", "GET", "/in-page/pay.css", 200, "text/css; charset=utf-8", ".submit"},
		{"dashboard", "GET", inpage.DashboardPath, 200, "text/html; charset=utf-8", `id="payments"`},
		{"dashboard script", "GET", "/in-page/dashboard.js", 200, "text/javascript; charset=utf-8", "starting_after="},
		{"dashboard with slash", "GET", inpage.DashboardPath + "/", 301, "", ""},
		{"head of the script", "HEAD", inpage.ScriptPath, 200, "text/javascript; charset=utf-8", ""},
		{"unknown asset", "GET", "/in-page/nope.js", 404, "", ""},
		{"not an asset", "GET", "/in-page/inpage.go", 404, "", ""},
		{"payment id with a slash", "GET", "/pay/abc/def", 404, "", ""},
		{"payment id with punctuation", "GET", "/pay/abc%3Cscript%3E", 404, "", ""},
		{"post to the page", "POST", "/pay/abc", 405, "", ""},
		{"post to the dashboard", "POST", inpage.DashboardPath, 405, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res, body := get(t, srv, tt.method, tt.path)
			assert.Equal(t, tt.status, res.StatusCode)
			if tt.contentType != "" {
				assert.Equal(t, tt.contentType, res.Header.Get("Content-Type"))
				assert.Equal(t, "nosniff", res.Header.Get("X-Content-Type-Options"))
			}
			assert.Contains(t, body, tt.contains)
		})
	}
}

// TestPagesLinkServedAssets resolves every script and stylesheet a page
// links, from the page's own URL, and fetches it.
func TestPagesLinkServedAssets(t *testing.T) {
	t.Parallel()
	srv := open(t)
	link := regexp.MustCompile(`(?:src|href)="([^"#]+\.(?:js|css))"`)
	for _, page := range []string{"/pay/11abc", inpage.DashboardPath} {
		t.Run(page, func(t *testing.T) {
			t.Parallel()
			_, body := get(t, srv, "GET", page)
			found := link.FindAllStringSubmatch(body, -1)
			require.Len(t, found, 2, "a script and a stylesheet")
			pageURL, err := url.Parse(srv.URL + page)
			require.NoError(t, err)
			for _, m := range found {
				ref, err := url.Parse(m[1])
				require.NoError(t, err)
				res, _ := get(t, srv, "GET", pageURL.ResolveReference(ref).Path)
				assert.Equal(t, http.StatusOK, res.StatusCode, m[1])
			}
		})
	}
}

// TestScriptsNeverKeepTheCard guards the promise that only the last four
// digits are kept: no script persists anything, and the pages that see the
// card log nothing. The widget, which never sees it, may log its errors.
func TestScriptsNeverKeepTheCard(t *testing.T) {
	t.Parallel()
	srv := open(t)
	forbidden := []string{"localStorage", "sessionStorage", "document.cookie", "indexedDB", "innerHTML"}
	for _, path := range []string{inpage.ScriptPath, "/in-page/pay.js", "/in-page/dashboard.js"} {
		t.Run(path, func(t *testing.T) {
			t.Parallel()
			_, body := get(t, srv, "GET", path)
			require.NotEmpty(t, body)
			forbidden := forbidden
			if path != inpage.ScriptPath {
				forbidden = append(forbidden, "console.")
			}
			if path == "/in-page/dashboard.js" {
				// The dashboard keeps the admin key or token for the tab,
				// under one name, and nothing else.
				used := strings.Count(body, "sessionStorage")
				assert.Positive(t, used)
				assert.Equal(t, used, strings.Count(body, "sessionStorage.getItem(authItem)")+
					strings.Count(body, "sessionStorage.setItem(authItem,")+strings.Count(body, "sessionStorage.removeItem(authItem)"),
					"the dashboard stores the admin credential only")
				body = strings.ReplaceAll(body, "sessionStorage", "")
			}
			for _, f := range forbidden {
				assert.False(t, strings.Contains(body, f), "%s uses %s", path, f)
			}
		})
	}
}

// TestWidgetNeverSeesTheCard checks the widget's design: the merchant-side
// script holds no card field and never calls the customer step itself.
func TestWidgetNeverSeesTheCard(t *testing.T) {
	t.Parallel()
	_, body := get(t, open(t), "GET", inpage.ScriptPath)
	for _, f := range []string{"/customer", "cc-number", "<input", "XMLHttpRequest"} {
		assert.NotContains(t, body, f)
	}
	assert.Equal(t, 2, strings.Count(body, "fetch("), "two calls only")
	assert.Contains(t, body, "fetch(base + '/in-page/merchants/'", "the widget's first call is the merchant check")
	assert.Contains(t, body, "'/v1/checkout/payments/'", "its second Alma's return-urls call")
	assert.Contains(t, body, "'X-Alma-Agent': agent", "sent with X-Alma-Agent, as Alma's")
	assert.Contains(t, body, "'/pay/'", "the modal frames the payment page")
}

func TestRefusalMessagesCoverEveryCardCode(t *testing.T) {
	t.Parallel()
	_, body := get(t, open(t), "GET", "/in-page/pay.js")
	codes := []string{"card_declined", "insufficient_funds", "expired_card", "incorrect_cvc",
		"incorrect_number", "incorrect_expiration_date", "three_d_s_impossible"}
	for _, code := range codes {
		assert.Equal(t, 2, strings.Count(body, code+":"), "%s needs a French and an English message", code)
	}
}

// TestMerchantCheckAnswersAnyOrigin: the widget runs on the merchant's
// origin, so the merchant check is readable from any origin, known or not,
// and never cached (a restarted emulator draws another merchant).
func TestMerchantCheckAnswersAnyOrigin(t *testing.T) {
	t.Parallel()
	srv := open(t)
	for _, id := range []string{knownID, "merchant_x"} {
		res, _ := get(t, srv, "GET", "/in-page/merchants/"+id)
		assert.Equal(t, "*", res.Header.Get("Access-Control-Allow-Origin"), id)
		assert.Equal(t, "no-store", res.Header.Get("Cache-Control"), id)
	}
}
