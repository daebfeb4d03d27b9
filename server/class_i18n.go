package server

import (
	"html/template"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/message/catalog"

	"scs"
	"scs/classroom"
	"scs/schemes"
)

// The message catalogue of the class pages: every word they show comes
// from catalogs (class_messages.go), English and German complete (a test
// fails on a missing key). The language follows the browser's
// Accept-Language and can be switched with ?lang=en or ?lang=de, which a
// cookie remembers.

const langCookie = "scs_lang"

var (
	classLangs   = []language.Tag{language.English, language.German}
	classMatcher = language.NewMatcher(classLangs)
	classCatalog = func() catalog.Catalog {
		b := catalog.NewBuilder(catalog.Fallback(language.English))
		for tag, msgs := range catalogs {
			for k, v := range msgs {
				if err := b.SetString(tag, k, v); err != nil {
					panic("class catalogue: " + k + ": " + err.Error())
				}
			}
		}
		return b
	}()
)

// Localizer prints the catalogue's messages in one language.
type Localizer struct {
	Lang  string // "en" or "de"
	tag   language.Tag
	p     *message.Printer
	langs []string
	sch   *scs.Scheme    // the class's scheme, for its words; nil before one is known
	tx    *schemes.Texts // its words in the page's language; nil for English or none
}

// useScheme makes the class's scheme the one whose words l renders.
func (l *Localizer) useScheme(cs *classroom.Service, name string) {
	if sch, err := cs.Scheme(name); err == nil {
		l.sch = sch
		if l.Lang != "en" {
			l.tx = schemes.BuiltinTexts(name, l.Lang)
		}
	}
}

func newLocalizer(tag language.Tag) *Localizer {
	base, _ := tag.Base()
	return &Localizer{Lang: base.String(), tag: tag, p: message.NewPrinter(tag, message.Catalog(classCatalog)), langs: []string{"en", "de"}}
}

// Langs lists the languages to switch to.
func (l *Localizer) Langs() []string { return l.langs }

// T returns the message key in the localizer's language, formatted with
// args (numbers with the language's separators).
func (l *Localizer) T(key string, args ...any) string { return l.p.Sprintf(key, args...) }

// Has reports whether the catalogue has key.
func (l *Localizer) Has(key string) bool {
	_, ok := catalogs[language.English][key]
	return ok
}

// Num renders a whole number with the language's separators.
func (l *Localizer) Num(n int64) string { return l.p.Sprintf("%d", n) }

// localizer picks the visitor's language: ?lang= (remembered in a cookie),
// then the cookie, then Accept-Language.
func (s *Server) localizer(w http.ResponseWriter, r *http.Request) *Localizer {
	pick := func(v string) (language.Tag, bool) {
		switch v {
		case "en":
			return language.English, true
		case "de":
			return language.German, true
		}
		return language.Und, false
	}
	if t, ok := pick(r.URL.Query().Get("lang")); ok {
		http.SetCookie(w, &http.Cookie{Name: langCookie, Value: r.URL.Query().Get("lang"), Path: "/", SameSite: http.SameSiteLaxMode, MaxAge: 365 * 24 * 3600})
		return newLocalizer(t)
	}
	if c, err := r.Cookie(langCookie); err == nil {
		if t, ok := pick(c.Value); ok {
			return newLocalizer(t)
		}
	}
	tags, _, _ := language.ParseAcceptLanguage(r.Header.Get("Accept-Language"))
	_, i, _ := classMatcher.Match(tags...)
	return newLocalizer(classLangs[i])
}

type optView struct {
	Value    string
	Label    string
	Disabled bool
}

type sitView struct {
	Rule    string
	Kind    string
	Title   Word
	Story   string
	Visible bool
	Effect  string
	Source  string
	Status  string
	Options []optView
}

// Word is one of the scheme's words on a page: in the page's language,
// or in English (En) when the scheme's words have no translation for it;
// the template function w marks those lang="en".
type Word struct {
	Text string
	En   bool
}

func (w Word) String() string { return w.Text }

// html renders w, marked lang="en" when it is English on a page that is
// not.
func (w Word) html() template.HTML {
	if w.En {
		return template.HTML(`<span lang="en">` + template.HTMLEscapeString(w.Text) + `</span>`)
	}
	return template.HTML(template.HTMLEscapeString(w.Text))
}

// word picks the translation tr, or the English en when there is none.
func (l *Localizer) word(tr, en string) Word {
	if tr != "" {
		return Word{Text: tr}
	}
	return Word{Text: en, En: l.Lang != "en" && en != ""}
}

// texts are the scheme's words in the page's language (nil for English or
// when there are none).
func (l *Localizer) texts() *schemes.Texts { return l.tx }

// Act names a rule's act: the catalogue's words for the rules the game
// asks about, else the scheme's description of the rule (description,
// when the rule is not the scheme's).
func (l *Localizer) Act(rule, description string) Word {
	if k := "act." + rule; l.Has(k) {
		return Word{Text: l.T(k)}
	}
	return l.ruleDesc(rule, description)
}

// ruleDesc is the scheme's description of a rule in the page's language.
func (l *Localizer) ruleDesc(rule, description string) Word {
	if l.sch != nil {
		if r, ok := l.sch.Rule(rule); ok {
			description = r.Description
		}
	}
	tr := ""
	if tx := l.texts(); tx != nil {
		tr = tx.Rules[rule].Description
	}
	return l.word(tr, description)
}

// ruleSource is a rule's source in the page's language.
func (l *Localizer) ruleSource(rule, source string) Word {
	tr := ""
	if tx := l.texts(); tx != nil {
		tr = tx.Rules[rule].Source
	}
	return l.word(tr, source)
}

// situation renders a situation; st, when given, disables the options the
// student's card cannot pay for.
func (l *Localizer) situation(si classroom.Situation, st *classroom.Student) sitView {
	v := sitView{Rule: si.Rule, Kind: si.Kind, Title: l.Act(si.Rule, si.Description), Visible: si.Visible, Effect: si.Effect, Source: si.Source, Status: string(si.Status)}
	if l.sch != nil {
		if r, ok := l.sch.Rule(si.Rule); ok {
			v.Effect = l.Effect(r.Effect)
		}
	}
	var args []any
	if si.Kind == classroom.KindBill {
		args = append(args, si.Bill)
	}
	if l.Has("sit." + si.Rule) {
		v.Story = l.T("sit."+si.Rule, args...)
	} else {
		v.Story = l.T("sit.kind."+si.Kind, append([]any{l.ruleDesc(si.Rule, si.Description).Text}, args...)...)
	}
	for _, o := range si.Options {
		ov := optView{Value: o}
		switch si.Kind {
		case classroom.KindDonation, classroom.KindVolunteer:
			if n, err := strconv.ParseInt(o, 10, 64); err == nil && len(si.Options) > 2 {
				ov.Label = l.T("opt."+si.Kind+".amount", n)
				if st != nil && ((si.Kind == classroom.KindDonation && n > st.Money) || (si.Kind == classroom.KindVolunteer && n > st.Hours)) {
					ov.Disabled = true
				}
				break
			}
			ov.Label = l.T("opt.yesno." + o)
		case classroom.KindBill:
			ov.Label = l.T("opt.bill."+o, si.Bill)
			if st != nil && o == "pay" && si.Bill > st.Money {
				ov.Disabled = true
			}
		case classroom.KindSpeech:
			ov.Label = l.T("opt.speech." + o)
		default:
			ov.Label = l.T("opt.yesno." + o)
		}
		v.Options = append(v.Options, ov)
	}
	return v
}

type entryView struct {
	Round   int
	Title   Word
	Via     string
	Asked   int64
	Applied int64
	Score   int64
	Grade   string
	Reason  string
	Source  Word
	Status  string // the source's status (scs.Status)
	Sure    string // the status in words
}

func (l *Localizer) entry(e classroom.Entry) entryView {
	reason := e.Reason
	if len(e.Reasons) > 0 {
		reason = l.Reasons(e.Reasons)
	}
	return entryView{Round: e.Round, Title: l.Act(e.Rule, e.Description), Via: l.T("via." + e.Via), Asked: e.Asked, Applied: e.Applied,
		Score: e.Score, Grade: l.Grade(e.Grade), Reason: reason, Source: l.ruleSource(e.Rule, e.Source), Status: string(e.Status), Sure: l.T("prov." + string(e.Status))}
}

// Grade names a grade of the class's scheme: its label in the page's
// language, or its name.
func (l *Localizer) Grade(name string) string {
	if tx := l.texts(); tx != nil && tx.Grades[name].Label != "" {
		return tx.Grades[name].Label
	}
	return name
}

// ruleTitle names a rule of the class's scheme by its id.
func (l *Localizer) ruleTitle(id string) string { return l.Act(id, id).Text }

// factorName names a factor of the class's scheme: its label in the
// page's language, or its name.
func (l *Localizer) factorName(name string) string {
	if tx := l.texts(); tx != nil && tx.Factors[name].Label != "" {
		return tx.Factors[name].Label
	}
	return name
}

// Reasons renders the engine's reasons for a trail entry, joined by "; ".
func (l *Localizer) Reasons(rs []scs.Reason) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = l.Reason(r)
	}
	return strings.Join(parts, "; ")
}

// Reason renders one of the engine's reasons from its code and arguments
// (a reason known only by its English words, from an old trail, as those).
func (l *Localizer) Reason(r scs.Reason) string {
	k := "reason." + string(r.Code)
	switch r.Code {
	case scs.ReasonFloor, scs.ReasonCeiling:
		return l.T(k, r.N)
	case scs.ReasonYearlyCap:
		return l.T(k, r.N, l.ruleTitle(r.Rule), strconv.Itoa(r.Year), r.M)
	case scs.ReasonLockHeld:
		return l.T(k, l.Grade(r.Grade), l.Day(r.Until), l.Grade(r.Band))
	case scs.ReasonLockIn:
		return l.T(k, l.Grade(r.Band), l.Grade(r.Grade), l.Period(r.Period), l.Day(r.Until))
	case scs.ReasonDropCut, scs.ReasonDropNoop:
		return l.T(k, r.N, l.Grade(r.Grade))
	case scs.ReasonIgnored:
		title := r.Name
		if l.sch != nil && l.sch.Name == r.Name {
			title = l.SchemeTitle().Text
		}
		return l.T(k, title, l.ruleTitle(r.Rule))
	case scs.ReasonFactor:
		return l.T(k, l.p.Sprintf("%+.4g", r.Value), l.factorName(r.Name), l.Day(r.Until))
	case scs.ReasonOrder:
		lock := l.T("reason.order.nolock")
		if r.Band != "" {
			lock = l.T("reason.order.lock", l.Grade(r.Band), l.Day(r.Until))
		}
		return l.T(k, r.Name, r.N, l.Grade(r.Grade), lock)
	case scs.ReasonUnderAge:
		return l.T(k, r.N, strconv.FormatInt(r.M, 10), l.Day(r.At))
	case scs.ReasonResidence:
		return l.T(k, l.Day(r.At), l.Period(r.Period), l.Day(r.Until))
	case scs.ReasonWithdrew, scs.ReasonBeforeConsent:
		return l.T(k, l.Day(r.At))
	case scs.ReasonNoConsent:
		return l.T(k)
	}
	return r.String()
}

// Period renders a length of time such as a lock-in ("2 years").
func (l *Localizer) Period(p scs.Period) string {
	var parts []string
	for _, part := range p.Parts() {
		if part.N == 1 {
			parts = append(parts, l.T("period."+part.Unit+".one"))
		} else {
			parts = append(parts, l.T("period."+part.Unit+".n", part.N))
		}
	}
	if len(parts) == 0 {
		return l.T("none")
	}
	return strings.Join(parts, " ")
}

// Day renders a day (in the time's own zone, the scheme's for the
// engine's reasons).
func (l *Localizer) Day(t time.Time) string { return t.Format(l.T("layout.day")) }

// SchemeTitle is the class's scheme's title.
func (l *Localizer) SchemeTitle() Word {
	if l.sch == nil {
		return Word{}
	}
	tr := ""
	if tx := l.texts(); tx != nil {
		tr = tx.Title
	}
	return l.word(tr, l.sch.Title)
}

// failure renders a form's error: its message; on a page in another
// language, the catalogue's sentence for its code and the message (which
// the code writes in English) marked lang="en".
func (l *Localizer) failure(err error) template.HTML {
	msg := template.HTMLEscapeString(scs.ErrorMessage(err))
	if l.Lang == "en" {
		return template.HTML(msg)
	}
	return template.HTML(template.HTMLEscapeString(l.T("error."+scs.ErrorCode(err))) + ` <span lang="en">` + msg + `</span>`)
}

// schemeTitles are the built-in schemes' titles in l's language, by name.
func (l *Localizer) schemeTitles(cs *classroom.Service) map[string]Word {
	out := map[string]Word{}
	for _, name := range classroom.Schemes() {
		o := *l
		o.useScheme(cs, name)
		out[name] = o.SchemeTitle()
	}
	return out
}

// Effect renders a rule's effect in points.
func (l *Localizer) Effect(e scs.Effect) string {
	switch e.Kind {
	case scs.EffectFixed:
		return l.T("effect.fixed", e.Points)
	case scs.EffectPerUnit:
		return l.T("effect.per-unit", e.Points, l.p.Sprintf("%v", e.Unit), l.Quantity(e.Quantity))
	case scs.EffectRange:
		return l.T("effect.range", e.Min, e.Max)
	case scs.EffectTiered:
		return l.T("effect.tiered", l.Quantity(e.Quantity))
	case scs.EffectDropTo:
		return l.T("effect.drop-to", l.Grade(e.DropTo))
	case scs.EffectFactor:
		if e.Quantity == "" {
			return l.T("effect.factor", l.p.Sprintf("%+v", e.Value), l.factorName(e.Factor))
		}
		return l.T("effect.factor.per", l.p.Sprintf("%+v", e.Value), l.Quantity(e.Quantity), l.factorName(e.Factor))
	}
	return e.Describe()
}

// Quantity names what a rule counts (yuan, hours, months).
func (l *Localizer) Quantity(q string) string {
	if k := "qty." + q; l.Has(k) {
		return l.T(k)
	}
	return q
}

// Capability names a capability of the class's scheme: the catalogue's
// words for Rongcheng's, else the scheme's description of it.
func (l *Localizer) Capability(name string) Word {
	if k := "cap." + name; l.Has(k) {
		return Word{Text: l.T(k)}
	}
	desc, tr := name, ""
	if l.sch != nil {
		if c, ok := l.sch.Capability(name); ok && c.Description != "" {
			desc = c.Description
		}
	}
	if tx := l.texts(); tx != nil {
		tr = tx.Capabilities[name].Description
	}
	return l.word(tr, desc)
}

// Card names a money card.
func (l *Localizer) Card(card string) string { return l.T("card." + card) }

// Verdict renders the simulator's verdict.
func (l *Localizer) Verdict(v string) string {
	if k := "verdict." + v; l.Has(k) {
		return l.T(k)
	}
	return v
}

// Float renders a figure with one decimal in the language's style.
func (l *Localizer) Float(f *float64) string {
	if f == nil {
		return l.T("none")
	}
	return l.p.Sprintf("%.1f", *f)
}

// classFigure puts the class's own figure for a claim in words.
func (l *Localizer) classFigure(id string, c *classroom.ClassFigures) string {
	switch id {
	case "chilled-speech":
		return l.T("debrief.class.chilled-speech", c.CriticismFirst, c.PlayedFirst, c.CriticismLast, c.PlayedLast)
	case "informants":
		return l.T("debrief.class.informants", c.Informants, c.Scored, c.Reports, c.Objections, c.Upheld)
	case "rich-pay":
		return l.T("debrief.class.rich-pay", l.Float(c.RichMeanScore), c.Rich, l.Float(c.PoorMeanScore), c.Poor, c.Donated)
	case "lock-in":
		return l.T("debrief.class.lock-in", c.Locked, c.Scored, c.PublicList)
	}
	return ""
}

// catalogKeys lists the catalogue's keys, sorted (for tests).
func catalogKeys(tag language.Tag) []string {
	var out []string
	for k := range catalogs[tag] {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
