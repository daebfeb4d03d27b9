package schemes_test

import (
	"strings"
	"testing"

	"scs"
	"scs/schemes"
)

// actValid is valid with a rule that adds points and says what it costs.
var actValid = strings.Replace(valid, "rules:\n", `rules:
  - id: donate
    description: donated money
    category: charity
    department: d
    per_unit: {points: 1, per: 100, quantity: yuan}
    yearly_cap: 30
    source: test
    status: assumed
    act:
      yuan: 1
      hours: 0
      plannable: true
      source: test
      status: assumed
`, 1)

func TestParseAct(t *testing.T) {
	s, err := schemes.Parse("t.yaml", []byte(actValid))
	if err != nil {
		t.Fatal(err)
	}
	r, _ := s.Rule("donate")
	if r.Act == nil || r.Act.Yuan != 1 || r.Act.Hours != 0 || !r.Act.Plannable || r.Act.HarmsOthers || r.Act.Status != scs.StatusAssumed {
		t.Fatalf("act: %+v", r.Act)
	}
	if r, _ := s.Rule("r1"); r.Act != nil {
		t.Errorf("r1 has no act, got %+v", r.Act)
	}
}

func TestParseActErrors(t *testing.T) {
	tests := []struct {
		name, old, new, want string
	}{
		{"act on a rule that takes points", "    points: -10\n", "    points: -10\n    act: {hours: 1, plannable: true, source: s, status: assumed}\n",
			"t.yaml:39:10: rules[1].act: rule r1 takes points away; only a rule that adds points has an act"},
		{"act on a range rule", "    points: -10\n", "    range: {min: 1, max: 5}\n    act: {hours: 1, plannable: true, source: s, status: assumed}\n",
			"rules[1].act: rule r1 is a range rule"},
		{"negative yuan", "      yuan: 1\n", "      yuan: -1\n", "t.yaml:29:13: rules[0].act.yuan: -1 is out of range"},
		{"plannable missing", "      plannable: true\n", "", "rules[0].act.plannable: missing; say true or false"},
		{"no cost", "      yuan: 1\n      hours: 0\n", "", "rules[0].act: a plannable act needs its cost"},
		{"free and unlimited", "    points: -10\n", "    points: 5\n    act: {yuan: 0, hours: 0, plannable: true, source: s, status: assumed}\n", "rule r1 would give points without limit for nothing"},
		{"zero max per year", "      hours: 0\n", "      hours: 0\n      max_per_year: 0\n", "act.max_per_year: 0: leave it out"},
		{"fractional events a year", "    points: -10\n", "    points: 5\n    act: {hours: 1, max_per_year: 1.5, plannable: true, source: s, status: assumed}\n",
			"rules[1].act.max_per_year: 1.5: rule r1 counts events, so give a whole number"},
		{"missing source", "      source: test\n      status: assumed\n", "      status: assumed\n", "rules[0].act.source: missing"},
		{"bad status", "      status: assumed\n", "      status: guess\n", `rules[0].act.status: "guess" is not a status`},
		{"unknown field", "      hours: 0\n", "      hours: 0\n      minutes: 3\n", `unknown field "minutes"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := strings.Replace(actValid, tc.old, tc.new, 1)
			if src == actValid {
				t.Fatalf("test case did not change the file")
			}
			_, err := schemes.Parse("t.yaml", []byte(src))
			if err == nil {
				t.Fatalf("no error, want %q", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error:\n%v\nwant it to contain %q", err, tc.want)
			}
			if scs.ErrorCode(err) != scs.EINVALID {
				t.Errorf("code %s, want invalid", scs.ErrorCode(err))
			}
		})
	}
}

// TestBuiltinActs checks the figures the analysis depends on: the acts
// nobody can plan, the act that harms others, and that every act carries
// its status.
func TestBuiltinActs(t *testing.T) {
	s := schemes.MustLoad("rongcheng")
	for id, want := range map[string]struct{ plannable, harms bool }{
		"returned-lost-money": {false, false}, "heroic-act": {false, false}, "informant-report": {true, true},
		"charitable-donation": {true, false}, "blood-donation": {true, false}, "volunteer-service": {true, false}, "bought-diapers": {true, false},
	} {
		r, _ := s.Rule(id)
		if r == nil || r.Act == nil || r.Act.Plannable != want.plannable || r.Act.HarmsOthers != want.harms || !r.Act.Status.Valid() {
			t.Errorf("%s: act %+v, want plannable %v harms_others %v", id, r.Act, want.plannable, want.harms)
		}
	}
	if r, _ := s.Rule("charitable-donation"); r.Act.Yuan != 1 || r.Act.Hours != 0 {
		t.Errorf("a yuan donated costs a yuan: %+v", r.Act)
	}
}

// adviceValid is actValid with visits in B whose officials advise donating.
var adviceValid = strings.Replace(actValid, "    lock_in: 1 year\n", `    lock_in: 1 year
    visits:
      times: 1
      every: 1 month
      source: test
      status: assumed
      advice:
        rules: [donate]
        source: test
        status: essay
`, 1)

func TestParseAdvice(t *testing.T) {
	s, err := schemes.Parse("t.yaml", []byte(adviceValid))
	if err != nil {
		t.Fatal(err)
	}
	a := s.Grades[1].Visits.Advice
	if a == nil || len(a.Rules) != 1 || a.Rules[0] != "donate" || a.Status != scs.StatusEssay {
		t.Fatalf("advice %+v", a)
	}
	for _, tc := range []struct{ old, new, want string }{
		{"rules: [donate]", "rules: [donate, nope]", `t.yaml:19:25: grades[1].visits.advice.rules[1]: unknown rule "nope"`},
		{"rules: [donate]", "rules: [r1]", "advice.rules[0]: rule r1 has no plannable act"},
		{"rules: [donate]", "rules: []", "advice.rules: missing"},
		{"      times: 1\n", "      times: 0\n", "grades[1].visits.advice: grade B has no visits to give advice in"},
		{"        source: test\n        status: essay\n", "        status: essay\n", "advice.source: missing"},
	} {
		src := strings.Replace(adviceValid, tc.old, tc.new, 1)
		if src == adviceValid {
			t.Fatalf("%q: the case did not change the file", tc.old)
		}
		_, err := schemes.Parse("t.yaml", []byte(src))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want %q", tc.new, err, tc.want)
		}
	}
	if a := schemes.MustLoad("rongcheng").Grades[3].Visits.Advice; a == nil || strings.Join(a.Rules, " ") != "blood-donation charitable-donation volunteer-service" || a.Status != scs.StatusEssay {
		t.Errorf("rongcheng B's advice: %+v", a)
	}
}

// FuzzParseActs checks that no act or advice, however malformed, makes the
// loader panic, and that an act it accepts obeys the rules it checks.
func FuzzParseActs(f *testing.F) {
	f.Add([]byte(actValid))
	f.Add([]byte(adviceValid))
	f.Add([]byte(strings.Replace(actValid, "      yuan: 1\n", "      yuan: .nan\n", 1)))
	f.Add([]byte(strings.Replace(adviceValid, "rules: [donate]", "rules: {a: 1}", 1)))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := schemes.Parse("f.yaml", data)
		if err != nil {
			if scs.ErrorCode(err) != scs.EINVALID {
				t.Fatalf("error without the invalid code: %v", err)
			}
			return
		}
		for _, r := range s.Rules {
			if a := r.Act; a != nil && (!(a.Yuan >= 0) || !(a.Hours >= 0) || !(a.MaxPerYear >= 0) ||
				a.Plannable && a.Yuan == 0 && a.Hours == 0 && a.MaxPerYear == 0 && r.YearlyCap == 0) {
				t.Fatalf("accepted act %+v on rule %s", a, r.ID)
			}
		}
	})
}
