package main

import (
	"context"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"scs"
)

// TestBrowserDemoCity walks the whole flow in real Chromium on the demo
// city scs serve makes on its first start, with the accounts it prints: an
// official reports a deduction, the citizen sees it and objects, the
// reviewer sees the record and upholds the objection, the citizen's score
// is restored; the public list shows someone. It skips without Chromium
// unless SCS_REQUIRE_BROWSER is set.
//
// go test ./cmd/scs -run BrowserDemoCity -screenshots ../../docs/screenshots
// retakes the README's screenshots from the demo city.
func TestBrowserDemoCity(t *testing.T) {
	chromium := findChromium(t)
	ls := startServe(t, "")
	browser := newChromium(t, chromium)
	own, dept := ls.bound["citizen"], ls.bound["official"]
	rule := ruleOf(t, dept, false)

	anon := newTab(t, browser, ls.url)
	anon.open("/")
	anon.shot("demo-city")
	anon.open("/list")
	if list := anon.text("#public-list"); !strings.Contains(list, "D") {
		t.Errorf("the demo city's public list shows no one: %q", list)
	}
	anon.shot("demo-public-list")
	anon.open("/scheme")
	anon.shot("demo-scheme")
	// The self-test: eligibility first, an answer that does not apply, and
	// a result that says how answers were placed and what the test is for.
	anon.open("/quiz?consent=yes")
	anon.do(
		chromedp.Click(chromedp.CSS("#eligible-yes")),
		chromedp.SetValue(chromedp.CSS("#a-online-criticism-of-government"), "1"),
		chromedp.SetValue(chromedp.CSS("#a-heroic-act"), "1"),
		chromedp.Click(chromedp.CSS("#na-tax-evasion")),
	)
	anon.submit("#quiz-submit")
	if g := anon.text("#quiz-grade"); g != "A" {
		t.Errorf("criticism and a heroic act: grade %s, want A whatever the scheme file's order", g)
	}
	if p := anon.text("#quiz-placement"); !strings.Contains(p, "additions first") {
		t.Errorf("the result does not say how answers were placed: %q", p)
	}
	anon.shot("demo-quiz-result")

	cit := newTab(t, browser, ls.url)
	cit.signIn(ls.tokens["citizen"])
	cit.open("/citizens/" + own)
	before := cit.text("#file-score")

	off := newTab(t, browser, ls.url)
	off.signIn(ls.tokens["official"])
	off.open("/desk")
	off.shot("demo-desk")
	// The desk's search box finds citizens whatever the capitals: by the
	// demo citizen's name typed in lower case, and by their id in capitals.
	var found struct{ Citizens []scs.Citizen }
	ls.must(200, "GET", "/api/v1/citizens?q="+own, ls.tokens["official"], nil, &found)
	if len(found.Citizens) == 0 {
		t.Fatalf("the search API does not find %s", own)
	}
	name := found.Citizens[0].Name
	off.do(chromedp.SetValue(chromedp.CSS("#searchbox-q"), strings.ToLower(name)))
	off.submit("#searchbox-submit")
	if main := off.text("main"); !strings.Contains(main, name) {
		t.Errorf("searching %q from the desk does not find %s:\n%s", strings.ToLower(name), name, main)
	}
	off.shot("demo-search")
	off.open("/desk")
	off.do(chromedp.SetValue(chromedp.CSS("#searchbox-q"), strings.ToUpper(own)))
	off.submit("#searchbox-submit")
	if main := off.text("main"); !strings.Contains(main, own) {
		t.Errorf("searching %q from the desk does not find %s:\n%s", strings.ToUpper(own), own, main)
	}
	off.open("/desk")
	off.do(
		chromedp.SetValue(chromedp.CSS("#f-citizen"), own),
		chromedp.SetValue(chromedp.CSS("#f-rule"), rule.ID),
		chromedp.SetValue(chromedp.CSS("#f-evidence"), "camera 4, browser test"),
	)
	off.submit("#preview-button")
	if pts := off.text("#preview-points"); pts != strconv.FormatInt(rule.Effect.Points, 10) {
		t.Errorf("the preview shows %s points, want %d", pts, rule.Effect.Points)
	}
	off.shot("demo-desk-preview")
	id := off.value(`input[name="id"]`)
	off.submit("#submit-button")

	// The citizen sees the deduction and objects to it.
	cit.open("/citizens/" + own)
	if after := cit.text("#file-score"); atoiT(t, after) != atoiT(t, before)+rule.Effect.Points {
		t.Errorf("score after the deduction %s, want %s %+d", after, before, rule.Effect.Points)
	}
	cit.do(
		chromedp.SetValue(chromedp.CSS("#object-record"), id),
		chromedp.SetValue(chromedp.CSS("#object-reason"), "I did not write that post"),
	)
	cit.submit("#object-submit")
	cit.shot("demo-file")

	// The reviewer sees the record they judge and may read the file.
	var open struct{ Objections []scs.Objection }
	ls.must(200, "GET", "/api/v1/objections?status=open", ls.tokens["reviewer"], nil, &open)
	var oid int64
	for _, o := range open.Objections {
		if o.Record == id {
			oid = o.ID
		}
	}
	if oid == 0 {
		t.Fatalf("no open objection to %s", id)
	}
	oids := strconv.FormatInt(oid, 10)
	rev := newTab(t, browser, ls.url)
	rev.signIn(ls.tokens["reviewer"])
	rev.open("/review")
	card := rev.text(`section[aria-labelledby="o-` + oids + `"]`)
	for _, want := range []string{rule.ID, strconv.FormatInt(rule.Effect.Points, 10), "camera 4, browser test", dept, "I did not write that post", "before"} {
		if !strings.Contains(card, want) {
			t.Errorf("the reviewer's card lacks %q:\n%s", want, card)
		}
	}
	rev.shot("demo-review")
	rev.open("/citizens/" + own)
	if strings.Contains(rev.title(), "Forbidden") {
		t.Error("the reviewer may not read the file of a citizen with an open objection")
	}
	rev.open("/review")
	rev.do(
		chromedp.Click(chromedp.CSS("#d-"+oids+"-uphold")),
		chromedp.SetValue(chromedp.CSS("#r-"+oids), "the post was another person's"),
	)
	rev.submit("#decide-" + oids)

	cit.open("/citizens/" + own)
	if s := cit.text("#file-score"); s != before {
		t.Errorf("score after the objection was upheld %s, want %s again", s, before)
	}
	if main := cit.text("main"); !strings.Contains(main, "reversed") || !strings.Contains(main, "the post was another person's") {
		t.Error("the file does not show the reversal and the reviewer's reason")
	}
}

var screenshots = flag.String("screenshots", "", "save a screenshot of each page the browser test visits in this `dir`")

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
	t.Skip("the browser test needs Chromium (apt-get install -y chromium); none found on PATH")
	return ""
}

func newChromium(t *testing.T, path string) context.Context {
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

// tab is one person: a browser context with its own cookies.
type tab struct {
	t    *testing.T
	ctx  context.Context
	base string
}

func newTab(t *testing.T, browser context.Context, base string) *tab {
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("opening a tab: %v", err)
	}
	return &tab{t: t, ctx: ctx, base: base}
}

func (p *tab) do(steps ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		p.t.Fatalf("browser: %v", err)
	}
}

func (p *tab) text(sel string) string {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 10*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		p.t.Fatalf("reading %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

func (p *tab) value(sel string) string {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 10*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS(sel)))
	if err != nil {
		p.t.Fatalf("reading %s: %v", sel, err)
	}
	return s
}

func (p *tab) open(path string) { p.t.Helper(); p.do(chromedp.Navigate(p.base + path)) }

func (p *tab) title() string {
	p.t.Helper()
	s, err := chromedp.Run(p.ctx, chromedp.Title())
	if err != nil {
		p.t.Fatal(err)
	}
	return s
}

func (p *tab) submit(button string) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(button))); err != nil {
		p.t.Fatalf("submitting with %s: %v", button, err)
	}
}

func (p *tab) signIn(token string) {
	p.t.Helper()
	p.open("/signin")
	p.do(chromedp.SetValue(chromedp.CSS("#token"), token))
	p.submit(`form[action="/signin"] button`)
	p.do(chromedp.WaitVisible(chromedp.CSS(".who button")))
}

// shot saves a full-page screenshot when -screenshots is given.
func (p *tab) shot(name string) {
	p.t.Helper()
	if *screenshots == "" {
		return
	}
	buf, err := chromedp.Run(p.ctx, chromedp.FullScreenshot(100))
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

func atoiT(t *testing.T, s string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(strings.ReplaceAll(s, ",", ""), 10, 64)
	if err != nil {
		t.Fatalf("%q is not a number", s)
	}
	return n
}
