//go:build pact && almasandbox

package contracts

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/pact-foundation/pact-go/v2/models"
	"github.com/pact-foundation/pact-go/v2/provider"
	"github.com/stretchr/testify/require"
)

// almaSandboxURL is Alma's real sandbox; ALMA_API_URL overrides it (e.g. to
// rehearse against a local emulator).
const almaSandboxURL = "https://api.sandbox.getalma.eu"

// realAlmaStates are the provider states that Alma's public API can set up
// on its own: a merchant, a payment just created (not_started), a payment
// created then cancelled, and an id that does not exist. The others need the
// customer to pay in Alma's page (scored_*, in_progress, paid, captured,
// refunds), Alma's scoring (scored_maybe, scored_no), a forced error (400,
// 429, 5xx, a card declined at capture) or an account with no other payment
// (the list of payments), which only the emulator's scenario engine gives.
var realAlmaStates = []string{stateMerchant, stateNotStarted, stateCancelled, stateNoPayment}

// TestVerifyAlmaSandbox replays the committed pact's interactions in
// realAlmaStates against Alma's sandbox with the merchant key ALMA_API_KEY.
// Run it with `make verify-alma` (build tag almasandbox); it goes to the
// internet.
func TestVerifyAlmaSandbox(t *testing.T) {
	quietPact(t)
	key := os.Getenv("ALMA_API_KEY")
	require.True(t, strings.HasPrefix(key, "sk_test_"), "ALMA_API_KEY must be a sk_test_ key of Alma's sandbox")
	base := os.Getenv("ALMA_API_URL")
	if base == "" {
		base = almaSandboxURL
	}
	alma := newEmulatorAdmin(base)
	alma.apiKey = key
	handlers := stateHandlers(alma)
	real := models.StateHandlers{}
	quoted := make([]string, 0, len(realAlmaStates))
	for _, s := range realAlmaStates {
		real[s] = handlers[s]
		quoted = append(quoted, regexp.QuoteMeta(s))
	}
	verifyPact(t, provider.VerifyRequest{
		ProviderBaseURL: base,
		StateHandlers:   real,
		FilterState:     "^(" + strings.Join(quoted, "|") + ")$",
		RequestFilter:   withMerchantKey(key),
	})
}
