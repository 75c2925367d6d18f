package demo_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/stretchr/testify/require"
)

// chromiumNames are the executables the browser tests look for, in order.
var chromiumNames = []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}

// chromium returns the path of a Chromium executable. Without one the test
// fails under CI=true (CI installs Debian's chromium) and is skipped with a
// clear message elsewhere.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range chromiumNames {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("no Chromium found (tried %v); CI must install it (apt-get install -y chromium)", chromiumNames)
	}
	t.Skipf("no Chromium found (tried %v): install it (apt-get install -y chromium) to run the browser test", chromiumNames)
	return ""
}

// browser starts a headless Chromium for the test and returns its tab's
// context, bounded by timeout; t.Cleanup stops the browser.
func browser(t *testing.T, execPath string, timeout time.Duration) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(execPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(allocCtx)
	ctx, cancelTimeout := context.WithTimeout(ctx, timeout)
	t.Cleanup(func() {
		cancelTimeout()
		cancelTab()
		cancelAlloc()
	})
	require.NoError(t, chromedp.Do(ctx), "start Chromium")
	return ctx
}

// within runs steps with their own short deadline, so a wait that never
// ends fails at its step instead of at the whole test's timeout.
func within(ctx context.Context, d time.Duration, steps ...chromedp.Action[chromedp.Void]) error {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	err := chromedp.Do(ctx, steps...)
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("not done within %s: %w", d, err)
	}
	return err
}

// get runs one action that returns a value, with a short deadline.
func get[T any](ctx context.Context, a chromedp.Action[T]) (T, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	return chromedp.Run(ctx, a)
}

// css is a CSS selector.
func css(s string) chromedp.CSS { return chromedp.CSS(s) }

// frame waits for the widget's iframe to show the payment page's card form
// and returns the iframe's node: FromNode(node) queries inside the page.
func frame(t *testing.T, ctx context.Context) *chromedp.Node {
	t.Helper()
	for try := 0; try < 5; try++ {
		require.NoError(t, within(ctx, 10*time.Second, chromedp.WaitVisible(css(`iframe.alma-in-page-frame[data-loaded="true"]`))), "the widget's modal")
		nodes, err := get(ctx, chromedp.Nodes(css("iframe.alma-in-page-frame")))
		require.NoError(t, err, "the widget's modal")
		require.NotEmpty(t, nodes)
		if within(ctx, 3*time.Second, chromedp.WaitVisible(css("#alma-number"), chromedp.FromNode(nodes[0]))) == nil {
			return nodes[0]
		}
		// The node was read before the frame held the page: read it again.
	}
	t.Fatal("the widget's iframe never showed the card form")
	return nil
}

// typeCard clears the payment page's fields, types a card and submits; in
// is the widget's iframe, or nil for the hosted page itself.
func typeCard(in *chromedp.Node, number, expiry, cvc string) chromedp.Action[chromedp.Void] {
	from := chromedp.FromNode(in)
	// As a person does: go to the end of the field, erase it, type.
	erase := kb.End + strings.Repeat(kb.Backspace, 32)
	return chromedp.Steps(
		chromedp.SendKeys(css("#alma-number"), erase+number, from),
		chromedp.SendKeys(css("#alma-expiry"), erase+expiry, from),
		chromedp.SendKeys(css("#alma-cvc"), erase+cvc, from),
		chromedp.Click(css("#alma-submit"), from),
	)
}

// screenshot saves the viewport as artifacts/screenshots/<name>.png at the
// repository's root (git-ignored).
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png, err := get(ctx, chromedp.CaptureScreenshot())
	require.NoError(t, err, "screenshot %s", name)
	dir := filepath.Join(repoRoot(t), "artifacts", "screenshots")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644))
}

// repoRoot is the nearest folder above the test holding go.mod.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	require.NoError(t, err)
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		require.NotEqual(t, dir, parent, "no go.mod above the test")
		dir = parent
	}
}
