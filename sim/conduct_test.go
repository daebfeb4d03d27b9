package sim

import (
	"testing"

	"scs"
)

// TestBehaviourTableIsTheVocabulary checks that the built-in behaviour
// table has exactly one row for each conduct of the vocabulary: the
// simulator's list of conduct and the schemes' are one list.
func TestBehaviourTableIsTheVocabulary(t *testing.T) {
	rows := map[string]bool{}
	for _, b := range DefaultBehaviours() {
		if b.Rule == "" {
			continue // a fallback by category
		}
		if _, ok := scs.LookupConduct(b.Rule); !ok {
			t.Errorf("behaviour row %s is not a conduct of the vocabulary", b.Rule)
		}
		rows[b.Rule] = true
	}
	for _, c := range scs.Vocabulary {
		if !rows[c.ID] {
			t.Errorf("conduct %s has no row in the behaviour table", c.ID)
		}
	}
	if _, err := ParseBehaviours("b.yaml", []byte("behaviours:\n  - {conduct: no-such-thing, kind: good, rate: 1}\n")); err == nil {
		t.Error("a row of unknown conduct was accepted")
	}
	tb, err := ParseBehaviours("b.yaml", []byte("behaviours:\n  - {rule: my-rule, kind: good, rate: 1}\n"))
	if err != nil || tb[0].Rule != "my-rule" {
		t.Errorf("an older table naming a rule id: %v, %v", tb, err)
	}
}
