package emulator_test

import (
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alma-sandbox/alma-sandbox/emulator"
)

// TestOpenCloseAtOnce closes a server no request reached (with -race, a
// regression test for Open's serve goroutine racing Close).
func TestOpenCloseAtOnce(t *testing.T) {
	t.Parallel()
	for range 5 {
		s := emulator.NewServer()
		s.Addr = "127.0.0.1:0"
		require.NoError(t, s.Open())
		assert.Error(t, s.Open(), "a second Open is refused")
		require.NoError(t, s.Close())
		require.NoError(t, s.Close(), "Close is idempotent")
	}
}

func TestOpenBadAddress(t *testing.T) {
	t.Parallel()
	s := emulator.NewServer()
	s.Addr = "256.0.0.1:1"
	assert.Error(t, s.Open())
	assert.NoError(t, s.Close())
}

// TestCloseWithUnusedConnections closes a server that pooled clients have
// dialled spare connections to without sending a request: http.Server's
// Shutdown would count them busy for five seconds and Close would fail with
// its deadline; they carry nothing, so Close closes them and succeeds.
func TestCloseWithUnusedConnections(t *testing.T) {
	t.Parallel()
	s := emulator.NewServer()
	s.Addr = "127.0.0.1:0"
	require.NoError(t, s.Open())
	for range 3 {
		c, err := net.Dial("tcp", strings.TrimPrefix(s.URL(), "http://"))
		require.NoError(t, err)
		defer c.Close()
	}
	res, err := http.Get(s.URL() + "/healthz") // a busy-then-idle one as well
	require.NoError(t, err)
	require.NoError(t, res.Body.Close())
	require.NoError(t, s.Close())
}
