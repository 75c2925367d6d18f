package harness

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/alma-sandbox/alma-sandbox/connector"
)

// ipnHub serves the connector's IPN handler on a local listener and routes
// each notification's Verify result to the scenario that owns the payment.
type ipnHub struct {
	mu       sync.Mutex
	sessions map[string]connector.Session
	results  map[string][]connector.Result
	changed  map[string]chan struct{} // closed and replaced on each result

	srv *http.Server
	url string
}

// ipnPath is where the harness serves the connector's IPN handler.
const ipnPath = "/alma/ipn"

// openIPN listens on addr ("127.0.0.1:0") and serves c's IPN handler.
func openIPN(c *connector.Client, addr string) (*ipnHub, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("ipn listener: %w", err)
	}
	h := &ipnHub{
		sessions: map[string]connector.Session{},
		results:  map[string][]connector.Result{},
		changed:  map[string]chan struct{}{},
		url:      "http://" + ln.Addr().String() + ipnPath,
	}
	mux := http.NewServeMux()
	mux.Handle(ipnPath, c.IPNHandler(h.lookup, h.record))
	h.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = h.srv.Serve(ln) }() // Serve returns when close shuts it down
	return h, nil
}

// closeGrace is how long close lets notifications in flight finish.
const closeGrace = 200 * time.Millisecond

// close stops the listener. Notifications still in flight after closeGrace
// (the emulator retrying a scenario that has ended, a connection opened but
// not yet used) are cut: their scenarios are over.
func (h *ipnHub) close() error {
	ctx, cancel := context.WithTimeout(context.Background(), closeGrace)
	defer cancel()
	err := h.srv.Shutdown(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		err = h.srv.Close()
	}
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("ipn listener: %w", err)
	}
	return nil
}

// register makes the hub answer notifications for a payment.
func (h *ipnHub) register(paymentID string, s connector.Session) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.sessions[paymentID] = s
}

// lookup is the connector's SessionLookup.
func (h *ipnHub) lookup(paymentID string) (connector.Session, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	s, ok := h.sessions[paymentID]
	return s, ok
}

// record receives the Verify result of a notification.
func (h *ipnHub) record(r connector.Result) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.results[r.PaymentID] = append(h.results[r.PaymentID], r)
	if ch, ok := h.changed[r.PaymentID]; ok {
		close(ch)
		delete(h.changed, r.PaymentID)
	}
}

// count is how many notifications of a payment the handler verified.
func (h *ipnHub) count(paymentID string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.results[paymentID])
}

// snapshot returns the payment's results from index from on, and a channel
// closed when the next one arrives.
func (h *ipnHub) snapshot(paymentID string, from int) ([]connector.Result, <-chan struct{}) {
	h.mu.Lock()
	defer h.mu.Unlock()
	ch, ok := h.changed[paymentID]
	if !ok {
		ch = make(chan struct{})
		h.changed[paymentID] = ch
	}
	all := h.results[paymentID]
	if from >= len(all) {
		return nil, ch
	}
	return append([]connector.Result(nil), all[from:]...), ch
}

// awaitNews waits for a notification of the payment whose Verify result
// differs from last (repeats of the known status are absorbed: a duplicated
// or early IPN brings no news), until ctx ends.
func (h *ipnHub) awaitNews(ctx context.Context, paymentID, last string) (connector.Result, error) {
	seen := 0
	for {
		news, changed := h.snapshot(paymentID, seen)
		for _, r := range news {
			if r.Status.PSPStatus != last {
				return r, nil
			}
		}
		seen += len(news)
		select {
		case <-changed:
		case <-ctx.Done():
			return connector.Result{}, fmt.Errorf("no notification with news after %q (%d verified; can the emulator reach %s?): %w", last, seen, h.url, ctx.Err())
		}
	}
}
