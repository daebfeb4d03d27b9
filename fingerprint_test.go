package scs_test

import (
	"strings"
	"testing"

	"scs"
	"scs/schemes"
)

func TestFingerprintIsWhatScores(t *testing.T) {
	base := schemes.MustLoad("rongcheng")
	fp := base.Fingerprint()
	if len(fp) != 16 || strings.ToLower(fp) != fp {
		t.Fatalf("fingerprint %q: want 16 lower-case hex digits", fp)
	}
	prose := schemes.MustLoad("rongcheng")
	prose.Title = "Another title"
	prose.Description = "Mended words."
	prose.Rules[0].Description = "other words"
	prose.Rules[0].Source = "another source"
	prose.Grades[3].Visits.Times = 9
	prose.Capabilities[0].Description = "reworded"
	if got := prose.Fingerprint(); got != fp {
		t.Errorf("prose changes changed the fingerprint: %s, was %s", got, fp)
	}
	points := schemes.MustLoad("rongcheng")
	i := points.RuleIndex("tax-evasion")
	points.Rules[i].Effect.Points = -90
	points.Grades[3].LockIn.Years = 3
	if points.Fingerprint() == fp {
		t.Fatal("changing a rule's points kept the fingerprint")
	}
	diff := strings.Join(scs.DiffTerms(base.ScoringTerms(), points.ScoringTerms()), "\n")
	for _, want := range []string{"rules[tax-evasion].points: -100, now -90", "grades[3].lock_in: P2Y, now P3Y"} {
		if !strings.Contains(diff, want) {
			t.Errorf("diff lacks %q:\n%s", want, diff)
		}
	}
}
