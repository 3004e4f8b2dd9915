// Package testbrowser starts a headless Chromium (Debian's chromium, which
// scripts/services/chromium.sh installs and names in
// SAVEPOINT_TEST_CHROMIUM) for tests of the server's web view, driven by
// chromedp, and keeps screenshots of the pages a test visits.
//
// The browser starts with a fresh profile and every background network
// feature off (the network is closed where tests run): --headless
// --no-sandbox --disable-gpu --disable-quic --no-first-run
// --disable-background-networking --disable-component-update
// --disable-sync --user-data-dir=<a new temporary directory>.
package testbrowser

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/savepoint-ci/savepoint/internal/testenv"
)

// Width and Height are the browser window's size.
const Width, Height = 1280, 860

// New starts a browser for the test and returns its context; every
// chromedp action of the test runs in it. The browser is closed when the
// test ends. Without SAVEPOINT_TEST_CHROMIUM the test fails (testenv).
func New(t testing.TB) context.Context {
	t.Helper()
	bin := testenv.Require(t, "SAVEPOINT_TEST_CHROMIUM")
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(Width, Height),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx, chromedp.WithErrorf(t.Logf))
	ctx, cancelTimeout := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil { // start it now: a missing browser fails here
		t.Fatalf("starting chromium %s: %v", bin, err)
	}
	return ctx
}

// Artifacts is the folder of the test's screenshots:
// $SAVEPOINT_TEST_ARTIFACTS/<test name> when that is set, else a
// temporary directory of the test.
func Artifacts(t testing.TB) string {
	t.Helper()
	root := os.Getenv("SAVEPOINT_TEST_ARTIFACTS")
	if root == "" {
		return t.TempDir()
	}
	dir := filepath.Join(root, regexp.MustCompile(`[^A-Za-z0-9_.-]+`).ReplaceAllString(t.Name(), "_"))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// Screenshot writes a PNG of the whole page as dir/name.png and returns
// its path.
func Screenshot(t testing.TB, ctx context.Context, dir, name string) string {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	p := filepath.Join(dir, name+".png")
	if err := os.WriteFile(p, png, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
