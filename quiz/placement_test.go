package quiz

import (
	"slices"
	"testing"
	"time"

	"scs/engine"
	"scs/schemes"
)

// TestPlacementIndependentOfFileOrder: criticism and a heroic act answered
// once each land at the same moment; whatever the order of the rules in
// the scheme file, the addition is applied first, so the deduction does
// not lock the person in B (980, A, either order).
func TestPlacementIndependentOfFileOrder(t *testing.T) {
	now := time.Date(2026, 7, 1, 12, 0, 0, 0, shanghai)
	ans := Answers{"online-criticism-of-government": 1, "heroic-act": 1}
	s := schemes.MustLoad("rongcheng")
	for _, reverse := range []bool{false, true} {
		sc := *s
		sc.Rules = slices.Clone(s.Rules)
		if reverse {
			slices.Reverse(sc.Rules)
		}
		sc.Index()
		eng, err := engine.New(&sc)
		if err != nil {
			t.Fatal(err)
		}
		res, err := New(eng).Score(ans, now)
		if err != nil {
			t.Fatal(err)
		}
		if res.Score != 980 || res.Grade != "A" || res.LockedUntil != nil {
			t.Errorf("rules reversed %v: %d %s locked %v, want 980 A unlocked", reverse, res.Score, res.Grade, res.LockedUntil)
		}
		if res.Placement != Placement || res.Caveat == "" {
			t.Error("the result does not say how answers were placed or what the test is for")
		}
	}
}

// TestCalendarYearsAreNamed: the result says which calendar years' caps
// applied: the two a 12-month window touches.
func TestCalendarYearsAreNamed(t *testing.T) {
	q := rongcheng(t)
	res, err := q.Score(Answers{"charitable-donation": 10000}, time.Date(2026, 7, 1, 12, 0, 0, 0, shanghai))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res.CalendarYears, []int{2025, 2026}) {
		t.Errorf("1 July: calendar years %v", res.CalendarYears)
	}
}

// TestDoesNotApply: a question that does not apply gives no points and is
// reported as such, whatever was typed in it.
func TestDoesNotApply(t *testing.T) {
	q := rongcheng(t)
	no := false
	res, err := q.ScoreProfile(Answers{"tax-evasion": 1, "returned-lost-money": 1}, Profile{NotApplicable: map[string]bool{"tax-evasion": true}, Eligible: &no},
		time.Date(2026, 7, 1, 12, 0, 0, 0, shanghai))
	if err != nil {
		t.Fatal(err)
	}
	if res.Score != 1020 {
		t.Errorf("score %d, want 1020 (tax evasion does not apply)", res.Score)
	}
	for _, a := range res.Answers {
		if a.Rule == "tax-evasion" && (!a.NotApplicable || a.Points != 0 || a.Display != "does not apply to me") {
			t.Errorf("tax-evasion: %+v", a)
		}
	}
	if res.Eligible == nil || *res.Eligible || res.Eligibility == "" {
		t.Errorf("eligibility %v %q", res.Eligible, res.Eligibility)
	}
}
