package schemes

import (
	"embed"
	"fmt"
	"reflect"
	"strings"
	"sync"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"scs"
)

// A scheme's words in another language live in a file of their own beside
// the scheme, NAME.LANG.yaml (the built-in schemes' in locales/): the
// scheme's title and description, and the description, source and notes of
// its grades, capabilities, factors and rules, each found by its name or
// id, with a display name (label) for grades and factors. The scheme file
// itself stays one language (English); a word without a translation is
// shown in English.

//go:embed locales/*.yaml
var locales embed.FS

// Texts are a scheme's words in one language other than English.
type Texts struct {
	Scheme       string
	Lang         string
	Title        string
	Description  string
	Grades       map[string]Text // by grade name
	Capabilities map[string]Text // by capability name
	Factors      map[string]Text // by factor name
	Rules        map[string]Text // by rule id
}

// Text is the translation of one grade, capability, factor or rule; an
// empty field has none.
type Text struct {
	Label       string // a display name (grades and factors)
	Description string
	Source      string
	Notes       string
}

type fileTexts struct {
	Scheme       string     `yaml:"scheme"`
	Lang         string     `yaml:"lang"`
	Title        string     `yaml:"title"`
	Description  string     `yaml:"description"`
	Grades       []fileText `yaml:"grades"`
	Capabilities []fileText `yaml:"capabilities"`
	Factors      []fileText `yaml:"factors"`
	Rules        []fileText `yaml:"rules"`
}

type fileText struct {
	Name        string `yaml:"name"` // grades, capabilities, factors
	ID          string `yaml:"id"`   // rules
	Label       string `yaml:"label"`
	Description string `yaml:"description"`
	Source      string `yaml:"source"`
	Notes       string `yaml:"notes"`
}

// BuiltinTexts returns the words of the built-in scheme called name in
// lang, or nil when there are none (English is the scheme file itself).
// It panics if a built-in translation does not parse, which a test rules
// out.
func BuiltinTexts(name, lang string) *Texts {
	k := name + "." + lang
	if t, ok := builtinTexts.Load(k); ok {
		return t.(*Texts)
	}
	t := builtinTextsOf(name, lang)
	builtinTexts.Store(k, t)
	return t
}

// builtinTexts holds the built-in schemes' words by NAME.LANG, read once.
var builtinTexts sync.Map

func builtinTextsOf(name, lang string) *Texts {
	if strings.ContainsAny(name+lang, "/\\.") {
		return nil
	}
	b, err := locales.ReadFile("locales/" + name + "." + lang + ".yaml")
	if err != nil {
		return nil
	}
	s, err := Load(name)
	if err != nil {
		return nil
	}
	t, err := ParseTexts("schemes/locales/"+name+"."+lang+".yaml", b, s)
	if err != nil {
		panic(err)
	}
	return t
}

// ParseTexts reads the translation of scheme s's words in file (named in
// errors) and checks it against s: every grade, capability, factor and
// rule it names must be the scheme's, each named once, and every word it
// translates must be one the scheme has. Every problem is reported with
// its line, column and field, in a *ParseError that unwraps to an
// scs.EINVALID error.
func ParseTexts(file string, data []byte, s *scs.Scheme) (t *Texts, err error) {
	if len(data) > MaxFileSize {
		return nil, &ParseError{File: file, Problems: []Problem{{Line: 1, Column: 1, Message: fmt.Sprintf("file is %d bytes; the limit is %d", len(data), MaxFileSize)}}}
	}
	defer func() {
		if r := recover(); r != nil {
			t, err = nil, &ParseError{File: file, Problems: []Problem{{Line: 1, Column: 1, Message: fmt.Sprintf("the YAML reader failed on this file: %v", r)}}}
		}
	}()
	f, perr := parser.ParseBytes(data, 0)
	if perr != nil {
		return nil, yamlProblem(file, perr)
	}
	if len(f.Docs) != 1 || f.Docs[0].Body == nil || f.Docs[0].Body.Type() != ast.MappingType {
		return nil, &ParseError{File: file, Problems: []Problem{{Line: 1, Column: 1, Message: "want one YAML document: a mapping of scheme, lang, title, description, grades, capabilities, factors and rules"}}}
	}
	var probs []Problem
	shapeWalk(f.Docs[0].Body, typeOfFileTexts, "$", &probs)
	if len(probs) > 0 {
		return nil, &ParseError{File: file, Problems: probs}
	}
	var ft fileTexts
	if err := yaml.NodeToValue(f.Docs[0].Body, &ft, yaml.DisallowUnknownField()); err != nil {
		return nil, yamlProblem(file, err)
	}
	v := &validator{file: file, ast: f}
	t = v.texts(&ft, s)
	if len(v.problems) > 0 {
		return nil, &ParseError{File: file, Problems: v.problems}
	}
	return t, nil
}

func (v *validator) texts(ft *fileTexts, s *scs.Scheme) *Texts {
	t := &Texts{Scheme: ft.Scheme, Lang: ft.Lang, Title: strings.TrimSpace(ft.Title), Description: strings.TrimSpace(ft.Description),
		Grades: map[string]Text{}, Capabilities: map[string]Text{}, Factors: map[string]Text{}, Rules: map[string]Text{}}
	switch {
	case ft.Scheme == "":
		v.fail("$.scheme", "missing; name the scheme these are the words of (%s)", s.Name)
	case ft.Scheme != s.Name:
		v.fail("$.scheme", "%q is not the scheme these words are read for (%s)", ft.Scheme, s.Name)
	}
	if !isLang(ft.Lang) {
		v.fail("$.lang", "%q is not a language; want a two-letter code other than en, such as de", ft.Lang)
	}
	v.textWord("$.title", ft.Title, s.Title)
	v.textWord("$.description", ft.Description, s.Description)
	type english struct{ desc, source, notes string }
	grades := map[string]english{}
	for _, g := range s.Grades {
		grades[g.Name] = english{g.Description, g.Source, g.Notes}
	}
	caps := map[string]english{}
	for _, c := range s.Capabilities {
		caps[c.Name] = english{c.Description, c.Source, c.Notes}
	}
	factors := map[string]english{}
	for _, f := range s.Factors {
		factors[f.Name] = english{f.Description, f.Source, f.Notes}
	}
	rules := map[string]english{}
	for _, r := range s.Rules {
		rules[r.ID] = english{r.Description, r.Source, r.Notes}
	}
	list := func(field, key string, items []fileText, known map[string]english, labels bool, out map[string]Text) {
		for i, it := range items {
			p := fmt.Sprintf("$.%s[%d]", field, i)
			id, other := it.Name, it.ID
			if key == "id" {
				id, other = it.ID, it.Name
			}
			if other != "" {
				v.fail(p, "a %s is named by its %s, not by the other field", strings.TrimSuffix(field, "s"), key)
			}
			en, ok := known[id]
			switch {
			case id == "":
				v.fail(p+"."+key, "missing; name the scheme's %s this translates", strings.TrimSuffix(field, "s"))
				continue
			case !ok:
				v.fail(p+"."+key, "%q is not a %s of scheme %s", id, strings.TrimSuffix(field, "s"), s.Name)
				continue
			}
			if _, dup := out[id]; dup {
				v.fail(p+"."+key, "%q is translated twice", id)
				continue
			}
			if it.Label != "" && !labels {
				v.fail(p+".label", "only grades and factors have a label")
			}
			v.textWord(p+".label", it.Label, "label")
			v.textWord(p+".description", it.Description, en.desc)
			v.textWord(p+".source", it.Source, en.source)
			v.textWord(p+".notes", it.Notes, en.notes)
			out[id] = Text{Label: strings.TrimSpace(it.Label), Description: strings.TrimSpace(it.Description),
				Source: strings.TrimSpace(it.Source), Notes: strings.TrimSpace(it.Notes)}
		}
	}
	list("grades", "name", ft.Grades, grades, true, t.Grades)
	list("capabilities", "name", ft.Capabilities, caps, false, t.Capabilities)
	list("factors", "name", ft.Factors, factors, true, t.Factors)
	list("rules", "id", ft.Rules, rules, false, t.Rules)
	return t
}

var typeOfFileTexts = reflect.TypeOf(fileTexts{})

// maxWord bounds one translated text, in bytes.
const maxWord = 8000

// textWord checks one translated word: text of at most maxWord bytes, and
// only where the scheme has the English word (en) it translates.
func (v *validator) textWord(path, word, en string) {
	switch {
	case word == "":
	case strings.TrimSpace(en) == "":
		v.fail(path, "the scheme has no English words here to translate")
	case len(word) > maxWord:
		v.fail(path, "%d bytes; the limit is %d", len(word), maxWord)
	case strings.TrimSpace(word) == "":
		v.fail(path, "blank; leave the field out to show the English words")
	}
}

func isLang(s string) bool {
	return len(s) == 2 && s != "en" && s[0] >= 'a' && s[0] <= 'z' && s[1] >= 'a' && s[1] <= 'z'
}

// Missing lists the scheme's words that t does not translate, as paths
// such as "rules[tax-evasion].source"; empty when t is complete.
func (t *Texts) Missing(s *scs.Scheme) []string {
	var out []string
	need := func(path, en, tr string) {
		if strings.TrimSpace(en) != "" && tr == "" {
			out = append(out, path)
		}
	}
	need("title", s.Title, t.Title)
	need("description", s.Description, t.Description)
	item := func(kind, id, desc, source, notes string, tr Text) {
		need(kind+"["+id+"].description", desc, tr.Description)
		need(kind+"["+id+"].source", source, tr.Source)
		need(kind+"["+id+"].notes", notes, tr.Notes)
	}
	for _, g := range s.Grades {
		item("grades", g.Name, g.Description, g.Source, g.Notes, t.Grades[g.Name])
	}
	for _, c := range s.Capabilities {
		item("capabilities", c.Name, c.Description, c.Source, c.Notes, t.Capabilities[c.Name])
	}
	for _, f := range s.Factors {
		item("factors", f.Name, f.Description, f.Source, f.Notes, t.Factors[f.Name])
	}
	for _, r := range s.Rules {
		item("rules", r.ID, r.Description, r.Source, r.Notes, t.Rules[r.ID])
	}
	return out
}
