package emulatortest_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

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

func TestAdminAndIPNReceiver(t *testing.T) {
	t.Parallel()
	const key = "sk_test_emulatortest"
	s := emulatortest.MustOpen(t, func(s *emulator.Server) { s.FrozenClock = true; s.IPNDelay = time.Minute })
	rc := emulatortest.NewIPNReceiver(t, key)
	admin := emulatortest.NewAdmin(s.URL())
	ctx := context.Background()

	body := `{"payment":{"purchase_amount":20000,"installments_count":3,"ipn_callback_url":"` + rc.URL + `/ipn"}}`
	req, err := http.NewRequest(http.MethodPost, s.URL()+"/v1/payments", strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Alma-Auth "+key)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	var p struct {
		ID string `json:"id"`
	}
	require.NoError(t, json.NewDecoder(res.Body).Decode(&p))
	_ = res.Body.Close()

	out, err := admin.Pay(ctx, p.ID, emulatortest.YesCard)
	require.NoError(t, err)
	assert.Equal(t, "accepted", out.Outcome)
	assert.Equal(t, "in_progress", out.State)
	assert.Empty(t, rc.PIDs(), "the IPN waits for the clock")
	require.NoError(t, admin.Advance(ctx, time.Minute))
	assert.Equal(t, []string{p.ID}, rc.PIDs())
	list, err := admin.Deliveries(ctx, p.ID)
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.Equal(t, http.StatusOK, list[0].Status)

	_, err = admin.Pay(ctx, p.ID, emulatortest.YesCard)
	assert.ErrorContains(t, err, "403", "a second payment is refused, with the emulator's message")
	assert.ErrorContains(t, admin.Arm(ctx, "no_such_scenario", 1), "404")
	require.NoError(t, admin.Arm(ctx, "state_paid", 1))
	require.NoError(t, admin.Reset(ctx))
	assert.Zero(t, rc.Forged())
}

func TestGolden(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "x.json")
	emulatortest.Golden(t, path, []byte(`{"a":1}`), true)
	emulatortest.Golden(t, path, []byte(`{"a": 1}`), false)
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "{\n  \"a\": 1\n}\n", string(b))
}
