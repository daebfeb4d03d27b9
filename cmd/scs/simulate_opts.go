package main

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"hash"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"scs"
	"scs/jsonl"
	"scs/report"
	"scs/schemes"
	"scs/sim"
)

// simFlags are the flags of scs simulate, before they are checked.
type simFlags struct {
	scheme, out, sweep, events, claimsBeh, end, shard *string
	compare                                           *string
	citizens, years, workers, reps, trajectories      *int
	seed                                              *uint64
	quiet, noClaims, noParquet, sensitivity, baseline *bool
	claimsSample                                      *float64
	set                                               *settingsFlag
}

// shardOnly are the flags a shard may set on its own: the others must be
// the same in every shard of a study.
var shardOnly = map[string]bool{"shard": true, "out": true, "workers": true, "quiet": true, "baseline": true}

// parseSimulate parses and checks the command line of scs simulate.
func parseSimulate(e *env, args []string) (*simOptions, error) {
	fs := newFlags(e, "simulate", simulateUsage)
	f := simFlags{
		scheme:       fs.String("scheme", "rongcheng", "built-in scheme `NAME` or scheme FILE"),
		compare:      fs.String("compare", "", "also score the same simulated lives under `SCHEME` (a built-in name or a file): compare.csv and a section of the report"),
		citizens:     fs.Int("citizens", 700_000, "number of citizens `N` (Rongcheng's population by default)"),
		years:        fs.Int("years", 10, "horizon in `years`"),
		seed:         fs.Uint64("seed", 1, "random `seed`"),
		workers:      fs.Int("workers", 0, "worker threads (default: all cores); results do not depend on it"),
		out:          fs.String("out", "", "write the tables, report and summary to `DIR`"),
		quiet:        fs.Bool("quiet", false, "no progress bar, no summary on standard output"),
		set:          &settingsFlag{s: sim.Settings{}},
		sweep:        fs.String("sweep", "", "run once per value of a parameter: `name=v1,v2,...`"),
		reps:         fs.Int("replications", 5, "replications `K` per configuration (seeds S..S+K-1; 1 by default with --no-claims)"),
		events:       fs.String("events", "", "write every record of the scored citizens of the first run to `FILE` (JSON lines)"),
		noClaims:     fs.Bool("no-claims", false, "skip the counterfactual runs of the claims table"),
		claimsSample: fs.Float64("claims-sample", 0, "make the claims' comparisons on a random sample of this `share` of the neighbourhoods (default: all up to 200,000 citizens, about 200,000 citizens' worth above)"),
		claimsBeh:    fs.String("behaviours", "", "behaviour table `FILE` (YAML; default: the built-in sim/behaviours.yaml)"),
		end:          fs.String("end", "2026-01-01T00:00:00+08:00", "the run ends at this RFC 3339 `time` and starts --years before"),
		noParquet:    fs.Bool("no-parquet", false, "do not write citizens.parquet"),
		sensitivity:  fs.Bool("sensitivity", false, "also run a Morris screening of every assumed parameter against every claim's metric (sensitivity.csv, and a chart in the report)"),
		trajectories: fs.Int("trajectories", 10, "Morris trajectories `R` for --sensitivity (R x (parameters+1) runs)"),
		baseline:     fs.Bool("baseline", false, "after the first run, time the speed-of-light loop (3 acts per citizen-year, a rule each, points added, no model) and the records-only loop (as many events as the run made records), and print the speeds and ratios"),
		shard:        fs.String("shard", "", "run only shard `K/N` (0 <= K < N) of the neighbourhoods and write its part to --out, for scs simulate merge"),
	}
	fs.Var(f.set, "set", "set a model parameter, `name=value` (repeatable)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return nil, err
	}
	if len(pos) > 0 {
		return nil, usagef("simulate: unexpected argument %q", pos[0])
	}
	o := &simOptions{out: *f.out, events: *f.events, quiet: *f.quiet, noParquet: *f.noParquet, baseline: *f.baseline, sweep: *f.sweep,
		options: map[string]string{}, sources: map[string]string{}}
	given := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) {
		given[fl.Name] = true
		if !shardOnly[fl.Name] {
			o.options[fl.Name] = fl.Value.String()
		}
	})
	o.options["set"] = f.set.s.String()
	o.args = studyArgs(args)
	if err := checkSimulate(o, f, given); err != nil {
		return nil, err
	}
	return o, loadSimulate(o, f)
}

// checkSimulate checks the flags and fills in the study.
func checkSimulate(o *simOptions, f simFlags, given map[string]bool) error {
	st := &o.study
	*st = report.Study{Settings: f.set.s, Citizens: *f.citizens, Years: *f.years, Seed: *f.seed, Workers: *f.workers,
		Replications: *f.reps, Claims: !*f.noClaims, ClaimsSample: *f.claimsSample, Sensitivity: *f.sensitivity, Trajectories: *f.trajectories}
	if st.Citizens < 1 || st.Citizens > sim.MaxCitizens {
		return usagef("simulate: --citizens: %d is out of range (1 to %d)", st.Citizens, sim.MaxCitizens)
	}
	if st.Years < 1 || st.Years > sim.MaxYears {
		return usagef("simulate: --years: %d is out of range (1 to %d)", st.Years, sim.MaxYears)
	}
	if !st.Claims && !given["replications"] {
		st.Replications = 1
	}
	if st.Replications < 1 || st.Replications > 1000 {
		return usagef("simulate: --replications: %d is out of range (1 to 1000)", st.Replications)
	}
	if math.IsNaN(st.ClaimsSample) || st.ClaimsSample < 0 || st.ClaimsSample > 1 {
		return usagef("simulate: --claims-sample: %v is not a share from 0 to 1", st.ClaimsSample)
	}
	if st.ClaimsSample == 0 || !st.Claims {
		st.ClaimsSample = 1
		if st.Claims && st.Citizens > claimsSampleCitizens && *f.claimsSample == 0 {
			st.ClaimsSample = float64(claimsSampleCitizens) / float64(st.Citizens)
		}
	}
	if st.Trajectories < 2 || st.Trajectories > 1000 {
		return usagef("simulate: --trajectories: %d is out of range (2 to 1000)", st.Trajectories)
	}
	if st.Sensitivity && given["sweep"] {
		return usagef("simulate: --sensitivity and --sweep do not go together")
	}
	if st.Workers < 0 {
		return usagef("simulate: --workers: %d is negative", st.Workers)
	}
	end, err := jsonl.ParseTime(*f.end)
	if err != nil {
		return usagef("simulate: --end: %v", err)
	}
	st.End = end
	if st.SweepName, st.SweepValues, err = parseSweep(*f.sweep); err != nil {
		return usagef("simulate: --sweep: %s", scs.ErrorMessage(err))
	}
	return checkShard(o, *f.shard)
}

// checkShard reads --shard K/N.
func checkShard(o *simOptions, shard string) error {
	if shard == "" {
		return nil
	}
	k, n, ok := strings.Cut(shard, "/")
	K, err1 := strconv.Atoi(k)
	N, err2 := strconv.Atoi(n)
	if !ok || err1 != nil || err2 != nil || N < 1 || N > sim.MaxShards || K < 0 || K >= N {
		return usagef("simulate: --shard: %q is not K/N with 0 <= K < N <= %d (K counts from 0, as JOB_COMPLETION_INDEX does)", shard, sim.MaxShards)
	}
	if o.out == "" {
		return usagef("simulate: --shard needs --out DIR for the shard's part")
	}
	o.shard, o.shards = K, N
	o.study.Shard, o.study.Shards = K, N
	return nil
}

// studyArgs returns args without the flags a shard sets on its own.
func studyArgs(args []string) []string {
	var out []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		name, _, hasVal := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if strings.HasPrefix(a, "-") && shardOnly[name] {
			if !hasVal && name != "quiet" && name != "baseline" && i+1 < len(args) {
				i++
			}
			continue
		}
		out = append(out, a)
	}
	return out
}

// loadSimulate loads the scheme and the behaviour table, and fingerprints
// their sources for a shard's manifest.
func loadSimulate(o *simOptions, f simFlags) error {
	st := &o.study
	scheme, err := schemes.Load(*f.scheme)
	if err != nil {
		return err
	}
	st.Scheme = scheme
	if *f.compare != "" {
		if o.shards > 0 {
			return usagef("simulate: --compare does not go with --shard; compare the merged run's events with scs compare")
		}
		if st.Compare, err = schemes.Load(*f.compare); err != nil {
			return err
		}
		if st.Compare.Name == scheme.Name {
			return usagef("simulate: --compare %s: the run's scheme is %s already; compare two different schemes", *f.compare, scheme.Name)
		}
	}
	if b, ok := schemes.Builtin(*f.scheme); ok {
		o.sources["scheme"] = fingerprint(b)
	} else if b, err := os.ReadFile(*f.scheme); err == nil {
		o.sources["scheme"] = fingerprint(b)
	}
	if *f.claimsBeh != "" {
		data, err := os.ReadFile(*f.claimsBeh)
		if err != nil {
			return scs.Errorf(scs.EINVALID, "behaviours: %v", err)
		}
		table, err := sim.ParseTable(*f.claimsBeh, data)
		if err != nil {
			return err
		}
		st.Behaviours, st.Responses = table.Behaviours, table.Responses
		o.sources["behaviours"] = fingerprint(data)
	}
	if o.out != "" {
		if err := os.MkdirAll(o.out, 0o755); err != nil {
			return scs.Errorf(scs.EINVALID, "out: %v", err)
		}
	}
	return nil
}

func fingerprint(b []byte) string {
	h := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(h[:])
}

// simOutputs are the first run's streamed outputs: citizens.parquet and
// the records as JSON lines.
type simOutputs struct {
	cw      *report.CitizenWriter
	evw     *bufio.Writer
	evf     *os.File
	evHash  hash.Hash // a shard's records: their SHA-256, number and size, for the manifest
	records int64
	bytes   int64
}

// openSimOutputs opens the first run's streamed outputs and hooks them to
// the study.
func openSimOutputs(o *simOptions) (*simOutputs, error) {
	st := &o.study
	w := &simOutputs{}
	var err error
	if o.out != "" && !o.noParquet {
		if w.cw, err = report.NewCitizenWriter(filepath.Join(o.out, "citizens.parquet")); err != nil {
			return nil, err
		}
		st.Rows = true
	}
	if o.events != "" {
		// A shard writes its part of the records in its directory; merge
		// puts the parts together in the --events file.
		path := o.events
		if o.shards > 0 {
			path = filepath.Join(o.out, report.ShardEventsFile)
		}
		if w.evf, err = os.Create(path); err != nil {
			w.close(err)
			return nil, scs.Errorf(scs.EINVALID, "events: %v", err)
		}
		var dst io.Writer = w.evf
		if o.shards > 0 {
			w.evHash = sha256.New()
			dst = io.MultiWriter(w.evf, w.evHash)
		}
		w.evw = bufio.NewWriterSize(dst, 1<<20)
		st.Events = sim.ScoredEvents
	}
	if w.cw != nil || w.evw != nil {
		st.OnHood = w.write
	}
	return w, nil
}

func (w *simOutputs) write(h *sim.HoodOutput) error {
	if w.cw != nil {
		if err := w.cw.Write(h.Rows); err != nil {
			return err
		}
	}
	if w.evw != nil {
		var buf []byte
		for i := range h.Events {
			buf = jsonl.Append(buf[:0], &h.Events[i])
			if _, err := w.evw.Write(buf); err != nil {
				return err
			}
			w.bytes += int64(len(buf))
		}
		w.records += int64(len(h.Events))
	}
	return nil
}

// close finishes the outputs after the study (err its error): kept when it
// succeeded, the Parquet file discarded when not.
func (w *simOutputs) close(err error) error {
	if w.cw != nil {
		if err == nil {
			err = w.cw.Close()
		} else {
			w.cw.Abort()
		}
	}
	if w.evw != nil {
		if ferr := w.evw.Flush(); err == nil {
			err = ferr
		}
		if ferr := w.evf.Close(); err == nil {
			err = ferr
		}
	}
	return err
}

// shardEvents describes the records a shard wrote, nil without --events.
func (w *simOutputs) shardEvents() *report.ShardEvents {
	if w.evHash == nil {
		return nil
	}
	return &report.ShardEvents{Records: w.records, Bytes: w.bytes, SHA256: hex.EncodeToString(w.evHash.Sum(nil))}
}

// progressBar returns a study's progress callback drawing on w.
func progressBar(w io.Writer) func(what string, done, total int64) {
	var began time.Time
	var step string
	return func(what string, done, total int64) {
		switch {
		case total == 0:
			fmt.Fprint(w, "\r\033[K")
			step = ""
		case total < 0:
			fmt.Fprintf(w, "%s...", what)
		default:
			if what != step {
				step, began = what, time.Now()
			}
			drawProgress(w, what, began, done, total)
		}
	}
}

const simulateMergeUsage = `scs simulate merge DIR... --out DIR [--events FILE]

Combines the outputs of the shards of a run (scs simulate --shard K/N
--out DIR, one directory each) into the outputs of the whole run: the
same tables, summary.json, report.html and citizens.parquet, byte for byte
but for the run time. It checks that the directories are the shards 0 to
N-1 of one run, each once, made with the same scheme, behaviour table,
seed and options. When the shards were run with --events FILE (each
writes its part of the records to DIR/events.jsonl), merge writes the
records of the whole run to FILE, or to the --events FILE given to merge,
after checking each part's number of records and SHA-256.`

// cmdSimulateMerge merges shard directories.
func cmdSimulateMerge(e *env, args []string) error {
	fs := newFlags(e, "simulate merge", simulateMergeUsage)
	out := fs.String("out", "", "write the merged outputs to `DIR`")
	quiet := fs.Bool("quiet", false, "no summary on standard output")
	events := fs.String("events", "", "write the records of the shards (run with --events) to `FILE` instead of the file the shards named")
	dirs, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if *out == "" || len(dirs) == 0 {
		return &usageError{msg: "simulate merge: want shard directories and --out DIR", hint: "run 'scs simulate merge --help' for usage"}
	}
	ms, err := report.ReadShards(dirs)
	if err != nil {
		return err
	}
	o, err := parseSimulate(e, ms[0].Args)
	if err != nil {
		return scs.Errorf(scs.EINVALID, "merge: the shards' arguments: %v", err)
	}
	for name, fp := range ms[0].Sources {
		if o.sources[name] != fp {
			return scs.Errorf(scs.EINVALID, "merge: the %s file changed since the shards ran (%s, now %s)", name, fp, o.sources[name])
		}
	}
	if *events != "" && o.events == "" {
		return usagef("simulate merge: --events: the shards were run without --events, so they wrote no records")
	}
	if *events != "" {
		o.events = *events
	}
	if o.events != "" {
		if err := report.CheckEventParts(ms); err != nil {
			return err
		}
	}
	o.study.Runner = report.MergeRunner(ms)
	oc, err := report.RunStudy(e.ctx, o.study)
	if err != nil {
		return err
	}
	if o.events != "" {
		// First: the SHA-256 of each part is checked as it is copied.
		if err := report.MergeEvents(o.events, ms); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return scs.Errorf(scs.EINVALID, "out: %v", err)
	}
	if _, err := os.Stat(filepath.Join(ms[0].Dir, "citizens.parquet")); err == nil {
		var ordered []string
		for _, m := range ms {
			ordered = append(ordered, m.Dir)
		}
		if err := report.MergeCitizens(filepath.Join(*out, "citizens.parquet"), ordered); err != nil {
			return err
		}
	}

	if err := oc.Write(*out); err != nil {
		return err
	}
	if *quiet {
		return nil
	}
	return printSimSummary(e.stdout, oc.Summary, oc.First, oc.FirstClaims, *out)
}
