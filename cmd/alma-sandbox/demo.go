package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"

	"github.com/alma-sandbox/alma-sandbox/cmd/alma-sandbox/demo"
	"github.com/alma-sandbox/alma-sandbox/connector"
)

// Defaults of the demo checkout (serve --demo).
const (
	defaultDemoAddr   = "127.0.0.1:4243"
	defaultDemoAPIKey = "sk_test_demo"
)

// demoFlags are the demo checkout's own flags, after `serve --demo --`.
type demoFlags struct {
	addr, apiKey, browserURL string
}

// demoUsage heads `serve --demo -- -h`.
const demoUsage = `usage: alma-sandbox serve [serve flags] --demo -- [demo flags]

The demo merchant checkout beside the emulator. The connector, server-side,
calls the emulator at the URL serve listens on; the browser loads the widget
script from --emulator-url.`

// parse reads args into d: -h prints the demo's flags (exit 0), a bad flag
// or value is one line on stderr (exit 2). ok is true when serve goes on.
func (d *demoFlags) parse(args []string, stdout, stderr io.Writer) (code int, ok bool) {
	fs := flag.NewFlagSet("serve --demo --", flag.ContinueOnError)
	fs.StringVar(&d.addr, "addr", demoEnv("ALMA_SANDBOX_DEMO_ADDR", defaultDemoAddr), "where the demo checkout listens (ALMA_SANDBOX_DEMO_ADDR)")
	fs.StringVar(&d.apiKey, "api-key", demoEnv("ALMA_SANDBOX_DEMO_API_KEY", defaultDemoAPIKey), "the merchant's sk_test_ API key the connector uses (ALMA_SANDBOX_DEMO_API_KEY)")
	fs.StringVar(&d.browserURL, "emulator-url", demoEnv("ALMA_SANDBOX_DEMO_EMULATOR_URL", ""), "the emulator as the browser reaches it, for the widget script; default serve's URL, a 0.0.0.0 or [::] host read as 127.0.0.1 (ALMA_SANDBOX_DEMO_EMULATOR_URL)")
	if code, ok := parseFlags(fs, args, demoUsage, stdout, stderr); !ok {
		return code, false
	}
	err := d.check()
	if err == nil && fs.NArg() > 0 {
		err = fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if err != nil {
		fmt.Fprintf(stderr, "alma-sandbox serve --demo: %v\n", err)
		return 2, false
	}
	return 0, true
}

// check refuses a live key, an address that is not host:port and a widget
// URL that is not absolute.
func (d demoFlags) check() error {
	if !strings.HasPrefix(d.apiKey, "sk_test_") {
		return errors.New("--api-key must be a sk_test_ key")
	}
	if err := checkListenAddr(d.addr); err != nil {
		return fmt.Errorf("--addr %s: %w", d.addr, err)
	}
	if d.browserURL != "" {
		if err := checkBaseURL(d.browserURL); err != nil {
			return fmt.Errorf("--emulator-url %s: %w", d.browserURL, err)
		}
	}
	return nil
}

// startDemo starts the demo merchant checkout of d beside the emulator at
// emulatorURL, which the connector calls server-side (the browser must reach
// it too, or d.browserURL: the page loads the widget script from it).
// The demo stops when ctx ends or when stop is called, whichever is first.
func startDemo(ctx context.Context, emulatorURL string, d demoFlags) (stop func(), err error) {
	if err := d.check(); err != nil {
		return nil, err
	}
	emulatorURL = strings.TrimRight(emulatorURL, "/")
	browserURL := d.browserURL
	if browserURL == "" {
		browserURL = browserReachable(emulatorURL)
	}
	srv := demo.NewServer(connector.NewClient(emulatorURL, d.apiKey), browserURL)
	srv.Addr = d.addr
	if err := srv.Open(); err != nil {
		return nil, fmt.Errorf("start demo: %w", err)
	}
	slog.Default().Info("demo checkout", "url", browserReachable(srv.URL())+"/demo/", "emulator", emulatorURL, "widget_from", browserURL)
	done := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
			_ = srv.Close()
		case <-done:
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			close(done)
			_ = srv.Close()
		})
	}, nil
}

// demoEnv returns the environment variable name, or def when it is unset.
func demoEnv(name, def string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return def
}

// browserReachable rewrites a listen-on-all-interfaces host (0.0.0.0, [::])
// to loopback, which a browser can open.
func browserReachable(u string) string {
	for _, host := range []string{"//0.0.0.0:", "//[::]:"} {
		if strings.Contains(u, host) {
			return strings.Replace(u, host, "//127.0.0.1:", 1)
		}
	}
	return u
}
