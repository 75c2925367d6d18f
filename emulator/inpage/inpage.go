// Package inpage serves the emulator's browser side: the In-Page widget
// script (the global Alma.InPage of Alma's @alma/in-page@2.x), the hosted
// payment page at a payment's url, and the dashboard at /__admin/ui.
//
// Everything is plain HTML, CSS and JavaScript embedded in the binary: no
// build step, no CDN. The payment page talks to the emulator through its own
// routes (GET /pay/{id}/payment, POST /pay/{id}), the widget through the
// merchant check and Alma's GET /v1/checkout/payments/{id}/return-urls, the
// dashboard through the admin API in the scope typed in it (a merchant's
// key or the admin token); this package holds no state.
//
// The widget opens the payment page in an iframe, as Alma's widget does, so
// the card is typed on the emulator's origin and a merchant page on another
// origin needs no CORS to take a payment.
package inpage

import (
	"embed"
	"encoding/json"
	"io/fs"
	"net/http"
	"path"

	"github.com/gorilla/mux"
)

//go:embed assets
var assets embed.FS

// Routes of the widget script: the emulator's own path and the path of
// Alma's CDN build, so a checkout only swaps the host of its script URL.
// The CDN build is served at every version spelling the plugins load
// (WooCommerce and Magento @2.x, PrestaShop @2.x.x; see cdnScriptRoute).
const (
	ScriptPath    = "/in-page/alma-in-page.js"
	CDNScriptPath = "/npm/@alma/in-page@2.x/dist/index.umd.js"
	// MerchantPath is where the widget asks whether initialize's
	// merchantId is a merchant the emulator knows.
	MerchantPath = "/in-page/merchants/{id}"
	// DashboardPath is the dashboard's route.
	DashboardPath = "/__admin/ui"
	// AssetPrefix serves the pages' own scripts and styles (pay.js, pay.css,
	// dashboard.js).
	AssetPrefix = "/in-page/"
)

// contentTypes maps an asset's extension to its Content-Type.
var contentTypes = map[string]string{
	".js":   "text/javascript; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".html": "text/html; charset=utf-8",
}

// cdnScriptRoute matches the CDN build's path with or without the CDN's
// /npm prefix, at a 2.x version spelled as the plugins spell it: @2, @2.x,
// @2.x.x, or an exact @2.7.3.
const cdnScriptRoute = "/{npm:(?:npm/)?}@alma/in-page@{version:2(?:\\.(?:x|[0-9]{1,3})){0,2}}/dist/index.umd.js"

// KnownMerchant reports whether id is a merchant the emulator knows.
type KnownMerchant func(id string) bool

// Register mounts the widget script, the payment page, the dashboard and
// their assets on r, and the widget's merchant check, which asks known.
// None of them needs authentication.
func Register(r *mux.Router, known KnownMerchant) {
	r.Handle(ScriptPath, asset("alma-in-page.js")).Methods(http.MethodGet, http.MethodHead)
	r.Handle(cdnScriptRoute, asset("alma-in-page.js")).Methods(http.MethodGet, http.MethodHead)
	r.Handle(MerchantPath, merchantCheck(known)).Methods(http.MethodGet, http.MethodHead)
	r.Handle("/pay/{short:[A-Za-z0-9]+}", page("pay.html")).Methods(http.MethodGet, http.MethodHead)
	r.Handle(DashboardPath, page("dashboard.html")).Methods(http.MethodGet, http.MethodHead)
	r.Handle(DashboardPath+"/", http.RedirectHandler(DashboardPath, http.StatusMovedPermanently)).Methods(http.MethodGet, http.MethodHead)
	r.Handle(AssetPrefix+"{file:[a-z-]+\\.(?:js|css)}", http.HandlerFunc(serveAsset)).Methods(http.MethodGet, http.MethodHead)
}

// serveAsset answers GET /in-page/{file} from the embedded assets.
func serveAsset(w http.ResponseWriter, r *http.Request) {
	asset(mux.Vars(r)["file"]).ServeHTTP(w, r)
}

// maxMerchantID bounds the id the merchant check echoes.
const maxMerchantID = 64

// merchantCheck answers GET /in-page/merchants/{id}: 200 {"id":…} for a
// merchant known reports, else 404 with a message the widget shows. Any
// origin may ask (a merchant id is public, like the script), so the widget
// can check from the merchant's page without --allow-origin.
func merchantCheck(known KnownMerchant) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := mux.Vars(r)["id"]
		status, body := http.StatusOK, map[string]string{"id": id}
		if len(id) > maxMerchantID || known == nil || !known(id) {
			status, body = http.StatusNotFound, map[string]string{"error_code": "not_found", "message": "unknown merchant id"}
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Access-Control-Allow-Origin", "*")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(body)
	})
}

// asset serves one embedded script or stylesheet. Scripts may be loaded
// from any origin (they are public, like Alma's CDN build).
func asset(name string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := fs.ReadFile(assets, path.Join("assets", name))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", contentTypes[path.Ext(name)])
		w.Header().Set("Cache-Control", "no-cache")
		w.Header().Set("Access-Control-Allow-Origin", "*")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		_, _ = w.Write(body)
	})
}

// page serves one embedded HTML page. Pages may be framed (the widget shows
// the payment page in an iframe on the merchant's page).
func page(name string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := fs.ReadFile(assets, path.Join("assets", name))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", contentTypes[".html"])
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Referrer-Policy", "no-referrer")
		_, _ = w.Write(body)
	})
}
