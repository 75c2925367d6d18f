package emulator_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alma-sandbox/alma-sandbox/emulator"
)

// TestInPageMerchantCheck: the widget's merchant check knows the emulator's
// own merchant (the id GET /v1/me shows) and no other.
func TestInPageMerchantCheck(t *testing.T) {
	t.Parallel()
	srv, c := open(t)
	res := c.do(http.MethodGet, "/v1/me", nil)
	require.Equal(t, http.StatusOK, res.Status)
	var me struct{ ID string }
	require.NoError(t, json.Unmarshal(res.Body, &me))
	require.NotEmpty(t, me.ID)
	for _, tt := range []struct {
		id   string
		want int
	}{
		{me.ID, http.StatusOK},
		{"merchant_unknown", http.StatusNotFound},
		{strings.ToUpper(me.ID), http.StatusNotFound},
	} {
		res, err := http.Get(srv.URL() + "/in-page/merchants/" + tt.id)
		require.NoError(t, err)
		res.Body.Close()
		assert.Equal(t, tt.want, res.StatusCode, tt.id)
	}
}

// TestInPageCORSPreflight: a browser calling the public API from the
// merchant's page (Alma's @alma/client, the In-Page widget) sends
// X-Alma-Agent, Content-Type and Authorization; the preflight allows each.
func TestInPageCORSPreflight(t *testing.T) {
	t.Parallel()
	srv, _ := open(t, func(s *emulator.Server) { s.AllowOrigins = []string{"https://shop.example.com"} })
	for _, path := range []string{"/v2/payments/eligibility", "/v1/payments/eligibility", "/v1/payments"} {
		req, err := http.NewRequest(http.MethodOptions, srv.URL()+path, nil)
		require.NoError(t, err)
		req.Header.Set("Origin", "https://shop.example.com")
		req.Header.Set("Access-Control-Request-Method", http.MethodPost)
		req.Header.Set("Access-Control-Request-Headers", "x-alma-agent,content-type,authorization")
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		res.Body.Close()
		assert.Equal(t, http.StatusNoContent, res.StatusCode, path)
		assert.Equal(t, "https://shop.example.com", res.Header.Get("Access-Control-Allow-Origin"), path)
		allowed := map[string]bool{}
		for _, h := range strings.Split(res.Header.Get("Access-Control-Allow-Headers"), ",") {
			allowed[strings.ToLower(strings.TrimSpace(h))] = true
		}
		for _, h := range []string{"x-alma-agent", "content-type", "authorization"} {
			assert.True(t, allowed[h], "%s: preflight allows %s", path, h)
		}
	}
}
