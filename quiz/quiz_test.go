package quiz

import (
	"errors"
	"strings"
	"testing"
	"time"

	"scs"
	"scs/engine"
	"scs/schemes"
)

var shanghai = time.FixedZone("CST", 8*3600)

func rongcheng(t testing.TB) *Test {
	t.Helper()
	eng, err := engine.New(schemes.MustLoad("rongcheng"))
	if err != nil {
		t.Fatal(err)
	}
	return New(eng)
}

func TestQuestionsFollowTheScheme(t *testing.T) {
	q := rongcheng(t)
	s := q.Scheme()
	if got, want := len(q.Questions()), len(s.Rules); got != want {
		t.Fatalf("%d questions for %d rules", got, want)
	}
	for i, r := range s.Rules {
		qu := q.Questions()[i]
		if qu.Rule != r.ID || qu.Source != r.Source || qu.Status != r.Status {
			t.Errorf("question %d = %s (%s, %s), want rule %s with its provenance", i, qu.Rule, qu.Source, qu.Status, r.ID)
		}
		want := map[scs.EffectKind]Kind{scs.EffectFixed: KindCount, scs.EffectRange: KindCount,
			scs.EffectPerUnit: KindAmount, scs.EffectTiered: KindAmount, scs.EffectDropTo: KindYesNo}[r.Effect.Kind]
		if qu.Kind != want {
			t.Errorf("%s: kind %s, want %s for a %s rule", r.ID, qu.Kind, want, r.Effect.Kind)
		}
		if r.Effect.NeedsQuantity() && !strings.Contains(qu.Text, "how many "+r.Effect.Quantity) {
			t.Errorf("%s: question %q does not ask for the rule's quantity %q", r.ID, qu.Text, r.Effect.Quantity)
		}
		if r.Effect.Kind == scs.EffectRange && (!strings.Contains(qu.Help, "-50 to -5") || qu.RangeMin != -50 || qu.RangeMax != -5) {
			t.Errorf("%s: help %q does not explain the official's range", r.ID, qu.Help)
		}
		if r.YearlyCap > 0 && !strings.Contains(qu.Help, "At most") {
			t.Errorf("%s: help %q does not mention the yearly cap", r.ID, qu.Help)
		}
	}
	if qu, _ := q.Question("excessive-unhealthy-food"); qu.Max != 12 {
		t.Errorf("flagged months: max %g, want 12 (a 12-month window)", qu.Max)
	}
	if qu, _ := q.Question("volunteer-service"); qu.Text != "Did volunteer service: how many hours in the last 12 months?" {
		t.Errorf("volunteer-service question = %q", qu.Text)
	}
}

// TestQuestionsComeFromTheFile checks that a rule added to a scheme file
// becomes a question with no code change.
func TestQuestionsComeFromTheFile(t *testing.T) {
	src := `
name: tiny
title: Tiny
description: a test scheme
sources_as_of: "2024"
time_zone: UTC
start: 100
floor: 0
grades:
  - {name: good, min: 100, source: test, status: assumed}
  - {name: bad, min: 0, max: 99, lock_in: 1 year, source: test, status: assumed}
capabilities:
  - {name: bus-pass, description: a bus pass, grades: [good], source: test, status: assumed}
rules:
  - {id: late-library-book, description: returned a library book late, category: c, department: library, points: -3, source: test, status: assumed}
  - {id: swimming, description: swam, category: c, department: pool, per_unit: {points: 1, per: 10, quantity: kilometres}, source: test, status: assumed}
`
	s, err := schemes.Parse("tiny.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	eng, err := engine.New(s)
	if err != nil {
		t.Fatal(err)
	}
	q := New(eng)
	if len(q.Questions()) != 2 || q.Questions()[1].Text != "Swam: how many kilometres in the last 12 months?" {
		t.Fatalf("questions = %+v", q.Questions())
	}
	// 34 late books: 100 - 102 = -2, floored at 0: grade bad, locked a year.
	r, err := q.Score(Answers{"late-library-book": 34, "swimming": 25}, time.Date(2024, 12, 31, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	// Swimming 25 km: 2 whole units of 10 km spread over the months, +2.
	// The 34 books cut 102 points; the floor keeps the score at 0, then
	// the later swims add back what they give.
	if r.Answers[1].Points != 2 || r.Grade != "bad" || r.LockedUntil == nil {
		t.Errorf("result = %+v, answers %+v", r.Outcome, r.Answers)
	}
}

func score(t *testing.T, q *Test, a Answers, now time.Time) *Result {
	t.Helper()
	r, err := q.Score(a, now)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func answer(r *Result, rule string) Answer {
	for _, a := range r.Answers {
		if a.Rule == rule {
			return a
		}
	}
	return Answer{}
}

func capability(r *Result, name string) bool {
	for _, c := range r.Capabilities {
		if c.Name == name {
			return c.Allowed
		}
	}
	panic("no capability " + name)
}

// The expected figures below are worked out by hand from rongcheng.md.
// end2026 is the time the tests take the self-test: the 12-month window is
// 2025-12-20 12:00 to 2026-12-20 12:00 China time, and every event made from
// the answers below falls in calendar year 2026 (the first monthly event is
// on 2026-01-04, the first of 3 counted events at 1/6 of the window).
var end2026 = time.Date(2026, 12, 20, 12, 0, 0, 0, shanghai)

func TestKnownAnswersGood(t *testing.T) {
	q := rongcheng(t)
	r := score(t, q, Answers{
		"returned-lost-money": 1,    // +20
		"charitable-donation": 5000, // 50 units of 100 yuan = +50 asked, yearly cap +30
		"blood-donation":      3,    // +30 asked, yearly cap +20
		"volunteer-service":   100,  // f(100) = 20 + (80-20)/2 + floor((100-80)/3) = 20 + 30 + 6 = 56
		"speeding-ticket":     2,    // -20; the score never drops below 1000-20 = 980 (A, no lock-in)
	}, end2026)
	// 1000 + 20 + 30 + 20 + 56 - 20 = 1106: AAA (1050 and above).
	if r.Score != 1106 || r.Grade != "AAA" || r.LockedUntil != nil || r.Worst != nil {
		t.Fatalf("outcome = %+v, worst %v; want 1106 AAA, no lock", r.Outcome, r.Worst)
	}
	for rule, want := range map[string][2]int64{
		"returned-lost-money": {20, 20}, "charitable-donation": {50, 30}, "blood-donation": {30, 20},
		"volunteer-service": {56, 56}, "speeding-ticket": {-20, -20}, "tax-evasion": {0, 0},
	} {
		a := answer(r, rule)
		if a.Asked != want[0] || a.Points != want[1] {
			t.Errorf("%s: asked %d applied %d, want %d and %d", rule, a.Asked, a.Points, want[0], want[1])
		}
	}
	if a := answer(r, "charitable-donation"); a.Events != 12 || len(a.Notes) == 0 || !strings.Contains(a.Notes[0], "yearly cap of 30") || a.Status != scs.StatusAssumed {
		t.Errorf("donation answer = %+v; want 12 monthly events, the cap in the notes, status assumed", a)
	}
	// AAA has every privilege (rongcheng.md's consequence table) and no sanction.
	for _, c := range []string{"priority-healthcare", "heating-discount", "loan", "state-subsidies"} {
		if !capability(r, c) {
			t.Errorf("AAA without %s", c)
		}
	}
	if capability(r, "watch-list") || capability(r, "public-list") || r.Visits != "none" || r.LockIn != "none" {
		t.Errorf("AAA with sanctions: %+v", r)
	}
}

func TestKnownAnswersDrunkDriving(t *testing.T) {
	q := rongcheng(t)
	r := score(t, q, Answers{"drunk-driving": 1, "returned-lost-money": 1, "heroic-act": 2}, end2026)
	// Events, in time order (the window is 365 days; its middle is
	// 2026-06-21 00:00 China time):
	//   1/4 of the window: heroic act +30 -> 1030 (AA)
	//   middle: returned lost money +20 -> 1050 (AAA); then drunk driving cuts
	//           the score to 849, the top of C: fell into C, locked 3 years
	//   3/4 of the window: heroic act +30 -> 879, band B, held in C by the lock
	if r.Score != 879 || r.Grade != "C" || r.ScoreBand != "B" {
		t.Fatalf("outcome = %+v (band %s), want 879 in C held by the lock (band B)", r.Outcome, r.ScoreBand)
	}
	if want := time.Date(2029, 6, 21, 0, 0, 0, 0, shanghai); r.LockedUntil == nil || !r.LockedUntil.Equal(want) {
		t.Errorf("locked until %v, want %v (3 years after the drunk driving)", r.LockedUntil, want)
	}
	if a := answer(r, "drunk-driving"); a.Points != 849-1050 || a.Display != "yes" {
		t.Errorf("drunk driving answer = %+v, want %d points", a, 849-1050)
	}
	// C: requests not processed, subsidies kept, on the watch list, visited weekly.
	if capability(r, "requests-processed") || !capability(r, "state-subsidies") || !capability(r, "watch-list") || capability(r, "public-list") {
		t.Errorf("C capabilities wrong: %+v", r.Capabilities)
	}
	if r.Visits != "1 a week" || r.LockIn != "3 years" {
		t.Errorf("visits %q, lock-in %q; want weekly visits and 3 years", r.Visits, r.LockIn)
	}
}

func TestKnownAnswersRangeRule(t *testing.T) {
	q := rongcheng(t)
	r := score(t, q, Answers{"other-commercial": 2}, end2026)
	// Best case, the official chooses -5 each time: 1000 - 10 = 990, A.
	if r.Score != 990 || r.Grade != "A" {
		t.Errorf("best case = %+v, want 990 A", r.Outcome)
	}
	// Worst case, -50 each: at 1/4 of the window 950 (fell into B, locked 2
	// years from 2026-03-21 18:00 China time), at 3/4 900.
	want := time.Date(2028, 3, 21, 18, 0, 0, 0, shanghai)
	if r.Worst == nil || r.Worst.Score != 900 || r.Worst.Grade != "B" || r.Worst.LockedUntil == nil || !r.Worst.LockedUntil.Equal(want) {
		t.Errorf("worst case = %+v, want 900 B locked until %v", r.Worst, want)
	}
	if a := answer(r, "other-commercial"); a.Points != -10 || a.WorstPoints == nil || *a.WorstPoints != -100 {
		t.Errorf("range answer = %+v", a)
	}
}

func TestYearlyCapFollowsCalendarYears(t *testing.T) {
	q := rongcheng(t)
	// 6000 yuan is 60 units of 100, 5 a month. Taken on 2026-06-20, the
	// window's first 6 monthly events fall in 2025 (+30, the cap) and the
	// last 6 in 2026 (+30): 1060, AAA.
	mid := score(t, q, Answers{"charitable-donation": 6000}, time.Date(2026, 6, 20, 12, 0, 0, 0, shanghai))
	// Taken on 2026-12-20, all 12 fall in 2026: +30 only, 1030, AA.
	end := score(t, q, Answers{"charitable-donation": 6000}, end2026)
	if mid.Score != 1060 || mid.Grade != "AAA" || end.Score != 1030 || end.Grade != "AA" {
		t.Errorf("mid-year %d %s, year-end %d %s; want 1060 AAA and 1030 AA", mid.Score, mid.Grade, end.Score, end.Grade)
	}
	// 250 yuan: 2 whole units (the 50 left over gives nothing), never lost to splitting.
	if r := score(t, q, Answers{"charitable-donation": 250}, end2026); r.Score != 1002 {
		t.Errorf("250 yuan gives %d, want 1002", r.Score)
	}
}

func TestBadAnswers(t *testing.T) {
	q := rongcheng(t)
	for _, c := range []struct{ rule, text, want string }{
		{"speeding-ticket", "-1", "cannot be negative"},
		{"speeding-ticket", "1.5", "whole number"},
		{"speeding-ticket", "1001", "at most 1000 times"},
		{"speeding-ticket", "often", "whole number of times"},
		{"drunk-driving", "maybe", "yes or no"},
		{"excessive-unhealthy-food", "13", "at most 12 flagged months"},
		{"charitable-donation", "lots", "number of yuan"},
		{"charitable-donation", "NaN", "finite"},
		{"no-such-rule", "1", `no question about rule "no-such-rule"`},
	} {
		_, err := q.Parse(c.rule, c.text)
		var ae *AnswerError
		if !errors.As(err, &ae) || ae.Rule != c.rule || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Parse(%s, %q) = %v, want an error naming the rule and %q", c.rule, c.text, err, c.want)
		}
	}
	for text, want := range map[string]float64{"": 0, " 3 ": 3, "yes": 1, "1,500": 1500} {
		rule := "charitable-donation"
		if text == "yes" {
			rule = "drunk-driving"
		}
		if v, err := q.Parse(rule, text); err != nil || v != want {
			t.Errorf("Parse(%q) = %v, %v; want %v", text, v, err, want)
		}
	}
	if _, err := q.Score(Answers{"tax-evasion": 2.5}, end2026); err == nil || !strings.Contains(err.Error(), "tax-evasion") {
		t.Errorf("Score with 2.5 tax evasions: %v", err)
	}
}

func TestParseAnswers(t *testing.T) {
	q := rongcheng(t)
	a, err := q.ParseAnswers([]byte(`{"consent": true, "answers": {"speeding-ticket": 2, "drunk-driving": "no", "charitable-donation": "1,500", "heroic-act": 0, "blood-donation": "1"}}`))
	if err != nil || a["speeding-ticket"] != 2 || a["drunk-driving"] != 0 || a["charitable-donation"] != 1500 || a["blood-donation"] != 1 {
		t.Fatalf("ParseAnswers = %v, %v", a, err)
	}
	if a, err := q.ParseAnswers([]byte(`{"consent":true,"answers":{"drunk-driving":true}}`)); err != nil || a["drunk-driving"] != 1 {
		t.Errorf("true for yes/no: %v %v", a, err)
	}
	for in, want := range map[string]string{
		``:                          "empty",
		`{"answers": {}}`:           "consent: missing",
		`{"consent": false}`:        "consent: false",
		`{"consent": true, "x": 1}`: `unknown field "x"`,
		`{"consent": true, "answers": {"speding-ticket": 1}}`:     `no question about rule "speding-ticket"`,
		`{"consent": true, "answers": {"speeding-ticket": -3}}`:   `speeding-ticket: "-3": answer cannot be negative`,
		`{"consent": true, "answers": {"speeding-ticket": true}}`: `speeding-ticket: "true": answer a number of times`,
		`{"consent": true, "answers": {"drunk-driving": 2}}`:      `drunk-driving: "2": answer yes or no`,
		`{"consent": true, "answers": {"speeding-ticket": [1]}}`:  `speeding-ticket: "[1]"`,
		`{"consent": true, "answers": {"speeding-ticket": null}}`: `speeding-ticket: "null"`,
		`{"consent": true, "answers": {}} {}`:                     "after the object",
		"{\"consent\": true,\n \"answers\": {\"a\": 1,}}":         "line 2, column",
		`{"consent": "yes"}`: "consent: want true or false",
		`{"consent": true, "answers": {"speeding-ticket": 1e400}}`:    "speeding-ticket",
		`{"consent": true, "answers": {"charitable-donation": 1e13}}`: "at most 1e+12 yuan",
	} {
		_, err := q.ParseAnswers([]byte(in))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseAnswers(%s) = %v, want an error containing %q", in, err, want)
		}
	}
}

func FuzzParseAnswers(f *testing.F) {
	for _, s := range []string{
		`{"consent": true, "answers": {"speeding-ticket": 2, "drunk-driving": "no"}}`,
		`{"consent": true, "answers": {"charitable-donation": 1e12, "other-commercial": 1000}}`,
		`{"consent": false}`, `{"consent": true, "answers": {"x": [1]}}`, `[]`, `{"consent":true,"answers":{"volunteer-service":"0.000001"}}`,
	} {
		f.Add([]byte(s))
	}
	q := rongcheng(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := q.ParseAnswers(data)
		if err != nil {
			return
		}
		r, err := q.Score(a, end2026)
		if err != nil {
			t.Fatalf("answers accepted by ParseAnswers fail to score: %v", err)
		}
		if r.Score < 0 || q.Scheme().GradeIndex(r.Grade) < 0 {
			t.Fatalf("bad result %+v", r.Outcome)
		}
	})
}

// FuzzParse feeds typed answers (a terminal line, a form field) to every
// kind of question: no panic, and an accepted answer passes Check.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"", "3", " 1,500 ", "yes", "NO", "-1", "1e400", "0x10", "1.5", "NaN", "Inf", "12.000001"} {
		f.Add("speeding-ticket", s)
		f.Add("drunk-driving", s)
		f.Add("excessive-unhealthy-food", s)
	}
	q := rongcheng(f)
	f.Fuzz(func(t *testing.T, rule, text string) {
		v, err := q.Parse(rule, text)
		if err != nil {
			var ae *AnswerError
			if !errors.As(err, &ae) || ae.Rule != rule {
				t.Fatalf("Parse(%q, %q) error %v does not name the rule", rule, text, err)
			}
			return
		}
		if err := q.Check(rule, v); err != nil {
			t.Fatalf("Parse(%q, %q) = %v, which Check refuses: %v", rule, text, v, err)
		}
	})
}

// TestFactorModelQuiz checks that the self-test works for a factor model:
// it asks about the conduct the scheme's factors count (and nothing else),
// and a year of good answers lifts the recomputed score above the start.
func TestFactorModelQuiz(t *testing.T) {
	eng, err := engine.New(schemes.MustLoad("sesame"))
	if err != nil {
		t.Fatal(err)
	}
	q := New(eng)
	if len(q.Questions()) != len(eng.Scheme().Rules) {
		t.Fatalf("%d questions for %d inputs", len(q.Questions()), len(eng.Scheme().Rules))
	}
	rq, ok := q.Question("repaid-on-time")
	if !ok || rq.Kind != KindAmount || rq.Unit != "months" || rq.Max != WindowMonths || !strings.Contains(rq.Help, "factor credit-history") {
		t.Fatalf("repaid-on-time question: %+v", rq)
	}
	if _, ok := q.Question("tax-evasion"); ok {
		t.Fatal("the quiz asks about conduct sesame does not score")
	}
	r := score(t, q, Answers{"repaid-on-time": 12, "steady-payments": 12, "details-completed": 4}, end2026)
	start := eng.Scheme().Start
	// Records placed over the 12 months count from the recomputation after
	// each: by 1 December most do. Credit history rises by 11/24 of its
	// half, behaviour by 11/12 of its half, identity to full.
	if r.Score <= start || r.Score > eng.Scheme().Ceiling || r.Grade == "poor" {
		t.Fatalf("score %d %s, want above the start %d", r.Score, r.Grade, start)
	}
	none := score(t, q, Answers{}, end2026)
	if none.Score != start {
		t.Fatalf("no answers: %d, want the start %d", none.Score, start)
	}
}
