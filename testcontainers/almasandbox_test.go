//go:build docker

package almasandbox_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/testcontainers/testcontainers-go"

	"github.com/alma-sandbox/alma-sandbox/connector"
	"github.com/alma-sandbox/alma-sandbox/emulator/emulatortest"
	almasandbox "github.com/alma-sandbox/alma-sandbox/testcontainers"
)

// TestModule runs the locally built image (ALMA_SANDBOX_IMAGE, else
// alma-sandbox:local) on the real Docker engine: a mounted scenario is
// served, the real connector creates a payment, the customer pays, and the
// IPN reaches a receiver on the host, signed.
func TestModule(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "tc_mounted.yaml"), []byte("id: tc_mounted\non:\n  get:\n    - status: 503\n"), 0o644))
	require.NoError(t, os.Chmod(dir, 0o755))
	c, err := almasandbox.Run(ctx, os.Getenv("ALMA_SANDBOX_IMAGE"),
		almasandbox.WithScenarios(dir), almasandbox.WithEnv(map[string]string{"ALMA_SANDBOX_IPN_DELAY": "0s"}))
	testcontainers.CleanupContainer(t, c)
	require.NoError(t, err)
	base, err := c.BaseURL(ctx)
	require.NoError(t, err)

	res, err := http.Get(base + "/__admin/scenarios/tc_mounted")
	require.NoError(t, err)
	_ = res.Body.Close()
	assert.Equal(t, http.StatusOK, res.StatusCode, "the mounted scenario is served")

	const key = "sk_test_testcontainers"
	rc := c.IPNReceiver(t, key)
	conn := connector.NewClient(base, key)
	conn.IPNCallbackURL = rc.URL + "/ipn"
	r := conn.Initialize(ctx, connector.Session{
		Amount: 30000,
		Order:  connector.Order{Reference: "tc-order-1", CurrencyCode: "EUR", Redirection: "https://shop.example.com/return"},
	}, connector.FlowCapture)
	require.Equal(t, connector.StateWaiting, r.Status.State, "%+v", r)
	out, err := emulatortest.NewAdmin(base).Pay(ctx, r.PaymentID, emulatortest.YesCard)
	require.NoError(t, err)
	assert.Equal(t, "accepted", out.Outcome)
	pid := rc.Wait(t, 30*time.Second)
	assert.True(t, strings.HasPrefix(pid, "payment_"))
	assert.Equal(t, r.PaymentID, pid)
}
