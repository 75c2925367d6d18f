package main

import (
	"context"
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

// startDemo starts the demo merchant checkout beside the emulator at
// emulatorURL (which the browser must reach too: the page loads the widget
// script from it). args are the demo's own flags:
//
//	--addr          where the demo listens (ALMA_SANDBOX_DEMO_ADDR, default 127.0.0.1:4243)
//	--api-key       the merchant's sk_test_ key the connector uses (ALMA_SANDBOX_DEMO_API_KEY, default sk_test_demo)
//	--emulator-url  the emulator as the browser reaches it, for the widget script
//	                (ALMA_SANDBOX_DEMO_EMULATOR_URL; default emulatorURL, with a 0.0.0.0 or [::]
//	                host read as 127.0.0.1)
//
// The connector, server-side, calls emulatorURL itself.
// The demo stops when ctx ends or when stop is called, whichever is first.
func startDemo(ctx context.Context, emulatorURL string, args []string) (stop func(), err error) {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	addr := fs.String("addr", demoEnv("ALMA_SANDBOX_DEMO_ADDR", defaultDemoAddr), "where the demo checkout listens")
	apiKey := fs.String("api-key", demoEnv("ALMA_SANDBOX_DEMO_API_KEY", defaultDemoAPIKey), "the merchant's sk_test_ API key")
	browserURL := fs.String("emulator-url", demoEnv("ALMA_SANDBOX_DEMO_EMULATOR_URL", ""), "the emulator as the browser reaches it")
	if err := fs.Parse(args); err != nil {
		return nil, fmt.Errorf("demo flags: %w", err)
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("demo flags: unexpected argument %q", fs.Arg(0))
	}
	if !strings.HasPrefix(*apiKey, "sk_test_") {
		return nil, fmt.Errorf("demo flags: --api-key must be a sk_test_ key")
	}
	emulatorURL = strings.TrimRight(emulatorURL, "/")
	if *browserURL == "" {
		*browserURL = browserReachable(emulatorURL)
	}
	srv := demo.NewServer(connector.NewClient(emulatorURL, *apiKey), *browserURL)
	srv.Addr = *addr
	if err := srv.Open(); err != nil {
		return nil, fmt.Errorf("start demo: %w", err)
	}
	slog.Default().Info("demo checkout", "url", browserReachable(srv.URL())+"/demo/", "emulator", emulatorURL, "widget_from", *browserURL)
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
