package sim

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"scs/schemes"
)

// TestVerdictWords reaches each of the four verdicts and checks the words
// an assumed claim reads with.
func TestVerdictWords(t *testing.T) {
	c, _ := LookupClaim("stigma")
	ms := func(vals ...float64) []Measure {
		var out []Measure
		for _, v := range vals {
			out = append(out, Measure{v, 1000})
		}
		return out
	}
	cases := []struct {
		name      string
		na        string
		vals, cfs []Measure
		want      string
	}{
		{"lower as claimed", "", ms(10, 11, 12), ms(20, 21, 22), Supported},
		{"the other way", "", ms(30, 31, 32), ms(20, 21, 22), NotSupported},
		{"interval spans zero", "", ms(10, 30, 20), ms(20, 21, 22), NotMeasurable},
		{"few people", "", []Measure{{10, 20}, {11, 20}, {12, 20}}, ms(20, 21, 22), NotMeasurable},
		{"one replication", "", ms(10), ms(20), NotMeasurable},
		{"no mechanism", "the scheme declares no list", ms(10, 11), ms(20, 21), NotApplicable},
	}
	for _, tc := range cases {
		row, err := Evaluate(c, tc.na, tc.vals, tc.cfs)
		if err != nil {
			t.Fatal(err)
		}
		if row.Verdict != tc.want {
			t.Errorf("%s: verdict %q (%s), want %q", tc.name, row.Verdict, row.Reading, tc.want)
		}
		if !strings.HasPrefix(row.Reading, row.Verdict) {
			t.Errorf("%s: reading %q does not start with the verdict", tc.name, row.Reading)
		}
		if row.Verdict == Supported && (!strings.Contains(row.Reading, "follows from the assumed") || !strings.Contains(row.Reading, "stigma")) {
			t.Errorf("%s: an assumed claim reads %q", tc.name, row.Reading)
		}
	}
	bare := c
	bare.Because = nil
	if _, err := Evaluate(bare, "", ms(1, 2), ms(3, 4)); err == nil {
		t.Error("an assumed claim without its parameters was evaluated")
	}
	bad := c
	bad.Because = []string{"no_such_parameter"}
	if _, err := Evaluate(bad, "", ms(1, 2), ms(3, 4)); err == nil {
		t.Error("an assumed claim naming an unknown parameter was evaluated")
	}
	em, _ := LookupClaim("lock-in")
	row, err := Evaluate(em, "", ms(10, 11, 12), ms(20, 21, 22))
	if err != nil || row.Verdict != Supported || strings.Contains(row.Reading, "assumed") {
		t.Errorf("emergent claim: %+v, %v", row, err)
	}
}

// TestClaimsDefinitions: every claim names a known mechanism kind, an
// assumed one its parameters, and a comparison.
func TestClaimsDefinitions(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range Claims {
		if seen[c.ID] {
			t.Errorf("duplicate claim %s", c.ID)
		}
		seen[c.ID] = true
		if _, err := Evaluate(c, "", []Measure{{1, 1000}, {2, 1000}}, []Measure{{3, 1000}, {4, 1000}}); err != nil {
			t.Error(err)
		}
		if (c.Switch == nil) == (c.Reference == nil) {
			t.Errorf("%s: give a counterfactual switch or a reference, not both or neither", c.ID)
		}
		if c.Expect != "higher" && c.Expect != "lower" {
			t.Errorf("%s: expect %q", c.ID, c.Expect)
		}
	}
	for _, id := range []string{"rich-pay", "lock-in", "stigma", "surface-honesty", "farming", "chilled-speech", "informants", "visits", "job-loss"} {
		if !seen[id] {
			t.Errorf("claim %s is missing", id)
		}
	}
}

// TestNothingSchemeSpecific: the model's code names no capability or grade
// of a built-in scheme; what it does to a scheme's grades comes from the
// capabilities the scheme declares and the behaviour table's responses.
func TestNothingSchemeSpecific(t *testing.T) {
	var names []string
	for _, n := range schemes.Names() {
		s, err := schemes.Load(n)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range s.Capabilities {
			names = append(names, c.Name)
		}
		for _, g := range s.Grades {
			names = append(names, g.Name)
		}
	}
	files, _ := filepath.Glob("*.go")
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, _ := os.ReadFile(f)
		for _, n := range names {
			if slices.Contains(kinds, n) {
				continue // "good": the model's kind of a good deed, also a grade of Sesame's
			}
			if regexp.MustCompile(`"` + regexp.QuoteMeta(n) + `"`).Match(src) {
				t.Errorf("%s names %q of a built-in scheme", f, n)
			}
		}
	}
}

const inventedScheme = `name: moonbase
title: Moonbase conduct ledger
time_zone: UTC
start: 500
floor: 0
grades:
  - {name: gold, min: 520, source: test, status: assumed}
  - {name: silver, min: 460, max: 519, source: test, status: assumed}
  - {name: lead, min: 0, max: 459, lock_in: 2 years, source: test, status: assumed}
capabilities:
  - {name: pillory, kind: sanction, description: shown in the pillory, grades: [lead], source: test, status: assumed}
  - {name: tenure, kind: entitlement, description: cannot be dismissed, grades: [gold, silver], source: test, status: assumed}
  - {name: gold-star, kind: privilege, description: a gold star, grades: [gold], source: test, status: assumed}
rules:
  - {id: litter, description: littered, category: social-management, department: wardens, points: -15, source: test, status: assumed}
  - {id: rant, description: ranted about the council, category: speech, department: wardens, points: -20, source: test, status: assumed}
  - {id: help, description: volunteered, category: volunteering, department: wardens, per_unit: {points: 2, per: 1, quantity: hours}, yearly_cap: 40, source: test, status: assumed}
`

// TestInventedScheme runs a third scheme whose grades and capabilities have
// names of their own: with a behaviour table that maps its capabilities,
// the pillory is a list and tenure is job security; without, the model has
// neither and the claims say so.
func TestInventedScheme(t *testing.T) {
	s, err := schemes.Parse("moonbase.yaml", []byte(inventedScheme))
	if err != nil {
		t.Fatal(err)
	}
	table := DefaultTable()
	table.Responses = []Response{
		{Capability: "pillory", Response: ResponseStigma, Weight: 3, Public: true},
		{Capability: "tenure", Response: ResponseJobSecurity},
	}
	cfg := Config{Scheme: s, Behaviours: table.Behaviours, Responses: table.Responses, Citizens: 6000, Years: 4, Seed: 11, End: testEnd,
		Settings: Settings{"rate.litter": 30, "hood_size": 500}}
	res, err := Simulate(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Lists) != 1 || res.Lists[0].Capability != "pillory" || !slices.Equal(res.Lists[0].Grades, []int{2}) || !res.Lists[0].Public {
		t.Errorf("lists: %+v", res.Lists)
	}
	if !slices.Equal(res.Listed, []bool{false, false, true}) || !slices.Equal(res.NoJobSecurity, []bool{false, false, true}) || res.JobSecurity != "tenure" {
		t.Errorf("listed %v, no job security %v (%q)", res.Listed, res.NoJobSecurity, res.JobSecurity)
	}
	if res.ListedYears() <= 0 || res.Metrics.FellCount == 0 || res.Metrics.JobLosses == 0 {
		t.Errorf("nobody spent time in the pillory or lost a job: %.1f person-years, %d fell, %d jobs lost", res.ListedYears(), res.Metrics.FellCount, res.Metrics.JobLosses)
	}
	for _, id := range []string{"stigma", "job-loss", "lock-in", "chilled-speech"} {
		c, _ := LookupClaim(id)
		if why := c.Applies(res); why != "" {
			t.Errorf("%s: not applicable (%s)", id, why)
		}
	}
	if !res.Consequences || !res.Offers {
		t.Errorf("consequences %v, offers %v: want both (a sanction, an entitlement lost, a privilege above the start)", res.Consequences, res.Offers)
	}
	// A list must be a sanction of the scheme.
	bad := cfg
	bad.Responses = []Response{{Capability: "tenure", Response: ResponseStigma, Weight: 1}}
	if _, err := Simulate(context.Background(), bad); err == nil || !strings.Contains(err.Error(), "tenure") {
		t.Errorf("a list mapped to an entitlement: %v", err)
	}
	// The same scheme with the built-in responses: none of its capabilities
	// is named there, so there is no list and no job loss.
	cfg.Responses = nil
	plain, err := Simulate(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(plain.Lists) != 0 || plain.JobSecurity != "" || plain.Metrics.JobLosses != 0 || plain.Metrics.StigmaPositive != 0 {
		t.Errorf("built-in responses gave the invented scheme lists %v, job security %q, %d job losses", plain.Lists, plain.JobSecurity, plain.Metrics.JobLosses)
	}
	for _, id := range []string{"stigma", "job-loss"} {
		c, _ := LookupClaim(id)
		if c.Applies(plain) == "" {
			t.Errorf("%s applies to a scheme without the mechanism", id)
		}
	}
}

// TestNoOscillation: the yearly chilled-speech and misconduct rates of the
// last year of 4-, 5- and 6-year runs agree within their 95% intervals over
// replications (a response that swung from year to year would make the
// last year depend on the parity of the run).
func TestNoOscillation(t *testing.T) {
	if testing.Short() {
		t.Skip("runs 45 simulations")
	}
	s := rongcheng(t)
	type ci struct{ m, lo, hi float64 }
	last := map[int][2]ci{}
	for _, years := range []int{4, 5, 6} {
		var speech, mis []float64
		for rep := range 5 {
			res, err := Simulate(context.Background(), Config{Scheme: s, Citizens: 20000, Years: years, Seed: 100 + uint64(rep), End: testEnd})
			if err != nil {
				t.Fatal(err)
			}
			m := res.Metrics
			speech = append(speech, 1000*float64(m.ScoredSpeechActs[years-1])/float64(m.Scored))
			mis = append(mis, 1000*float64(m.ScoredMisconductActs[years-1])/float64(m.Scored))
		}
		var out [2]ci
		for i, xs := range [][]float64{speech, mis} {
			m, lo, hi := MeanCI(xs)
			out[i] = ci{m, lo, hi}
		}
		last[years] = out
		t.Logf("%d years: last year's speech %.1f [%.1f, %.1f], misconduct %.1f [%.1f, %.1f] per 1,000 scored", years,
			out[0].m, out[0].lo, out[0].hi, out[1].m, out[1].lo, out[1].hi)
	}
	for i, what := range []string{"chilled speech", "misconduct"} {
		for _, a := range []int{4, 5} {
			for _, b := range []int{5, 6} {
				x, y := last[a][i], last[b][i]
				if a >= b {
					continue
				}
				if x.hi < y.lo || y.hi < x.lo || math.IsNaN(x.m) {
					t.Errorf("%s: the last year of %d years, %.1f [%.1f, %.1f], and of %d years, %.1f [%.1f, %.1f], do not agree", what, a, x.m, x.lo, x.hi, b, y.m, y.lo, y.hi)
				}
			}
		}
	}
}

// TestSample: a run of the sample alone gives exactly the sample's metrics
// of the whole run (so the claims' comparisons are paired), and tracking
// the sample does not change the whole run.
func TestSample(t *testing.T) {
	cfg := Config{Scheme: rongcheng(t), Citizens: 6000, Years: 3, Seed: 8, End: testEnd, Settings: Settings{"hood_size": 300}}
	plain, err := Simulate(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Sample = 0.3
	whole, err := Simulate(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	cfg.SampleOnly = true
	only, err := Simulate(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(plain.Metrics, whole.Metrics) {
		t.Error("tracking a sample changed the run's metrics")
	}
	if whole.SampleHoods < 2 || whole.SampleHoods >= whole.Hoods || only.Citizens != whole.SampleCitizens || only.Hoods != whole.SampleHoods {
		t.Fatalf("sample: %d of %d neighbourhoods, %d citizens; the sample alone: %d neighbourhoods, %d citizens", whole.SampleHoods, whole.Hoods, whole.SampleCitizens, only.Hoods, only.Citizens)
	}
	if !reflect.DeepEqual(whole.SampleMetrics, only.Metrics) {
		t.Error("the sample alone differs from the sample within the whole run")
	}
	rows, err := RunClaims(context.Background(), Config{Scheme: cfg.Scheme, Citizens: 6000, Years: 3, Seed: 8, End: testEnd, Settings: cfg.Settings, Sample: 0.3}, []*Result{whole})
	if err != nil {
		t.Fatal(err)
	}
	if s := rows[0].Sample; s <= 0 || s >= 1 {
		t.Errorf("rows say sample %v", s)
	}
	if _, err := RunClaims(context.Background(), Config{Scheme: cfg.Scheme, Citizens: 6000, Years: 3, Seed: 8, End: testEnd, Sample: 0.3}, []*Result{plain}); err == nil {
		t.Error("runs without the sample were compared on it")
	}
}
