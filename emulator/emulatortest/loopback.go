package emulatortest

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"time"
)

// LoopbackOnly returns an HTTP client that dials loopback addresses only
// (127.0.0.0/8, ::1, localhost) and refuses any other host without resolving
// it, so an emulator under test never sends an IPN off the machine, whatever
// ipn_callback_url a test's request carries.
func LoopbackOnly() *http.Client {
	d := &net.Dialer{Timeout: 5 * time.Second}
	tr := &http.Transport{
		Proxy: nil,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			host, _, err := net.SplitHostPort(addr)
			if err != nil {
				return nil, err
			}
			if host != "localhost" {
				ip := net.ParseIP(host)
				if ip == nil || !ip.IsLoopback() {
					return nil, fmt.Errorf("emulatortest: %s is not a loopback address; tests stay on this machine", host)
				}
			}
			return d.DialContext(ctx, network, addr)
		},
		MaxIdleConnsPerHost: 4,
	}
	return &http.Client{Timeout: 10 * time.Second, Transport: tr}
}
