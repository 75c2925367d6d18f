package emulatortest_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alma-sandbox/alma-sandbox/emulator"
	"github.com/alma-sandbox/alma-sandbox/emulator/emulatortest"
)

func TestMustOpen(t *testing.T) {
	t.Parallel()
	s := emulatortest.MustOpen(t, func(s *emulator.Server) { s.PublicURL = "http://pay.test" })
	assert.Equal(t, int64(emulatortest.Seed), s.Seed)
	assert.Equal(t, "http://pay.test", s.PublicURL, "options are applied before Open")
	assert.Regexp(t, `^http://127\.0\.0\.1:\d+$`, s.URL())
	res, err := http.Get(s.URL() + "/healthz")
	require.NoError(t, err)
	_ = res.Body.Close()
	assert.Equal(t, http.StatusOK, res.StatusCode)
}

func TestLoopbackOnly(t *testing.T) {
	t.Parallel()
	s := emulatortest.MustOpen(t)
	c := emulatortest.LoopbackOnly()
	res, err := c.Get(s.URL() + "/healthz")
	require.NoError(t, err, "loopback is allowed")
	_ = res.Body.Close()
	for _, u := range []string{"https://shop.example.com/ipn", "http://10.0.0.1/ipn", "http://192.168.1.1:8080/"} {
		_, err := c.Get(u)
		require.Error(t, err, u)
		assert.Contains(t, err.Error(), "not a loopback address", u)
	}
}
