package schemes_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"scs"
	"scs/schemes"
)

// citation is how a shipped scheme cites a digest in docs/sources:
// FILE, "SECTION" and then, optionally, what the section says.
var citation = regexp.MustCompile(`^([a-z0-9-]+\.md), "([^"]+)"(: .+)?$`)

// sourcesOf returns every "source" value anywhere in v's JSON form, with
// the JSON path to it.
func sourcesOf(v any, path string, out map[string]string) {
	switch x := v.(type) {
	case map[string]any:
		for k, c := range x {
			if s, ok := c.(string); ok && k == "source" {
				out[path+".source"] = s
				continue
			}
			sourcesOf(c, path+"."+k, out)
		}
	case []any:
		for i, c := range x {
			sourcesOf(c, path+"["+itoa(i)+"]", out)
		}
	}
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }

// headings returns the headings of a Markdown file, without the #s.
func headings(t *testing.T, file string) map[string]bool {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		return nil
	}
	out := map[string]bool{}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "#") {
			out[strings.TrimSpace(strings.TrimLeft(line, "#"))] = true
		}
	}
	return out
}

// TestSourcesNameAFileAndSection checks that every source of every shipped
// scheme names a digest in docs/sources and a section of it.
func TestSourcesNameAFileAndSection(t *testing.T) {
	dir := filepath.Join("..", "docs", "sources")
	for _, name := range schemes.Names() {
		s := schemes.MustLoad(name)
		b, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		var v any
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatal(err)
		}
		srcs := map[string]string{}
		sourcesOf(v, "$", srcs)
		if len(srcs) < 10 {
			t.Fatalf("%s: only %d sources found; the walk is broken", name, len(srcs))
		}
		for path, src := range srcs {
			if src == "" {
				continue // an optional block without a source, such as visits of none
			}
			m := citation.FindStringSubmatch(src)
			if m == nil {
				t.Errorf("%s %s: %q does not cite a digest as FILE, \"SECTION\": ...", name, path, src)
				continue
			}
			hs := headings(t, filepath.Join(dir, m[1]))
			switch {
			case hs == nil:
				t.Errorf("%s %s: docs/sources/%s does not exist", name, path, m[1])
			case !hs[m[2]]:
				t.Errorf("%s %s: docs/sources/%s has no section %q", name, path, m[1], m[2])
			}
		}
	}
}

// TestSchemeWideFiguresHaveSources checks that a shipped scheme's start,
// floor, ceiling (when it has one) and every band carry a source and status.
func TestSchemeWideFiguresHaveSources(t *testing.T) {
	for _, name := range schemes.Names() {
		s := schemes.MustLoad(name)
		check := func(what string, p *scs.Provenance) {
			if p == nil || p.Source == "" || !p.Status.Valid() {
				t.Errorf("%s: %s has no source and status", name, what)
			}
		}
		check("start", s.Figures.Start)
		check("floor", s.Figures.Floor)
		if s.Ceiling != scs.Unbounded {
			check("ceiling", s.Figures.Ceiling)
		}
		for i := range s.Grades {
			check("grade "+s.Grades[i].Name, &s.Grades[i].Provenance)
		}
	}
}

// TestCitationCheckFails shows that the check catches a missing file and a
// missing section.
func TestCitationCheckFails(t *testing.T) {
	hs := headings(t, filepath.Join("..", "docs", "sources", "essay.md"))
	if hs == nil || !hs["Grades and lock-ins"] || hs["No such section"] {
		t.Fatalf("headings of essay.md: %v", hs)
	}
	if headings(t, filepath.Join("..", "docs", "sources", "nosuch.md")) != nil {
		t.Fatal("a missing file has headings")
	}
	if citation.MatchString("essay: \"Tax evasion? -100 points.\"") {
		t.Fatal("an old-style citation passes")
	}
}
