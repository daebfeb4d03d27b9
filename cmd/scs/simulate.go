package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"text/tabwriter"
	"time"

	"golang.org/x/term"

	"scs"
	"scs/jsonl"
	"scs/report"
	"scs/schemes"
	"scs/sim"
)

const simulateUsage = `scs simulate [--scheme NAME|FILE] [--citizens N] [--years Y] [--seed S] [--workers W] [--out DIR]
       [--quiet] [--set name=value]... [--sweep name=v1,v2,...] [--replications K] [--events FILE]
       [--no-claims] [--claims-sample SHARE] [--behaviours FILE] [--end RFC3339] [--no-parquet] [--baseline]
       [--sensitivity [--trajectories R]]

Simulates a synthetic population under a scheme: every citizen's conduct
over the years, each record scored by the engine. Prints a summary; with
--out, writes to DIR: one CSV per table (grades_by_year, mobility,
records_by_rule, yearly, wealth_deciles, survival, climb_out, bunching,
score_distribution, claims), citizens.parquet (per-citizen final states),
summary.json and report.html (self-contained, charts as inline SVG).

The claims table measures each of the essay's claims against a
counterfactual run with its mechanism switched off (same population and
seed), over replications: seeds S..S+K-1, 5 by default with claims (1 with
--no-claims), so that every figure has a 95% interval. Each claim says
whether its mechanism is assumed (a parameter written to produce it) or
emergent, the people or person-years behind each figure, and a verdict:
supported, not supported, not measurable or not applicable. --no-claims
skips the counterfactual runs. --sensitivity adds a Morris elementary-effects
screening of every assumed parameter (docs/model.md gives each one's range)
against every claim's metric: sensitivity.csv (claim, parameter, mu_star,
sigma) and a chart in the report of which assumptions drive each claim; it
makes R x (parameters + 1) runs of the given population (try --citizens
20000 --years 5). --set changes a model parameter (see
docs/model.md; rate.RULE scales one rule); --sweep runs the model for each
value of one parameter. --events writes every record of the scored citizens
of the first run as JSON lines for scs score. Above 200,000 citizens the
claims' comparisons are made on a random sample of the neighbourhoods
(about 200,000 citizens; --claims-sample SHARE sets it, 1 for all): the
base runs are whole, every comparison is paired on the sample, and n and
the intervals are the sample's.`

// claimsSampleCitizens is about how many citizens the claims' comparisons
// use by default: a run of more makes them on a random sample of the
// neighbourhoods (--claims-sample).
const claimsSampleCitizens = 200_000

// maxParquetCitizens is the largest run that writes citizens.parquet
// without being asked (bigger runs stream and keep no per-citizen rows).
const maxParquetCitizens = 20_000_000

type settingsFlag struct{ s sim.Settings }

func (f *settingsFlag) String() string { return "" }
func (f *settingsFlag) Set(v string) error {
	if err := f.s.Set(v); err != nil {
		return fmt.Errorf("%s", scs.ErrorMessage(err))
	}
	return nil
}

func cmdSimulate(e *env, args []string) error {
	fs := newFlags(e, "simulate", simulateUsage)
	schemeName := fs.String("scheme", "rongcheng", "built-in scheme `NAME` or scheme FILE")
	citizens := fs.Int("citizens", 700_000, "number of citizens `N` (Rongcheng's population by default)")
	years := fs.Int("years", 10, "horizon in `years`")
	seed := fs.Uint64("seed", 1, "random `seed`")
	workers := fs.Int("workers", 0, "worker threads (default: all cores); results do not depend on it")
	out := fs.String("out", "", "write the tables, report and summary to `DIR`")
	quiet := fs.Bool("quiet", false, "no progress bar, no summary on standard output")
	set := &settingsFlag{s: sim.Settings{}}
	fs.Var(set, "set", "set a model parameter, `name=value` (repeatable)")
	sweep := fs.String("sweep", "", "run once per value of a parameter: `name=v1,v2,...`")
	reps := fs.Int("replications", 5, "replications `K` per configuration (seeds S..S+K-1; 1 by default with --no-claims)")
	eventsFile := fs.String("events", "", "write every record of the scored citizens of the first run to `FILE` (JSON lines)")
	noClaims := fs.Bool("no-claims", false, "skip the counterfactual runs of the claims table")
	claimsSample := fs.Float64("claims-sample", 0, "make the claims' comparisons on a random sample of this `share` of the neighbourhoods (default: all up to 200,000 citizens, about 200,000 citizens' worth above)")
	behFile := fs.String("behaviours", "", "behaviour table `FILE` (YAML; default: the built-in sim/behaviours.yaml)")
	endFlag := fs.String("end", "2026-01-01T00:00:00+08:00", "the run ends at this RFC 3339 `time` and starts --years before")
	noParquet := fs.Bool("no-parquet", false, "do not write citizens.parquet")
	sensitivity := fs.Bool("sensitivity", false, "also run a Morris screening of every assumed parameter against every claim's metric (sensitivity.csv, and a chart in the report)")
	trajectories := fs.Int("trajectories", 10, "Morris trajectories `R` for --sensitivity (R x (parameters+1) runs)")
	baseline := fs.Bool("baseline", false, "after the first run, time the speed-of-light loop (3 acts per citizen-year, a rule each, points added, no model) and the records-only loop (as many events as the run made records), and print the speeds and ratios")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("simulate: unexpected argument %q", pos[0])
	}
	if *citizens < 1 || *citizens > sim.MaxCitizens {
		return usagef("simulate: --citizens: %d is out of range (1 to %d)", *citizens, sim.MaxCitizens)
	}
	if *years < 1 || *years > sim.MaxYears {
		return usagef("simulate: --years: %d is out of range (1 to %d)", *years, sim.MaxYears)
	}
	repsSet := false
	fs.Visit(func(f *flag.Flag) { repsSet = repsSet || f.Name == "replications" })
	if *noClaims && !repsSet {
		*reps = 1
	}
	if *reps < 1 || *reps > 1000 {
		return usagef("simulate: --replications: %d is out of range (1 to 1000)", *reps)
	}
	if math.IsNaN(*claimsSample) || *claimsSample < 0 || *claimsSample > 1 {
		return usagef("simulate: --claims-sample: %v is not a share from 0 to 1", *claimsSample)
	}
	if *claimsSample == 0 {
		*claimsSample = 1
		if *citizens > claimsSampleCitizens {
			*claimsSample = float64(claimsSampleCitizens) / float64(*citizens)
		}
	}
	if *noClaims {
		*claimsSample = 1
	}
	if *trajectories < 2 || *trajectories > 1000 {
		return usagef("simulate: --trajectories: %d is out of range (2 to 1000)", *trajectories)
	}
	if *sensitivity && sweepFlagSet(fs) {
		return usagef("simulate: --sensitivity and --sweep do not go together")
	}
	if *workers < 0 {
		return usagef("simulate: --workers: %d is negative", *workers)
	}
	end, err := jsonl.ParseTime(*endFlag)
	if err != nil {
		return usagef("simulate: --end: %v", err)
	}
	sweepName, sweepVals, err := parseSweep(*sweep)
	if err != nil {
		return usagef("simulate: --sweep: %s", scs.ErrorMessage(err))
	}
	scheme, err := schemes.Load(*schemeName)
	if err != nil {
		return err
	}
	var behaviours []sim.Behaviour
	var responses []sim.Response
	if *behFile != "" {
		data, err := os.ReadFile(*behFile)
		if err != nil {
			return scs.Errorf(scs.EINVALID, "behaviours: %v", err)
		}
		table, err := sim.ParseTable(*behFile, data)
		if err != nil {
			return err
		}
		behaviours, responses = table.Behaviours, table.Responses
	}
	if *out != "" {
		if err := os.MkdirAll(*out, 0o755); err != nil {
			return scs.Errorf(scs.EINVALID, "out: %v", err)
		}
	}
	progress := !*quiet && isTerminal(e.stderr)

	type runOut struct {
		tables  []*report.Table
		summary report.RunSummary
		metrics map[string]float64
		order   []string
	}
	labels := []string{""}
	if sweepName != "" {
		labels = labels[:0]
		for _, v := range sweepVals {
			labels = append(labels, sweepName+"="+v)
		}
	}
	var first *sim.Result
	var firstClaims []sim.ClaimRow
	var firstWorkers int
	all := make([][]runOut, len(labels))
	var claimTables []*report.Table
	for li, label := range labels {
		settings := set.s.Clone()
		if sweepName != "" {
			if err := settings.SetValue(sweepName, sweepVals[li]); err != nil {
				return usagef("simulate: --sweep: %s", scs.ErrorMessage(err))
			}
		}
		var results []*sim.Result
		for rep := 0; rep < *reps; rep++ {
			cfg := sim.Config{Scheme: scheme, Behaviours: behaviours, Responses: responses, Settings: settings, Citizens: *citizens, Years: *years,
				Seed: *seed + uint64(rep), End: end, Workers: *workers, Sample: *claimsSample}
			isFirst := li == 0 && rep == 0
			var cw *report.CitizenWriter
			var evw *bufio.Writer
			var evf *os.File
			if isFirst {
				if *out != "" && !*noParquet && *citizens > maxParquetCitizens && !*quiet {
					fmt.Fprintf(e.stderr, "scs: simulate: %d citizens: citizens.parquet is written only up to %d citizens; the run streams\n", *citizens, maxParquetCitizens)
				}
				if *out != "" && !*noParquet && *citizens <= maxParquetCitizens {
					if cw, err = report.NewCitizenWriter(filepath.Join(*out, "citizens.parquet")); err != nil {
						return err
					}
					cfg.Rows = true
				}
				if *eventsFile != "" {
					if evf, err = os.Create(*eventsFile); err != nil {
						if cw != nil {
							cw.Abort()
						}
						return scs.Errorf(scs.EINVALID, "events: %v", err)
					}
					evw = bufio.NewWriterSize(evf, 1<<20)
					cfg.Events = sim.ScoredEvents
				}
				if cw != nil || evw != nil {
					var buf []byte
					cfg.OnHood = func(h *sim.HoodOutput) error {
						if cw != nil {
							if err := cw.Write(h.Rows); err != nil {
								return err
							}
						}
						if evw != nil {
							for i := range h.Events {
								buf = jsonl.Append(buf[:0], &h.Events[i])
								if _, err := evw.Write(buf); err != nil {
									return err
								}
							}
						}
						return nil
					}
				}
			}
			what := fmt.Sprintf("run %d/%d", li**reps+rep+1, len(labels)**reps)
			if progress {
				total := int64(*citizens)
				began := time.Now()
				cfg.Progress = func(done int64) { drawProgress(e.stderr, what, began, done, total) }
			}
			res, err := sim.Simulate(e.ctx, cfg)
			if progress {
				fmt.Fprint(e.stderr, "\r\033[K")
			}
			if isFirst {
				if cw != nil {
					if err == nil {
						err = cw.Close()
					} else {
						cw.Abort()
					}
				}
				if evw != nil {
					if ferr := evw.Flush(); err == nil {
						err = ferr
					}
					if ferr := evf.Close(); err == nil {
						err = ferr
					}
				}
			}
			if err != nil {
				return err
			}
			results = append(results, res)
			if isFirst {
				first, firstWorkers = res, cfg.Workers
				if *baseline {
					printBaselines(e.stdout, scheme, res, cfg.Workers, cfg.Seed)
				}
			}
			ro := runOut{tables: report.Tables(res),
				summary: report.RunSummary{Sweep: label, Replication: rep, Seed: cfg.Seed, Records: res.Metrics.TotalRecords(), GradesFinal: report.GradesFinal(res)}}
			ro.metrics, ro.order = keyMetrics(res)
			all[li] = append(all[li], ro)
		}
		if !*noClaims {
			if progress {
				fmt.Fprintf(e.stderr, "counterfactual runs for the claims table (%d replications)...", *reps)
			}
			cfg := sim.Config{Scheme: scheme, Behaviours: behaviours, Responses: responses, Settings: settings, Citizens: *citizens, Years: *years,
				Seed: *seed, End: end, Workers: *workers, Sample: *claimsSample}
			claims, err := sim.RunClaims(e.ctx, cfg, results)
			if progress {
				fmt.Fprint(e.stderr, "\r\033[K")
			}
			if err != nil {
				return err
			}
			if li == 0 {
				firstClaims = claims
			}
			prefix := ""
			if sweepName != "" {
				prefix = "sweep"
			}
			claimTables = append(claimTables, report.ClaimsTable(claims, prefix, label))
		}
	}
	if firstWorkers == 0 {
		firstWorkers = defaultWorkers()
	}

	// Aggregate over replications, and over sweep values by a key column.
	var tables []*report.Table
	byName := map[string]*report.Table{}
	var sweepTable *report.Table
	if sweepName != "" {
		// The first column is named after the parameter swept, so that
		// sweep.csv says what its values are values of.
		sweepTable = &report.Table{Name: "sweep", Title: "Sweep", Doc: "Key metrics per value of the swept parameter " + sweepName + ".",
			Keys: []string{sweepName, "metric"}, Values: []string{"value", "value_ci95_low", "value_ci95_high"}}
	}
	for li, runs := range all {
		for ti := range runs[0].tables {
			reps := make([]*report.Table, len(runs))
			for i := range runs {
				reps[i] = runs[i].tables[ti]
			}
			prefix := ""
			if sweepName != "" {
				prefix = "sweep"
			}
			agg := report.Aggregate(reps, prefix, labels[li])
			if t, ok := byName[agg.Name]; ok {
				t.Rows = append(t.Rows, agg.Rows...)
			} else {
				byName[agg.Name] = agg
				tables = append(tables, agg)
			}
		}
		if sweepTable != nil {
			for _, name := range runs[0].order {
				var xs []float64
				for _, r := range runs {
					if v := r.metrics[name]; !math.IsNaN(v) {
						xs = append(xs, v)
					}
				}
				m, lo, hi := report.MeanCI(xs)
				sweepTable.Rows = append(sweepTable.Rows, report.Row{Keys: []string{sweepVals[li], name}, Vals: []float64{m, lo, hi}})
			}
		}
	}
	var effects []sim.Effect
	if *sensitivity {
		cfg := sim.Config{Scheme: scheme, Behaviours: behaviours, Responses: responses, Settings: set.s.Clone(), Citizens: *citizens, Years: *years,
			Seed: *seed, End: end, Workers: *workers}
		var prog func(done, total int)
		if progress {
			began := time.Now()
			prog = func(done, total int) { drawProgress(e.stderr, "sensitivity", began, int64(done), int64(total)) }
		}
		effects, err = sim.Sensitivity(e.ctx, cfg, *trajectories, *seed, prog)
		if progress {
			fmt.Fprint(e.stderr, "\r\033[K")
		}
		if err != nil {
			return err
		}
		tables = append(tables, report.SensitivityTable(effects))
	}
	if len(claimTables) > 0 {
		ct := claimTables[0]
		for _, t := range claimTables[1:] {
			ct.Rows = append(ct.Rows, t.Rows...)
		}
		tables = append(tables, ct)
	}
	sum := report.NewSummary(first, firstWorkers, firstClaims)
	sum.Replications = *reps
	if sweepName != "" {
		sum.Sweep = *sweep
	}
	if len(labels)**reps > 1 {
		for _, runs := range all {
			for _, r := range runs {
				sum.Runs = append(sum.Runs, r.summary)
			}
		}
	}
	if *out != "" {
		all := tables
		if sweepTable != nil {
			all = append(all, sweepTable)
		}
		if err := report.WriteTables(*out, all); err != nil {
			return err
		}
		if err := report.WriteFile(filepath.Join(*out, "summary.json"), func(w io.Writer) error { return report.WriteJSON(w, sum) }); err != nil {
			return err
		}
		// The detailed charts show the first sweep value.
		primary := tables
		if sweepName != "" {
			primary = nil
			for _, t := range tables {
				primary = append(primary, firstLabel(t, labels[0]))
			}
		}
		var grades []string
		for _, g := range first.Scheme.Grades {
			grades = append(grades, g.Name)
		}
		rep := &report.Report{Summary: sum, Tables: primary, Sweep: sweepTable, Scheme: scheme.Title, Grades: grades, Years: *years, Reps: *reps, Settings: set.s,
			Start: first.Start, End: first.End, Location: scheme.Location, Sensitivity: effects, Trajectories: *trajectories}
		if err := report.WriteFile(filepath.Join(*out, "report.html"), func(w io.Writer) error { return report.WriteHTML(w, rep) }); err != nil {
			return err
		}
	}
	if *quiet {
		return nil
	}
	if err := printSimSummary(e.stdout, sum, first, firstClaims, *out); err != nil {
		return err
	}
	if sweepTable != nil {
		return printSweep(e.stdout, sweepName, sweepTable)
	}
	return nil
}

// printSweep prints the sweep: one line per metric, one column per value
// of the parameter (the mean over the replications).
func printSweep(w io.Writer, name string, t *report.Table) error {
	var metrics, values []string
	seen := map[string]bool{}
	cell := map[[2]string]float64{}
	for _, r := range t.Rows {
		v, m := r.Keys[0], r.Keys[1]
		if !seen["v"+v] {
			seen["v"+v] = true
			values = append(values, v)
		}
		if !seen["m"+m] {
			seen["m"+m] = true
			metrics = append(metrics, m)
		}
		cell[[2]string{m, v}] = r.Vals[0]
	}
	fmt.Fprintf(w, "\nsweep of %s (mean over the replications; with --out, sweep.csv has the 95%% intervals):\n", name)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	for _, v := range values {
		fmt.Fprintf(tw, "%s=%s\t", name, v)
	}
	fmt.Fprintln(tw, "  metric")
	for _, m := range metrics {
		for _, v := range values {
			x, ok := cell[[2]string{m, v}]
			if !ok || math.IsNaN(x) {
				fmt.Fprint(tw, "-\t")
				continue
			}
			fmt.Fprintf(tw, "%.4g\t", x)
		}
		fmt.Fprintln(tw, "  "+m)
	}
	return tw.Flush()
}

// firstLabel returns t restricted to the rows of one sweep value, without
// the sweep column.
func firstLabel(t *report.Table, label string) *report.Table {
	c := *t
	c.Keys = t.Keys[1:]
	c.Rows = nil
	for _, r := range t.Rows {
		if r.Keys[0] == label {
			c.Rows = append(c.Rows, report.Row{Keys: r.Keys[1:], Vals: r.Vals})
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

func sweepFlagSet(fs *flag.FlagSet) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == "sweep" })
	return set
}

func parseSweep(s string) (string, []string, error) {
	if s == "" {
		return "", nil, nil
	}
	name, list, ok := strings.Cut(s, "=")
	if !ok || name == "" || list == "" {
		return "", nil, scs.Errorf(scs.EINVALID, "%q is not name=v1,v2,...", s)
	}
	vals := strings.Split(list, ",")
	check := sim.Settings{}
	for _, v := range vals {
		if err := check.SetValue(name, strings.TrimSpace(v)); err != nil {
			return "", nil, err
		}
	}
	for i := range vals {
		vals[i] = strings.TrimSpace(vals[i])
	}
	return name, vals, nil
}

func printSimSummary(w io.Writer, s *report.Summary, r *sim.Result, claims []sim.ClaimRow, out string) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "simulated %d citizens (%d neighbourhoods) over %d years, %s to %s, seed %d\n",
		s.Citizens, s.Neighbourhoods, s.Years, s.Start, s.End, s.Seed)
	fmt.Fprintf(bw, "%d records; %.1f s, %.0f citizen-years/s\n", s.Records, s.ElapsedSeconds, s.CitizenYearsSec)
	fmt.Fprintf(bw, "grades at the end (scored %d, unscored %d):", s.Scored, s.GradesFinal["unscored"])
	for _, g := range r.Scheme.Grades {
		fmt.Fprintf(bw, " %s %d", g.Name, s.GradesFinal[g.Name])
	}
	fmt.Fprintln(bw)
	if len(claims) > 0 {
		tw := tabwriter.NewWriter(bw, 0, 0, 2, ' ', 0)
		fmt.Fprintf(tw, "\nCLAIM\tMECHANISM\tVALUE [95%%]\tN\tCOMPARED WITH\tVALUE THERE [95%%]\tVERDICT\n")
		for _, c := range claims {
			if c.Verdict == sim.NotApplicable {
				fmt.Fprintf(tw, "%s\t%s\t-\t-\t%s\t-\t%s\n", c.ID, c.Mechanism, c.Compare, c.Verdict)
				continue
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", c.ID, c.Mechanism, fmtCI(c.Value, c.CILow, c.CIHigh), report.Count(c.N), c.Compare, fmtCI(c.CF, c.CFLow, c.CFHigh), c.Verdict)
		}
		tw.Flush()
		fmt.Fprintf(bw, "(%d replications; an assumed mechanism's effect follows from a parameter written to produce it: see claims.csv's reading column)\n", claims[0].Replications)
		if sm := claims[0].Sample; sm < 1 {
			fmt.Fprintf(bw, "(the claims' comparisons were made on a random sample of the neighbourhoods: %.1f%% of the citizens; n and the intervals are the sample's)\n", 100*sm)
		}
	}
	if out != "" {
		fmt.Fprintf(bw, "\noutputs in %s (report.html, summary.json, CSV tables)\n", out)
	}
	return bw.Flush()
}

// printBaselines times the speed-of-light loop over the run's citizen-years
// and the records-only loop over its records, one after the other, and
// prints each beside the run.
func printBaselines(w io.Writer, s *scs.Scheme, res *sim.Result, workers int, seed uint64) {
	t0 := time.Now()
	sim.SpeedOfLight(s, res.Citizens, res.Years, workers, seed)
	light := time.Since(t0)
	t1 := time.Now()
	sim.Baseline(s, res.Events, workers, seed)
	base := time.Since(t1)
	cy, run := res.CitizenYears(), res.Elapsed.Seconds()
	fmt.Fprintf(w, "simulation: %s citizen-years/s (%.2f s)\n", report.Count(math.Round(cy/run)), run)
	fmt.Fprintf(w, "speed-of-light loop (%d acts per citizen-year, a rule each, no model): %s citizen-years/s (%.2f s); the simulation takes %.1f times its time\n",
		sim.SpeedOfLightActs, report.Count(math.Round(cy/light.Seconds())), light.Seconds(), run/light.Seconds())
	fmt.Fprintf(w, "records-only loop (the run's %s records, no model): %s citizen-years/s (%.2f s); the simulation takes %.1f times its time\n",
		report.Count(float64(res.Events)), report.Count(math.Round(cy/base.Seconds())), base.Seconds(), run/base.Seconds())
}

func fmtCI(v, lo, hi float64) string {
	if math.IsNaN(v) {
		return "-"
	}
	return report.Num(v) + " [" + report.Num(lo) + ", " + report.Num(hi) + "]"
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	return term.IsTerminal(int(f.Fd()))
}

// drawProgress draws a one-line progress bar with the time left.
func drawProgress(w io.Writer, what string, start time.Time, done, total int64) {
	const width = 30
	frac := float64(done) / float64(max(total, 1))
	n := int(frac * width)
	eta := ""
	if el := time.Since(start); frac > 0.01 {
		eta = fmt.Sprintf(" %s left", (time.Duration(float64(el)/frac) - el).Round(time.Second))
	}
	fmt.Fprintf(w, "\r%s [%s%s] %5.1f%%%s\033[K", what, strings.Repeat("#", n), strings.Repeat(".", width-n), 100*frac, eta)
}

func defaultWorkers() int { return runtime.GOMAXPROCS(0) }
