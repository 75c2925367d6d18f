package fidelity_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/alma-sandbox/alma-sandbox/emulator/emulatortest"
)

// TestAlmaJSClient drives @alma/client 1.1.2 (installed by `make alma-js` into
// .tools/alma-js; ALMA_JS_DIR overrides) against a real emulator with Node's
// test runner. Without Node or the install it fails under CI=true and is
// skipped elsewhere, saying why.
func TestAlmaJSClient(t *testing.T) {
	dir := os.Getenv("ALMA_JS_DIR")
	if dir == "" {
		root, err := filepath.Abs("..")
		require.NoError(t, err)
		dir = filepath.Join(root, ".tools", "alma-js")
	}
	node, err := exec.LookPath("node")
	_, statErr := os.Stat(filepath.Join(dir, "node_modules", "@alma", "client", "package.json"))
	if err != nil || statErr != nil {
		msg := "Node and @alma/client are needed: run make alma-js (npm install into .tools/alma-js)"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	s := emulatortest.MustOpen(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "--test", "--test-reporter=spec", filepath.Join("js", "alma_client.test.cjs"))
	cmd.Env = append(os.Environ(), "ALMA_SANDBOX_URL="+s.URL(), "ALMA_JS_DIR="+dir, "ALMA_KEY=sk_test_js_client_fidelity")
	out, err := cmd.CombinedOutput()
	t.Logf("node --test:\n%s", out)
	require.NoError(t, err, "Alma's JS client against the emulator")
}
