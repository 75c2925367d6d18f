// Package almasandbox is a Testcontainers module for alma-sandbox: it runs
// the alma-sandbox image for a test and gives its base URL, following
// testcontainers-go's module conventions.
//
//	c, err := almasandbox.Run(ctx, "alma-sandbox:local", almasandbox.WithScenarios("testdata/scenarios"))
//	if err != nil { … }
//	defer testcontainers.TerminateContainer(c)
//	url, _ := c.BaseURL(ctx) // point the connector's BaseURL here
//
// The container uses the host's network and listens on a free port of
// 127.0.0.1, so that IPNs reach receivers on the host's loopback (and
// engines without a bridge network, as in CI, run it).
package almasandbox

import (
	"context"
	"fmt"
	"net"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/wait"

	"github.com/alma-sandbox/alma-sandbox/emulator/emulatortest"
)

// DefaultImage is the image Run uses when given none (make docker-build
// builds it).
const DefaultImage = "alma-sandbox:local"

// Container is a running alma-sandbox.
type Container struct {
	testcontainers.Container
	port int
}

// Run starts the image img (DefaultImage if empty) with opts and waits
// until it listens.
func Run(ctx context.Context, img string, opts ...testcontainers.ContainerCustomizer) (*Container, error) {
	if img == "" {
		img = DefaultImage
	}
	port, err := freePort()
	if err != nil {
		return nil, fmt.Errorf("almasandbox: pick a port: %w", err)
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	req := testcontainers.GenericContainerRequest{
		ContainerRequest: testcontainers.ContainerRequest{
			Image: img,
			Env:   map[string]string{"ALMA_SANDBOX_ADDR": addr, "ALMA_SANDBOX_PUBLIC_URL": "http://" + addr},
			HostConfigModifier: func(hc *container.HostConfig) {
				hc.NetworkMode = "host"
			},
			// The host network only: no endpoint on testcontainers' default
			// network (which engines without a bridge lack).
			EndpointSettingsModifier: func(m map[string]*network.EndpointSettings) { clear(m) },
			WaitingFor:               wait.ForLog("alma-sandbox listening on http://" + addr).WithStartupTimeout(60 * time.Second),
		},
		Started: true,
	}
	for _, opt := range opts {
		if err := opt.Customize(&req); err != nil {
			return nil, fmt.Errorf("almasandbox: customize: %w", err)
		}
	}
	ctr, err := testcontainers.GenericContainer(ctx, req)
	var c *Container
	if ctr != nil {
		c = &Container{Container: ctr, port: port}
	}
	if err != nil {
		return c, fmt.Errorf("almasandbox: run %s: %w", img, err)
	}
	return c, nil
}

// BaseURL is the emulator's base URL, e.g. "http://127.0.0.1:45123".
func (c *Container) BaseURL(context.Context) (string, error) {
	return "http://127.0.0.1:" + strconv.Itoa(c.port), nil
}

// IPNReceiver starts a merchant's IPN endpoint on the host's loopback,
// checking Alma's signature with apiKey; the container reaches it (host
// network). Put its URL in ipn_callback_url.
func (c *Container) IPNReceiver(tb testing.TB, apiKey string) *emulatortest.IPNReceiver {
	return emulatortest.NewIPNReceiver(tb, apiKey)
}

// WithScenarios mounts dir's scenario files (read-only) on the container's
// /scenarios: they add to the embedded ones, or replace those of the same id.
func WithScenarios(dir string) testcontainers.CustomizeRequestOption {
	return func(req *testcontainers.GenericContainerRequest) error {
		abs, err := filepath.Abs(dir)
		if err != nil {
			return fmt.Errorf("scenarios folder %s: %w", dir, err)
		}
		return testcontainers.WithHostConfigModifier(func(hc *container.HostConfig) {
			hc.Binds = append(hc.Binds, abs+":/scenarios:ro")
		})(req)
	}
}

// WithEnv sets alma-sandbox settings by their environment variables
// (ALMA_SANDBOX_SEED, ALMA_SANDBOX_IPN_DELAY, …: see serve -h).
func WithEnv(env map[string]string) testcontainers.CustomizeRequestOption {
	return testcontainers.WithEnv(env)
}

// freePort asks the kernel for a port free on 127.0.0.1 now.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}
