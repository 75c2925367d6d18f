package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

// healthTimeout bounds one health check: connect, request and answer.
const healthTimeout = 2 * time.Second

// healthDefaultAddr is the emulator's listen address when ALMA_SANDBOX_ADDR is unset.
const healthDefaultAddr = "127.0.0.1:4242"

// healthUsage heads `health -h`.
const healthUsage = `usage: alma-sandbox health [--url URL]

Exits 0 when GET URL/healthz answers 200 within 2 s, 1 when it does not, 2 on
a usage error. URL is --url, else ALMA_SANDBOX_URL, else http:// and the listen
address ALMA_SANDBOX_ADDR (a wildcard host is checked on loopback), else
http://` + healthDefaultAddr + `.`

// runHealth implements `alma-sandbox health [--url URL]`: it exits 0 when
// GET <URL>/healthz answers 200 within healthTimeout, 1 otherwise and 2 on a
// usage error. Without --url the URL comes from ALMA_SANDBOX_URL, else from
// ALMA_SANDBOX_ADDR, so the HEALTHCHECK of an image without curl can run it
// with no flags.
func runHealth(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("health", flag.ContinueOnError)
	base := fs.String("url", "", "the emulator's base URL (default ALMA_SANDBOX_URL, else from ALMA_SANDBOX_ADDR, else http://"+healthDefaultAddr+")")
	if code, ok := parseFlags(fs, args, healthUsage, stdout, stderr); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "alma-sandbox health: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	target, err := healthURL(*base, os.Getenv)
	if err != nil {
		fmt.Fprintf(stderr, "alma-sandbox health: %v\n", err)
		return 2
	}
	ctx, cancel := context.WithTimeout(ctx, healthTimeout)
	defer cancel()
	if err := checkHealth(ctx, newHealthClient(healthTimeout), target); err != nil {
		fmt.Fprintf(stderr, "alma-sandbox health: unhealthy: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "alma-sandbox health: ok (%s)\n", target)
	return 0
}

// newHealthClient returns a client that gives up after timeout and does not
// follow redirects: /healthz must answer 200 itself.
func newHealthClient(timeout time.Duration) *http.Client {
	return &http.Client{
		Timeout: timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// checkHealth sends GET target with client and returns nil when the answer
// is 200 OK.
func checkHealth(ctx context.Context, client *http.Client, target string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return fmt.Errorf("build request: %w", err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("get %s: %w", target, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("get %s: status %s", target, resp.Status)
	}
	return nil
}

// healthURL returns the /healthz URL to check: from the --url flag when set,
// else from ALMA_SANDBOX_URL, else from the listen address ALMA_SANDBOX_ADDR
// (both read through getenv), else from healthDefaultAddr. A wildcard listen
// address (0.0.0.0:4242, :4242, [::]:4242) is checked on loopback. An error
// names where the bad value came from.
func healthURL(flagURL string, getenv func(string) string) (string, error) {
	base, src := flagURL, "--url "+flagURL
	if base == "" {
		base, src = getenv("ALMA_SANDBOX_URL"), "ALMA_SANDBOX_URL="+getenv("ALMA_SANDBOX_URL")
	}
	if base == "" {
		addr := getenv("ALMA_SANDBOX_ADDR")
		src = "ALMA_SANDBOX_ADDR=" + addr
		if addr == "" {
			addr = healthDefaultAddr
		}
		var err error
		if base, err = healthBaseFromAddr(addr); err != nil {
			return "", fmt.Errorf("%s: %w", src, err)
		}
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		hint := ""
		if !strings.Contains(base, "://") {
			hint = " (the scheme is missing)"
		}
		return "", fmt.Errorf("%s: want http://host:port, such as http://127.0.0.1:4242%s", src, hint)
	}
	if !strings.HasSuffix(u.Path, "/healthz") {
		u.Path = strings.TrimSuffix(u.Path, "/") + "/healthz"
	}
	return u.String(), nil
}

// healthBaseFromAddr turns a listen address (host:port) into a base URL that a
// client on the same machine can reach.
func healthBaseFromAddr(addr string) (string, error) {
	if strings.Contains(addr, "://") {
		return addr, nil
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", errors.New("want a listen address host:port, such as 127.0.0.1:4242")
	}
	if port == "" {
		return "", errors.New("missing port")
	}
	switch ip := net.ParseIP(host); {
	case host == "" || (ip != nil && ip.To4() != nil && ip.IsUnspecified()):
		host = "127.0.0.1"
	case ip != nil && ip.IsUnspecified():
		host = "::1"
	}
	return "http://" + net.JoinHostPort(host, port), nil
}
