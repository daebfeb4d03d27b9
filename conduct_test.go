package scs_test

import (
	"os"
	"regexp"
	"testing"

	"scs"
)

// TestConductDocListsTheVocabulary checks that docs/conduct.md lists
// exactly scs.Vocabulary, in order, with each conduct's quantity.
func TestConductDocListsTheVocabulary(t *testing.T) {
	b, err := os.ReadFile("docs/conduct.md")
	if err != nil {
		t.Fatal(err)
	}
	rows := regexp.MustCompile("(?m)^\\| `([a-z0-9-]+)` \\| [^|]+ \\| ([^|]+?) \\| ([^|]+?) \\|").FindAllStringSubmatch(string(b), -1)
	if len(rows) != len(scs.Vocabulary) {
		t.Fatalf("docs/conduct.md lists %d conduct, the vocabulary has %d", len(rows), len(scs.Vocabulary))
	}
	for i, c := range scs.Vocabulary {
		q := c.Quantity
		if q == "" {
			q = "-"
		}
		if rows[i][1] != c.ID || rows[i][2] != q || rows[i][3] != c.Reporter {
			t.Errorf("row %d: docs say %s (%q, reported by %s), the vocabulary %s (%q, %s)", i+1, rows[i][1], rows[i][2], rows[i][3], c.ID, q, c.Reporter)
		}
		if !scs.IsReporter(c.Reporter) || !regexp.MustCompile(`^[a-z][a-z-]*[a-z]$`).MatchString(c.Reporter) {
			t.Errorf("%s: reporter %q", c.ID, c.Reporter)
		}
	}
	seen := map[string]bool{}
	for _, c := range scs.Vocabulary {
		if seen[c.ID] {
			t.Errorf("%s is in the vocabulary twice", c.ID)
		}
		seen[c.ID] = true
		if got, ok := scs.LookupConduct(c.ID); !ok || got.ID != c.ID {
			t.Errorf("LookupConduct(%s) = %v, %v", c.ID, got, ok)
		}
	}
	if _, ok := scs.LookupConduct("no-such-conduct"); ok {
		t.Error("an unknown conduct was found")
	}
}
