package schemes_test

import (
	"errors"
	"os"
	"strings"
	"testing"

	"scs"
	"scs/schemes"
)

// TestBuiltinTextsComplete: the built-in schemes' German words parse and
// translate every title, description, source and note of their grades,
// capabilities, factors and rules.
func TestBuiltinTextsComplete(t *testing.T) {
	for _, name := range []string{"rongcheng", "sesame"} {
		tx := schemes.BuiltinTexts(name, "de")
		if tx == nil {
			t.Fatalf("%s has no German words", name)
		}
		if m := tx.Missing(schemes.MustLoad(name)); len(m) > 0 {
			t.Errorf("%s: German lacks %d words: %s", name, len(m), strings.Join(m, ", "))
		}
	}
	if schemes.BuiltinTexts("rongcheng", "fr") != nil || schemes.BuiltinTexts("../rongcheng", "de") != nil {
		t.Error("words for a language or scheme that has none")
	}
}

// TestTextsMissing: a translation that leaves a word out says which.
func TestTextsMissing(t *testing.T) {
	s := schemes.MustLoad("rongcheng")
	tx, err := schemes.ParseTexts("t.yaml", []byte("scheme: rongcheng\nlang: de\ntitle: Titel\nrules:\n  - id: tax-evasion\n    description: hat Steuern hinterzogen\n"), s)
	if err != nil {
		t.Fatal(err)
	}
	m := strings.Join(tx.Missing(s), " ")
	for _, want := range []string{"description", "rules[tax-evasion].source", "grades[AAA].description", "capabilities[loan].source"} {
		if !strings.Contains(m, want) {
			t.Errorf("missing words %q lack %q", m, want)
		}
	}
	if strings.Contains(m, "rules[tax-evasion].description") || strings.Contains(m, "title ") {
		t.Errorf("missing words %q name a translated word", m)
	}
}

// TestParseTextsErrors: every fault of a translation file is reported at
// its file:line:column and field.
func TestParseTextsErrors(t *testing.T) {
	s := schemes.MustLoad("rongcheng")
	src := `scheme: rongcheng
lang: de
titel: Tippfehler
grades:
  - name: AAA
    label: AAA
    description: der „perfekte Bürger“
    notes: the scheme has none here
  - name: Z
    description: keine solche Stufe
capabilities:
  - name: loan
    label: Kredit
    description: [eine, Liste]
rules:
  - id: tax-evasion
    description: hat Steuern hinterzogen
  - id: tax-evasion
    description: doppelt
  - name: heroic-act
`
	_, err := schemes.ParseTexts("rongcheng.de.yaml", []byte(src), s)
	var pe *schemes.ParseError
	if !errors.As(err, &pe) || scs.ErrorCode(err) != scs.EINVALID {
		t.Fatalf("error %v, want a *ParseError with the invalid code", err)
	}
	// Shape first: an unknown field and a value of the wrong kind.
	for _, want := range []string{
		`rongcheng.de.yaml:3:1: titel: unknown field "titel"`,
		`rongcheng.de.yaml:14:18: capabilities[0].description: want text, found a list`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	src = strings.Replace(strings.Replace(src, "titel: Tippfehler\n", "", 1), "description: [eine, Liste]", "description: irgendein Kredit", 1)
	_, err = schemes.ParseTexts("rongcheng.de.yaml", []byte(src), s)
	for _, want := range []string{
		`rongcheng.de.yaml:7:12: grades[0].notes: the scheme has no English words here to translate`,
		`rongcheng.de.yaml:8:11: grades[1].name: "Z" is not a grade of scheme rongcheng`,
		`rongcheng.de.yaml:12:12: capabilities[0].label: only grades and factors have a label`,
		`rongcheng.de.yaml:17:9: rules[1].id: "tax-evasion" is translated twice`,
		`rongcheng.de.yaml:19:9: rules[2]: a rule is named by its id, not by the other field`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	for _, c := range []struct{ src, want string }{
		{"scheme: sesame\nlang: de\n", `t.yaml:1:9: scheme: "sesame" is not the scheme these words are read for (rongcheng)`},
		{"scheme: rongcheng\nlang: en\n", `t.yaml:2:7: lang: "en" is not a language`},
		{"scheme: rongcheng\n", `t.yaml:1:1: lang: "" is not a language`},
		{"lang: de\n", `t.yaml:1:1: scheme: missing`},
		{"- a\n- b\n", `t.yaml:1:1: want one YAML document`},
		{"scheme: rongcheng\nlang: de\ntitle: '  '\n", `t.yaml:3:8: title: blank`},
		{"scheme: [\n", `t.yaml:1:`},
	} {
		_, err := schemes.ParseTexts("t.yaml", []byte(c.src), s)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want %q", c.src, err, c.want)
		}
	}
}

// FuzzParseTexts checks that no translation file makes the loader panic,
// that every error is an invalid-input error naming a line, and that what
// it accepts names only the scheme's grades, capabilities and rules.
func FuzzParseTexts(f *testing.F) {
	s := schemes.MustLoad("rongcheng")
	for _, name := range []string{"rongcheng", "sesame"} {
		f.Add([]byte("scheme: " + name + "\nlang: de\n"))
		b, err := os.ReadFile("locales/" + name + ".de.yaml")
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("scheme: rongcheng\nlang: de\ngrades: [{name: AAA, label: x, description: y}]\nrules: [{id: tax-evasion, source: z}]\n"))
	f.Add([]byte("scheme: rongcheng\nlang: de\nrules: [{id: &a tax-evasion, notes: *a}]\n"))
	f.Add([]byte("scheme: rongcheng\nlang: de\ncapabilities: {name: loan}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		tx, err := schemes.ParseTexts("t.yaml", data, s)
		if err != nil {
			var pe *schemes.ParseError
			if !errors.As(err, &pe) || scs.ErrorCode(err) != scs.EINVALID || len(pe.Problems) == 0 || pe.Problems[0].Line < 1 {
				t.Fatalf("error %v: want a *ParseError with the invalid code and a line", err)
			}
			return
		}
		for id := range tx.Rules {
			if _, ok := s.Rule(id); !ok {
				t.Fatalf("accepted words for rule %q, which the scheme lacks", id)
			}
		}
		for name := range tx.Grades {
			if s.GradeIndex(name) < 0 {
				t.Fatalf("accepted words for grade %q, which the scheme lacks", name)
			}
		}
	})
}
