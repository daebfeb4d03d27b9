package server

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The browser tests drive the pages in real Chromium (Debian's chromium
// package) through chromedp. Without a browser they skip, unless
// SCS_REQUIRE_BROWSER is set (CI sets it, and installs chromium).
//
// go test ./server -run Browser -screenshots ../docs/screenshots saves a
// PNG of each page.

var screenshots = flag.String("screenshots", "", "save a screenshot of each page the browser tests visit in this `dir`")

func findChromium(t *testing.T) string {
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

// newBrowser starts one headless Chromium with a fresh profile for the test.
func newBrowser(t *testing.T) context.Context {
	path := findChromium(t)
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

// person is one browser profile (its own cookies) in the shared browser.
type person struct {
	t    *testing.T
	ctx  context.Context
	base string
}

func newPerson(t *testing.T, browser context.Context, base string) *person {
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	// The first action opens the tab; it must not run under a timeout.
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("opening a tab: %v", err)
	}
	return &person{t: t, ctx: ctx, base: base}
}

func (p *person) do(steps ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		p.t.Fatalf("browser: %v", err)
	}
}

func (p *person) text(sel string) string {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 10*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		p.t.Fatalf("reading %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

func (p *person) open(path string) { p.t.Helper(); p.do(chromedp.Navigate(p.base + path)) }

func (p *person) title() string {
	p.t.Helper()
	s, err := chromedp.Run(p.ctx, chromedp.Title())
	if err != nil {
		p.t.Fatal(err)
	}
	return s
}

// submit clicks a button that submits a form and waits for the page
// that answers.
func (p *person) submit(button string) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 20*time.Second)
	defer cancel()
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(button))); err != nil {
		p.t.Fatalf("submitting with %s: %v", button, err)
	}
}

// shot saves a full-page screenshot when -screenshots is given.
func (p *person) shot(name string) { p.t.Helper(); p.saveShot(name, chromedp.FullScreenshot(100)) }

// viewShot saves what the viewport shows (the first screen of a phone).
func (p *person) viewShot(name string) { p.t.Helper(); p.saveShot(name, chromedp.CaptureScreenshot()) }

func (p *person) saveShot(name string, a chromedp.Action[[]byte]) {
	p.t.Helper()
	if *screenshots == "" {
		return
	}
	buf, err := chromedp.Run(p.ctx, a)
	if err != nil {
		p.t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.MkdirAll(*screenshots, 0o755); err != nil {
		p.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(*screenshots, name+".png"), buf, 0o644); err != nil {
		p.t.Fatal(err)
	}
}

func (p *person) signIn(token string) {
	p.t.Helper()
	p.open("/signin")
	p.do(chromedp.SetValue(chromedp.CSS("#token"), token))
	p.submit(`form[action="/signin"] button`)
	p.do(chromedp.WaitVisible(chromedp.CSS(".who button")))
}

// browserTarget is what the browser tests run against: a base URL, a token
// per role, and the ids of two citizens (the signed-in citizen's own, and
// another's on the public list).
type browserTarget struct {
	base                               string
	official, reviewer, citizen, other string // tokens
	own, onList                        string // citizen ids
	listName                           string // a name on the public list
	rule                               string // a fixed rule of the official's department
	points                             int64  // its points
	rangeOfficial, rangeRule           string // the token of an official whose department has a range rule, and the rule
}

func fakeTarget(t *testing.T) browserTarget {
	env := newPageEnv(t)
	return browserTarget{base: env.srv.URL, official: "official-token", reviewer: "reviewer-token", citizen: "citizen-token", other: "citizen2-token",
		own: "c-1", onList: "c-2", listName: "Li Wei", rule: "debt-judgment", points: -30,
		rangeOfficial: "credit-token", rangeRule: "other-commercial"}
}

// TestBrowser runs the browser tests against the server over the real
// SQLite store, with a small city and one account of each role.
func TestBrowser(t *testing.T) {
	browser := newBrowser(t)
	tg := storeTarget(t)
	runBrowserTests(t, browser, tg)
}

func runBrowserTests(t *testing.T, browser context.Context, tg browserTarget) {
	t.Run("public pages", func(t *testing.T) {
		anon := newPerson(t, browser, tg.base)
		anon.open("/")
		if h := anon.text("main h1"); h != "The city" {
			t.Errorf("city heading %q", h)
		}
		anon.shot("city")
		anon.open("/list")
		if !strings.Contains(anon.text("#public-list"), tg.listName) {
			t.Errorf("public list signed out lacks %s", tg.listName)
		}
		anon.shot("public-list")
		anon.open("/citizens/" + tg.onList)
		if msg := anon.text(".problem"); !strings.Contains(anon.title(), "Unauthorized") || !strings.Contains(msg, "sign in") {
			t.Errorf("a file signed out: title %q, message %q", anon.title(), msg)
		}
		anon.open("/scheme?status=assumed")
		if s := anon.text("main"); !strings.Contains(s, "of 27 rules match") || strings.Contains(s, "Evaded tax") {
			t.Errorf("scheme explorer filtered to assumed: %s", s[:200])
		}
		anon.shot("scheme")
		anon.open("/signin")
		anon.shot("signin")
	})

	t.Run("self-test", func(t *testing.T) {
		p := newPerson(t, browser, tg.base)
		p.open("/quiz")
		p.shot("quiz-consent")
		p.submit("#consent")
		// A bad answer first: the message is at the field.
		p.do(chromedp.SetValue(chromedp.CSS("#a-speeding-ticket"), "-2"))
		p.submit("#quiz-submit")
		if e := p.text("#e-speeding-ticket"); e != "answer cannot be negative" {
			t.Errorf("message at the field: %q", e)
		}
		p.shot("quiz-error")
		// 1 returned wallet (+20), 5000 yuan (+50, capped at +30), 3 blood
		// donations (+30, capped at +20), 100 volunteer hours (+56), 2
		// speeding tickets (-20): 1106, AAA (see quiz's tests). The test
		// clock of the fake target is 2026-12-20, so every event is in 2026.
		p.do(
			chromedp.SetValue(chromedp.CSS("#a-returned-lost-money"), "1"),
			chromedp.SetValue(chromedp.CSS("#a-charitable-donation"), "5000"),
			chromedp.SetValue(chromedp.CSS("#a-blood-donation"), "3"),
			chromedp.SetValue(chromedp.CSS("#a-volunteer-service"), "100"),
			chromedp.SetValue(chromedp.CSS("#a-speeding-ticket"), "2"),
		)
		p.submit("#quiz-submit")
		if g, s := p.text("#quiz-grade"), p.text("#quiz-score"); g != "AAA" || s != "1106" {
			t.Errorf("self-test result %s %s, want 1106 AAA", s, g)
		}
		p.shot("quiz-result")
		// The same pages on a phone.
		p.do(chromedp.EmulateViewport(390, 844), chromedp.Navigate(tg.base+"/quiz?consent=yes"))
		p.viewShot("phone-quiz")
		p.open("/")
		p.viewShot("phone-city")
	})

	t.Run("report, object, uphold", func(t *testing.T) {
		off := newPerson(t, browser, tg.base)
		off.signIn(tg.official)
		cit := newPerson(t, browser, tg.base)
		cit.signIn(tg.citizen)
		cit.open("/citizens/" + tg.own)
		before := cit.text("#file-score")

		off.open("/desk")
		off.shot("desk")
		off.do(
			chromedp.SetValue(chromedp.CSS("#f-citizen"), tg.own),
			chromedp.SetValue(chromedp.CSS("#f-rule"), tg.rule),
			chromedp.SetValue(chromedp.CSS("#f-evidence"), "browser test"),
		)
		off.submit("#preview-button")
		if pts := off.text("#preview-points"); pts != signedInt(tg.points) {
			t.Errorf("preview shows %s, want %s", pts, signedInt(tg.points))
		}
		off.shot("desk-preview")
		off.submit("#submit-button")

		cit.open("/citizens/" + tg.own)
		after := cit.text("#file-score")
		if want := atoi(before) + tg.points; atoi(after) != want {
			t.Errorf("score after the report %s, want %d", after, want)
		}
		if trail := cit.text("#trail-table"); !strings.Contains(trail, "browser test") {
			t.Errorf("the trail lacks the new record: %s", trail)
		}
		// The citizen objects to the new record: the newest, the first in
		// the objection form's list.
		cit.do(
			chromedp.SetValue(chromedp.CSS(`#object-reason`), "I was not there"),
		)
		cit.submit(`#object-submit`)
		cit.shot("file")

		rev := newPerson(t, browser, tg.base)
		rev.signIn(tg.reviewer)
		rev.open("/review")
		rev.shot("review")
		rev.do(
			chromedp.Click(chromedp.CSS(`section.card input[value="uphold"]`)),
			chromedp.SetValue(chromedp.CSS(`section.card textarea`), "the record was wrong"),
		)
		rev.submit(`section.card button`)
		cit.open("/citizens/" + tg.own)
		if s := cit.text("#file-score"); s != before {
			t.Errorf("score after the objection was upheld %s, want %s again", s, before)
		}
		if o := cit.text("main"); !strings.Contains(o, "reversed") || !strings.Contains(o, "the record was wrong") {
			t.Error("the file does not show the reversal and the decision")
		}
	})

	t.Run("a citizen cannot open another's file", func(t *testing.T) {
		cit := newPerson(t, browser, tg.base)
		cit.signIn(tg.citizen)
		cit.open("/citizens/" + tg.onList)
		if !strings.Contains(cit.title(), "Forbidden") {
			t.Errorf("another's file: title %q", cit.title())
		}
		// Signing out works.
		cit.submit(`.who button`)
		cit.do(chromedp.WaitVisible(chromedp.CSS(`.who a[href="/signin"]`)))
	})

	t.Run("points outside a range rule", func(t *testing.T) {
		off := newPerson(t, browser, tg.base)
		off.signIn(tg.rangeOfficial)
		off.open("/desk")
		rule, points, want := tg.rangeRule, "7", "7 is outside rule "+tg.rangeRule+"'s range"
		off.do(
			chromedp.SetValue(chromedp.CSS("#f-citizen"), tg.own),
			chromedp.SetValue(chromedp.CSS("#f-rule"), rule),
			chromedp.SetValue(chromedp.CSS("#f-points"), points),
		)
		off.submit("#preview-button")
		if e := off.text("#e-points"); !strings.Contains(e, want) {
			t.Errorf("message at the points field %q, want it to contain %q", e, want)
		}
		off.shot("desk-error")
	})
}

func signedInt(n int64) string { return fmt.Sprintf("%+d", n) }

func atoi(s string) int64 {
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}
