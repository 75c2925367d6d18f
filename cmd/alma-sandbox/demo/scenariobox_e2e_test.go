package demo_test

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestScenarioBoxInBrowser: the product page's scenario box. A typo shows
// the emulator's 400 instead of a silent happy path; a create answered 500
// is worded as uncertain (checked again), not as a refusal.
func TestScenarioBoxInBrowser(t *testing.T) {
	ctx := browser(t, chromium(t), 2*time.Minute)
	s := openShop(t)
	for _, tt := range []struct {
		name, scenario, state, says, color, shot string
	}{
		{"a typo", "state_scored_n0", "ERROR",
			"Alma refused the payment. (validation_error_invalid_value, ERROR / BAD_REQUEST) Alma answered 400: ", "rgb(166, 27, 15)", "demo-scenario-typo"},
		{"a 500 on create", "create_server_error", "UNCERTAIN",
			"Alma did not answer clearly; the payment will be checked again. (PARTNER_SERVER_ERROR, UNCERTAIN / TECHNICAL_ISSUE_TO_CONTACT_PARTNER)", "rgb(107, 83, 0)", "demo-scenario-uncertain"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			require.NoError(t, within(ctx, 15*time.Second,
				chromedp.Navigate(s.demo.URL()+"/demo/"),
				chromedp.WaitVisible(css("#alma-in-page .alma-in-page")),
				chromedp.SendKeys(css("#scenario"), tt.scenario),
				chromedp.Click(css("#pay-4x")),
				chromedp.WaitVisible(css(`#result[data-state="`+tt.state+`"]`)),
			), "order with scenario %s", tt.scenario)
			said := text(t, ctx, "#result")
			assert.Contains(t, said, tt.says)
			if tt.state == "ERROR" {
				assert.Contains(t, said, tt.scenario, "the emulator's message names the typo")
			} else {
				assert.NotContains(t, said, "refused")
			}
			assert.Equal(t, tt.color, computed(t, ctx, "#result", "color"))
			present, err := get(ctx, chromedp.Evaluate[bool](`!!document.querySelector('.alma-in-page-modal')`))
			require.NoError(t, err)
			assert.False(t, present, "no widget without a payment")
			screenshot(t, ctx, tt.shot)
		})
	}
}
