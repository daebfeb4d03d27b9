package server

import (
	"context"
	"flag"
	"fmt"
	"scs/internal/testkit"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// The browser tests drive the pages in real Chromium (Debian's chromium
// package) through chromedp. Without a browser they skip, unless
// SCS_REQUIRE_BROWSER is set (CI sets it, and installs chromium).
//
// go test ./server -run Browser -screenshots ../docs/screenshots saves a
// PNG of each page.

var screenshots = flag.String("screenshots", "", "save a screenshot of each page the browser tests visit in this `dir`")

// newBrowser starts one headless Chromium with a fresh profile for the test.
func newBrowser(t *testing.T) context.Context { return testkit.Browser(t) }

// person is one browser profile (its own cookies) in the shared browser.
type person = testkit.Page

func newPerson(t *testing.T, browser context.Context, base string) *person {
	return testkit.NewPage(t, browser, base, *screenshots)
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
		anon.Open("/")
		if h := anon.Text("main h1"); h != "The city" {
			t.Errorf("city heading %q", h)
		}
		anon.Shot("city")
		anon.Open("/list")
		if !strings.Contains(anon.Text("#public-list"), tg.listName) {
			t.Errorf("public list signed out lacks %s", tg.listName)
		}
		anon.Shot("public-list")
		anon.Open("/citizens/" + tg.onList)
		if msg := anon.Text(".problem"); !strings.Contains(anon.Title(), "Unauthorized") || !strings.Contains(msg, "sign in") {
			t.Errorf("a file signed out: title %q, message %q", anon.Title(), msg)
		}
		anon.Open("/scheme?status=assumed")
		if s := anon.Text("main"); !strings.Contains(s, "of 27 rules match") || strings.Contains(s, "Evaded tax") {
			t.Errorf("scheme explorer filtered to assumed: %s", s[:200])
		}
		anon.Shot("scheme")
		anon.Open("/signin")
		anon.Shot("signin")
	})

	t.Run("self-test", func(t *testing.T) {
		p := newPerson(t, browser, tg.base)
		p.Open("/quiz")
		p.Shot("quiz-consent")
		p.Submit("#consent")
		// A bad answer first: the message is at the field.
		p.Do(chromedp.SetValue(chromedp.CSS("#a-speeding-ticket"), "-2"))
		p.Submit("#quiz-submit")
		if e := p.Text("#e-speeding-ticket"); e != "answer cannot be negative" {
			t.Errorf("message at the field: %q", e)
		}
		p.Shot("quiz-error")
		// 1 returned wallet (+20), 5000 yuan (+50, capped at +30), 3 blood
		// donations (+30, capped at +20), 100 volunteer hours (+56), 2
		// speeding tickets (-20): 1106, AAA (see quiz's tests). The test
		// clock of the fake target is 2026-12-20, so every event is in 2026.
		p.Do(
			chromedp.SetValue(chromedp.CSS("#a-returned-lost-money"), "1"),
			chromedp.SetValue(chromedp.CSS("#a-charitable-donation"), "5000"),
			chromedp.SetValue(chromedp.CSS("#a-blood-donation"), "3"),
			chromedp.SetValue(chromedp.CSS("#a-volunteer-service"), "100"),
			chromedp.SetValue(chromedp.CSS("#a-speeding-ticket"), "2"),
		)
		p.Submit("#quiz-submit")
		if g, s := p.Text("#quiz-grade"), p.Text("#quiz-score"); g != "AAA" || s != "1106" {
			t.Errorf("self-test result %s %s, want 1106 AAA", s, g)
		}
		p.Shot("quiz-result")
		// The same pages on a phone.
		p.Do(chromedp.EmulateViewport(390, 844), chromedp.Navigate(tg.base+"/quiz?consent=yes"))
		p.ViewShot("phone-quiz")
		p.Open("/")
		p.ViewShot("phone-city")
	})

	t.Run("report, object, uphold", func(t *testing.T) {
		off := newPerson(t, browser, tg.base)
		off.SignIn(tg.official)
		cit := newPerson(t, browser, tg.base)
		cit.SignIn(tg.citizen)
		cit.Open("/citizens/" + tg.own)
		before := cit.Text("#file-score")

		off.Open("/desk")
		off.Shot("desk")
		off.Do(
			chromedp.SetValue(chromedp.CSS("#f-citizen"), tg.own),
			chromedp.SetValue(chromedp.CSS("#f-rule"), tg.rule),
			chromedp.SetValue(chromedp.CSS("#f-evidence"), "browser test"),
		)
		off.Submit("#preview-button")
		if pts := off.Text("#preview-points"); pts != signedInt(tg.points) {
			t.Errorf("preview shows %s, want %s", pts, signedInt(tg.points))
		}
		off.Shot("desk-preview")
		off.Submit("#submit-button")

		cit.Open("/citizens/" + tg.own)
		after := cit.Text("#file-score")
		if want := atoi(before) + tg.points; atoi(after) != want {
			t.Errorf("score after the report %s, want %d", after, want)
		}
		if trail := cit.Text("#trail-table"); !strings.Contains(trail, "browser test") {
			t.Errorf("the trail lacks the new record: %s", trail)
		}
		// The citizen objects to the new record: the newest, the first in
		// the objection form's list.
		cit.Do(
			chromedp.SetValue(chromedp.CSS(`#object-reason`), "I was not there"),
		)
		cit.Submit(`#object-submit`)
		cit.Shot("file")

		rev := newPerson(t, browser, tg.base)
		rev.SignIn(tg.reviewer)
		rev.Open("/review")
		rev.Shot("review")
		rev.Do(
			chromedp.Click(chromedp.CSS(`section.card input[value="uphold"]`)),
			chromedp.SetValue(chromedp.CSS(`section.card textarea`), "the record was wrong"),
		)
		rev.Submit(`section.card button`)
		cit.Open("/citizens/" + tg.own)
		if s := cit.Text("#file-score"); s != before {
			t.Errorf("score after the objection was upheld %s, want %s again", s, before)
		}
		if o := cit.Text("main"); !strings.Contains(o, "reversed") || !strings.Contains(o, "the record was wrong") {
			t.Error("the file does not show the reversal and the decision")
		}
	})

	t.Run("a citizen cannot open another's file", func(t *testing.T) {
		cit := newPerson(t, browser, tg.base)
		cit.SignIn(tg.citizen)
		cit.Open("/citizens/" + tg.onList)
		if !strings.Contains(cit.Title(), "Forbidden") {
			t.Errorf("another's file: title %q", cit.Title())
		}
		// Signing out works.
		cit.Submit(`.who button`)
		cit.Do(chromedp.WaitVisible(chromedp.CSS(`.who a[href="/signin"]`)))
	})

	t.Run("points outside a range rule", func(t *testing.T) {
		off := newPerson(t, browser, tg.base)
		off.SignIn(tg.rangeOfficial)
		off.Open("/desk")
		rule, points, want := tg.rangeRule, "7", "7 is outside rule "+tg.rangeRule+"'s range"
		off.Do(
			chromedp.SetValue(chromedp.CSS("#f-citizen"), tg.own),
			chromedp.SetValue(chromedp.CSS("#f-rule"), rule),
			chromedp.SetValue(chromedp.CSS("#f-points"), points),
		)
		off.Submit("#preview-button")
		if e := off.Text("#e-points"); !strings.Contains(e, want) {
			t.Errorf("message at the points field %q, want it to contain %q", e, want)
		}
		off.Shot("desk-error")
	})
}

func signedInt(n int64) string { return fmt.Sprintf("%+d", n) }

func atoi(s string) int64 {
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}
