package schemes_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"scs"
	"scs/schemes"
)

var update = flag.Bool("update", false, "rewrite golden files")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; run go test ./schemes -update and review the diff", name)
	}
}

func TestBuiltinGolden(t *testing.T) {
	for _, name := range schemes.Names() {
		s, err := schemes.Load(name)
		if err != nil {
			t.Fatal(err)
		}
		b, err := json.MarshalIndent(s, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		golden(t, name+".json", append(b, '\n'))
	}
}

func TestRongchengFollowsTheSources(t *testing.T) {
	s := schemes.MustLoad("rongcheng")
	if s.Start != 1000 || s.Floor != 0 || s.Ceiling != scs.Unbounded || s.TimeZone != "Asia/Shanghai" || !s.ConsentRequired {
		t.Errorf("scheme header: %+v", s)
	}
	bands := map[string][3]int64{ // min, max, lock-in years
		"AAA": {1050, scs.Unbounded, 0}, "AA": {1030, 1049, 0}, "A": {960, 1029, 0},
		"B": {850, 959, 2}, "C": {600, 849, 3}, "D": {0, 599, 5},
	}
	for _, g := range s.Grades {
		b := bands[g.Name]
		if g.Min != b[0] || g.Max != b[1] || g.LockIn != (scs.Period{Years: int(b[2])}) {
			t.Errorf("grade %s: %d-%d lock %v, want %v", g.Name, g.Min, g.Max, g.LockIn, b)
		}
	}
	want := map[string]struct {
		kind   scs.EffectKind
		points int64
		status scs.Status
	}{
		"returned-lost-money": {scs.EffectFixed, 20, scs.StatusEssay}, "online-criticism-of-government": {scs.EffectFixed, -50, scs.StatusEssay},
		"informant-report": {scs.EffectFixed, 3, scs.StatusEssay}, "speeding-ticket": {scs.EffectFixed, -10, scs.StatusEssay},
		"tax-evasion": {scs.EffectFixed, -100, scs.StatusEssay}, "charitable-donation": {scs.EffectPerUnit, 1, scs.StatusAssumed},
		"blood-donation": {scs.EffectFixed, 10, scs.StatusAssumed}, "bought-diapers": {scs.EffectPerUnit, 1, scs.StatusAssumed},
		"excessive-unhealthy-food": {scs.EffectPerUnit, -2, scs.StatusAssumed}, "volunteer-service": {scs.EffectTiered, 0, scs.StatusSecondary},
		"heroic-act": {scs.EffectFixed, 30, scs.StatusSecondary}, "drunk-driving": {scs.EffectDropTo, 0, scs.StatusSecondary},
		"contract-nonperformance": {scs.EffectFixed, -20, scs.StatusOfficial}, "contract-breach-judgment": {scs.EffectFixed, -50, scs.StatusOfficial},
		"bank-arrears": {scs.EffectPerUnit, -10, scs.StatusOfficial}, "private-lending-breach": {scs.EffectFixed, -20, scs.StatusOfficial},
		"illegal-fundraising": {scs.EffectFixed, -40, scs.StatusOfficial}, "guarantee-breach": {scs.EffectFixed, -20, scs.StatusOfficial},
		"debt-judgment": {scs.EffectFixed, -30, scs.StatusOfficial}, "pyramid-or-fraud": {scs.EffectFixed, -30, scs.StatusOfficial},
		"counterfeit-goods": {scs.EffectFixed, -30, scs.StatusOfficial}, "other-commercial": {scs.EffectRange, 0, scs.StatusOfficial},
		"late-utility-fees": {scs.EffectFixed, -20, scs.StatusOfficial}, "utility-arrears-judgment": {scs.EffectFixed, -50, scs.StatusOfficial},
		"heating-tampering": {scs.EffectFixed, -50, scs.StatusOfficial}, "utility-theft": {scs.EffectFixed, -60, scs.StatusOfficial},
		"utility-damage": {scs.EffectFixed, -100, scs.StatusOfficial},
	}
	if len(s.Rules) != len(want) {
		t.Errorf("%d rules, want %d", len(s.Rules), len(want))
	}
	for id, w := range want {
		r, ok := s.Rule(id)
		if !ok {
			t.Errorf("rule %s missing", id)
			continue
		}
		if r.Effect.Kind != w.kind || r.Effect.Points != w.points || r.Status != w.status || r.Source == "" {
			t.Errorf("rule %s: %v %d %s (source %q), want %v %d %s", id, r.Effect.Kind, r.Effect.Points, r.Status, r.Source, w.kind, w.points, w.status)
		}
	}
	if r, _ := s.Rule("speeding-ticket"); !strings.Contains(r.Notes, "-5") {
		t.Errorf("speeding-ticket must note the press report's -5: %q", r.Notes)
	}
	if r, _ := s.Rule("charitable-donation"); r.YearlyCap != 30 || r.Effect.Unit != 100 {
		t.Errorf("charitable-donation: %+v", r)
	}
	caps := map[string]string{"loan": "AAA AA A", "requests-processed": "AAA AA A B", "public-list": "D", "watch-list": "C D", "heating-discount": "AAA"}
	for name, grades := range caps {
		c, ok := s.Capability(name)
		if !ok || strings.Join(c.Grades, " ") != grades {
			t.Errorf("capability %s: %v", name, c)
		}
	}
	visits := map[string]float64{"B": 1 / (365.2425 / 4), "C": 1.0 / 7, "D": 3}
	for _, g := range s.Grades {
		if got := g.Visits.PerDay(); got != visits[g.Name] {
			t.Errorf("grade %s: %v visits a day, want %v", g.Name, got, visits[g.Name])
		}
	}
}

const valid = `name: t
title: Test
time_zone: Asia/Shanghai
start: 100
floor: 0
grades:
  - name: A
    min: 50
  - name: B
    min: 0
    max: 49
    lock_in: 1 year
capabilities:
  - name: loan
    description: a loan
    grades: [A]
    source: test
    status: assumed
rules:
  - id: r1
    description: did something
    category: c
    department: d
    points: -10
    source: test
    status: assumed
`

func TestParseValid(t *testing.T) {
	s, err := schemes.Parse("t.yaml", []byte(valid))
	if err != nil {
		t.Fatal(err)
	}
	if s.Name != "t" || len(s.Grades) != 2 || s.Grades[1].LockIn.Years != 1 || s.Location.String() != "Asia/Shanghai" {
		t.Fatalf("parsed %+v", s)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, old, new, want string
	}{
		{"unknown top field", "title: Test\n", "title: Test\ncolour: red\n", `t.yaml:3:1: colour: unknown field "colour"`},
		{"unknown rule field", "    points: -10\n", "    points: -10\n    pionts: 3\n", `t.yaml:25:5: rules[0].pionts: unknown field "pionts"`},
		{"bad time zone", "Asia/Shanghai", "Mars/Olympus", `t.yaml:3:12: time_zone: "Mars/Olympus" is not an IANA time zone`},
		{"gap between bands", "    max: 49\n", "    max: 40\n", "t.yaml:11:10: grades[1].max: gap: scores 41-49 are in no grade"},
		{"overlapping bands", "    max: 49\n", "    max: 60\n", "t.yaml:11:10: grades[1].max: band 0-60 overlaps grade A"},
		{"lowest band above floor", "    min: 0\n", "    min: 10\n", "grades[1].min: 10: the lowest grade must start at the floor 0"},
		{"bad lock-in", "1 year", "a while", `t.yaml:12:14: grades[1].lock_in: period "a while"`},
		{"capability names unknown grade", "grades: [A]", "grades: [A, Z]", `t.yaml:16:17: capabilities[0].grades[1]: unknown grade "Z"`},
		{"duplicate rule id", "rules:\n", "rules:\n  - {id: r1, description: x, category: c, department: d, points: 1, source: s, status: essay}\n", "rules[1].id: duplicate rule id r1 (first at rules[0])"},
		{"bad status", "    status: assumed\n", "    status: rumour\n", `status: "rumour" is not a status`},
		{"two effects", "    points: -10\n", "    points: -10\n    drop_to: B\n", "rules[0].drop_to: rule r1 has more than one effect (points, drop_to)"},
		{"no effect", "    points: -10\n", "", "rules[0]: rule r1 has no effect"},
		{"missing source", "    source: test\n    status: assumed\n", "    status: assumed\n", "source: missing"},
		{"range min above max", "    points: -10\n", "    range: {min: -5, max: -50}\n", "rules[0].range.max: -50 is below min -5"},
		{"drop to unknown grade", "    points: -10\n", "    drop_to: Q\n", `rules[0].drop_to: unknown grade "Q"`},
		{"drop to the open top grade", "    points: -10\n", "    drop_to: A\n", "grade A has no top to drop to"},
		{"tiers out of order", "    points: -10\n", "    tiered: {quantity: hours, tiers: [{up_to: 20, per: 1, points: 1}, {up_to: 10, per: 2, points: 1}]}\n", "tiers[1].up_to: 10 must be above the previous tier's 20"},
		{"open tier not last", "    points: -10\n", "    tiered: {quantity: hours, tiers: [{per: 1, points: 1}, {up_to: 10, per: 2, points: 1}]}\n", "tiers[0].up_to: missing; only the last tier may be open"},
		{"per-unit without unit", "    points: -10\n", "    per_unit: {points: 1, quantity: yuan}\n", "per_unit.per: want the size of one unit"},
		{"cap on a drop rule", "    points: -10\n", "    drop_to: B\n    yearly_cap: 5\n", "a drop_to rule cannot have a yearly cap"},
		{"negative cap", "    points: -10\n", "    points: -10\n    yearly_cap: -5\n", "yearly_cap: -5: want a positive number"},
		{"wrong type", "start: 100", "start: lots", `t.yaml:4:8: start: want a whole number, found text "lots"`},
		{"syntax error", "grades:\n", "grades:\n  - name: [\n", "t.yaml:"},
		{"start below floor", "start: 100", "start: -1", "start: -1 is outside the floor and ceiling"},
		{"not a mapping", valid, "- 1\n- 2\n", "want a mapping of scheme fields"},
		{"empty file", valid, "", "want exactly one YAML document"},
		{"conduct not in the vocabulary", "    points: -10\n", "    points: -10\n    conduct: jaywalking\n", `t.yaml:25:14: rules[0].conduct: "jaywalking" is not a conduct of the vocabulary`},
		{"conduct counts a quantity", "    points: -10\n", "    points: -10\n    conduct: bank-arrears\n", "rule r1 scores conduct bank-arrears, which counts overdue months; give it a per_unit or tiered effect"},
		{"conduct scored twice", "rules:\n", "rules:\n  - {id: r0, conduct: tax-evasion, description: x, category: c, department: d, points: 1, source: s, status: essay}\n  - {id: tax-evasion, description: x, category: c, department: d, points: 1, source: s, status: essay}\n", "rules[1].conduct: conduct tax-evasion is already scored by rules[0]"},
		{"figure without status", "start: 100\n", "start: 100\nfigures: {start: {source: s}}\n", "figures.start.status: missing"},
		{"ceiling source without ceiling", "start: 100\n", "start: 100\nfigures: {ceiling: {source: s, status: assumed}}\n", "figures.ceiling: the scheme has no ceiling"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := strings.Replace(valid, tc.old, tc.new, 1)
			if src == valid && tc.old != tc.new {
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

func TestLoadUnknown(t *testing.T) {
	_, err := schemes.Load("no-such-scheme")
	if scs.ErrorCode(err) != scs.ENOTFOUND || !strings.Contains(err.Error(), "rongcheng") {
		t.Fatalf("err = %v", err)
	}
}

// FuzzParse checks that no scheme file makes the loader panic, and that a
// scheme it accepts is one the engine can compile.
func FuzzParse(f *testing.F) {
	f.Add([]byte(valid))
	b, _ := schemes.Builtin("rongcheng")
	f.Add(b)
	f.Add([]byte("grades: [{name: A, min: *x}]"))
	f.Add([]byte("&a [*a]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := schemes.Parse("f.yaml", data)
		if err != nil {
			if scs.ErrorCode(err) != scs.EINVALID {
				t.Fatalf("error without the invalid code: %v", err)
			}
			return
		}
		if len(s.Grades) == 0 || len(s.Rules) == 0 {
			t.Fatalf("accepted a scheme without grades or rules")
		}
	})
}

// TestParseReportsEveryShapeProblem checks that unknown fields and values of
// the wrong kind are all reported in one run, each at its line and field, in
// the format's words rather than Go's type names.
func TestParseReportsEveryShapeProblem(t *testing.T) {
	src := strings.Replace(valid, "start: 100", "start: lots", 1)
	src = strings.Replace(src, "title: Test\n", "title: Test\ncolour: red\n", 1)
	src = strings.Replace(src, "    points: -10\n", "    points: ten\n    pionts: 3\n", 1)
	if strings.Count(src, "lots")+strings.Count(src, "colour")+strings.Count(src, "pionts") != 3 {
		t.Fatal("test file not changed as intended")
	}
	_, err := schemes.Parse("t.yaml", []byte(src))
	var pe *schemes.ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("error %v, want a *ParseError", err)
	}
	want := []string{
		`colour: unknown field "colour"`,
		`start: want a whole number, found text "lots"`,
		`rules[0].points: want a whole number, found text "ten"`,
		`rules[0].pionts: unknown field "pionts"`,
	}
	if len(pe.Problems) != len(want) {
		t.Fatalf("%d problems, want %d:\n%v", len(pe.Problems), len(want), err)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error:\n%v\nwant it to contain %q", err, w)
		}
	}
	for _, leak := range []string{"Go struct", "unmarshal", "int64", "fileScheme"} {
		if strings.Contains(err.Error(), leak) {
			t.Errorf("error shows Go internals (%q):\n%v", leak, err)
		}
	}
}
