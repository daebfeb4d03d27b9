package main

import (
	"context"
	"flag"
	"scs/internal/testkit"
	"strconv"
	"strings"
	"testing"

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
	testkit.FindChromium(t) // skip before starting the server
	ls := startServe(t, "")
	browser := testkit.Browser(t)
	own, dept := ls.bound["citizen"], ls.bound["official"]
	rule := ruleOf(t, dept, false)

	anon := newTab(t, browser, ls.url)
	anon.Open("/")
	anon.Shot("demo-city")
	anon.Open("/list")
	if list := anon.Text("#public-list"); !strings.Contains(list, "D") {
		t.Errorf("the demo city's public list shows no one: %q", list)
	}
	anon.Shot("demo-public-list")
	anon.Open("/scheme")
	anon.Shot("demo-scheme")
	// The self-test: eligibility first, an answer that does not apply, and
	// a result that says how answers were placed and what the test is for.
	anon.Open("/quiz?consent=yes")
	anon.Do(
		chromedp.Click(chromedp.CSS("#eligible-yes")),
		chromedp.SetValue(chromedp.CSS("#a-online-criticism-of-government"), "1"),
		chromedp.SetValue(chromedp.CSS("#a-heroic-act"), "1"),
		chromedp.Click(chromedp.CSS("#na-tax-evasion")),
	)
	anon.Submit("#quiz-submit")
	if g := anon.Text("#quiz-grade"); g != "A" {
		t.Errorf("criticism and a heroic act: grade %s, want A whatever the scheme file's order", g)
	}
	if p := anon.Text("#quiz-placement"); !strings.Contains(p, "additions first") {
		t.Errorf("the result does not say how answers were placed: %q", p)
	}
	anon.Shot("demo-quiz-result")

	cit := newTab(t, browser, ls.url)
	cit.SignIn(ls.tokens["citizen"])
	cit.Open("/citizens/" + own)
	before := cit.Text("#file-score")

	off := newTab(t, browser, ls.url)
	off.SignIn(ls.tokens["official"])
	off.Open("/desk")
	off.Shot("demo-desk")
	// The desk's search box finds citizens whatever the capitals: by the
	// demo citizen's name typed in lower case, and by their id in capitals.
	var found struct{ Citizens []scs.Citizen }
	ls.must(200, "GET", "/api/v1/citizens?q="+own, ls.tokens["official"], nil, &found)
	if len(found.Citizens) == 0 {
		t.Fatalf("the search API does not find %s", own)
	}
	name := found.Citizens[0].Name
	off.Do(chromedp.SetValue(chromedp.CSS("#searchbox-q"), strings.ToLower(name)))
	off.Submit("#searchbox-submit")
	if main := off.Text("main"); !strings.Contains(main, name) {
		t.Errorf("searching %q from the desk does not find %s:\n%s", strings.ToLower(name), name, main)
	}
	off.Shot("demo-search")
	off.Open("/desk")
	off.Do(chromedp.SetValue(chromedp.CSS("#searchbox-q"), strings.ToUpper(own)))
	off.Submit("#searchbox-submit")
	if main := off.Text("main"); !strings.Contains(main, own) {
		t.Errorf("searching %q from the desk does not find %s:\n%s", strings.ToUpper(own), own, main)
	}
	off.Open("/desk")
	off.Do(
		chromedp.SetValue(chromedp.CSS("#f-citizen"), own),
		chromedp.SetValue(chromedp.CSS("#f-rule"), rule.ID),
		chromedp.SetValue(chromedp.CSS("#f-evidence"), "camera 4, browser test"),
	)
	off.Submit("#preview-button")
	if pts := off.Text("#preview-points"); pts != strconv.FormatInt(rule.Effect.Points, 10) {
		t.Errorf("the preview shows %s points, want %d", pts, rule.Effect.Points)
	}
	off.Shot("demo-desk-preview")
	id := off.Value(`input[name="id"]`)
	off.Submit("#submit-button")

	// The citizen sees the deduction and objects to it.
	cit.Open("/citizens/" + own)
	if after := cit.Text("#file-score"); atoiT(t, after) != atoiT(t, before)+rule.Effect.Points {
		t.Errorf("score after the deduction %s, want %s %+d", after, before, rule.Effect.Points)
	}
	cit.Do(
		chromedp.SetValue(chromedp.CSS("#object-record"), id),
		chromedp.SetValue(chromedp.CSS("#object-reason"), "I did not write that post"),
	)
	cit.Submit("#object-submit")
	cit.Shot("demo-file")

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
	rev.SignIn(ls.tokens["reviewer"])
	rev.Open("/review")
	card := rev.Text(`section[aria-labelledby="o-` + oids + `"]`)
	for _, want := range []string{rule.ID, strconv.FormatInt(rule.Effect.Points, 10), "camera 4, browser test", dept, "I did not write that post", "before"} {
		if !strings.Contains(card, want) {
			t.Errorf("the reviewer's card lacks %q:\n%s", want, card)
		}
	}
	rev.Shot("demo-review")
	rev.Open("/citizens/" + own)
	if strings.Contains(rev.Title(), "Forbidden") {
		t.Error("the reviewer may not read the file of a citizen with an open objection")
	}
	rev.Open("/review")
	rev.Do(
		chromedp.Click(chromedp.CSS("#d-"+oids+"-uphold")),
		chromedp.SetValue(chromedp.CSS("#r-"+oids), "the post was another person's"),
	)
	rev.Submit("#decide-" + oids)

	cit.Open("/citizens/" + own)
	if s := cit.Text("#file-score"); s != before {
		t.Errorf("score after the objection was upheld %s, want %s again", s, before)
	}
	if main := cit.Text("main"); !strings.Contains(main, "reversed") || !strings.Contains(main, "the post was another person's") {
		t.Error("the file does not show the reversal and the reviewer's reason")
	}
}

var screenshots = flag.String("screenshots", "", "save a screenshot of each page the browser test visits in this `dir`")

// tab is one person: a browser context with its own cookies.
type tab = testkit.Page

func newTab(t *testing.T, browser context.Context, base string) *tab {
	return testkit.NewPage(t, browser, base, *screenshots)
}

func atoiT(t *testing.T, s string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(strings.ReplaceAll(s, ",", ""), 10, 64)
	if err != nil {
		t.Fatalf("%q is not a number", s)
	}
	return n
}
