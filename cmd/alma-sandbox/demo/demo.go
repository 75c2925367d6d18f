// Package demo is the demo merchant checkout: the reference a frontend team
// copies to integrate Alma's In-Page widget against alma-sandbox.
//
// The server side uses the real connector (package connector): a click on
// "Pay in 4 installments" creates the payment with connector.Initialize; the
// page then loads the widget script from the emulator and runs
// Alma.InPage.initialize and startPayment. Alma sends the customer back to
// the return page, which runs connector.Verify; Alma's IPN reaches /demo/ipn
// (connector.IPNHandler). When the customer closes the widget, the page asks
// the server to cancel: connector.Cancel, then Verify (ABORTED).
//
// Routes (all under /demo/):
//
//	GET  /demo/                     the product page
//	POST /demo/orders               create the order and its Alma payment → the widget's parameters
//	GET  /demo/orders/{ref}         the order's status as JSON (for tests and curious people)
//	POST /demo/orders/{ref}/cancel  the customer closed the widget: Cancel, then Verify
//	GET  /demo/return               Alma's return_url: Verify and show the result
//	GET  /demo/ipn                  Alma's IPN (ipn_callback_url)
package demo

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/alma-sandbox/alma-sandbox/connector"
)

// Server is the demo checkout. Set its fields, then Open.
type Server struct {
	// Addr is where to listen; default 127.0.0.1:0 (any free port).
	Addr string
	// Connector talks to Alma (the emulator). Open sets its IPNCallbackURL
	// to this server's /demo/ipn when empty.
	Connector *connector.Client
	// EmulatorURL is the emulator's public URL as the browser reaches it:
	// the widget script is loaded from there.
	EmulatorURL string
	// Logger receives one line per order event; default slog.Default.
	Logger *slog.Logger
	// Now is the clock; default time.Now.
	Now func() time.Time

	orders *orderBook
	ln     net.Listener
	srv    *http.Server
}

// NewServer returns a demo checkout that pays through c and loads the widget
// from emulatorURL.
func NewServer(c *connector.Client, emulatorURL string) *Server {
	return &Server{
		Addr:        "127.0.0.1:0",
		Connector:   c,
		EmulatorURL: strings.TrimRight(emulatorURL, "/"),
		Logger:      slog.Default(),
		Now:         time.Now,
	}
}

// Open listens on Addr and serves in the background.
func (s *Server) Open() error {
	if s.Connector == nil {
		return errors.New("demo: no connector")
	}
	ln, err := net.Listen("tcp", s.Addr)
	if err != nil {
		return fmt.Errorf("demo: listen on %s: %w", s.Addr, err)
	}
	s.ln = ln
	if s.Connector.IPNCallbackURL == "" {
		s.Connector.IPNCallbackURL = s.URL() + "/demo/ipn"
	}
	s.srv = &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.logger().Error("demo: serve", "err", err)
		}
	}()
	return nil
}

// URL is the server's base URL, e.g. http://127.0.0.1:4243; "" before Open.
func (s *Server) URL() string {
	if s.ln == nil {
		return ""
	}
	return "http://" + s.ln.Addr().String()
}

// Close stops the server, waiting up to 5 s for requests in flight.
func (s *Server) Close() error {
	if s.srv == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.srv.Shutdown(ctx); err != nil {
		return fmt.Errorf("demo: shut down: %w", err)
	}
	return nil
}

// Handler returns the demo's routes. The order book lives with the Server,
// so every Handler of one Server shares it.
func (s *Server) Handler() http.Handler {
	if s.orders == nil {
		s.orders = newOrderBook()
	}
	mux := http.NewServeMux()
	mux.Handle("GET /{$}", http.RedirectHandler("/demo/", http.StatusFound))
	mux.HandleFunc("GET /demo/{$}", s.checkoutPage)
	mux.HandleFunc("POST /demo/orders", s.createOrder)
	mux.HandleFunc("GET /demo/orders/{ref}", s.orderStatus)
	mux.HandleFunc("POST /demo/orders/{ref}/cancel", s.cancelOrder)
	mux.HandleFunc("GET /demo/return", s.returnPage)
	mux.Handle("GET /demo/ipn", s.ipnHandler())
	return mux
}

func (s *Server) logger() *slog.Logger {
	if s.Logger == nil {
		return slog.Default()
	}
	return s.Logger
}

func (s *Server) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

// baseURL is how the browser reaches this server: the request's own host,
// so return_url and the page's links work behind any port mapping.
func (s *Server) baseURL(r *http.Request) string {
	if r.Host != "" {
		return "http://" + r.Host
	}
	return s.URL()
}
