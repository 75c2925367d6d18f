package emulator_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestHappyPathAutomaticCapture(t *testing.T) {
	t.Parallel()
	_, c := open(t)
	p := c.create(200000)
	id := p["id"].(string)
	assert.Equal(t, "not_started", p["state"])
	plan := p["payment_plan"].([]any)
	require.Len(t, plan, 3)
	for i, want := range []float64{66668, 66666, 66666} {
		assert.Equal(t, want, plan[i].(map[string]any)["purchase_amount"])
	}
	out := c.pay(id)
	assert.Equal(t, "accepted", out["outcome"])
	assert.Equal(t, "in_progress", out["state"])
	assert.Equal(t, "https://shop.example.com/return?pid="+id, out["redirect_url"])
	got := c.do(http.MethodGet, "/v1/payments/"+id, nil)
	require.Equal(t, http.StatusOK, got.Status)
	assert.Equal(t, "application/json", got.Header.Get("Content-Type"))
	g := got.JSON(t)
	assert.Equal(t, "in_progress", g["state"])
	first := g["payment_plan"].([]any)[0].(map[string]any)
	assert.Equal(t, "paid", first["state"])
	assert.NotNil(t, first["date_paid"])
}
