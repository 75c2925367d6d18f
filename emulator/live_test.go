package emulator_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLiveScenarios: a scenario PUT as YAML applies to the next payments,
// is listed with its source, replaces the file's of the same id, and
// DELETE brings the file's back; a bad file is refused with its line.
func TestLiveScenarios(t *testing.T) {
	t.Parallel()
	_, c := open(t)
	yaml := "id: live_get_503\ndescription: added at run time\non:\n  get:\n    - status: 503\n"
	res := c.do(http.MethodPut, "/__admin/scenarios/live_get_503", yaml, "Content-Type", "application/yaml")
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	id := c.create(20000, set("order.merchant_reference", "live_get_503:1"))["id"].(string)
	assert.Equal(t, http.StatusServiceUnavailable, c.do(http.MethodGet, "/v1/payments/"+id, nil).Status)

	list := c.do(http.MethodGet, "/__admin/scenarios", nil).JSON(t)
	sources := list["sources"].(map[string]any)
	assert.Equal(t, "api", sources["live_get_503"])
	assert.Equal(t, "embedded", sources["verify_timeout"])

	// Replace an embedded scenario: the next payment gets the new steps.
	res = c.do(http.MethodPut, "/__admin/scenarios/state_paid", `{"id":"state_paid","on":{"get":[{"status":502}]}}`)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	replaced := c.create(20000, set("order.merchant_reference", "state_paid:1"))["id"].(string)
	assert.Equal(t, http.StatusBadGateway, c.do(http.MethodGet, "/v1/payments/"+replaced, nil).Status)
	require.Equal(t, http.StatusOK, c.do(http.MethodDelete, "/__admin/scenarios/state_paid", nil).Status)
	assert.Equal(t, "embedded", c.do(http.MethodGet, "/__admin/scenarios", nil).JSON(t)["sources"].(map[string]any)["state_paid"])
	assert.Equal(t, http.StatusConflict, c.do(http.MethodDelete, "/__admin/scenarios/state_paid", nil).Status, "a file's scenario stays")
	assert.Equal(t, http.StatusNotFound, c.do(http.MethodDelete, "/__admin/scenarios/nope", nil).Status)

	bad := c.do(http.MethodPut, "/__admin/scenarios/bad", "id: bad\non:\n  get:\n    - status: 700\n", "Content-Type", "application/yaml")
	assert.Equal(t, http.StatusBadRequest, bad.Status)
	assert.Contains(t, string(bad.Body), "api:bad:4: status 700 is not an HTTP status")
	other := c.do(http.MethodPut, "/__admin/scenarios/a_name", "id: another_name\n", "Content-Type", "application/yaml")
	assert.Equal(t, http.StatusBadRequest, other.Status)

	require.Equal(t, http.StatusOK, c.do(http.MethodPost, "/__admin/reset", nil).Status)
	assert.NotContains(t, c.do(http.MethodGet, "/__admin/scenarios", nil).JSON(t)["sources"], "live_get_503", "reset forgets them")
}
