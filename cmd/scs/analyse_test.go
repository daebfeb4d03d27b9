package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"scs"
	"scs/schemes"
)

type analyseLine struct {
	Scheme      string            `json:"scheme"`
	FromGrade   string            `json:"from_grade"`
	FromScore   int64             `json:"from_score"`
	Start       string            `json:"start"`
	LockedUntil *string           `json:"locked_until"`
	TargetGrade string            `json:"target_grade"`
	Person      string            `json:"person"`
	Informing   bool              `json:"informing"`
	Earliest    *string           `json:"earliest"`
	CostYuan    *float64          `json:"cost_yuan"`
	Hours       *float64          `json:"hours"`
	Plan        []json.RawMessage `json:"plan"`
}

// TestSchemeAnalyseReplays runs scs scheme analyse on every built-in scheme
// and replays every printed plan through scs score: at the earliest time
// the synthetic citizen stands in the target grade (or higher), a second
// before it does not, and no earliest time comes before the lock-in ends.
func TestSchemeAnalyseReplays(t *testing.T) {
	dir := t.TempDir()
	for _, name := range schemes.Names() {
		sc, _ := schemes.Load(name)
		out, errOut, err := runCLI(t, "", "scheme", "analyse", name, "--format", "json", "--at", "2026-03-01T17:00:00+08:00")
		if sc.IsFactorModel() {
			if err == nil || !strings.Contains(err.Error(), "is a factor model") || !strings.Contains(err.Error(), "does not apply") {
				t.Errorf("%s, a factor model: %v\n%s", name, err, errOut)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v\n%s", name, err, errOut)
		}
		lines := strings.Split(strings.TrimSpace(out), "\n")
		people, informing, reached := map[string]bool{}, map[bool]bool{}, 0
		for i, l := range lines {
			var r analyseLine
			if err := json.Unmarshal([]byte(l), &r); err != nil {
				t.Fatalf("%s line %d: %v", name, i+1, err)
			}
			if r.Scheme != name || r.CostYuan == nil || r.Hours == nil || r.Start != "2026-03-01T17:00:00+08:00" {
				t.Fatalf("%s line %d: %s", name, i+1, l)
			}
			people[r.Person], informing[r.Informing] = true, true
			if r.Earliest == nil {
				continue
			}
			reached++
			earliest, err := time.Parse(time.RFC3339, *r.Earliest)
			if err != nil {
				t.Fatal(err)
			}
			if r.LockedUntil != nil && *r.Earliest < *r.LockedUntil {
				t.Errorf("%s line %d: earliest %s is before the lock-in ends %s", name, i+1, *r.Earliest, *r.LockedUntil)
			}
			var events strings.Builder
			for _, ev := range r.Plan {
				events.Write(ev)
				events.WriteByte('\n')
			}
			file := filepath.Join(dir, "plan.jsonl")
			if err := os.WriteFile(file, []byte(events.String()), 0o644); err != nil {
				t.Fatal(err)
			}
			grade := func(at time.Time) string {
				out, errOut, err := runCLI(t, "", "score", "--scheme", name, "--format", "json", "--at", at.Format(time.RFC3339), file)
				if err != nil {
					t.Fatalf("%s line %d: scs score: %v\n%s", name, i+1, err, errOut)
				}
				var st scs.Standing
				if err := json.Unmarshal([]byte(out), &st); err != nil {
					t.Fatalf("%s line %d: %v: %s", name, i+1, err, out)
				}
				return st.Grade
			}
			if g := grade(earliest); sc.GradeIndex(g) > sc.GradeIndex(r.TargetGrade) {
				t.Errorf("%s line %d: %s %d -> %s: scs score --at %s gives %s", name, i+1, r.FromGrade, r.FromScore, r.TargetGrade, *r.Earliest, g)
			}
			if g := grade(earliest.Add(-time.Second)); sc.GradeIndex(g) <= sc.GradeIndex(r.TargetGrade) {
				t.Errorf("%s line %d: %s %d -> %s: already in %s a second before %s", name, i+1, r.FromGrade, r.FromScore, r.TargetGrade, g, *r.Earliest)
			}
		}
		if len(people) != 3 || reached == 0 {
			t.Errorf("%s: %d lines, people %v, %d reached", name, len(lines), people, reached)
		}
		if name == "rongcheng" && !(informing[true] && informing[false]) {
			t.Errorf("rongcheng: want routes with and without informing, got %v", informing)
		}
	}
}

func TestSchemeAnalyseTable(t *testing.T) {
	out, errOut, err := runCLI(t, "", "scheme", "analyse", "--from", "C", "--at", "2026-03-01T17:00:00+08:00")
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	for _, want := range []string{
		"FROM            TARGET  PERSON    INFORMING  EARLIEST          AFTER",
		"C 600 (floor)   B       no-money  no         2029-03-01 17:00  3.0 years",
		"From C at 724, without informing, back in A at the earliest after 3.0 years with no money to spare (0 yuan, 256 hours)",
		"C's lock-in alone lasts 3 years.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "D 0") || strings.Contains(out, "B 850") {
		t.Errorf("--from C printed other grades:\n%s", out)
	}
	out, _, err = runCLI(t, "", "scheme", "analyse", "--from", "700", "--budget-yuan", "0", "--hours-per-week", "2", "--no-informing", "--at", "2026-03-01T17:00:00+08:00")
	if err != nil || strings.Contains(out, "middle") || !strings.Contains(out, "C 700 (given)") || strings.Contains(out, "  yes  ") {
		t.Errorf("one person from 700 without informing: %v\n%s", err, out)
	}
}

func TestSchemeAnalyseErrors(t *testing.T) {
	for _, tc := range []struct {
		args  []string
		usage bool
		want  string
	}{
		{[]string{"--from", "Q"}, false, `"Q" is neither a grade of scheme rongcheng`},
		{[]string{"--from", "AAA"}, false, "AAA is the highest grade"},
		{[]string{"--at", "yesterday"}, true, "--at:"},
		{[]string{"--format", "xml"}, true, "format"},
		{[]string{"--budget-yuan", "-5"}, true, "must not be negative"},
		{[]string{"no-such-scheme"}, false, "no built-in scheme"},
		{[]string{"rongcheng", "sesame"}, true, "at most one scheme"},
	} {
		_, _, err := runCLI(t, "", append([]string{"scheme", "analyse"}, tc.args...)...)
		if err == nil || isUsage(err) != tc.usage || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: err %v (usage %v), want %q (usage %v)", tc.args, err, isUsage(err), tc.want, tc.usage)
		}
	}
}

// TestSimulateReportClimbOut checks that the simulation report sets the
// analysis beside what the population did: the climb_out table, whose
// earliest months from B are never before B's two-year lock-in ends.
func TestSimulateReportClimbOut(t *testing.T) {
	dir := t.TempDir()
	code, _, stderr := simCLI(t, "simulate", "--citizens", "1000", "--years", "3", "--seed", "7", "--out", dir, "--quiet", "--no-parquet", "--no-claims")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	html, _ := os.ReadFile(filepath.Join(dir, "report.html"))
	if !strings.Contains(string(html), "Climbing out: what people did beside what the scheme allows") {
		t.Error("report.html lacks the climbing-out table")
	}
	csv, _ := os.ReadFile(filepath.Join(dir, "climb_out.csv"))
	lines := strings.Split(strings.TrimSpace(string(csv)), "\n")
	col := slices.Index(strings.Split(lines[0], ","), "earliest_months_no_money")
	for _, line := range lines[1:] {
		if f := strings.Split(line, ","); f[0] == "B" {
			if v, err := strconv.ParseFloat(f[col], 64); col < 0 || err != nil || v < 24 {
				t.Errorf("B's earliest months without money: %q (column %d)", line, col)
			}
			return
		}
	}
	t.Errorf("climb_out.csv has no row for B:\n%s", csv)
}
