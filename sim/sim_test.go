package sim

import (
	"context"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"scs"
	"scs/schemes"
)

var testEnd = time.Date(2026, 1, 1, 0, 0, 0, 0, time.FixedZone("CST", 8*3600))

func rongcheng(t testing.TB) *scs.Scheme {
	t.Helper()
	s, err := schemes.Load("rongcheng")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

type collected struct {
	rows   []CitizenRow
	events []scs.Event
}

func runCollect(t *testing.T, cfg Config) (*Result, *collected) {
	t.Helper()
	c := &collected{}
	cfg.Rows, cfg.Events = true, AllEvents
	cfg.OnHood = func(h *HoodOutput) error {
		c.rows = append(c.rows, h.Rows...)
		c.events = append(c.events, h.Events...)
		return nil
	}
	res, err := Simulate(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return res, c
}

// TestWorkersDoNotChangeResults runs the same configuration with 1, 2 and 8
// workers and requires identical metrics, citizens and records.
func TestWorkersDoNotChangeResults(t *testing.T) {
	cfg := Config{Scheme: rongcheng(t), Citizens: 5000, Years: 4, Seed: 99, End: testEnd, Settings: Settings{"hood_size": 300}}
	var base *Result
	var baseC *collected
	for _, w := range []int{1, 2, 8} {
		cfg.Workers = w
		res, c := runCollect(t, cfg)
		if base == nil {
			base, baseC = res, c
			if res.Hoods < 8 {
				t.Fatalf("only %d neighbourhoods: the test needs more than the workers", res.Hoods)
			}
			continue
		}
		if !reflect.DeepEqual(base.Metrics, res.Metrics) {
			t.Errorf("workers=%d: metrics differ from workers=1", w)
		}
		if !reflect.DeepEqual(baseC.rows, c.rows) {
			t.Errorf("workers=%d: citizens differ from workers=1", w)
		}
		if !reflect.DeepEqual(baseC.events, c.events) {
			t.Errorf("workers=%d: records differ from workers=1", w)
		}
	}
	if base.Metrics.TotalRecords() == 0 {
		t.Fatal("no records")
	}
}

// TestSeedChangesResults guards against a seed that is ignored.
func TestSeedChangesResults(t *testing.T) {
	cfg := Config{Scheme: rongcheng(t), Citizens: 2000, Years: 2, Seed: 1, End: testEnd}
	a, _ := Simulate(context.Background(), cfg)
	cfg.Seed = 2
	b, _ := Simulate(context.Background(), cfg)
	if reflect.DeepEqual(a.Metrics, b.Metrics) {
		t.Error("seeds 1 and 2 gave the same metrics")
	}
}

// TestResponseSwitches shows that each response of the model moves its
// metric in the documented direction: a fixed seed, the mechanism at its
// default strength against switched off, and a margin.
func TestResponseSwitches(t *testing.T) {
	s := rongcheng(t)
	perCY := func(n int64, r *Result) float64 { return float64(n) / r.CitizenYears() }
	sumRows := func(g [][]int64) int64 {
		var n int64
		for _, r := range g {
			n += sum(r)
		}
		return n
	}
	cases := []struct {
		name   string
		base   Settings // both runs
		off    Settings // the mechanism switched off
		metric func(*Result) float64
		more   bool    // the metric is higher with the mechanism on
		margin float64 // required relative difference
	}{
		{"deterrence lowers misconduct", nil, Settings{"deterrence": 0},
			func(r *Result) float64 { return perCY(sum(r.Metrics.MisconductActs), r) }, false, 0.1},
		{"farming raises positive records", nil, Settings{"farming": 0},
			func(r *Result) float64 { return perCY(sum(r.Metrics.PositiveRecords), r) }, true, 0.1},
		{"farming bunches scores above boundaries", nil, Settings{"farming": 0},
			func(r *Result) float64 { v, _ := r.BunchingIndex(); return v }, true, 0.05},
		{"stigma lowers positive acts in C and D", nil, Settings{"stigma": 0},
			func(r *Result) float64 { return float64(r.Metrics.StigmaPositive) }, false, 0.2},
		{"chill lowers criticism", nil, Settings{"chill": 0},
			func(r *Result) float64 { return perCY(sum(r.Metrics.SpeechActs), r) }, false, 0.3},
		{"informants raise records of informable acts", nil, Settings{"informants": 0, "informant_recruit": 0},
			func(r *Result) float64 { return perCY(sumRows(r.Metrics.ViaInformant), r) }, true, 0.5},
		{"donations widen the gap between rich and poor", nil, Settings{"donations": 0},
			func(r *Result) float64 { return r.DecileMeanScore(9) - r.DecileMeanScore(0) }, true, 0.2},
		{"lock-ins keep people down", nil, Settings{"lockins": 0},
			func(r *Result) float64 { v, _ := r.ClimbOut(r.LockedGrades()...); return v }, false, 0.1},
		{"job loss cuts the income of people in D", Settings{"rate.tax-evasion": 30, "rate.utility-damage": 30}, Settings{"job_loss": 0},
			func(r *Result) float64 { return float64(r.Metrics.FellIncome) / float64(r.Metrics.FellIncome0) }, false, 0.1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := Config{Scheme: s, Citizens: 20000, Years: 5, Seed: 2026, End: testEnd, Settings: Settings{}}
			for k, v := range c.base {
				cfg.Settings[k] = v
			}
			on, err := Simulate(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			cfg.Settings = cfg.Settings.Clone()
			for k, v := range c.off {
				cfg.Settings[k] = v
			}
			off, err := Simulate(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			a, b := c.metric(on), c.metric(off)
			t.Logf("on %.4g, off %.4g", a, b)
			if c.more && !(a > b*(1+c.margin)) {
				t.Errorf("with the mechanism: %.4g; without: %.4g; want at least %.0f%% higher", a, b, 100*c.margin)
			}
			if !c.more && !(a < b*(1-c.margin)) {
				t.Errorf("with the mechanism: %.4g; without: %.4g; want at least %.0f%% lower", a, b, 100*c.margin)
			}
		})
	}
}

// TestAnySchemeWorks runs a scheme the behaviour table only partly knows:
// a rule matched by category gets records, an unknown rule gets none.
func TestAnySchemeWorks(t *testing.T) {
	src := `name: tiny
title: Tiny
time_zone: Europe/Berlin
start: 100
floor: 0
grades:
  - {name: good, min: 90, source: test, status: assumed}
  - {name: bad, min: 0, max: 89, lock_in: 1 year, source: test, status: assumed}
rules:
  - {id: parking, description: parked badly, category: traffic, department: police, points: -5, source: test, status: assumed}
  - {id: knitting, description: knitted, category: crafts, department: guild, points: 2, source: test, status: assumed}
  - {id: gift, description: gave money, category: charity, department: town, per_unit: {points: 1, per: 50, quantity: euro}, yearly_cap: 10, source: test, status: assumed}
`
	s, err := schemes.Parse("tiny.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	mapping, _ := Map(s, DefaultBehaviours())
	want := []string{"category:traffic", "", "category:charity"}
	for i, m := range mapping {
		if m.Behaviour != want[i] {
			t.Errorf("rule %s: behaviour %q, want %q", m.Rule, m.Behaviour, want[i])
		}
	}
	res, c := runCollect(t, Config{Scheme: s, Citizens: 3000, Years: 3, Seed: 5, End: testEnd, Settings: Settings{"rate.parking": 40}})
	var parking, knitting, gift int
	for _, ev := range c.events {
		switch ev.Rule {
		case "parking":
			parking++
		case "knitting":
			knitting++
		case "gift":
			gift++
			if !ev.HasQuantity || ev.Quantity < 1 {
				t.Fatalf("gift without a quantity: %+v", ev)
			}
		}
	}
	if parking == 0 || gift == 0 || knitting != 0 {
		t.Errorf("records: parking %d, gift %d, knitting %d; want some, some, none", parking, gift, knitting)
	}
	if res.Metrics.GradeCounts[3][1] == 0 {
		t.Error("nobody fell into the bad grade")
	}
}

func TestConfigErrors(t *testing.T) {
	s := rongcheng(t)
	cases := []struct {
		cfg  Config
		want string
	}{
		{Config{Citizens: 10, Years: 1, End: testEnd}, "scheme"},
		{Config{Scheme: s, Citizens: 0, Years: 1, End: testEnd}, "citizens"},
		{Config{Scheme: s, Citizens: 10, Years: 0, End: testEnd}, "years"},
		{Config{Scheme: s, Citizens: 10, Years: 1}, "end"},
		{Config{Scheme: s, Citizens: 10, Years: 1, End: testEnd, Settings: Settings{"nope": 1}}, "nope"},
		{Config{Scheme: s, Citizens: 10, Years: 1, End: testEnd, Settings: Settings{"farming": -1}}, "farming"},
	}
	for _, c := range cases {
		_, err := Simulate(context.Background(), c.cfg)
		if err == nil || scs.ErrorCode(err) != scs.EINVALID || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: got %v, want an invalid error naming %q", c.cfg.Settings, err, c.want)
		}
	}
}

func TestCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Simulate(ctx, Config{Scheme: rongcheng(t), Citizens: 100000, Years: 10, End: testEnd})
	if err == nil {
		t.Fatal("a cancelled run returned no error")
	}
}

func TestSettings(t *testing.T) {
	s := Settings{}
	for _, bad := range []string{"", "=1", "farming", "farming=x", "farming=NaN", "farming=-1", "unknown=1", "participation=2"} {
		if err := s.Set(bad); err == nil {
			t.Errorf("Set(%q) accepted", bad)
		}
	}
	if err := s.Set(" farming = 2 "); err != nil || s.Get("farming") != 2 {
		t.Errorf("Set farming: %v, %v", err, s.Get("farming"))
	}
	if err := s.Set("rate.tax-evasion=0"); err != nil || s.Get("rate.tax-evasion") != 0 {
		t.Errorf("Set rate.tax-evasion: %v", err)
	}
	if s.Get("stigma") != 1 || s.Get("rate.other") != 1 {
		t.Error("defaults not returned")
	}
}

func FuzzSettingsSet(f *testing.F) {
	for _, s := range []string{"farming=1", "rate.x=2", "participation=0.5", "=", "a=b=c", "hood_size=1e308"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		set := Settings{}
		if err := set.Set(s); err == nil {
			name, _, _ := strings.Cut(s, "=")
			p, ok := LookupParam(strings.TrimSpace(name))
			v := set.Get(strings.TrimSpace(name))
			if !ok || v < p.Min || v > p.Max {
				t.Fatalf("accepted %q: %v", s, v)
			}
		}
	})
}

func TestParseBehaviours(t *testing.T) {
	if len(DefaultBehaviours()) == 0 {
		t.Fatal("no built-in behaviours")
	}
	cases := map[string]string{
		"behaviours: []":                                                    "empty",
		"behaviours:\n  - {kind: good, rate: 1}":                            "conduct or category",
		"behaviours:\n  - {rule: a, category: b, kind: good}":               "not both",
		"behaviours:\n  - {rule: a, kind: evil}":                            "kind",
		"behaviours:\n  - {rule: a, kind: good, rate: -1}":                  "rate",
		"behaviours:\n  - {rule: a, kind: misconduct, rate: 1}":             "detect",
		"behaviours:\n  - {rule: a, kind: good, traits: {height: 1}}":       "height",
		"behaviours:\n  - {rule: a, kind: good, needs: car}":                "needs",
		"behaviours:\n  - {rule: a, kind: good}\n  - {rule: a, kind: good}": "duplicate",
		"behaviours:\n  - {rule: a, kind: good, colour: red}":               "colour",
		"behaviours: [": "behaviours.yaml",
		"behaviours:\n  - {rule: a, kind: good}\nresponses:\n  - {response: stigma, weight: 1}":                                                  "capability: missing",
		"behaviours:\n  - {rule: a, kind: good}\nresponses:\n  - {capability: x, response: shame, weight: 1}":                                    "shame",
		"behaviours:\n  - {rule: a, kind: good}\nresponses:\n  - {capability: x, response: stigma}":                                              "weight",
		"behaviours:\n  - {rule: a, kind: good}\nresponses:\n  - {capability: x, response: keeps-job, weight: 2}":                                "weight and public",
		"behaviours:\n  - {rule: a, kind: good}\nresponses:\n  - {capability: x, response: keeps-job}\n  - {capability: x, response: keeps-job}": "duplicate",
	}
	for src, want := range cases {
		_, err := ParseBehaviours("behaviours.yaml", []byte(src))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: got %v, want an error naming %q", src, err, want)
		}
	}
}

func FuzzParseBehaviours(f *testing.F) {
	f.Add(DefaultBehavioursYAML())
	f.Add([]byte("behaviours:\n  - {rule: a, kind: good, rate: 1}"))
	f.Add([]byte("behaviours:\n  - {category: c, kind: misconduct, rate: 1, detect: 0.5, traits: {age: 1}}"))
	f.Add([]byte("behaviours:\n  - {rule: a, kind: good}\nresponses:\n  - {capability: watch-list, response: stigma, weight: 2, public: true}"))
	f.Add([]byte("behaviours:\n  - {rule: a, kind: good}\nresponses: []"))
	f.Fuzz(func(t *testing.T, data []byte) {
		tb, err := ParseTable("f.yaml", data)
		if err != nil {
			return
		}
		bs := tb.Behaviours
		for _, r := range tb.Responses {
			if r.Capability == "" || (r.Response != ResponseStigma && r.Response != ResponseJobSecurity) || (r.Response == ResponseStigma && !(r.Weight > 0 && r.Weight <= 100)) {
				t.Fatalf("accepted response %+v", r)
			}
		}
		s, _ := schemes.Load("rongcheng")
		Map(s, bs)
		for _, b := range bs {
			if b.Rate < 0 || b.Detect < 0 || b.Detect > 1 {
				t.Fatalf("accepted %+v", b)
			}
		}
	})
}

// TestModelDocListsParams keeps docs/model.md's parameter table complete.
func TestModelDocListsParams(t *testing.T) {
	doc, err := os.ReadFile("../docs/model.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range Params {
		if !strings.Contains(string(doc), "| "+p.Name+" | ") {
			t.Errorf("docs/model.md does not list parameter %s", p.Name)
		}
	}
}

// TestBuiltinSchemesHaveBehaviours: every rule of every built-in scheme is
// driven by a behaviour, and a small run of each makes records.
func TestBuiltinSchemesHaveBehaviours(t *testing.T) {
	for _, name := range schemes.Names() {
		s, err := schemes.Load(name)
		if err != nil {
			t.Fatal(err)
		}
		mapping, _ := Map(s, DefaultBehaviours())
		for _, m := range mapping {
			if m.Behaviour == "" {
				t.Errorf("%s: rule %s has no behaviour", name, m.Rule)
			}
		}
		res, err := Simulate(context.Background(), Config{Scheme: s, Citizens: 2000, Years: 2, Seed: 3, End: testEnd})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if res.Metrics.TotalRecords() == 0 {
			t.Errorf("%s: no records", name)
		}
	}
}
