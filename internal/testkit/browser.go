package testkit

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// FindChromium returns the path of a Chromium (SCS_CHROMIUM, or chromium,
// chromium-browser or google-chrome on PATH). Without one it skips the
// test, or fails it when SCS_REQUIRE_BROWSER is set (CI sets it).
func FindChromium(t testing.TB) string {
	t.Helper()
	for _, name := range []string{os.Getenv("SCS_CHROMIUM"), "chromium", "chromium-browser", "google-chrome"} {
		if name == "" {
			continue
		}
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("SCS_REQUIRE_BROWSER") != "" {
		t.Fatal("no Chromium found and SCS_REQUIRE_BROWSER is set: apt-get install -y chromium")
	}
	t.Skip("browser tests need Chromium (apt-get install -y chromium); none found on PATH")
	return ""
}

// Browser starts one headless Chromium with a fresh profile, stopped when
// the test ends, and returns its context for NewPage.
func Browser(t testing.TB) context.Context {
	t.Helper()
	path := FindChromium(t)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	alloc, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(alloc)
	t.Cleanup(cancel2)
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}
	return ctx
}

// Page is one person at a browser: a tab with its own cookies, on the
// site at Base. Each method fails the test when the browser does.
type Page struct {
	t    testing.TB
	ctx  context.Context
	base string
	// Shots is the directory Shot and ViewShot save PNGs in; "" saves none.
	Shots string
}

// NewPage opens a tab with a fresh browser context in browser.
func NewPage(t testing.TB, browser context.Context, base, shots string) *Page {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	// The first action opens the tab; it must not run under a timeout.
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("opening a tab: %v", err)
	}
	return &Page{t: t, ctx: ctx, base: base, Shots: shots}
}

// Context is the tab's context, for chromedp actions the methods lack.
func (p *Page) Context() context.Context { return p.ctx }

// Do runs steps, allowing them 30 seconds.
func (p *Page) Do(steps ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		p.t.Fatalf("browser: %v", err)
	}
}

// Text returns the text of the first element sel matches, trimmed.
func (p *Page) Text(sel string) string {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 10*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		p.t.Fatalf("reading %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

// Value returns the value of the form field sel matches.
func (p *Page) Value(sel string) string {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 10*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS(sel)))
	if err != nil {
		p.t.Fatalf("reading %s: %v", sel, err)
	}
	return s
}

// Attr returns the attribute name of the first element sel matches.
func (p *Page) Attr(sel, name string) string {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 10*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(sel), name))
	if err != nil {
		p.t.Fatalf("reading %s's %s: %v", sel, name, err)
	}
	return v.Value
}

// Open navigates to path on the site.
func (p *Page) Open(path string) { p.t.Helper(); p.Do(chromedp.Navigate(p.base + path)) }

// Title returns the page's title.
func (p *Page) Title() string {
	p.t.Helper()
	s, err := chromedp.Run(p.ctx, chromedp.Title())
	if err != nil {
		p.t.Fatal(err)
	}
	return s
}

// Submit clicks a button that submits a form and waits for the page that
// answers.
func (p *Page) Submit(button string) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(button))); err != nil {
		p.t.Fatalf("submitting with %s: %v", button, err)
	}
}

// SignIn signs in with token at /signin.
func (p *Page) SignIn(token string) {
	p.t.Helper()
	p.Open("/signin")
	p.Do(chromedp.SetValue(chromedp.CSS("#token"), token))
	p.Submit(`form[action="/signin"] button`)
	p.Do(chromedp.WaitVisible(chromedp.CSS(".who button")))
}

// Shot saves a full-page screenshot as Shots/name.png when Shots is set.
func (p *Page) Shot(name string) { p.t.Helper(); p.save(name, chromedp.FullScreenshot(100)) }

// ViewShot saves what the viewport shows (the first screen of a phone).
func (p *Page) ViewShot(name string) { p.t.Helper(); p.save(name, chromedp.CaptureScreenshot()) }

func (p *Page) save(name string, a chromedp.Action[[]byte]) {
	p.t.Helper()
	if p.Shots == "" {
		return
	}
	buf, err := chromedp.Run(p.ctx, a)
	if err != nil {
		p.t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.MkdirAll(p.Shots, 0o755); err != nil {
		p.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(p.Shots, name+".png"), buf, 0o644); err != nil {
		p.t.Fatal(err)
	}
}
