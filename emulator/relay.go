package emulator

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"sync"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"
)

// The IPN relay: `alma-sandbox listen` connects to GET /__admin/ipn/listen
// (a WebSocket) and, while it is connected, every IPN attempt is handed to
// it instead of being sent to the callback URL: the listener delivers it on
// the developer's machine (same query, same X-Alma-Signature) and answers
// with the local status, which the attempt takes as its own — so the retry
// schedule applies unchanged, and a laptop needs no public URL.

// relayTimeout bounds how long an attempt waits for the listener's answer.
const relayTimeout = DefaultIPNTimeout

// RelayMessage is what the emulator sends a listener: one IPN attempt.
type RelayMessage struct {
	Type      string            `json:"type"` // "ipn"
	ID        string            `json:"id"`
	PaymentID string            `json:"pid"`
	URL       string            `json:"url"` // the callback URL with ?pid=, as Alma would call it
	Headers   map[string]string `json:"headers"`
}

// RelayResult is a listener's answer to one RelayMessage.
type RelayResult struct {
	Type       string  `json:"type"` // "result"
	ID         string  `json:"id"`
	Status     int     `json:"status"`
	Error      string  `json:"error,omitempty"`
	DurationMS float64 `json:"duration_ms"`
}

// relay holds the connected listeners; the latest connected gets the IPNs.
// Safe for concurrent use.
type relay struct {
	mu    sync.Mutex
	conns []*relayConn
}

// relayConn is one connected listener.
type relayConn struct {
	ws      *websocket.Conn
	writeMu sync.Mutex
	mu      sync.Mutex
	next    int
	waiting map[string]chan RelayResult
	done    chan struct{}
}

// current is the latest connected listener, or nil.
func (r *relay) current() *relayConn {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.conns) == 0 {
		return nil
	}
	return r.conns[len(r.conns)-1]
}

// add and remove register a listener.
func (r *relay) add(c *relayConn) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.conns = append(r.conns, c)
}

func (r *relay) remove(c *relayConn) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i, x := range r.conns {
		if x == c {
			r.conns = append(r.conns[:i], r.conns[i+1:]...)
			return
		}
	}
}

// errNoListener: the listener left before it answered.
var errNoListener = errors.New("ipn relay: the listener disconnected before answering")

// deliver hands n to the current listener and waits for its status;
// relayed is false when no listener is connected (send it yourself).
func (r *relay) deliver(ctx context.Context, n notice) (status int, err error, relayed bool) {
	c := r.current()
	if c == nil {
		return 0, nil, false
	}
	ch := make(chan RelayResult, 1)
	c.mu.Lock()
	c.next++
	id := strconv.Itoa(c.next)
	c.waiting[id] = ch
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		delete(c.waiting, id)
		c.mu.Unlock()
	}()
	ctx, cancel := context.WithTimeout(ctx, relayTimeout)
	defer cancel()
	msg := RelayMessage{Type: "ipn", ID: id, PaymentID: n.pid, URL: n.url, Headers: map[string]string{SignatureHeader: n.sig}}
	c.writeMu.Lock()
	err = wsjson.Write(ctx, c.ws, msg)
	c.writeMu.Unlock()
	if err != nil {
		return 0, errNoListener, true
	}
	select {
	case res := <-ch:
		if res.Error != "" {
			return res.Status, errors.New("ipn relay: " + res.Error), true
		}
		return res.Status, nil, true
	case <-c.done:
		return 0, errNoListener, true
	case <-ctx.Done():
		return 0, errors.New("ipn relay: no answer from the listener in time"), true
	}
}

// adminIPNListen answers GET /__admin/ipn/listen: the WebSocket of
// `alma-sandbox listen`. Browsers on another origin are refused (the
// WebSocket handshake checks Origin); the connection lives until either
// side closes it or the server closes.
func (s *Server) adminIPNListen(w http.ResponseWriter, r *http.Request) {
	ws, err := websocket.Accept(w, r, nil)
	if err != nil {
		return // Accept answered the refusal
	}
	c := &relayConn{ws: ws, waiting: map[string]chan RelayResult{}, done: make(chan struct{})}
	s.relay.add(c)
	s.Logger.Info("ipn listener connected", "remote", r.RemoteAddr)
	defer func() {
		s.relay.remove(c)
		close(c.done)
		_ = ws.CloseNow()
		s.Logger.Info("ipn listener disconnected", "remote", r.RemoteAddr)
	}()
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	go func() {
		select {
		case <-s.done:
			cancel()
		case <-ctx.Done():
		}
	}()
	for {
		var raw json.RawMessage
		if err := wsjson.Read(ctx, ws, &raw); err != nil {
			return
		}
		var res RelayResult
		if json.Unmarshal(raw, &res) != nil || res.Type != "result" {
			continue
		}
		c.mu.Lock()
		ch := c.waiting[res.ID]
		c.mu.Unlock()
		if ch != nil {
			select {
			case ch <- res:
			default:
			}
		}
	}
}

// Listeners is how many IPN listeners are connected (for tests and the
// dashboard).
func (s *Server) Listeners() int {
	s.initOnce.Do(s.init)
	s.relay.mu.Lock()
	defer s.relay.mu.Unlock()
	return len(s.relay.conns)
}
