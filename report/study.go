package report

import (
	"context"
	"io"
	"math"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"scs"
	"scs/sim"
)

// Study is everything scs simulate runs: one configuration or a sweep of
// one parameter, each over replications (seeds Seed..Seed+Replications-1),
// with the claims' counterfactual runs and the sensitivity screening when
// asked.
type Study struct {
	Scheme       *scs.Scheme
	Behaviours   []sim.Behaviour // nil: the built-in table
	Responses    []sim.Response
	Settings     sim.Settings
	Citizens     int
	Years        int
	Seed         uint64
	End          time.Time
	Workers      int    // 0: GOMAXPROCS
	Replications int    // at least 1
	SweepName    string // "" for no sweep
	SweepValues  []string
	Claims       bool
	ClaimsSample float64 // the share of neighbourhoods of the claims' comparisons; 1: all
	Sensitivity  bool
	Trajectories int
	// Shard and Shards run only one shard of every run (sim.Config).
	Shard, Shards int
	// Runner, when set, makes every run in place of sim.Simulate (a
	// sharded study records its runs, a merge returns the shards' sums).
	Runner sim.Runner

	// Rows, Events and OnHood are given to the first run only (the
	// per-citizen rows and the records written out).
	Rows   bool
	Events sim.EventMode
	OnHood func(*sim.HoodOutput) error
	// Compare, when set, is a second scheme: the first configuration is run
	// once more with the conduct Compare scores, and every scored citizen's
	// records are scored under both (Outcome.Comparison).
	Compare *scs.Scheme
	// Progress, when set, is called now and then from one goroutine with
	// what runs, the work done and its total; total 0 says the step ended.
	Progress func(what string, done, total int64)
}

// Outcome is what a study found, ready to be written and printed.
type Outcome struct {
	First       *sim.Result // the first run (the first sweep value, seed Seed)
	FirstClaims []sim.ClaimRow
	Summary     *Summary
	Tables      []*Table // aggregated over replications (and sweep values)
	Sweep       *Table   // nil without a sweep
	Effects     []sim.Effect
	Comparison  *Comparison // with Study.Compare
	study       *Study
}

type runOut struct {
	tables  []*Table
	summary RunSummary
	metrics map[string]float64
	order   []string
}

// labels returns the sweep's labels, or one empty label.
func (s *Study) labels() []string {
	if s.SweepName == "" {
		return []string{""}
	}
	var out []string
	for _, v := range s.SweepValues {
		out = append(out, s.SweepName+"="+v)
	}
	return out
}

func (s *Study) config(settings sim.Settings, seed uint64) sim.Config {
	return sim.Config{Scheme: s.Scheme, Behaviours: s.Behaviours, Responses: s.Responses, Settings: settings, Citizens: s.Citizens, Years: s.Years,
		Seed: seed, End: s.End, Workers: s.Workers, Sample: s.ClaimsSample, Shard: s.Shard, Shards: s.Shards, Runner: s.Runner}
}

func (s *Study) simulate(ctx context.Context, cfg sim.Config) (*sim.Result, error) {
	if s.Runner != nil {
		return s.Runner(ctx, cfg)
	}
	return sim.Simulate(ctx, cfg)
}

func (s *Study) progress(what string, done, total int64) {
	if s.Progress != nil {
		s.Progress(what, done, total)
	}
}

// RunStudy runs s and aggregates its runs: the tables over the
// replications, the sweep table, the claims and the sensitivity.
func RunStudy(ctx context.Context, s Study) (*Outcome, error) {
	if s.Replications < 1 {
		return nil, scs.Errorf(scs.EINVALID, "replications: %d, want at least 1", s.Replications)
	}
	if s.SweepName != "" && len(s.SweepValues) == 0 {
		return nil, scs.Errorf(scs.EINVALID, "sweep: %s has no values", s.SweepName)
	}
	labels := s.labels()
	o := &Outcome{study: &s}
	all := make([][]runOut, len(labels))
	var claimTables []*Table
	prefix := ""
	if s.SweepName != "" {
		prefix = "sweep"
	}
	for li, label := range labels {
		settings := s.Settings.Clone()
		if s.SweepName != "" {
			if err := settings.SetValue(s.SweepName, s.SweepValues[li]); err != nil {
				return nil, err
			}
		}
		results, runs, err := s.replicate(ctx, li, len(labels), label, settings)
		if err != nil {
			return nil, err
		}
		if li == 0 {
			o.First = results[0]
		}
		all[li] = runs
		if !s.Claims {
			continue
		}
		s.progress("counterfactual runs for the claims table", 0, -1)
		claims, err := sim.RunClaims(ctx, s.config(settings, s.Seed), results)
		s.progress("", 0, 0)
		if err != nil {
			return nil, err
		}
		if li == 0 {
			o.FirstClaims = claims
		}
		claimTables = append(claimTables, ClaimsTable(claims, prefix, label))
	}
	o.aggregate(all, labels, prefix)
	if s.Sensitivity {
		if err := o.sensitivity(ctx); err != nil {
			return nil, err
		}
	}
	if len(claimTables) > 0 {
		ct := claimTables[0]
		for _, t := range claimTables[1:] {
			ct.Rows = append(ct.Rows, t.Rows...)
		}
		o.Tables = append(o.Tables, ct)
	}
	o.summarise(all, labels)
	if s.Compare != nil {
		c, err := s.compare(ctx)
		if err != nil {
			return nil, err
		}
		o.Comparison = c
	}
	return o, nil
}

// replicate runs the replications of one configuration (sweep value li).
func (s *Study) replicate(ctx context.Context, li, nl int, label string, settings sim.Settings) ([]*sim.Result, []runOut, error) {
	var results []*sim.Result
	var runs []runOut
	for rep := 0; rep < s.Replications; rep++ {
		cfg := s.config(settings, s.Seed+uint64(rep))
		if li == 0 && rep == 0 {
			cfg.Rows, cfg.Events, cfg.OnHood = s.Rows, s.Events, s.OnHood
		}
		what := "run " + strconv.Itoa(li*s.Replications+rep+1) + "/" + strconv.Itoa(nl*s.Replications)
		if s.Progress != nil {
			n, err := sim.Simulated(cfg)
			if err != nil {
				return nil, nil, err
			}
			total := int64(n)
			cfg.Progress = func(done int64) { s.Progress(what, done, total) }
		}
		res, err := s.simulate(ctx, cfg)
		s.progress("", 0, 0)
		if err != nil {
			return nil, nil, err
		}
		results = append(results, res)
		ro := runOut{tables: Tables(res),
			summary: RunSummary{Sweep: label, Replication: rep, Seed: cfg.Seed, Records: res.Metrics.TotalRecords(), GradesFinal: GradesFinal(res)}}
		ro.metrics, ro.order = keyMetrics(res)
		runs = append(runs, ro)
	}
	return results, runs, nil
}

// aggregate aggregates the tables over the replications, and over the
// sweep values by a key column.
func (o *Outcome) aggregate(all [][]runOut, labels []string, prefix string) {
	s := o.study
	byName := map[string]*Table{}
	if s.SweepName != "" {
		// The first column is named after the parameter swept, so that
		// sweep.csv says what its values are values of.
		o.Sweep = &Table{Name: "sweep", Title: "Sweep", Doc: "Key metrics per value of the swept parameter " + s.SweepName + ".",
			Keys: []string{s.SweepName, "metric"}, Values: []string{"value", "value_ci95_low", "value_ci95_high"}}
	}
	for li, runs := range all {
		for ti := range runs[0].tables {
			reps := make([]*Table, len(runs))
			for i := range runs {
				reps[i] = runs[i].tables[ti]
			}
			agg := Aggregate(reps, prefix, labels[li])
			if t, ok := byName[agg.Name]; ok {
				t.Rows = append(t.Rows, agg.Rows...)
			} else {
				byName[agg.Name] = agg
				o.Tables = append(o.Tables, agg)
			}
		}
		if o.Sweep == nil {
			continue
		}
		for _, name := range runs[0].order {
			var xs []float64
			for _, r := range runs {
				if v := r.metrics[name]; !math.IsNaN(v) {
					xs = append(xs, v)
				}
			}
			m, lo, hi := MeanCI(xs)
			o.Sweep.Rows = append(o.Sweep.Rows, Row{Keys: []string{s.SweepValues[li], name}, Vals: []float64{m, lo, hi}})
		}
	}
}

// sensitivity runs the Morris screening and adds its table.
func (o *Outcome) sensitivity(ctx context.Context) error {
	s := o.study
	cfg := s.config(s.Settings.Clone(), s.Seed)
	cfg.Sample = 0
	var prog func(done, total int)
	if s.Progress != nil {
		prog = func(done, total int) { s.Progress("sensitivity", int64(done), int64(total)) }
	}
	effects, err := sim.Sensitivity(ctx, cfg, s.Trajectories, s.Seed, prog)
	s.progress("", 0, 0)
	if err != nil {
		return err
	}
	o.Effects = effects
	o.Tables = append(o.Tables, SensitivityTable(effects))
	return nil
}

func (o *Outcome) summarise(all [][]runOut, labels []string) {
	s := o.study
	workers := s.Workers
	if workers == 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	o.Summary = NewSummary(o.First, workers, o.FirstClaims)
	o.Summary.Replications = s.Replications
	if s.SweepName != "" {
		o.Summary.Sweep = s.SweepName + "=" + strings.Join(s.SweepValues, ",")
	}
	if len(labels)*s.Replications > 1 {
		for _, runs := range all {
			for _, r := range runs {
				o.Summary.Runs = append(o.Summary.Runs, r.summary)
			}
		}
	}
}

// Write writes the outcome to dir: one CSV per table, summary.json and
// report.html.
func (o *Outcome) Write(dir string) error {
	s := o.study
	all := o.Tables
	if o.Sweep != nil {
		all = append(all, o.Sweep)
	}
	if o.Comparison != nil {
		all = append(all, o.Comparison.Tables()...)
	}
	if err := WriteTables(dir, all); err != nil {
		return err
	}
	if err := WriteFile(filepath.Join(dir, "summary.json"), func(w io.Writer) error { return WriteJSON(w, o.Summary) }); err != nil {
		return err
	}
	// The detailed charts show the first sweep value.
	primary := o.Tables
	if s.SweepName != "" {
		primary = nil
		first := s.labels()[0]
		for _, t := range o.Tables {
			primary = append(primary, firstLabel(t, first))
		}
	}
	var grades []string
	for _, g := range o.First.Scheme.Grades {
		grades = append(grades, g.Name)
	}
	rep := &Report{Summary: o.Summary, Tables: primary, Sweep: o.Sweep, Scheme: s.Scheme.Title, Grades: grades, Years: s.Years, Reps: s.Replications, Settings: s.Settings,
		Start: o.First.Start, End: o.First.End, Location: s.Scheme.Location, Sensitivity: o.Effects, Trajectories: s.Trajectories, Comparison: o.Comparison}
	return WriteFile(filepath.Join(dir, "report.html"), func(w io.Writer) error { return WriteHTML(w, rep) })
}

// firstLabel returns t restricted to the rows of one sweep value, without
// the sweep column.
func firstLabel(t *Table, label string) *Table {
	c := *t
	c.Keys = t.Keys[1:]
	c.Rows = nil
	for _, r := range t.Rows {
		if r.Keys[0] == label {
			c.Rows = append(c.Rows, Row{Keys: r.Keys[1:], Vals: r.Vals})
		}
	}
	return &c
}

// keyMetrics are the scalar metrics of a run compared across a sweep.
func keyMetrics(r *sim.Result) (map[string]float64, []string) {
	m := map[string]float64{}
	var order []string
	put := func(k string, v float64) { m[k] = v; order = append(order, k) }
	scored := float64(r.Metrics.Scored)
	for g, n := range r.Metrics.GradeCounts[r.Years] {
		put("share in "+r.Scheme.Grades[g].Name+" at the end (%)", 100*float64(n)/math.Max(scored, 1))
	}
	put("records per citizen-year", float64(r.Metrics.TotalRecords())/r.CitizenYears())
	for _, c := range sim.Claims {
		if c.Applies(r) == "" {
			put(c.ID+": "+c.Metric, c.Measure(r).Value)
		}
	}
	return m, order
}
