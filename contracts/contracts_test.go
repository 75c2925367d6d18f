//go:build pact

package contracts

import (
	"flag"
	"os"
	"testing"

	logging "github.com/pact-foundation/pact-go/v2/log"
)

// The two parties of the contract.
const (
	consumerName = "alma-connector"
	providerName = "alma-api"
)

// update rewrites the committed pact from the consumer tests.
var update = flag.Bool("update", false, "rewrite contracts/pacts from the consumer tests")

// TestContracts runs the three stages in the order they depend on each
// other: the consumer tests write the pact, the drift check compares it with
// the committed one, and the provider verification replays the committed
// pact against the real emulator. A stage that fails stops the next ones.
func TestContracts(t *testing.T) {
	quietPact(t)
	generated := t.TempDir()
	if !t.Run("consumer", func(t *testing.T) { runConsumer(t, generated) }) {
		t.Fatal("consumer tests failed: no drift check, no provider verification")
	}
	if !t.Run("drift", func(t *testing.T) {
		checkFFIVersion(t, generated)
		checkPactDrift(t, generated)
	}) {
		t.Fatal("the committed pact is stale: no provider verification")
	}
	t.Run("provider", verifyEmulator)
}

// quietPact lowers pact-go's and the native library's logs to warnings
// unless PACT_LOG_LEVEL asks otherwise: verification failures are printed
// whatever the level, and a failing run stays readable.
func quietPact(t *testing.T) {
	if os.Getenv("PACT_LOG_LEVEL") == "" {
		if err := logging.SetLogLevel("WARN"); err != nil {
			t.Fatalf("pact log level: %v", err)
		}
	}
}
