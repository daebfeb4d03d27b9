package schemes_test

import (
	"strings"
	"testing"
	"time"

	"scs"
	"scs/engine"
	"scs/schemes"
)

const factorValid = `name: f
kind: factors
title: Test factor model
time_zone: Asia/Shanghai
start: 150
floor: 100
ceiling: 200
recompute: {every: 1 month, source: s, status: assumed}
grades:
  - {name: high, min: 150, max: 200}
  - {name: low, min: 100, max: 149}
factors:
  - name: pay
    weight: 60
    source: s
    status: assumed
    window: {last: 12 months, source: s, status: assumed}
    sub_score: {from: -10, to: 10, source: s, status: assumed}
    inputs:
      - {conduct: repaid-on-time, value: 1, source: s, status: assumed}
      - {conduct: tax-evasion, value: -10, source: s, status: assumed}
  - name: profile
    weight: 40
    source: s
    status: assumed
    window: {lifetime: true, source: s, status: assumed}
    sub_score: {from: -4, to: 4, source: s, status: assumed}
    inputs:
      - {conduct: details-completed, value: 1, source: s, status: assumed}
`

func TestParseFactorModel(t *testing.T) {
	s, err := schemes.Parse("f.yaml", []byte(factorValid))
	if err != nil {
		t.Fatal(err)
	}
	if !s.IsFactorModel() || len(s.Factors) != 2 || len(s.Rules) != 3 || s.Recompute.Every.Months != 1 {
		t.Fatalf("parsed %+v", s)
	}
	r, ok := s.RuleFor("tax-evasion")
	if !ok || r.Effect.Kind != scs.EffectFactor || r.Effect.Factor != "pay" || r.Effect.Value != -10 || r.Effect.NeedsQuantity() {
		t.Fatalf("input rule: %+v", r)
	}
	if r, _ := s.RuleFor("repaid-on-time"); !r.Effect.NeedsQuantity() || r.Effect.Quantity != "months" {
		t.Fatalf("repaid-on-time counts months: %+v", r.Effect)
	}
	if s.Fingerprint() == schemes.MustLoad("sesame").Fingerprint() {
		t.Fatal("two factor models share a fingerprint")
	}
	other, _ := schemes.Parse("f.yaml", []byte(strings.Replace(factorValid, "value: -10", "value: -9", 1)))
	if other == nil || other.Fingerprint() == s.Fingerprint() {
		t.Fatal("an input's value does not change the fingerprint")
	}
}

func TestParseFactorModelErrors(t *testing.T) {
	tests := []struct{ name, old, new, want string }{
		{"weights do not sum to 100", "weight: 40", "weight: 30", "factors: the weights sum to 90; they must sum to 100"},
		{"start is not the no-history score", "start: 150", "start: 160", "f.yaml:5:8: start: 160: a person with no history scores 150"},
		{"no schedule", "recompute: {every: 1 month, source: s, status: assumed}\n", "", "recompute: missing"},
		{"schedule in days", "every: 1 month", "every: 10 days", `recompute.every: "10 days": want whole months`},
		{"no ceiling", "ceiling: 200\n", "", "ceiling: missing; a factor model maps"},
		{"rules in a factor model", "factors:\n", "rules: []\nfactors:\n", "rules: a factor-model scheme scores conduct through its factors' inputs"},
		{"lock-in", "{name: low, min: 100, max: 149}", "{name: low, min: 100, max: 149, lock_in: 1 year}", "grades[1].lock_in: a factor-model scheme has no lock-ins"},
		{"unknown conduct", "conduct: tax-evasion", "conduct: jaywalking", `f.yaml:21:19: factors[0].inputs[1].conduct: "jaywalking" is not a conduct of the vocabulary`},
		{"conduct in two factors", "conduct: details-completed", "conduct: tax-evasion", "factors[1].inputs[0].conduct: conduct tax-evasion is already an input of factor pay"},
		{"zero value", "value: -10", "value: 0", "factors[0].inputs[1].value: missing"},
		{"sub-score backwards", "from: -4, to: 4", "from: 4, to: -4", "factors[1].sub_score.to: -4 is not above from 4"},
		{"window both ways", "{lifetime: true,", "{lifetime: true, last: 1 year,", "factors[1].window: give one of last, lifetime and half_life"},
		{"no window", "    window: {lifetime: true, source: s, status: assumed}\n", "", "factors[1].window: missing"},
		{"half-life and last", "{lifetime: true,", "{half_life: 1 year, last: 1 year,", "factors[1].window: give one of last, lifetime and half_life"},
		{"zero half-life", "{lifetime: true,", "{half_life: 0 days,", "factors[1].window.half_life: must be longer than zero"},
		{"input without status", "{conduct: repaid-on-time, value: 1, source: s, status: assumed}", "{conduct: repaid-on-time, value: 1, source: s}", "factors[0].inputs[0].status: missing"},
		{"weight over 100", "weight: 60", "weight: 160", "factors[0].weight: 160: want a share above 0 and at most 100"},
		{"unknown kind", "kind: factors", "kind: neural", `kind: "neural" is not a kind of scheme`},
		{"unknown factor field", "    weight: 60\n", "    weight: 60\n    wieght: 1\n", `unknown field "wieght"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := strings.Replace(factorValid, tc.old, tc.new, 1)
			if src == factorValid {
				t.Fatal("test case did not change the file")
			}
			_, err := schemes.Parse("f.yaml", []byte(src))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error:\n%v\nwant it to contain %q", err, tc.want)
			}
		})
	}
	pts := strings.Replace(valid, "rules:\n", "factors: []\nrules:\n", 1)
	if _, err := schemes.Parse("t.yaml", []byte(pts)); err == nil || !strings.Contains(err.Error(), "only a scheme of kind factors has factors") {
		t.Errorf("factors in a points scheme: %v", err)
	}
}

// FuzzParseFactors checks that any factor-model file the loader accepts
// compiles in the engine and scores without panicking, within its range.
func FuzzParseFactors(f *testing.F) {
	f.Add([]byte(factorValid))
	b, _ := schemes.Builtin("sesame")
	f.Add(b)
	f.Add([]byte(strings.Replace(factorValid, "from: -10", "from: .nan", 1)))
	f.Add([]byte(strings.Replace(factorValid, "every: 1 month", "every: 120 months", 1)))
	f.Add([]byte(strings.Replace(factorValid, "{lifetime: true,", "{half_life: 18 months,", 1)))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := schemes.Parse("f.yaml", data)
		if err != nil {
			if scs.ErrorCode(err) != scs.EINVALID {
				t.Fatalf("error without the invalid code: %v", err)
			}
			return
		}
		e, err := engine.New(s)
		if err != nil {
			t.Fatalf("a scheme the loader accepts does not compile: %v", err)
		}
		st := e.NewState("c")
		at := time.Date(2024, 1, 10, 0, 0, 0, 0, time.UTC)
		for i, r := range s.Rules {
			ev := scs.Event{ID: "e", Citizen: "c", Rule: r.Conduct, At: at.AddDate(0, i, 0)}
			if r.Effect.NeedsQuantity() {
				ev.Quantity, ev.HasQuantity = 1000, true
			}
			if r.Effect.Kind == scs.EffectRange {
				ev.Points, ev.HasPoints = r.Effect.Min, true
			}
			if _, err := e.Apply(&st, &ev); err != nil {
				t.Fatalf("rule %s: %v", r.ID, err)
			}
		}
		if sc := e.ScoreAt(&st, at.AddDate(5, 0, 0)); sc < s.Floor || s.Ceiling != scs.Unbounded && sc > s.Ceiling {
			t.Fatalf("score %d outside %d..%d", sc, s.Floor, s.Ceiling)
		}
	})
}
