package server

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/language"

	"scs"
	"scs/classroom"
	"scs/schemes"
	"scs/sim"
)

var formatVerb = regexp.MustCompile(`%(\[\d+\])?[-+# 0]*\d*(\.\d+)?[a-zA-Z%]`)

// TestClassCatalogComplete fails on a key missing from a language, a
// message whose format verbs differ between languages, or a key the
// templates or the code use that the catalogue lacks.
func TestClassCatalogComplete(t *testing.T) {
	en, de := catalogs[language.English], catalogs[language.German]
	for _, k := range catalogKeys(language.English) {
		d, ok := de[k]
		if !ok || strings.TrimSpace(d) == "" {
			t.Errorf("German lacks %q", k)
			continue
		}
		// The same verbs; with explicit argument indexes a language may
		// put them in its own order.
		a, b := formatVerb.FindAllString(en[k], -1), formatVerb.FindAllString(d, -1)
		slices.Sort(a)
		slices.Sort(b)
		if !slices.Equal(a, b) {
			t.Errorf("%q: English has verbs %v, German %v", k, a, b)
		}
	}
	for _, k := range catalogKeys(language.German) {
		if strings.TrimSpace(en[k]) == "" {
			t.Errorf("English lacks %q", k)
		}
	}
	// Every literal key of the templates.
	files, _ := filepath.Glob("templates/class/*.html")
	lit := regexp.MustCompile(`\.T "([^"]+)"`)
	n := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range lit.FindAllStringSubmatch(string(b), -1) {
			n++
			if _, ok := en[m[1]]; !ok {
				t.Errorf("%s uses %q, which the catalogue lacks", f, m[1])
			}
		}
	}
	if n < 100 {
		t.Errorf("only %d keys found in the templates", n)
	}
	// The keys made from values.
	need := []string{"lang.en", "lang.de", "mechanism." + sim.Assumed, "mechanism." + sim.Emergent, "none",
		"debrief.title", "board.title", "new.title", "join.title", "student.title", "error.title"}
	for _, c := range []string{"invalid", "unauthorized", "forbidden", "not_found", "method_not_allowed", "conflict", "too_large", "unsupported_media_type", "internal"} {
		need = append(need, "error."+c)
	}
	for _, s := range []string{classroom.StatusOpen, classroom.StatusPlaying, classroom.StatusEnded, classroom.StatusClosed} {
		need = append(need, "status."+s)
	}
	for _, s := range []string{classroom.ReportStanding, classroom.ReportObjected, classroom.ReportUpheld, classroom.ReportRejected} {
		need = append(need, "report."+s)
	}
	for _, v := range []string{sim.Supported, sim.NotSupported, sim.NotMeasurable, sim.NotApplicable} {
		need = append(need, "verdict."+v)
	}
	for _, c := range []string{classroom.CardPoor, classroom.CardMiddle, classroom.CardRich} {
		need = append(need, "card."+c)
	}
	for _, v := range []string{"choice", "report", "informing"} {
		need = append(need, "via."+v)
	}
	for _, id := range []string{"chilled-speech", "informants", "rich-pay", "lock-in"} {
		need = append(need, "claim."+id+".essay", "claim."+id+".sim", "claim."+id+".question", "debrief.class."+id)
	}
	for _, k := range []string{classroom.KindGood, classroom.KindSpeech, classroom.KindMisconduct, classroom.KindBill, classroom.KindDonation, classroom.KindVolunteer, classroom.KindBlood, classroom.KindInform} {
		need = append(need, "sit.kind."+k)
	}
	need = append(need, "opt.yesno.yes", "opt.yesno.no", "opt.speech.yes", "opt.speech.no", "opt.bill.pay", "opt.bill.late", "opt.donation.amount", "opt.volunteer.amount")
	// Rongcheng, the essay's scheme, is told in full: a story and a name
	// for every situation the game can draw, and every capability.
	rc := schemes.MustLoad("rongcheng")
	cs := classroom.New(nil, nil)
	seen := map[string]bool{}
	for seed := int64(1); seed < 300; seed++ {
		for r := 1; r <= classroom.MaxRounds; r++ {
			for _, si := range cs.SituationsOf(rc.Name, seed, r) {
				if !seen[si.Rule] {
					seen[si.Rule] = true
					need = append(need, "sit."+si.Rule, "act."+si.Rule)
				}
			}
		}
	}
	need = append(need, "act.informant-report")
	// The engine's reasons, every code but words from an old trail; the
	// lengths of time they name; how sure a source is.
	for _, c := range scs.ReasonCodes {
		if c != scs.ReasonText {
			need = append(need, "reason."+string(c))
		}
	}
	for _, u := range []string{"year", "month", "week", "day"} {
		need = append(need, "period."+u+".one", "period."+u+".n")
	}
	for _, st := range scs.Statuses {
		need = append(need, "prov."+string(st))
	}
	for _, c := range rc.Capabilities {
		need = append(need, "cap."+c.Name)
	}
	for _, k := range need {
		if _, ok := en[k]; !ok {
			t.Errorf("the catalogue lacks %q", k)
		}
	}
}

// browserless is a client with a cookie jar for the class pages.
type browserless struct {
	t    *testing.T
	c    *http.Client
	base string
	last string
	lang string
}

func newBrowserless(t *testing.T, base, lang string) *browserless {
	jar, _ := cookiejar.New(nil)
	return &browserless{t: t, c: &http.Client{Jar: jar}, base: base, lang: lang}
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (b *browserless) do(req *http.Request) (int, string) {
	b.t.Helper()
	if b.lang != "" {
		req.Header.Set("Accept-Language", b.lang)
	}
	res, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	b.last = string(body)
	return res.StatusCode, b.last
}

func (b *browserless) get(path string) (int, string) {
	req, _ := http.NewRequest("GET", b.base+path, nil)
	return b.do(req)
}

// post sends a form with the CSRF token of the last page.
func (b *browserless) post(path string, form url.Values) (int, string) {
	b.t.Helper()
	m := csrfField.FindStringSubmatch(b.last)
	if m == nil {
		b.t.Fatalf("no CSRF token on the last page before POST %s", path)
	}
	form.Set("csrf", m[1])
	req, _ := http.NewRequest("POST", b.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

// TestClassPagesAllDecline runs a class through the pages where every
// student declines consent: they watch, the rounds still run, the board
// and the debrief show the counts, in the language asked for.
func TestClassPagesAllDecline(t *testing.T) {
	s, db, tok := classServer(t)
	ts := httptest.NewServer(s)
	defer ts.Close()
	teacher := newBrowserless(t, ts.URL, "de-DE,de;q=0.9,en;q=0.5")
	if st, body := teacher.get("/class/new"); st != http.StatusUnauthorized || !strings.Contains(body, "anmelden") {
		t.Fatalf("new class page without signing in: %d", st)
	}
	teacher.get("/signin")
	if st, _ := teacher.post("/signin", url.Values{"token": {tok["teacher"]}, "next": {"/class/new"}}); st != http.StatusOK {
		t.Fatalf("sign in: %d", st)
	}
	if !strings.Contains(teacher.last, "Eine Klasse eröffnen") {
		t.Fatalf("the new-class page is not in German:\n%.500s", teacher.last)
	}
	st, body := teacher.post("/class/new", url.Values{"scheme": {"rongcheng"}, "rounds": {"2"}, "informing": {"on"}, "cards": {"on"}, "public_list": {"on"}})
	if st != http.StatusOK || !strings.Contains(body, "Runde 1 starten") {
		t.Fatalf("open: %d\n%.800s", st, body)
	}
	code := regexp.MustCompile(`<strong class="code">([A-Z0-9]+)</strong>`).FindStringSubmatch(body)[1]
	if st, _ := teacher.get("/class/" + code + "/qr.png"); st != http.StatusOK || !strings.HasPrefix(teacher.last, "\x89PNG") {
		t.Errorf("QR code: %d", st)
	}
	var students []*browserless
	for i := 0; i < 3; i++ {
		sb := newBrowserless(t, ts.URL, "en-GB,en;q=0.8")
		sb.get("/join?code=" + strings.ToLower(code))
		st, body := sb.post("/join", url.Values{"code": {strings.ToLower(code)}})
		if st != http.StatusOK || !strings.Contains(body, "Before you play") {
			t.Fatalf("join: %d\n%.600s", st, body)
		}
		st, body = sb.post("/class/"+code+"/me/consent", url.Values{"consent": {"no"}})
		if st != http.StatusOK || !strings.Contains(body, "You are watching") {
			t.Fatalf("decline: %d\n%.600s", st, body)
		}
		students = append(students, sb)
	}
	for r := 0; r < 3; r++ {
		teacher.get("/class/" + code + "/board")
		if st, _ := teacher.post("/class/"+code+"/advance", url.Values{}); st != http.StatusOK {
			t.Fatalf("advance: %d", st)
		}
	}
	if !strings.Contains(teacher.last, "Das Spiel ist vorbei") || !strings.Contains(teacher.last, `id="n-declined">3<`) || !strings.Contains(teacher.last, `id="n-scored">0<`) {
		t.Errorf("board after the game:\n%s", teacher.last)
	}
	for _, sb := range students {
		if st, body := sb.get("/class/" + code + "/me"); st != http.StatusOK || strings.Contains(body, "Send my choices") || !strings.Contains(body, "You are watching") {
			t.Errorf("a watcher's page: %d", st)
		}
	}
	if st, body := teacher.get("/class/" + code + "/debrief?lang=en"); st != http.StatusOK || !strings.Contains(body, "3 students, 0 played, 3 watched, 2 rounds") {
		t.Errorf("debrief: %d\n%s", st, body)
	}
	if st, body := teacher.get("/class/" + code + "/board"); st != http.StatusOK || !strings.Contains(body, "The game is over") {
		t.Errorf("the language switch is not remembered: %d", st)
	}
	if st, _ := teacher.post("/class/"+code+"/close", url.Values{}); st != http.StatusBadRequest {
		t.Errorf("closing without confirming: %d", st)
	}
	teacher.get("/class/" + code + "/board")
	if st, body := teacher.post("/class/"+code+"/close", url.Values{"confirm": {"yes"}}); st != http.StatusOK || !strings.Contains(body, "is closed") {
		t.Fatalf("close: %d", st)
	}
	if n, c, r, _ := db.ClassRows(t.Context(), code); n+c+r != 0 {
		t.Errorf("rows remain after closing: %d %d %d", n, c, r)
	}
	if st, _ := students[0].get("/class/" + code + "/me"); st != http.StatusUnauthorized {
		t.Errorf("a student's page after closing: %d", st)
	}
	if st, body := teacher.get("/class/" + code + "/summary.csv"); st != http.StatusOK || !strings.HasPrefix(body, "round,students,scored,declined") || !strings.Contains(body, "\n1,3,0,3,") {
		t.Errorf("summary: %d\n%s", st, body)
	}
}

// TestClassPagesPlay plays one round through the pages: a student sees
// the situations, an answer outside the card is refused at its field, the
// result shows the engine's entries with their sources.
func TestClassPagesPlay(t *testing.T) {
	s, _, tok := classServer(t)
	ts := httptest.NewServer(s)
	defer ts.Close()
	teacher := newBrowserless(t, ts.URL, "en")
	teacher.get("/signin")
	teacher.post("/signin", url.Values{"token": {tok["teacher"]}, "next": {"/class/new"}})
	_, body := teacher.post("/class/new", url.Values{"scheme": {"rongcheng"}, "rounds": {"1"}, "informing": {"on"}})
	code := regexp.MustCompile(`<strong class="code">([A-Z0-9]+)</strong>`).FindStringSubmatch(body)[1]
	a := newBrowserless(t, ts.URL, "en")
	a.get("/join")
	a.post("/join", url.Values{"code": {code}})
	a.post("/class/"+code+"/me/consent", url.Values{"consent": {"yes"}})
	// Opening the join link again leads back to one's own page, not to a
	// second pseudonym.
	if st, body := a.get("/join?code=" + code); st != http.StatusOK || !strings.Contains(body, `class="pseudonym"`) {
		t.Errorf("the join link for a student who joined: %d", st)
	}
	teacher.post("/class/"+code+"/advance", url.Values{})
	st, body := a.get("/class/" + code + "/me")
	if st != http.StatusOK || !strings.Contains(body, "Round 1: your week") || !strings.Contains(body, "The council has closed the youth centre") {
		t.Fatalf("the play page: %d\n%s", st, body)
	}
	radios := regexp.MustCompile(`name="s-([a-z-]+)" value="([^"]+)"`).FindAllStringSubmatch(body, -1)
	form := url.Values{"round": {"1"}}
	for _, m := range radios {
		if form.Get("s-"+m[1]) == "" {
			form.Set("s-"+m[1], m[2])
		}
	}
	form.Set("s-online-criticism-of-government", "yes")
	bad := url.Values{"round": {"1"}, "s-online-criticism-of-government": {"yes"}}
	if st, body := a.post("/class/"+code+"/me/play", bad); st != http.StatusBadRequest || !strings.Contains(body, `class="error"`) {
		t.Errorf("a partial form: %d", st)
	}
	st, body = a.post("/class/"+code+"/me/play", form)
	if st != http.StatusOK || !strings.Contains(body, "Your choices are in") {
		t.Fatalf("play: %d\n%s", st, body)
	}
	if !strings.Contains(body, "Source:") && strings.Contains(body, "What round 1 did to you") {
		t.Errorf("entries without their source")
	}
	teacher.get("/class/" + code + "/board")
	if !strings.Contains(teacher.last, `id="n-played">1/1<`) || !strings.Contains(teacher.last, "Posted criticism of the council") {
		t.Errorf("board after one student played:\n%s", teacher.last)
	}
	ev, _ := http.NewRequest("GET", ts.URL+"/class/"+code+"/events", nil)
	if st, _ := a.do(ev); st != http.StatusUnauthorized {
		t.Errorf("a student reading the board's events: %d", st)
	}
}

// TestClassReasons renders every engine reason code through the catalogue:
// in German with no English word of the reason's own English sentence
// left, in English with the figures the engine gave.
func TestClassReasons(t *testing.T) {
	rc := schemes.MustLoad("rongcheng")
	until := rc.In(time.Date(2020, 3, 1, 16, 0, 0, 0, time.UTC))
	en, de := newLocalizer(language.English), newLocalizer(language.German)
	en.sch, de.sch = rc, rc
	english := regexp.MustCompile(`\b(the|of|for|from|into|until|reached|score|grade|locked|not|scored|records|already|points|to|on|and|does|year|years)\b`)
	for _, c := range scs.ReasonCodes {
		if c == scs.ReasonText {
			continue
		}
		r := scs.Reason{Code: c, N: 959, M: -30, Year: 2019, Value: -4.5, Rule: "tax-evasion", Grade: "B", Band: "A",
			Name: "rongcheng", Period: scs.Period{Years: 2}, At: until.AddDate(-1, 0, 0), Until: until}
		e, d := en.Reason(r), de.Reason(r)
		if e == "" || d == "" || e == d || strings.Contains(d, "%!") || strings.Contains(e, "%!") {
			t.Errorf("%s: English %q, German %q", c, e, d)
		}
		if w := english.FindString(d); w != "" {
			t.Errorf("%s: German %q has the English word %q", c, d, w)
		}
	}
	lock := scs.Reason{Code: scs.ReasonLockIn, Band: "A", Grade: "B", Period: scs.Period{Years: 2}, Until: until}
	if got, want := en.Reason(lock), "fell from A into B: locked in B for 2 years, until 2 March 2020"; got != want {
		t.Errorf("English lock-in: %q, want %q", got, want)
	}
	if got, want := de.Reason(lock), "von A nach B abgestiegen: B für 2 Jahre festgeschrieben, bis 2.3.2020"; got != want {
		t.Errorf("German lock-in: %q, want %q", got, want)
	}
	if got, want := de.Reason(scs.Reason{Code: scs.ReasonYearlyCap, N: 50, Rule: "volunteer-service", Year: 2020, M: 1234}), "Jahreshöchstgrenze von 50 Punkten für „Ehrenamtlich geholfen“ im Jahr 2020 erreicht (+1.234 in diesem Jahr schon angerechnet)"; got != want {
		t.Errorf("German yearly cap: %q, want %q", got, want)
	}
	// A reason from an old trail is known only by its words.
	if got := de.Reason(scs.Reason{Code: scs.ReasonText, Text: "words"}); got != "words" {
		t.Errorf("old words: %q", got)
	}
}
