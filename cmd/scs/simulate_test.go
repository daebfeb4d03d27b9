package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"

	"scs/sim"
)

// simCLI runs scs in-process and returns its exit status, stdout and stderr.
func simCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(context.Background(), append([]string{"scs"}, args...), func(string) string { return "" }, strings.NewReader(""), &out, &errb)
	code := 0
	var ue *usageError
	switch {
	case err == nil:
	case errors.As(err, &ue):
		code = 2
		errb.WriteString(err.Error())
	default:
		code = 1
		errb.WriteString(err.Error())
	}
	return code, out.String(), errb.String()
}

// volatile removes the figures of a summary that depend on the machine.
var volatile = regexp.MustCompile(`"(elapsed_seconds|citizen_years_per_second|workers)": [0-9.e+-]+`)

// TestSimulateGolden runs a small seeded simulation and compares every
// output table and the summary with testdata/simulate (go test -update
// rewrites them).
func TestSimulateGolden(t *testing.T) {
	dir := t.TempDir()
	code, _, stderr := simCLI(t, "simulate", "--citizens", "3000", "--years", "3", "--seed", "42", "--out", dir, "--quiet", "--no-parquet")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	golden := filepath.Join("testdata", "simulate")
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(files) < 10 {
		t.Fatalf("only %d output files", len(files))
	}
	for _, f := range files {
		name := filepath.Base(f)
		got, _ := os.ReadFile(f)
		if name == "summary.json" {
			got = volatile.ReplaceAll(got, []byte(`"$1": 0`))
		}
		if name == "report.html" {
			checkReport(t, got)
			continue
		}
		path := filepath.Join(golden, name)
		if *update {
			os.MkdirAll(golden, 0o755)
			if err := os.WriteFile(path, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test -update to create it)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from %s (run go test -update if the change is intended)", name, path)
		}
	}
}

func checkReport(t *testing.T, html []byte) {
	t.Helper()
	s := string(html)
	for _, want := range []string{"<svg", "How to read this", "Not modelled", "The essay's claims", "Citizens per grade", "Mobility", "Time to climb out", "Bunching", "Wealth and standing", "Parameters"} {
		if !strings.Contains(s, want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
	for _, bad := range []string{"<script", "http://", "https://"} {
		if strings.Contains(strings.ReplaceAll(s, `xmlns="http://www.w3.org/2000/svg"`, ""), bad) {
			t.Errorf("report.html is not self-contained: it has %q", bad)
		}
	}
}

// TestSimulateScoresMatchEngine checks that the engine is the only place
// points are computed: scs score --at END over the records written by
// --events gives every scored citizen exactly the run's final score and
// grade (read from citizens.parquet).
func TestSimulateScoresMatchEngine(t *testing.T) {
	dir := t.TempDir()
	evFile := filepath.Join(dir, "events.jsonl")
	code, _, stderr := simCLI(t, "simulate", "--citizens", "4000", "--years", "6", "--seed", "7", "--out", dir, "--events", evFile, "--quiet", "--no-claims")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var sum struct {
		End         string           `json:"end"`
		Scored      int64            `json:"scored"`
		GradesFinal map[string]int64 `json:"grades_final"`
	}
	data, _ := os.ReadFile(filepath.Join(dir, "summary.json"))
	if err := json.Unmarshal(data, &sum); err != nil {
		t.Fatal(err)
	}
	rows, err := parquet.ReadFile[sim.CitizenRow](filepath.Join(dir, "citizens.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 4000 {
		t.Fatalf("citizens.parquet has %d rows", len(rows))
	}
	code, out, stderr := simCLI(t, "score", "--at", sum.End, "--format", "json", evFile)
	if code != 0 {
		t.Fatalf("score: exit %d: %s", code, stderr)
	}
	scored := map[string]struct {
		Score int64
		Grade string
	}{}
	dec := json.NewDecoder(strings.NewReader(out))
	for dec.More() {
		var st struct {
			Citizen string `json:"citizen"`
			Score   int64  `json:"score"`
			Grade   string `json:"grade"`
		}
		if err := dec.Decode(&st); err != nil {
			t.Fatal(err)
		}
		scored[st.Citizen] = struct {
			Score int64
			Grade string
		}{st.Score, st.Grade}
	}
	checked, grades := 0, map[string]int64{}
	for _, r := range rows {
		got, ok := scored[r.ID]
		if !r.Consent {
			if ok {
				t.Fatalf("%s did not opt in but has records in --events", r.ID)
			}
			continue
		}
		grades[r.Grade]++
		if !ok {
			// No records: the scheme's starting standing.
			if r.Score != 1000 || r.Grade != "A" || r.Records != 0 {
				t.Fatalf("%s has no records in --events but ends at %d %s with %d records", r.ID, r.Score, r.Grade, r.Records)
			}
			continue
		}
		if got.Score != r.Score || got.Grade != r.Grade {
			t.Fatalf("%s: the run ends at %d %s; scs score says %d %s", r.ID, r.Score, r.Grade, got.Score, got.Grade)
		}
		checked++
	}
	if checked < 1000 {
		t.Fatalf("only %d citizens with records", checked)
	}
	for g, n := range grades {
		if sum.GradesFinal[g] != n {
			t.Errorf("summary grades_final[%s] = %d, citizens.parquet has %d", g, sum.GradesFinal[g], n)
		}
	}
}

func TestSimulateSweepAndReplications(t *testing.T) {
	dir := t.TempDir()
	// Without --out the sweep is printed.
	if code, stdout, _ := simCLI(t, "simulate", "--citizens", "2000", "--years", "2", "--sweep", "farming=0,2", "--no-claims"); code != 0 ||
		!strings.Contains(stdout, "sweep of farming") || !strings.Contains(stdout, "farming=2") || !strings.Contains(stdout, "records per citizen-year") {
		t.Errorf("--sweep without --out: %d\n%s", code, stdout)
	}
	code, _, stderr := simCLI(t, "simulate", "--citizens", "2000", "--years", "2", "--sweep", "farming=0,2", "--replications", "3", "--out", dir, "--quiet", "--no-claims", "--no-parquet")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	sweep, err := os.ReadFile(filepath.Join(dir, "sweep.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(sweep), "farming,metric,value,value_ci95_low,value_ci95_high\n") || !strings.Contains(string(sweep), "\n2,records per citizen-year,") {
		t.Errorf("sweep.csv:\n%s", sweep)
	}
	grades, _ := os.ReadFile(filepath.Join(dir, "grades_by_year.csv"))
	if !strings.HasPrefix(string(grades), "sweep,year,grade,citizens,citizens_ci95_low,citizens_ci95_high,share,") || !strings.Contains(string(grades), "\nfarming=2,2,A,") {
		t.Errorf("grades_by_year.csv starts:\n%.300s", grades)
	}
	var sum struct {
		Runs []struct{ Seed uint64 } `json:"runs"`
	}
	data, _ := os.ReadFile(filepath.Join(dir, "summary.json"))
	json.Unmarshal(data, &sum)
	if len(sum.Runs) != 6 || sum.Runs[2].Seed != 3 {
		t.Errorf("summary runs: %+v", sum.Runs)
	}
	html, _ := os.ReadFile(filepath.Join(dir, "report.html"))
	if !strings.Contains(string(html), "<h2>Sweep</h2>") {
		t.Error("report.html has no sweep section")
	}
}

func TestSimulateBadInput(t *testing.T) {
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--set", "farming=x"}, 2, "farming"},
		{[]string{"--set", "nosuch=1"}, 2, "nosuch"},
		{[]string{"--sweep", "farming"}, 2, "name=v1,v2"},
		{[]string{"--sweep", "farming=1,-3"}, 2, "-3"},
		{[]string{"--citizens", "0"}, 2, "--citizens"},
		{[]string{"--years", "1000"}, 2, "--years"},
		{[]string{"--replications", "0"}, 2, "--replications"},
		{[]string{"--end", "yesterday"}, 2, "--end"},
		{[]string{"--scheme", "nosuch"}, 1, "nosuch"},
		{[]string{"extra"}, 2, "extra"},
		{[]string{"--behaviours", "/nonexistent.yaml"}, 1, "behaviours"},
		{[]string{"--compare", "rongcheng"}, 2, "compare two different schemes"},
		{[]string{"--compare", "nosuch"}, 1, "nosuch"},
	}
	for _, c := range cases {
		code, _, stderr := simCLI(t, append([]string{"simulate", "--citizens", "100", "--years", "1", "--quiet", "--no-claims"}, c.args...)...)
		if code != c.code || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, %q; want exit %d naming %q", c.args, code, stderr, c.code, c.want)
		}
	}
}

func FuzzParseSweep(f *testing.F) {
	for _, s := range []string{"farming=0,1,2", "rate.x=1", "=", "a=", "stigma=1,,2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		name, vals, err := parseSweep(s)
		if err == nil && s != "" && (name == "" || len(vals) == 0) {
			t.Fatalf("%q: accepted without a name or values", s)
		}
	})
}

// TestSimulateClaimsTable: claims.csv has every claim with the columns of
// an honest instrument, verdicts only from the four words, n and intervals
// filled; under Sesame the lock-in and list claims are not applicable.
func TestSimulateClaimsTable(t *testing.T) {
	verdicts := map[string]bool{"supported": true, "not supported": true, "not measurable": true, "not applicable": true}
	for _, scheme := range []string{"rongcheng", "sesame"} {
		dir := t.TempDir()
		code, _, stderr := simCLI(t, "simulate", "--scheme", scheme, "--citizens", "6000", "--years", "3", "--seed", "5", "--out", dir, "--quiet", "--no-parquet")
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", scheme, code, stderr)
		}
		f, err := os.Open(filepath.Join(dir, "claims.csv"))
		if err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(f).ReadAll()
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		col := map[string]int{}
		for i, h := range recs[0] {
			col[h] = i
		}
		for _, c := range []string{"id", "metric", "mechanism", "because", "n", "counterfactual_n", "value", "ci_low", "ci_high", "difference_ci_low", "difference_ci_high", "verdict", "reading", "replications"} {
			if _, ok := col[c]; !ok {
				t.Fatalf("%s: claims.csv lacks column %s: %v", scheme, c, recs[0])
			}
		}
		got := map[string]string{}
		for _, r := range recs[1:] {
			id, v := r[col["id"]], r[col["verdict"]]
			got[id] = v
			if !verdicts[v] {
				t.Errorf("%s: %s: verdict %q", scheme, id, v)
			}
			if r[col["replications"]] != "5" {
				t.Errorf("%s: %s: %s replications, want 5 by default", scheme, id, r[col["replications"]])
			}
			if r[col["mechanism"]] == "assumed" && r[col["because"]] == "" {
				t.Errorf("%s: %s is assumed without its parameters", scheme, id)
			}
			if v != "not applicable" && r[col["n"]] == "" {
				t.Errorf("%s: %s: n is empty: %v", scheme, id, r)
			}
			if (v == "supported" || v == "not supported") && (r[col["ci_low"]] == "" || r[col["difference_ci_low"]] == "" || r[col["difference_ci_high"]] == "") {
				t.Errorf("%s: %s: an interval is empty: %v", scheme, id, r)
			}
			if v == "supported" && r[col["mechanism"]] == "assumed" && !strings.Contains(r[col["reading"]], "follows from the assumed") {
				t.Errorf("%s: %s reads %q", scheme, id, r[col["reading"]])
			}
		}
		if len(got) != len(sim.Claims) {
			t.Errorf("%s: %d claims, want %d", scheme, len(got), len(sim.Claims))
		}
		if scheme == "sesame" {
			for _, id := range []string{"lock-in", "stigma", "job-loss", "visits"} {
				if got[id] != "not applicable" {
					t.Errorf("sesame: %s is %q, want not applicable", id, got[id])
				}
			}
		} else if got["lock-in"] == "not applicable" || got["stigma"] == "not applicable" {
			t.Errorf("rongcheng: %v", got)
		}
	}
}

func TestSimulateSensitivity(t *testing.T) {
	dir := t.TempDir()
	code, _, stderr := simCLI(t, "simulate", "--citizens", "2000", "--years", "2", "--sensitivity", "--trajectories", "2", "--no-claims", "--out", dir, "--quiet", "--no-parquet")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	data, err := os.ReadFile(filepath.Join(dir, "sensitivity.csv"))
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	if !strings.HasPrefix(s, "claim,parameter,mu_star,sigma,mu,n\n") || !strings.Contains(s, "\nchilled-speech,chill,") {
		t.Errorf("sensitivity.csv starts:\n%.300s", s)
	}
	rows := strings.Count(s, "\n") - 1
	if want := len(sim.SensitivityParams()); rows%want != 0 || rows < 5*want {
		t.Errorf("%d rows for %d parameters", rows, want)
	}
	html, _ := os.ReadFile(filepath.Join(dir, "report.html"))
	for _, want := range []string{"What drives each claim", "Not modelled"} {
		if !strings.Contains(string(html), want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
	for _, args := range [][]string{{"--sensitivity", "--trajectories", "1"}, {"--sensitivity", "--sweep", "farming=0,1"}} {
		code, _, stderr := simCLI(t, append([]string{"simulate", "--citizens", "100", "--years", "1", "--quiet", "--no-claims"}, args...)...)
		if code != 2 || !strings.Contains(stderr, args[1]) {
			t.Errorf("%v: exit %d, %q", args, code, stderr)
		}
	}
}

// TestSimulateBaseline checks that --baseline prints the run beside both
// loops, each with its ratio.
func TestSimulateBaseline(t *testing.T) {
	code, out, stderr := simCLI(t, "simulate", "--citizens", "2000", "--years", "2", "--no-claims", "--quiet", "--baseline")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"simulation: ", "speed-of-light loop (3 acts per citizen-year", "records-only loop (the run's ", "times its time"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Count(out, "times its time") != 2 {
		t.Errorf("want two ratios:\n%s", out)
	}
}

// TestSimulateCompare runs the command at a small size: the same
// lives under rongcheng and sesame, compare.csv with every year's
// cross-tabulation, compare_stats.csv and the report's section.
func TestSimulateCompare(t *testing.T) {
	dir := t.TempDir()
	code, stdout, stderr := simCLI(t, "simulate", "--scheme", "rongcheng", "--compare", "sesame", "--citizens", "1500", "--years", "3", "--no-claims", "--no-parquet", "--out", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "the same lives under sesame, at the end of year 3") || !strings.Contains(stdout, "Spearman") {
		t.Errorf("stdout: %s", stdout)
	}
	b, err := os.ReadFile(filepath.Join(dir, "compare.csv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if lines[0] != "year,rongcheng,sesame,citizens" || len(lines) != 1+3*6*6 {
		t.Fatalf("compare.csv: %d lines, header %q", len(lines), lines[0])
	}
	perYear := map[string]int{}
	for _, l := range lines[1:] {
		f := strings.Split(l, ",")
		n, err := strconv.Atoi(f[3])
		if err != nil {
			t.Fatalf("%q: %v", l, err)
		}
		perYear[f[0]] += n
	}
	if perYear["1"] == 0 || perYear["1"] != perYear["2"] || perYear["2"] != perYear["3"] || perYear["1"] > 1500 {
		t.Errorf("scored citizens per year: %v (the same people every year)", perYear)
	}
	stats, err := os.ReadFile(filepath.Join(dir, "compare_stats.csv"))
	if err != nil || !strings.HasPrefix(string(stats), "year,citizens,spearman,agreement,split\n1,"+strconv.Itoa(perYear["1"])+",") {
		t.Errorf("compare_stats.csv: %v\n%s", err, stats)
	}
	html, err := os.ReadFile(filepath.Join(dir, "report.html"))
	if err != nil || !strings.Contains(string(html), "<h2>The same lives under Sesame Credit") || !strings.Contains(string(html), "the base idea is always the same") {
		t.Errorf("report.html lacks the comparison: %v", err)
	}
}
