package server

import (
	"html"
	"html/template"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/text/language"

	"scs"
	"scs/classroom"
	"scs/schemes"
)

// textNode is one piece of text a page shows (a text node, or an alt,
// title, aria-label or placeholder attribute), with whether it is marked
// lang="en" on a page in another language (the language switch's own
// links aside).
type textNode struct {
	Text string
	En   bool
}

var (
	pageAttr     = regexp.MustCompile(`([a-zA-Z-]+)="([^"]*)"`)
	voidElements = map[string]bool{"meta": true, "link": true, "input": true, "br": true, "img": true, "hr": true}
)

// textNodes splits a page of ours into the texts it shows. It reads the
// well-formed HTML our templates write, not HTML at large.
func textNodes(page string) []textNode {
	type open struct {
		name, lang string
	}
	var stack []open
	lang := func() string {
		for i := len(stack) - 1; i >= 0; i-- {
			if stack[i].lang != "" {
				return stack[i].lang
			}
		}
		return ""
	}
	var out []textNode
	add := func(s string) {
		if s = strings.TrimSpace(html.UnescapeString(s)); s != "" {
			out = append(out, textNode{Text: s, En: lang() == "en"})
		}
	}
	for i := 0; i < len(page); {
		j := strings.IndexByte(page[i:], '<')
		if j < 0 {
			add(page[i:])
			break
		}
		add(page[i : i+j])
		i += j
		k := strings.IndexByte(page[i:], '>')
		if k < 0 {
			break
		}
		tag := page[i+1 : i+k]
		i += k + 1
		switch {
		case strings.HasPrefix(tag, "!"):
		case strings.HasPrefix(tag, "/"):
			name := strings.TrimSpace(tag[1:])
			for len(stack) > 0 {
				top := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				if top.name == name {
					break
				}
			}
		default:
			name, rest, _ := strings.Cut(tag, " ")
			if name == "script" || name == "style" {
				end := strings.Index(page[i:], "</"+name+">")
				if end < 0 {
					return out
				}
				i += end
				continue
			}
			o := open{name: name}
			switch_ := false
			for _, m := range pageAttr.FindAllStringSubmatch(rest, -1) {
				switch m[1] {
				case "lang":
					o.lang = m[2]
				case "hreflang":
					switch_ = true
				}
			}
			if switch_ { // the language switch names each language in itself
				o.lang = "switch"
			}
			if !voidElements[name] {
				stack = append(stack, o)
			}
			for _, m := range pageAttr.FindAllStringSubmatch(rest, -1) {
				if m[1] == "alt" || m[1] == "title" || m[1] == "aria-label" || m[1] == "placeholder" {
					add(m[2])
				}
			}
		}
	}
	return out
}

// englishWords are words of English sentences that German does not use.
var englishWords = regexp.MustCompile(`(?i)\b(the|of|and|to|is|you|your|for|with|from|by|not|this|that|has|have|are|were|which|when|their|points|grade|score|scored|records?|until|reached|locked|source|rule|round|students?|choices|reported|assumed|official|none|yes|no|per|year|years|months?|ours)\b`)

// englishOnly lists the English texts a German class page must not show:
// the fragments of the English catalogue between its format verbs, the
// schemes' own words (titles, descriptions, sources, notes, effects), each
// of at least 12 bytes and not also German.
func englishOnly() []string {
	de := strings.Join(func() []string {
		var v []string
		for _, m := range messagesDE {
			v = append(v, m)
		}
		return v
	}(), "\n")
	seen := map[string]bool{}
	var out []string
	add := func(s string) {
		s = strings.TrimSpace(s)
		if len(s) >= 12 && !seen[s] && !strings.Contains(de, s) {
			seen[s] = true
			out = append(out, s)
		}
	}
	for _, m := range messagesEN {
		for _, f := range formatVerb.Split(m, -1) {
			add(f)
		}
	}
	for _, name := range []string{"rongcheng", "sesame"} {
		s := schemes.MustLoad(name)
		add(s.Title)
		add(s.Description)
		for _, g := range s.Grades {
			add(g.Description)
			add(g.Source)
		}
		for _, c := range s.Capabilities {
			add(c.Description)
			add(c.Source)
		}
		for _, f := range s.Factors {
			add(f.Description)
			add(f.Source)
		}
		for _, r := range s.Rules {
			add(r.Description)
			add(r.Source)
			add(r.Notes)
			add(r.Effect.Describe())
		}
	}
	return out
}

// germanWords checks a German page: German, every text from the
// catalogue or the scheme's German words, nothing marked English unless
// allowEn; it returns the texts marked English.
func germanWords(t reporter, where, page string, english []string, allowEn bool) []string {
	t.Helper()
	if !strings.Contains(page, `<html lang="de">`) {
		t.Errorf("%s: not a German page:\n%.300s", where, page)
		return nil
	}
	var en []string
	for _, n := range textNodes(page) {
		if n.En {
			en = append(en, n.Text)
			if !allowEn {
				t.Errorf("%s: English in place of a missing translation: %q", where, n.Text)
			}
			continue
		}
		if w := englishWords.FindString(n.Text); w != "" {
			t.Errorf("%s: the English word %q in %q", where, w, n.Text)
			continue
		}
		for _, e := range english {
			if strings.Contains(n.Text, e) {
				t.Errorf("%s: English words %q in %q", where, e, n.Text)
				break
			}
		}
	}
	return en
}

// reporter is what germanWords needs of a test.
type reporter interface {
	Helper()
	Errorf(format string, args ...any)
}

// failures records what a check reports, for checking the check.
type failures struct{ n int }

func (f *failures) Helper()               {}
func (f *failures) Errorf(string, ...any) { f.n++ }

// TestClassPagesGerman walks every class page in German through a lesson
// under each built-in scheme (joining, consent and watching, every round
// with its choices, informing, an objection decided from the board, the
// game's end, the debrief, an error) and fails on any English: a text
// with an English word, a piece of the English catalogue or of a scheme's
// English words, or a word shown in English for want of a translation.
func TestClassPagesGerman(t *testing.T) {
	english := englishOnly()
	if len(english) < 200 {
		t.Fatalf("only %d English texts to look for", len(english))
	}
	// The checker can fail: English pages trip it.
	for _, probe := range []string{
		`<p>Posted criticism of the council</p>`,                                                           // the English catalogue
		`<p>` + template.HTMLEscapeString(schemes.MustLoad("rongcheng").Rules[0].Source) + `</p>`,          // a scheme's English words
		`<p>` + template.HTMLEscapeString(schemes.MustLoad("sesame").Capabilities[0].Description) + `</p>`, // another's
		`<p>Stufe B bis 2.3.2020 (the score's band is A)</p>`,                                              // an English word
		`<p lang="en">Zufall</p>`, // marked English
	} {
		var f failures
		germanWords(&f, "probe", `<html lang="de"><body>`+probe+`</body></html>`, english, false)
		if f.n == 0 {
			t.Errorf("the checker passes %s", probe)
		}
	}
	for _, scheme := range []string{"rongcheng", "sesame"} {
		t.Run(scheme, func(t *testing.T) { walkGerman(t, scheme, english) })
	}
}

var (
	classRadio = regexp.MustCompile(`<input type="radio" name="s-([a-z-]+)" value="([^"]+)" required( disabled)?>`)
	classCode  = regexp.MustCompile(`<strong class="code">([A-Z0-9]+)</strong>`)
	classmate  = regexp.MustCompile(`<select id="pseudonym" name="pseudonym"><option>([^<]+)</option>`)
	reportRule = regexp.MustCompile(`<select id="rule" name="rule"><option value="([a-z-]+)">`)
	reportID   = regexp.MustCompile(`name="report" value="(\d+)"`)
	decideForm = regexp.MustCompile(`action="(/class/[A-Z0-9]+/decide/\d+)"`)
	germanLang = "de-DE,de;q=0.9"
	objection  = "Das stimmt nicht, ich war es nicht."
)

func walkGerman(t *testing.T, scheme string, english []string) {
	s, _, tok := classServer(t)
	ts := httptest.NewServer(s)
	defer ts.Close()
	informing := scheme == "rongcheng" // sesame has no informing rule
	seen := 0
	check := func(who *browserless, what string) {
		t.Helper()
		seen++
		germanWords(t, scheme+" "+what, who.last, english, false)
	}
	teacher := newBrowserless(t, ts.URL, germanLang)
	teacher.get("/signin")
	teacher.post("/signin", url.Values{"token": {tok["teacher"]}, "next": {"/class/new"}})
	check(teacher, "new class")
	form := url.Values{"scheme": {scheme}, "rounds": {"3"}, "cards": {"on"}, "public_list": {"on"}}
	if informing {
		form.Set("informing", "on")
	}
	st, body := teacher.post("/class/new", form)
	m := classCode.FindStringSubmatch(body)
	if st != http.StatusOK || m == nil {
		t.Fatalf("open: %d\n%.600s", st, body)
	}
	code := m[1]
	check(teacher, "board before the game")
	teacher.get("/class/new")
	check(teacher, "new class with a class open")
	if !strings.Contains(teacher.last, "<td>"+template.HTMLEscapeString(schemes.BuiltinTexts(scheme, "de").Title)+"</td>") {
		t.Errorf("the teacher's classes do not name the scheme in German:\n%s", teacher.last)
	}
	// A form's error: the catalogue's sentence for its code, the detail
	// (the code's English) marked so.
	lost := newBrowserless(t, ts.URL, germanLang)
	lost.get("/join")
	lost.post("/join", url.Values{"code": {"ZZZZZZ"}})
	if en := germanWords(t, scheme+" join with a wrong code", lost.last, english, true); len(en) != 1 || !strings.Contains(lost.last, messagesDE["error.not_found"]) {
		t.Errorf("a wrong code's error: English %q\n%s", en, lost.last)
	}
	var students []*browserless
	for i := 0; i < 5; i++ {
		sb := newBrowserless(t, ts.URL, germanLang)
		sb.get("/join?code=" + code)
		check(sb, "join")
		sb.post("/join", url.Values{"code": {code}})
		check(sb, "consent")
		consent := "yes"
		if i == 4 {
			consent = "no"
		}
		sb.post("/class/"+code+"/me/consent", url.Values{"consent": {consent}})
		check(sb, "after consent "+consent)
		if i < 4 {
			students = append(students, sb)
		}
	}
	for r := 1; r <= 3; r++ {
		teacher.get("/class/" + code + "/board")
		teacher.post("/class/"+code+"/advance", url.Values{})
		check(teacher, "board in a round")
		for i, sb := range students {
			sb.get("/class/" + code + "/me")
			check(sb, "play page")
			form := url.Values{"round": {strconv.Itoa(r)}}
			for _, m := range classRadio.FindAllStringSubmatch(sb.last, -1) {
				// Give in to every temptation, post every post, pay no bill
				// late... the choices that bring deductions, lock-ins and caps.
				if m[3] == "" && (form.Get("s-"+m[1]) == "" || m[2] == "yes" || m[2] == "late" || len(m[2]) > len(form.Get("s-"+m[1]))) {
					form.Set("s-"+m[1], m[2])
				}
			}
			if st, _ := sb.post("/class/"+code+"/me/play", form); st != http.StatusOK {
				t.Fatalf("play: %d\n%s", st, sb.last)
			}
			check(sb, "results")
			if informing && i == 0 {
				who, rule := classmate.FindStringSubmatch(sb.last), reportRule.FindStringSubmatch(sb.last)
				if who != nil && rule != nil {
					sb.post("/class/"+code+"/me/report", url.Values{"pseudonym": {who[1]}, "rule": {rule[1]}})
					check(sb, "after a report")
				}
			}
		}
		if informing {
			for _, sb := range students {
				sb.get("/class/" + code + "/me")
				if m := reportID.FindStringSubmatch(sb.last); m != nil {
					sb.post("/class/"+code+"/me/object", url.Values{"report": {m[1]}, "reason": {objection}})
					check(sb, "after an objection")
					teacher.get("/class/" + code + "/board")
					check(teacher, "board with an objection")
					if d := decideForm.FindStringSubmatch(teacher.last); d != nil {
						teacher.post(d[1], url.Values{"decision": {"reject"}, "reason": {"Es war sichtbar."}})
						check(teacher, "board after a decision")
					}
					break
				}
			}
		}
	}
	teacher.get("/class/" + code + "/board")
	teacher.post("/class/"+code+"/advance", url.Values{})
	check(teacher, "board after the game")
	for _, sb := range students {
		sb.get("/class/" + code + "/me")
		check(sb, "student after the game")
	}
	teacher.get("/class/" + code + "/debrief")
	check(teacher, "debrief")

	if !strings.Contains(strings.Join(func() []string {
		var v []string
		for _, sb := range students {
			v = append(v, sb.last)
		}
		return v
	}(), ""), `class="entry"`) {
		t.Errorf("no student's page shows an entry of their file: nothing of the engine's was checked")
	}
	// An error page: the catalogue's sentence, the detail marked English.
	teacher.get("/class/ZZZZZZ/board")
	en := germanWords(t, scheme+" error page", teacher.last, english, true)
	if len(en) != 1 {
		t.Errorf("the error page's English detail: %q", en)
	}
	teacher.get("/class/" + code + "/board")
	teacher.post("/class/"+code+"/close", url.Values{"confirm": {"yes"}})
	check(teacher, "board closed")
	if seen < 40 {
		t.Errorf("only %d pages walked", seen)
	}
}

// TestClassWordFallback: a word of the scheme's without a German
// translation is shown in English, marked lang="en", on a German page;
// with the translation it is German.
func TestClassWordFallback(t *testing.T) {
	rc := schemes.MustLoad("rongcheng")
	de := newLocalizer(language.German)
	de.sch = rc
	full := schemes.BuiltinTexts("rongcheng", "de")
	part := *full
	part.Rules = map[string]schemes.Text{}
	for id, tx := range full.Rules {
		if id != "bought-diapers" {
			part.Rules[id] = tx
		}
	}
	rule, _ := rc.Rule("bought-diapers")
	entry := classroom.Entry{Round: 1, Via: "choice", Description: rule.Description, Provenance: rule.Provenance,
		TrailEntry: scs.TrailEntry{Rule: "bought-diapers", Applied: 1, Score: 1001, Grade: "A"}}
	render := func(tx *schemes.Texts) string {
		de.tx = tx
		var b strings.Builder
		p := classPage{L: de}
		if err := (&Server{}).classTemplate("student").ExecuteTemplate(&b, "entry", struct {
			L      *Localizer
			E      entryView
			Rounds int
		}{p.L, de.entry(entry), 3}); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	got := render(&part)
	want := `<span lang="en">` + template.HTMLEscapeString(rule.Description) + `</span>`
	if !strings.Contains(got, want) || !strings.Contains(got, `<span lang="en">`+template.HTMLEscapeString(rule.Source)+`</span>`) {
		t.Errorf("a missing translation is not shown in English, marked:\n%s", got)
	}
	got = render(full)
	if strings.Contains(got, `lang="en"`) || !strings.Contains(got, template.HTMLEscapeString(full.Rules["bought-diapers"].Description)) {
		t.Errorf("the translation is not shown:\n%s", got)
	}
}
