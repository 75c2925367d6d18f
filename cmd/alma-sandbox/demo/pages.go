package demo

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"net/http"
)

//go:embed templates/*.html
var templateFiles embed.FS

// pages are the demo's HTML pages.
var pages = template.Must(template.ParseFS(templateFiles, "templates/*.html"))

// checkoutView is what the product page shows.
type checkoutView struct {
	ScriptURL   string // the widget script, from the emulator
	ProductName string
	Price       string
	AmountCents int64
	MerchantID  string
}

// returnView is what the return page shows.
type returnView struct {
	Error  string
	Order  Order
	Result *Outcome
}

// checkoutPage handles GET /demo/: the product and the widget.
func (s *Server) checkoutPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, http.StatusOK, "checkout.html", checkoutView{
		ScriptURL:   s.EmulatorURL + "/in-page/alma-in-page.js",
		ProductName: productName,
		Price:       fmt.Sprintf("%d,%02d €", productCents/100, productCents%100),
		AmountCents: productCents,
		MerchantID:  s.widgetMerchantID(r.Context()),
	})
}

// render executes a page into a buffer first, so a template error is a
// clean 500 rather than half a page.
func (s *Server) render(w http.ResponseWriter, status int, name string, view any) {
	var buf bytes.Buffer
	if err := pages.ExecuteTemplate(&buf, name, view); err != nil {
		s.logger().Error("demo: render page", "page", name, "err", err)
		http.Error(w, "page error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}
