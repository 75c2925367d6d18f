//go:build pact

package contracts

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/pact-foundation/pact-go/v2/models"
	"github.com/pact-foundation/pact-go/v2/provider"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alma-sandbox/alma-sandbox/scenarios"
)

// testScenarios are the scenario files only the provider states use.
const testScenarios = "testdata/scenarios"

// catalog is the emulator's embedded scenarios plus the test-only ones.
func catalog(t *testing.T) *scenarios.Catalog {
	base, err := scenarios.Default()
	require.NoError(t, err)
	cat, err := scenarios.WithOverrides(base, testScenarios)
	require.NoError(t, err)
	return cat
}

// verifyEmulator replays the committed pact against a real emulator, each
// provider state set up through the emulator's API.
func verifyEmulator(t *testing.T) {
	url := openEmulator(t, catalog(t))
	admin := newEmulatorAdmin(url)
	verifyPact(t, provider.VerifyRequest{
		ProviderBaseURL: url,
		StateHandlers:   stateHandlers(admin),
		BeforeEach:      admin.reset,
	})
}

// verifyPact runs pact-go's verifier on the committed pact with req's
// provider, states and filters.
func verifyPact(t *testing.T, req provider.VerifyRequest) {
	file, err := filepath.Abs(filepath.Join(committedPactDir, pactFile))
	require.NoError(t, err)
	req.Provider = providerName
	req.PactFiles = []string{file}
	req.FailIfNoPactsFound = true
	require.NoError(t, provider.NewVerifier().VerifyProvider(t, req))
}

// pactStates lists the provider states the committed pact names.
func pactStates(t *testing.T) []string {
	raw, err := os.ReadFile(filepath.Join(committedPactDir, pactFile))
	require.NoError(t, err)
	var doc struct {
		Interactions []struct {
			ProviderStates []models.ProviderState `json:"providerStates"`
		} `json:"interactions"`
	}
	require.NoError(t, json.Unmarshal(raw, &doc))
	seen := map[string]bool{}
	for _, in := range doc.Interactions {
		for _, s := range in.ProviderStates {
			seen[s.Name] = true
		}
	}
	names := make([]string, 0, len(seen))
	for n := range seen {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// TestStateHandlersCoverThePact: pact-go only logs a state without a
// handler, so this test makes it an error — and a handler nobody uses too.
func TestStateHandlersCoverThePact(t *testing.T) {
	handlers := stateHandlers(newEmulatorAdmin("http://127.0.0.1:0"))
	states := pactStates(t)
	require.NotEmpty(t, states)
	for _, s := range states {
		assert.Contains(t, handlers, s, "the pact names a state no handler sets up")
	}
	for name := range handlers {
		assert.Contains(t, states, name, "a state handler no interaction uses")
	}
}

// TestTestScenariosLoad: the test-only scenarios load, and each one a state
// names exists.
func TestTestScenariosLoad(t *testing.T) {
	cat, err := scenarios.LoadDir(testScenarios)
	require.NoError(t, err)
	for _, id := range []string{
		scenarioCreateMissingField, scenarioCaptureDeclined, scenarioGet429, scenarioGet500,
		scenarioScoredMaybe, scenarioScoredNo, scenarioCreate500, scenarioCreate502, scenarioCreate503,
	} {
		_, ok := cat.Get(id)
		assert.True(t, ok, "scenario %s", id)
	}
}

// withMerchantKey puts the real key in place of the consumer tests' key; the
// interaction that sends a key Alma refuses keeps its own.
func withMerchantKey(key string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Authorization") == "Alma-Auth "+consumerKey {
				r.Header.Set("Authorization", "Alma-Auth "+key)
			}
			next.ServeHTTP(w, r)
		})
	}
}

// TestWithMerchantKey: the real key replaces the consumer tests' key only.
func TestWithMerchantKey(t *testing.T) {
	tests := []struct{ sent, want string }{
		{"Alma-Auth " + consumerKey, "Alma-Auth sk_test_real"},
		{"Alma-Auth " + invalidKey, "Alma-Auth " + invalidKey},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.sent, func(t *testing.T) {
			var got string
			h := withMerchantKey("sk_test_real")(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
				got = r.Header.Get("Authorization")
			}))
			r := httptest.NewRequest("GET", "/v1/payments/x", nil)
			if tt.sent != "" {
				r.Header.Set("Authorization", tt.sent)
			}
			h.ServeHTTP(httptest.NewRecorder(), r)
			assert.Equal(t, tt.want, got)
		})
	}
}
