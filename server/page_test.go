package server

import (
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"scs"
	"scs/engine"
	"scs/schemes"
	"scs/sim"
)

// pageEnv is a server over the in-memory registry with a small city:
// c-1 (Wang Fang) with no records, c-2 (Li Wei) in grade D, c-3 without
// consent; one account of each role.
type pageEnv struct {
	t   testing.TB
	srv *httptest.Server
	reg *pageFakeRegistry
	now time.Time
}

var pageNow = time.Date(2026, 12, 20, 12, 0, 0, 0, time.UTC)

func newPageEnv(t testing.TB) *pageEnv {
	t.Helper()
	eng, err := engine.New(schemes.MustLoad("rongcheng"))
	if err != nil {
		t.Fatal(err)
	}
	reg := newPageFake(eng)
	reg.settings = map[string]string{"seed": "1", "citizens": "3"}
	reg.addCitizen(scs.Citizen{ID: "c-1", Name: "Wang Fang", Neighbourhood: "Shidao", BirthYear: 1980, Consent: true})
	reg.addCitizen(scs.Citizen{ID: "c-2", Name: "Li Wei", Neighbourhood: "Yatou", BirthYear: 1975, Consent: true})
	reg.addCitizen(scs.Citizen{ID: "c-3", Name: "Zhao Min", Neighbourhood: "Yatou", BirthYear: 1990})
	reg.addCitizen(scs.Citizen{ID: "c-4", Name: "Chen Jing", Neighbourhood: "Shidao", BirthYear: 1985, Consent: true})
	reg.records = append(reg.records, scs.Record{Event: scs.Event{ID: "seed-drunk", Citizen: "c-4", Rule: "drunk-driving", At: time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)}})
	reg.addAccount("official-token", scs.Account{Name: "Officer Sun", Role: scs.RoleOfficial, Department: "courts"})
	reg.addAccount("citizen-token", scs.Account{Name: "Wang Fang", Role: scs.RoleCitizen, Citizen: "c-1"})
	reg.addAccount("citizen2-token", scs.Account{Name: "Li Wei", Role: scs.RoleCitizen, Citizen: "c-2"})
	reg.addAccount("reviewer-token", scs.Account{Name: "Reviewer Qian", Role: scs.RoleReviewer})
	reg.addAccount("credit-token", scs.Account{Name: "Officer Zhou", Role: scs.RoleOfficial, Department: "credit-office"})
	reg.addAccount("admin-token", scs.Account{Name: "Admin", Role: scs.RoleAdmin})
	for i, rule := range []string{"tax-evasion", "tax-evasion", "tax-evasion", "tax-evasion", "utility-damage"} {
		reg.records = append(reg.records, scs.Record{Event: scs.Event{ID: "seed-" + string(rune('a'+i)), Citizen: "c-2", Rule: rule, At: pageNow.AddDate(0, -6, i)}})
	}
	s, err := New(Deps{Registry: reg, Settings: reg, History: reg, Engine: eng, Now: func() time.Time { return pageNow }})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return &pageEnv{t: t, srv: srv, reg: reg, now: pageNow}
}

// browser is an HTTP client with cookies, as a browser without JavaScript.
type browser struct {
	env *pageEnv
	c   *http.Client
}

func (e *pageEnv) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{env: e, c: &http.Client{Jar: jar}}
}

func (b *browser) get(path string) (int, string) {
	b.env.t.Helper()
	resp, err := b.c.Get(b.env.srv.URL + path)
	if err != nil {
		b.env.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// post submits a form from the page at from, with its CSRF token.
func (b *browser) post(from, action string, form url.Values) (int, string) {
	b.env.t.Helper()
	_, page := b.get(from)
	m := csrfRE.FindStringSubmatch(page)
	if m == nil {
		b.env.t.Fatalf("no CSRF token on %s", from)
	}
	form.Set("csrf", m[1])
	return b.postRaw(action, form)
}

func (b *browser) postRaw(action string, form url.Values) (int, string) {
	resp, err := b.c.PostForm(b.env.srv.URL+action, form)
	if err != nil {
		b.env.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func (b *browser) signIn(token string) {
	b.env.t.Helper()
	if code, body := b.post("/signin", "/signin", url.Values{"token": {token}}); code != 200 {
		b.env.t.Fatalf("sign in: %d\n%s", code, body)
	}
}

func mustContain(t *testing.T, what, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("%s lacks %q", what, w)
		}
	}
}

func TestSchemePage(t *testing.T) {
	b := newPageEnv(t).browser()
	code, body := b.get("/scheme")
	if code != 200 {
		t.Fatalf("status %d", code)
	}
	mustContain(t, "scheme page", body, "Rongcheng personal credit scheme", "1050&#43;", "5 years", "3 a day", "priority healthcare", `id="rule-drunk-driving"`, "27</strong> of 27 rules")
	_, body = b.get("/scheme?status=assumed")
	mustContain(t, "assumed filter", body, "4</strong> of 27 rules", `id="rule-charitable-donation"`)
	if strings.Contains(body, `id="rule-tax-evasion"`) {
		t.Error("the assumed filter shows an essay rule")
	}
	_, body = b.get("/scheme?kind=range")
	mustContain(t, "range filter", body, "1</strong> of 27 rules", "-50 to -5, chosen by the official")
}

func TestQuizPage(t *testing.T) {
	b := newPageEnv(t).browser()
	_, body := b.get("/quiz")
	mustContain(t, "consent page", body, "not stored or logged", `name="consent" value="yes"`)
	if strings.Contains(body, "a-speeding-ticket") {
		t.Error("questions shown before consent")
	}
	_, body = b.get("/quiz?consent=yes")
	mustContain(t, "question form", body, `<label for="a-speeding-ticket">Got a speeding ticket: how many times in the last 12 months?</label>`, `name="a-drunk-driving" value="yes"`)
	// Without consent in the form, no score.
	code, body := b.post("/quiz?consent=yes", "/quiz", url.Values{"a-tax-evasion": {"1"}})
	if code != 400 || strings.Contains(body, "quiz-score") {
		t.Errorf("POST without consent: %d", code)
	}
	// pageNow is 2026-12-20 20:00 China time; as in quiz's tests, every
	// event falls in 2026: 1000 + 20 + 30 (capped) + 20 (capped) + 56 - 20 = 1106, AAA.
	code, body = b.post("/quiz?consent=yes", "/quiz", url.Values{"consent": {"yes"}, "a-returned-lost-money": {"1"}, "a-charitable-donation": {"5000"},
		"a-blood-donation": {"3"}, "a-volunteer-service": {"100"}, "a-speeding-ticket": {"2"}, "a-drunk-driving": {"no"}})
	if code != 200 {
		t.Fatalf("result: %d", code)
	}
	mustContain(t, "result", body, `id="quiz-score">1106<`, `id="quiz-grade">AAA<`, "yearly cap of 30", "Nothing of your answers was stored")
	// A bad answer is shown at its field, with the other answers kept.
	code, body = b.post("/quiz?consent=yes", "/quiz", url.Values{"consent": {"yes"}, "a-speeding-ticket": {"-2"}, "a-heroic-act": {"1"}})
	if code != 400 {
		t.Errorf("bad answer: status %d", code)
	}
	mustContain(t, "bad answer", body, `<p class="error" id="e-speeding-ticket">answer cannot be negative</p>`, `aria-invalid="true"`, `name="a-heroic-act" inputmode="numeric" size="10" value="1"`)
}

func TestCSRF(t *testing.T) {
	env := newPageEnv(t)
	b := env.browser()
	b.get("/quiz") // sets the CSRF cookie
	if code, _ := b.postRaw("/quiz", url.Values{"consent": {"yes"}}); code != 403 {
		t.Errorf("POST without a token: %d, want 403", code)
	}
	if code, _ := b.postRaw("/quiz", url.Values{"consent": {"yes"}, "csrf": {"forged"}}); code != 403 {
		t.Errorf("POST with a forged token: %d, want 403", code)
	}
	// A token from another browser does not work in this one.
	other := env.browser()
	_, page := other.get("/signin")
	tok := csrfRE.FindStringSubmatch(page)[1]
	if code, _ := b.postRaw("/signin", url.Values{"token": {"official-token"}, "csrf": {tok}}); code != 403 {
		t.Errorf("POST with another browser's token: %d, want 403", code)
	}
}

func TestSignInAndFiles(t *testing.T) {
	env := newPageEnv(t)
	anon := env.browser()
	if code, body := anon.get("/citizens/c-1"); code != 401 || !strings.Contains(body, `href="/signin"`) {
		t.Errorf("file signed out: %d", code)
	}
	if code, body := anon.get("/list"); code != 200 || !strings.Contains(body, "Li Wei") || strings.Contains(body, "Wang Fang") {
		t.Errorf("public list signed out: %d\n%s", code, body)
	}
	if code, _ := anon.get("/desk"); code != 401 {
		t.Errorf("desk signed out: %d", code)
	}
	if code, body := anon.post("/signin", "/signin", url.Values{"token": {"wrong"}}); code != 401 || !strings.Contains(body, "unknown or revoked") {
		t.Errorf("bad token: %d", code)
	}
	cit := env.browser()
	cit.signIn("citizen-token")
	if code, body := cit.get("/citizens/c-1"); code != 200 || !strings.Contains(body, `id="file-score">1000<`) {
		t.Errorf("own file: %d", code)
	}
	if code, _ := cit.get("/citizens/c-2"); code != 403 {
		t.Errorf("another's file: %d, want 403", code)
	}
	if code, _ := cit.get("/desk"); code != 403 {
		t.Errorf("citizen at the desk: %d, want 403", code)
	}
	// The session cookie is HttpOnly and SameSite.
	resp, _ := http.Get(env.srv.URL + "/signin")
	resp.Body.Close()
	cit.post("/", "/signout", url.Values{})
	if code, _ := cit.get("/citizens/c-1"); code != 401 {
		t.Errorf("after signing out: %d, want 401", code)
	}
}

func TestReportObjectReview(t *testing.T) {
	env := newPageEnv(t)
	off := env.browser()
	off.signIn("official-token")
	_, desk := off.get("/desk")
	mustContain(t, "desk", desk, `value="debt-judgment"`, "Li Wei", "visits due")
	if strings.Contains(desk, `value="tax-evasion"`) {
		t.Error("the desk offers another department's rule")
	}
	form := url.Values{"citizen": {"c-1"}, "rule": {"debt-judgment"}, "at": {"2026-12-01T10:00"}, "evidence": {"case 17"}, "action": {"preview"}}
	code, body := off.post("/desk", "/desk/report", form)
	if code != 200 {
		t.Fatalf("preview: %d\n%s", code, body)
	}
	mustContain(t, "preview", body, `id="preview-points">-30<`, "Score 1000 (A) → 970 (A)")
	id := regexp.MustCompile(`name="id" value="([^"]+)"`).FindStringSubmatch(body)[1]
	form.Set("id", id)
	form.Set("action", "submit")
	code, body = off.post("/desk", "/desk/report", form)
	if code != 200 {
		t.Fatalf("submit: %d", code)
	}
	mustContain(t, "file after report", body, `id="file-score">970<`, "Record "+id+" reported", "was sued for an unpaid debt")
	// A range rule with points out of range: the message is at the field.
	code, body = off.post("/desk", "/desk/report", url.Values{"citizen": {"c-1"}, "rule": {"private-lending-breach"}, "at": {"2026-12-01T10:00"}, "points": {"5"}, "action": {"preview"}})
	if code != 400 || !strings.Contains(body, `id="e-points"`) {
		t.Errorf("points on a fixed rule: %d", code)
	}

	cit := env.browser()
	cit.signIn("citizen-token")
	code, body = cit.post("/citizens/c-1", "/citizens/c-1/objections", url.Values{"record": {id}, "reason": {"I paid the debt"}})
	if code != 200 || !strings.Contains(body, "objection was filed") {
		t.Fatalf("object: %d", code)
	}
	rev := env.browser()
	rev.signIn("reviewer-token")
	_, body = rev.get("/review")
	mustContain(t, "review", body, "I paid the debt", "Objection 1")
	if code, body = rev.post("/review", "/review/1", url.Values{"decision": {"uphold"}}); code != 400 || !strings.Contains(body, "Give the reason") {
		t.Errorf("decision without reason: %d", code)
	}
	if code, _ = rev.post("/review", "/review/1", url.Values{"decision": {"uphold"}, "reason": {"receipt shown"}}); code != 200 {
		t.Fatalf("decide: %d", code)
	}
	_, body = cit.get("/citizens/c-1")
	mustContain(t, "file after reversal", body, `id="file-score">1000<`, "reversed", "receipt shown")
}

func TestCityPage(t *testing.T) {
	env := newPageEnv(t)
	code, body := env.browser().get("/")
	if code != 200 {
		t.Fatalf("city: %d", code)
	}
	mustContain(t, "city", body, `id="city-citizens">4<`, "<svg", "Citizens per grade now: AAA 0, AA 0, A 1, B 0, C 1, D 1", "Li Wei", "seed", "Officials <a")
	// The years are replayed in the background from the first request.
	for i := 0; i < 100 && !strings.Contains(body, "end of 2021"); i++ {
		time.Sleep(20 * time.Millisecond)
		_, body = env.browser().get("/")
	}
	// c-4 drove drunk in March 2024: C from the end of 2024 (locked 3
	// years); c-2 fell into D in 2026; c-1 has no records; c-3 is not scored.
	for _, want := range []string{
		"end of 2021: AAA 0, AA 0, A 3, B 0, C 0, D 0",
		"end of 2023: AAA 0, AA 0, A 3, B 0, C 0, D 0",
		"end of 2024: AAA 0, AA 0, A 2, B 0, C 1, D 0",
		"end of 2025: AAA 0, AA 0, A 2, B 0, C 1, D 0",
		"now: AAA 0, AA 0, A 1, B 0, C 1, D 1",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the chart of the years lacks %q", want)
		}
	}
	off := env.browser()
	off.signIn("official-token")
	_, body = off.get("/")
	mustContain(t, "city for an official", body, "visits are due today")
}

// TestQuizKeepsNothing checks that the self-test's answers reach neither
// the server's log nor its metrics, even when an answer is refused.
func TestQuizKeepsNothing(t *testing.T) {
	eng, err := engine.New(schemes.MustLoad("rongcheng"))
	if err != nil {
		t.Fatal(err)
	}
	var logged strings.Builder
	s, err := New(Deps{Registry: newPageFake(eng), Engine: eng, Now: func() time.Time { return pageNow }, Logger: slog.New(slog.NewTextHandler(&logged, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	defer srv.Close()
	b := (&pageEnv{t: t, srv: srv}).browser()
	b.post("/quiz?consent=yes", "/quiz", url.Values{"consent": {"yes"}, "a-charitable-donation": {"4321987"}, "a-tax-evasion": {"3"}})
	b.post("/quiz?consent=yes", "/quiz", url.Values{"consent": {"yes"}, "a-charitable-donation": {"-7654321"}})
	_, metrics := b.get("/metrics")
	for _, secret := range []string{"4321987", "7654321", "charitable-donation"} {
		if strings.Contains(logged.String(), secret) || strings.Contains(metrics, secret) {
			t.Errorf("%q reached the log or the metrics:\n%s", secret, logged.String())
		}
	}
}

func TestCitySettingsFromServe(t *testing.T) {
	env := newPageEnv(t)
	env.reg.settings = nil
	// The server under test is reached through env.srv; find it by its handler.
	s := env.srv.Config.Handler.(*Server)
	s.SetCitySettings(map[string]string{"demo citizens": "20000", "seed": "7"})
	_, body := env.browser().get("/")
	mustContain(t, "city", body, `<th scope="row"><code>demo citizens</code></th><td class="num">20000</td>`, `<th scope="row"><code>seed</code></th><td class="num">7</td>`)
}

// TestCitySettingsSayWhatTheyMean checks that the city page explains each
// setting of the simulated city through Deps.SettingDoc, as scs serve wires
// it with the simulator's parameter table.
func TestCitySettingsSayWhatTheyMean(t *testing.T) {
	env := newPageEnv(t)
	env.reg.settings = map[string]string{"chill": "1", "seed": "1", "mystery": "3"}
	s := env.srv.Config.Handler.(*Server)
	s.setDoc = sim.SettingDoc
	_, body := env.browser().get("/")
	mustContain(t, "city", body, "This city is a simulation", "strength of chilled speech", "the random seed",
		`<th scope="row"><code>mystery</code></th><td class="num">3</td><td></td>`)
}

// TestWatchListPages: the desk's watch list says which page of how many,
// and "previous" walks back through the pages "next" went through.
func TestWatchListPages(t *testing.T) {
	env := newPageEnv(t)
	for i := 0; i < 60; i++ {
		id := fmt.Sprintf("w-%02d", i)
		env.reg.addCitizen(scs.Citizen{ID: id, Name: "Watched " + id, Neighbourhood: "Yatou", BirthYear: 1970, Consent: true})
		for j, rule := range []string{"tax-evasion", "tax-evasion", "tax-evasion", "tax-evasion"} {
			env.reg.records = append(env.reg.records, scs.Record{Event: scs.Event{ID: fmt.Sprintf("%s-%d", id, j), Citizen: id, Rule: rule, At: pageNow.AddDate(0, -6, j)}})
		}
	}
	off := env.browser()
	off.signIn("official-token")
	link := regexp.MustCompile(`<a href="([^"]+)" rel="(prev|next)">`)
	// The watch list's section only: the visits below name everyone too.
	section := func(body string) string {
		i, j := strings.Index(body, `id="watch"`), strings.Index(body, `id="visits"`)
		if i < 0 || j < i {
			t.Fatalf("no watch list section:\n%s", body)
		}
		return body[i:j]
	}
	links := func(body string) map[string]string {
		m := map[string]string{}
		for _, l := range link.FindAllStringSubmatch(body, -1) {
			m[l[2]] = strings.ReplaceAll(l[1], "&amp;", "&")
		}
		return m
	}
	// 60 watched, Li Wei and Chen Jing: 62 on the list, 3 pages of 25.
	_, body := off.get("/desk")
	body = section(body)
	mustContain(t, "first page", body, "Page 1 of 3 (62 citizens)", "Li Wei", "Watched w-22<")
	l := links(body)
	if l["prev"] != "" || l["next"] == "" {
		t.Fatalf("first page's links: %v", l)
	}
	_, body = off.get(l["next"])
	body = section(body)
	mustContain(t, "second page", body, "Page 2 of 3", "Watched w-23<", "Watched w-47<")
	if strings.Contains(body, "Watched w-22<") || strings.Contains(body, "Watched w-48<") {
		t.Error("the second page repeats the first")
	}
	l2 := links(body)
	_, body = off.get(l2["next"])
	body = section(body)
	mustContain(t, "third page", body, "Page 3 of 3", "Watched w-48<", "Watched w-59<")
	l3 := links(body)
	if l3["next"] != "" {
		t.Errorf("the last page has a next link: %v", l3)
	}
	_, body = off.get(l3["prev"])
	body = section(body)
	mustContain(t, "back to the second page", body, "Page 2 of 3", "Watched w-23<")
	if got := links(body)["prev"]; got != "/desk#watch" {
		t.Errorf("the second page's previous is %q, want the first page", got)
	}
	// A hand-made back list is checked like any input.
	if code, _ := off.get("/desk?watch=w-10&back=%00"); code != 400 {
		t.Errorf("NUL in back: %d, want 400", code)
	}
	if code, _ := off.get("/desk?back=w-10"); code != 400 {
		t.Errorf("back without a cursor: %d, want 400", code)
	}
}

// TestConsentSwitch: a citizen opts out and back in from their own file
// page with a CSRF-protected form, and the page says what opting out means.
func TestConsentSwitch(t *testing.T) {
	env := newPageEnv(t)
	cit := env.browser()
	cit.signIn("citizen-token")
	_, body := cit.get("/citizens/c-1")
	mustContain(t, "own file", body, `id="consent-form"`, "Opt out of scoring", "no privilege of a grade and no sanction", "keep every entitlement")
	// Without the CSRF token nothing changes.
	if code, _ := cit.postRaw("/citizens/c-1/consent", url.Values{"consent": {"out"}}); code != 403 {
		t.Errorf("consent without a CSRF token: %d, want 403", code)
	}
	if !env.reg.citizens["c-1"].Consent {
		t.Fatal("consent changed without a CSRF token")
	}
	if code, body := cit.post("/citizens/c-1", "/citizens/c-1/consent", url.Values{"consent": {"maybe"}}); code != 400 || !strings.Contains(body, "neither in nor out") {
		t.Errorf("consent=maybe: %d", code)
	}
	code, body := cit.post("/citizens/c-1", "/citizens/c-1/consent", url.Values{"consent": {"out"}})
	if code != 200 {
		t.Fatalf("opt out: %d\n%s", code, body)
	}
	mustContain(t, "after opting out", body, "You opted out of scoring", "Not scored", "Opt in to scoring")
	if env.reg.citizens["c-1"].Consent {
		t.Error("still opted in after opting out")
	}
	code, body = cit.post("/citizens/c-1", "/citizens/c-1/consent", url.Values{"consent": {"in"}})
	mustContain(t, "after opting in", body, "You opted in to scoring", "Opt out of scoring")
	if code != 200 || !env.reg.citizens["c-1"].Consent {
		t.Errorf("opt in: %d, consent %v", code, env.reg.citizens["c-1"].Consent)
	}
	// Others reading the file get no switch.
	off := env.browser()
	off.signIn("official-token")
	if _, body := off.get("/citizens/c-1"); strings.Contains(body, `id="consent-form"`) {
		t.Error("an official is offered the citizen's consent switch")
	}
}

// TestFindACitizen: officials, reviewers (among citizens with an open
// objection) and admins find a citizen by id or the start of the name, on
// the page and in the API; citizens may not.
func TestFindACitizen(t *testing.T) {
	env := newPageEnv(t)
	off := env.browser()
	off.signIn("official-token")
	_, body := off.get("/desk")
	mustContain(t, "nav", body, `href="/citizens"`)
	// A search box where one looks for a citizen: the desk, the public
	// list (for those who may search), the reviewer's desk.
	mustContain(t, "desk", body, `<form method="get" action="/citizens" class="searchbox" role="search"`)
	_, body = off.get("/list")
	mustContain(t, "public list", body, `class="searchbox"`)
	if _, body := env.browser().get("/list"); strings.Contains(body, `class="searchbox"`) {
		t.Error("the public list offers the search to someone signed out")
	}
	// Whatever the capitals.
	_, body = off.get("/citizens?q=li")
	mustContain(t, "search li", body, `<a href="/citizens/c-2">Li Wei</a>`)
	code, body := off.get("/citizens?q=Li")
	if code != 200 {
		t.Fatalf("search: %d", code)
	}
	mustContain(t, "search Li", body, `role="search"`, `<a href="/citizens/c-2">Li Wei</a>`)
	if strings.Contains(body, "Wang Fang") {
		t.Error("searching Li finds Wang Fang")
	}
	_, body = off.get("/citizens?q=c-")
	mustContain(t, "search c-", body, "Wang Fang", "Li Wei", "Zhao Min", "Chen Jing")
	_, body = off.get("/citizens?q=nobody")
	mustContain(t, "search nobody", body, "No citizen's id or name starts with")
	if code, body := off.get("/citizens?q=a%00b"); code != 400 || !strings.Contains(body, `id="search-error"`) {
		t.Errorf("NUL in q: %d", code)
	}
	cit := env.browser()
	cit.signIn("citizen-token")
	if code, _ := cit.get("/citizens?q=Li"); code != 403 {
		t.Errorf("a citizen searches: %d, want 403", code)
	}
	rev := env.browser()
	rev.signIn("reviewer-token")
	if _, body := rev.get("/review"); !strings.Contains(body, `class="searchbox"`) {
		t.Error("no search box on the reviewer's desk")
	}
	if _, body := rev.get("/citizens?q=c-"); strings.Contains(body, "Li Wei") {
		t.Error("a reviewer finds a citizen without an open objection")
	}
	env.reg.objections = append(env.reg.objections, scs.Objection{ID: 1, Citizen: "c-2", Record: "seed-a", Status: scs.ObjectionOpen})
	if _, body := rev.get("/citizens?q=c-"); !strings.Contains(body, "Li Wei") || strings.Contains(body, "Wang Fang") {
		t.Error("a reviewer does not find exactly the citizen with an open objection")
	}

	api := func(token, query string) (int, string) {
		req, _ := http.NewRequest("GET", env.srv.URL+"/api/v1/citizens"+query, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	code, body = api("admin-token", "?q=Li&limit=5")
	if code != 200 || !strings.Contains(body, `"citizens":[{"id":"c-2","name":"Li Wei"`) {
		t.Errorf("API search: %d %s", code, body)
	}
	if code, body = api("admin-token", "?q=zz"); code != 200 || !strings.Contains(body, `"citizens":[]`) {
		t.Errorf("API search without a match: %d %s", code, body)
	}
	if code, body = api("admin-token", "?q=Li&limit=0"); code != 400 || !strings.Contains(body, "limit") {
		t.Errorf("API limit=0: %d %s", code, body)
	}
	if code, body = api("citizen-token", "?q=Li"); code != 403 {
		t.Errorf("API search by a citizen: %d %s", code, body)
	}
}

// TestFileTrailPages: a long file shows 50 records a page, newest first,
// with the page count and Previous/Next links that lead through it.
func TestFileTrailPages(t *testing.T) {
	env := newPageEnv(t)
	for i := range 120 {
		env.reg.records = append(env.reg.records, scs.Record{Event: scs.Event{ID: fmt.Sprintf("long-%03d", i), Citizen: "c-1", Rule: "volunteer-service", Quantity: 1, HasQuantity: true,
			At: pageNow.AddDate(0, 0, -200+i)}})
	}
	off := env.browser()
	off.signIn("official-token")
	code, body := off.get("/citizens/c-1")
	if code != 200 {
		t.Fatalf("file: %d", code)
	}
	mustContain(t, "first page", body, `Page 1 of 3 (120 records)`, `id="r-long-119"`, `id="r-long-070"`, `rel="next"`)
	if strings.Contains(body, `id="r-long-069"`) || strings.Contains(body, `rel="prev"`) {
		t.Error("the first page shows more than 50 records, or a previous page")
	}
	next := regexp.MustCompile(`<a href="([^"]+)" rel="next">`).FindStringSubmatch(body)
	_, body = off.get(html.UnescapeString(next[1]))
	mustContain(t, "second page", body, `Page 2 of 3 (120 records)`, `id="r-long-069"`, `id="r-long-020"`, `rel="prev"`, `rel="next"`)
	next = regexp.MustCompile(`<a href="([^"]+)" rel="next">`).FindStringSubmatch(body)
	_, body = off.get(html.UnescapeString(next[1]))
	mustContain(t, "last page", body, `Page 3 of 3 (120 records)`, `id="r-long-000"`, `rel="prev"`)
	if strings.Contains(body, `rel="next"`) || strings.Contains(body, `id="r-long-020"`) {
		t.Error("the last page has a next page, or records of the page before")
	}
	prev := regexp.MustCompile(`<a href="([^"]+)" rel="prev">`).FindStringSubmatch(body)
	_, body = off.get(html.UnescapeString(prev[1]))
	mustContain(t, "back to the second page", body, `Page 2 of 3 (120 records)`, `id="r-long-069"`)
	if code, _ := off.get("/citizens/c-1?trail=%00"); code != 400 {
		t.Errorf("a NUL cursor: %d, want 400", code)
	}
}
