package main

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"golang.org/x/term"

	"scs"
	"scs/internal/numfmt"
	"scs/report"
	"scs/sim"
)

const simulateUsage = `scs simulate [--scheme NAME|FILE] [--citizens N] [--years Y] [--seed S] [--workers W] [--out DIR]
       [--quiet] [--set name=value]... [--sweep name=v1,v2,...] [--replications K] [--events FILE]
       [--no-claims] [--claims-sample SHARE] [--behaviours FILE] [--end RFC3339] [--no-parquet] [--baseline]
       [--sensitivity [--trajectories R]] [--shard K/N] [--compare SCHEME]
       scs simulate merge DIR... --out DIR

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
the intervals are the sample's.

--shard K/N (0 <= K < N) runs only the K-th of N disjoint parts of the
neighbourhoods, for every run of the command (replications, sweep values,
counterfactuals), and writes the part to --out as shard.json (and
citizens.parquet, and events.jsonl with --events); scs simulate merge DIR... --out DIR combines the N
parts into the outputs of the whole run, byte for byte but for the run
time (docs/scale.md: a Kubernetes indexed Job, a Slurm job array).`

// claimsSampleCitizens is about how many citizens the claims' comparisons
// use by default: a run of more makes them on a random sample of the
// neighbourhoods (--claims-sample).
const claimsSampleCitizens = 200_000

type settingsFlag struct{ s sim.Settings }

func (f *settingsFlag) String() string { return "" }
func (f *settingsFlag) Set(v string) error {
	if err := f.s.Set(v); err != nil {
		return fmt.Errorf("%s", scs.ErrorMessage(err))
	}
	return nil
}

// simOptions is a parsed scs simulate command line.
type simOptions struct {
	study            report.Study
	out, events      string
	quiet, noParquet bool
	baseline         bool
	shard, shards    int
	options, sources map[string]string // for a shard's manifest
	args             []string          // the study's own arguments
	sweep            string
}

func cmdSimulate(e *env, args []string) error {
	if len(args) > 0 && args[0] == "merge" {
		return cmdSimulateMerge(e, args[1:])
	}
	o, err := parseSimulate(e, args)
	if err != nil {
		return err
	}
	st := &o.study
	if !o.quiet && isTerminal(e.stderr) {
		st.Progress = progressBar(e.stderr)
	}
	w, err := openSimOutputs(o)
	if err != nil {
		return err
	}
	var rec *report.ShardRecorder
	if o.shards > 0 {
		rec = &report.ShardRecorder{}
		st.Runner = rec.Run
	}
	oc, err := report.RunStudy(e.ctx, *st)
	if err = w.close(err); err != nil {
		return err
	}
	if o.baseline {
		printBaselines(e.stdout, st.Scheme, oc.First, o.shards > 0, st.Workers, st.Seed)
	}
	if rec != nil {
		return rec.Write(o.out, report.ShardManifest{Shard: o.shard, Shards: o.shards, Options: o.options, Sources: o.sources, Args: o.args, Events: w.shardEvents()})
	}
	if o.out != "" {
		if err := oc.Write(o.out); err != nil {
			return err
		}
	}
	if o.quiet {
		return nil
	}
	if err := printSimSummary(e.stdout, oc.Summary, oc.First, oc.FirstClaims, o.out); err != nil {
		return err
	}
	if c := oc.Comparison; c != nil && len(c.Years) > 0 {
		fmt.Fprintf(e.stdout, "\nthe same lives under %s, at the end of year %d:\n", c.B.Name, len(c.Years))
		for _, l := range wrapText(c.Years[len(c.Years)-1].Reading(), showWidth) {
			fmt.Fprintln(e.stdout, l)
		}
	}
	if oc.Sweep != nil {
		return printSweep(e.stdout, st.SweepName, oc.Sweep)
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
	n := numfmt.Int
	fmt.Fprintf(bw, "simulated %s citizens (%s neighbourhoods) over %d years, %s to %s, seed %d\n",
		n(int64(s.Citizens)), n(int64(s.Neighbourhoods)), s.Years, s.Start, s.End, s.Seed)
	fmt.Fprintf(bw, "%s records; %.1f s, %s citizen-years/s\n", n(s.Records), s.ElapsedSeconds, numfmt.Round(s.CitizenYearsSec, 0))
	fmt.Fprintf(bw, "grades at the end (scored %s, unscored %s):", n(s.Scored), n(s.GradesFinal["unscored"]))
	for _, g := range r.Scheme.Grades {
		fmt.Fprintf(bw, " %s %s", g.Name, n(s.GradesFinal[g.Name]))
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
// prints each beside the run. A shard's run is its part of the citizens,
// and the loops run over that part.
func printBaselines(w io.Writer, s *scs.Scheme, res *sim.Result, shard bool, workers int, seed uint64) {
	citizens := res.Citizens
	if shard {
		citizens = int(res.Metrics.Citizens)
	}
	t0 := time.Now()
	sim.SpeedOfLight(s, citizens, res.Years, workers, seed)
	light := time.Since(t0)
	t1 := time.Now()
	sim.Baseline(s, res.Events, workers, seed)
	base := time.Since(t1)
	cy, run := float64(citizens)*float64(res.Years), res.Elapsed.Seconds()
	what := "simulation"
	if shard {
		what = "this shard's simulation (" + report.Count(float64(citizens)) + " citizens)"
	}
	fmt.Fprintf(w, "%s: %s citizen-years/s (%.2f s)\n", what, report.Count(math.Round(cy/run)), run)
	fmt.Fprintf(w, "speed-of-light loop (%d acts per citizen-year, a rule each, no model): %s citizen-years/s (%.2f s); the simulation takes %.1f times its time\n",
		sim.SpeedOfLightActs, report.Count(math.Round(cy/light.Seconds())), light.Seconds(), run/light.Seconds())
	whose := "the run's"
	if shard {
		whose = "the shard's"
	}
	fmt.Fprintf(w, "records-only loop (%s %s records, no model): %s citizen-years/s (%.2f s); the simulation takes %.1f times its time\n",
		whose, report.Count(float64(res.Events)), report.Count(math.Round(cy/base.Seconds())), base.Seconds(), run/base.Seconds())
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
