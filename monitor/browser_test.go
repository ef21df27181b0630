package monitor

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

var screenshot = flag.String("screenshot", "", "where TestPageInBrowser writes its screenshot (default: sluice-page.png in the temporary directory, or $SLUICE_SCREENSHOT)")

// chromium finds the browser, failing the test under CI=true when it is
// missing and skipping it otherwise.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium is not installed (Debian: apt-get install chromium)")
	}
	t.Skip("chromium is not installed (Debian: apt-get install chromium); with CI=true this fails")
	return ""
}

// TestPageInBrowser opens the live page in a real browser while a run goes
// on: the page must show the run's stage names, its numbers must change
// while the run goes on, and a screenshot is written.
func TestPageInBrowser(t *testing.T) {
	exe := chromium(t)
	p := samplePipeline("browser", 20000, 2*time.Millisecond) // cancelled when done
	s, err := Serve(p, "", Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 720),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancelTab := chromedp.NewContext(actx)
	defer cancelTab()
	ctx, cancelTime := context.WithTimeout(ctx, 60*time.Second)
	defer cancelTime()
	// Start the browser before the run so that its start-up time is not
	// the run's.
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}

	runCtx, stopRun := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- p.Run(runCtx) }()
	defer func() {
		stopRun()
		<-errc
	}()

	// The page redraws its graph on every update, so the test reads it
	// with scripts rather than by node.
	const stage = `section.pipe[data-pipeline="browser"] g.stage[data-stage="square"]`
	if err := chromedp.Do(ctx, chromedp.Navigate(s.URL()), chromedp.WaitVisible(chromedp.CSS(stage))); err != nil {
		t.Fatalf("loading the page: %v", err)
	}
	text := func(sel string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(`(document.querySelector(%q) || {}).textContent || ""`, sel)))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	names, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("g.stage text.name"), e => e.textContent)`))
	if err != nil {
		t.Fatal(err)
	}
	first := text(stage)
	time.Sleep(700 * time.Millisecond)
	second := text(stage)
	state := text(`section.pipe .badge`)
	if want := []string{"read", "square", "write"}; !slices.Equal(names, want) {
		t.Errorf("got stage names %q, want %q", names, want)
	}
	if first == second {
		t.Errorf("the square stage shows %q twice, 700 ms apart; want its numbers to change while the run goes on (state %q)", first, state)
	}
	if state != "running" {
		t.Errorf("got state %q while the run goes on, want running", state)
	}

	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // quality 100: PNG
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	path := *screenshot
	if path == "" {
		path = os.Getenv("SLUICE_SCREENSHOT")
	}
	if path == "" {
		path = filepath.Join(os.TempDir(), "sluice-page.png")
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	if len(png) < 1000 || !strings.HasPrefix(string(png), "\x89PNG") {
		t.Errorf("got a screenshot of %d bytes, want a PNG image", len(png))
	}
	t.Logf("screenshot of the page during the run: %s", path)
	t.Logf("square stage: %q, then %q", first, second)
}
