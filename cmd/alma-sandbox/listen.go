package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"github.com/alma-sandbox/alma-sandbox/emulator"
)

// listenUsage heads `listen -h`.
const listenUsage = `usage: alma-sandbox listen --forward-to URL [--url URL] [--key sk_test_…]

Relays the emulator's IPN notifications to this machine: it subscribes to the
emulator at --url (ALMA_SANDBOX_URL, default http://127.0.0.1:4242) over a
WebSocket and, while it is connected, the emulator hands it every IPN instead of
calling the callback URL. Each is delivered to --forward-to with the same query
(?pid=…) and X-Alma-Signature Alma sends; the local status goes back to the
emulator, whose retry schedule applies unchanged. One line per delivery. It
reconnects by itself; Ctrl-C stops it.`

// listenBackoff bounds the wait between two reconnections.
const listenBackoff = 5 * time.Second

// forwardTimeout bounds one local delivery (the emulator waits 10 s).
const forwardTimeout = 9 * time.Second

// runListen implements `alma-sandbox listen`.
func runListen(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("listen", flag.ContinueOnError)
	base := fs.String("url", "", "the emulator's base URL (default ALMA_SANDBOX_URL, else http://127.0.0.1:4242)")
	key := fs.String("key", os.Getenv("ALMA_SANDBOX_KEY"), "the sandbox key whose notifications to relay (ALMA_SANDBOX_KEY)")
	forward := fs.String("forward-to", "", "the local IPN endpoint, e.g. http://localhost:8000/alma/ipn")
	if code, ok := parseFlags(fs, args, listenUsage, stdout, stderr); !ok {
		return code
	}
	emu := emulatorURL(*base)
	if err := checkHTTPURL("--url", emu); err != nil {
		fmt.Fprintln(stderr, "alma-sandbox listen:", err)
		return 2
	}
	if err := checkHTTPURL("--forward-to", *forward); err != nil {
		fmt.Fprintln(stderr, "alma-sandbox listen:", err)
		return 2
	}
	if *key != "" && !strings.HasPrefix(*key, "sk_test_") {
		fmt.Fprintln(stderr, "alma-sandbox listen: --key must be a sk_test_ key")
		return 2
	}
	l := &listener{emulator: strings.TrimRight(emu, "/"), key: *key, forward: *forward, out: stdout, log: stderr,
		client: &http.Client{Timeout: forwardTimeout, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	l.run(ctx)
	return 0
}

// emulatorURL is the emulator a client command talks to: flag, else
// ALMA_SANDBOX_URL, else http://127.0.0.1:4242.
func emulatorURL(flag string) string {
	if flag != "" {
		return flag
	}
	if env := os.Getenv("ALMA_SANDBOX_URL"); env != "" {
		return env
	}
	return "http://127.0.0.1:4242"
}

// checkHTTPURL refuses a value that is not an absolute http(s) URL.
func checkHTTPURL(flagName, raw string) error {
	u, err := url.Parse(raw)
	if raw == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%s %q: want an absolute http:// or https:// URL", flagName, raw)
	}
	return nil
}

// listener relays IPNs from one emulator to one local endpoint.
type listener struct {
	emulator, key, forward string
	out, log               io.Writer
	client                 *http.Client
}

// run connects, relays until the connection drops, and reconnects until ctx
// ends.
func (l *listener) run(ctx context.Context) {
	wait := 200 * time.Millisecond
	for ctx.Err() == nil {
		connected, err := l.session(ctx)
		if ctx.Err() != nil {
			return
		}
		if connected {
			wait = 200 * time.Millisecond
		}
		fmt.Fprintf(l.log, "listen: %v; reconnecting in %v\n", err, wait)
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = min(2*wait, listenBackoff)
	}
}

// session is one connection: it reports whether it got connected, and why
// it ended.
func (l *listener) session(ctx context.Context) (bool, error) {
	wsURL := "ws" + strings.TrimPrefix(l.emulator, "http") + "/__admin/ipn/listen"
	h := http.Header{}
	if l.key != "" {
		h.Set("Authorization", "Alma-Auth "+l.key)
	}
	ws, _, err := websocket.Dial(ctx, wsURL, &websocket.DialOptions{HTTPHeader: h})
	if err != nil {
		return false, fmt.Errorf("connect %s: %w", wsURL, err)
	}
	defer ws.CloseNow()
	fmt.Fprintf(l.log, "listen: connected to %s, forwarding to %s\n", l.emulator, l.forward)
	for {
		var msg emulator.RelayMessage
		if err := wsjson.Read(ctx, ws, &msg); err != nil {
			return true, fmt.Errorf("connection lost: %w", err)
		}
		if msg.Type != "ipn" {
			continue
		}
		res := l.deliver(ctx, msg)
		if err := wsjson.Write(ctx, ws, res); err != nil {
			return true, fmt.Errorf("answer lost: %w", err)
		}
	}
}

// deliver performs one IPN on the local endpoint: the emulator's query and
// headers on --forward-to's host and path.
func (l *listener) deliver(ctx context.Context, msg emulator.RelayMessage) emulator.RelayResult {
	res := emulator.RelayResult{Type: "result", ID: msg.ID}
	start := time.Now()
	target, err := forwardURL(l.forward, msg.URL)
	if err == nil {
		var req *http.Request
		req, err = http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
		if err == nil {
			for k, v := range msg.Headers {
				req.Header.Set(k, v)
			}
			var resp *http.Response
			resp, err = l.client.Do(req)
			if err == nil {
				_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
				_ = resp.Body.Close()
				res.Status = resp.StatusCode
			}
		}
	}
	res.DurationMS = float64(time.Since(start).Microseconds()) / 1000
	status := fmt.Sprint(res.Status)
	if err != nil {
		res.Error = err.Error()
		status = "error: " + err.Error()
		if errors.Is(err, context.Canceled) {
			status = "cancelled"
		}
	}
	fmt.Fprintf(l.out, "%s  %s  %s  %.1f ms\n", time.Now().Format("15:04:05"), msg.PaymentID, status, res.DurationMS)
	return res
}

// forwardURL is forward with the query of the emulator's callback URL added
// (pid=…, and whatever the merchant put there).
func forwardURL(forward, callback string) (string, error) {
	f, err := url.Parse(forward)
	if err != nil {
		return "", err
	}
	c, err := url.Parse(callback)
	if err != nil {
		return "", err
	}
	q := f.Query()
	for k, vs := range c.Query() {
		for _, v := range vs {
			q.Add(k, v)
		}
	}
	f.RawQuery = q.Encode()
	return f.String(), nil
}
