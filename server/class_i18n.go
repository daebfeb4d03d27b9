package server

import (
	"net/http"
	"sort"
	"strconv"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/message/catalog"

	"scs/classroom"
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
	Title   string
	Story   string
	Visible bool
	Effect  string
	Source  string
	Status  string
	Options []optView
}

// Act names a rule's act: the catalogue's words for the rules the game
// asks about, the scheme's own words for any other.
func (l *Localizer) Act(rule, description string) string {
	if k := "act." + rule; l.Has(k) {
		return l.T(k)
	}
	return description
}

// situation renders a situation; st, when given, disables the options the
// student's card cannot pay for.
func (l *Localizer) situation(si classroom.Situation, st *classroom.Student) sitView {
	v := sitView{Rule: si.Rule, Kind: si.Kind, Title: l.Act(si.Rule, si.Description), Visible: si.Visible, Effect: si.Effect, Source: si.Source, Status: string(si.Status)}
	var args []any
	if si.Kind == classroom.KindBill {
		args = append(args, si.Bill)
	}
	if l.Has("sit." + si.Rule) {
		v.Story = l.T("sit."+si.Rule, args...)
	} else {
		v.Story = l.T("sit.kind."+si.Kind, append([]any{si.Description}, args...)...)
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
	Title   string
	Via     string
	Asked   int64
	Applied int64
	Score   int64
	Grade   string
	Reason  string
	Source  string
	Status  string
}

func (l *Localizer) entry(e classroom.Entry) entryView {
	return entryView{Round: e.Round, Title: l.Act(e.Rule, e.Description), Via: l.T("via." + e.Via), Asked: e.Asked, Applied: e.Applied,
		Score: e.Score, Grade: e.Grade, Reason: e.Reason, Source: e.Source, Status: string(e.Status)}
}

// Capability names a capability in the localizer's language.
func (l *Localizer) Capability(name string) string {
	if k := "cap." + name; l.Has(k) {
		return l.T(k)
	}
	return name
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
