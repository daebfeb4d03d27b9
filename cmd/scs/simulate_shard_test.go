package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// runTime is the report's line of run time, which differs between runs.
var runTime = regexp.MustCompile(`[0-9.]+ s \([0-9,]+ citizen-years/s, [0-9]+ workers\)`)

// TestSimulateShardsMerge runs 20,000 citizens whole and in 4 shards (with
// the claims, two replications, citizens.parquet and the records), merges
// the shards, and checks that every output equals the whole run's byte for
// byte, the run time aside.
func TestSimulateShardsMerge(t *testing.T) {
	events := filepath.Join(t.TempDir(), "records.jsonl")
	common := []string{"--citizens", "20000", "--years", "3", "--seed", "11", "--replications", "2", "--quiet", "--events", events}
	whole := t.TempDir()
	if code, _, stderr := simCLI(t, append([]string{"simulate", "--out", whole}, common...)...); code != 0 {
		t.Fatalf("whole run: exit %d: %s", code, stderr)
	}
	var shards []string
	for k := 3; k >= 0; k-- { // any order
		dir := filepath.Join(t.TempDir(), "shard-"+strconv.Itoa(k))
		args := append([]string{"simulate", "--shard", strconv.Itoa(k) + "/4", "--workers", strconv.Itoa(k + 1), "--out", dir}, common...)
		if code, _, stderr := simCLI(t, args...); code != 0 {
			t.Fatalf("shard %d: exit %d: %s", k, code, stderr)
		}
		shards = append(shards, dir)
	}
	merged := t.TempDir()
	mergedEvents := filepath.Join(t.TempDir(), "merged.jsonl")
	if code, _, stderr := simCLI(t, append(append([]string{"simulate", "merge"}, shards...), "--out", merged, "--quiet", "--events", mergedEvents)...); code != 0 {
		t.Fatalf("merge: exit %d: %s", code, stderr)
	}
	want, _ := os.ReadFile(events)
	got, _ := os.ReadFile(mergedEvents)
	if len(want) < 100_000 || !bytes.Equal(got, want) {
		t.Errorf("merged records: %d bytes, differ from the whole run's %d bytes", len(got), len(want))
	}
	files, _ := filepath.Glob(filepath.Join(whole, "*"))
	if len(files) < 12 {
		t.Fatalf("only %d outputs in the whole run", len(files))
	}
	for _, f := range files {
		name := filepath.Base(f)
		want, _ := os.ReadFile(f)
		got, err := os.ReadFile(filepath.Join(merged, name))
		if err != nil {
			t.Errorf("merge lacks %s", name)
			continue
		}
		switch name {
		case "summary.json":
			want, got = volatile.ReplaceAll(want, []byte(`"$1": 0`)), volatile.ReplaceAll(got, []byte(`"$1": 0`))
		case "report.html":
			want, got = runTime.ReplaceAll(want, nil), runTime.ReplaceAll(got, nil)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("merged %s differs from the whole run's", name)
		}
	}
}

// TestSimulateMergeChecks checks that merge refuses shards that do not
// make one run: one missing, one given twice, different options.
func TestSimulateMergeChecks(t *testing.T) {
	common := []string{"simulate", "--citizens", "3000", "--years", "1", "--no-claims", "--no-parquet", "--quiet"}
	dirs := map[string]string{}
	for _, s := range []string{"0/3", "1/3", "2/3"} {
		dirs[s] = filepath.Join(t.TempDir(), "s")
		if code, _, stderr := simCLI(t, append(common, "--shard", s, "--out", dirs[s])...); code != 0 {
			t.Fatalf("shard %s: exit %d: %s", s, code, stderr)
		}
	}
	other := filepath.Join(t.TempDir(), "other")
	if code, _, stderr := simCLI(t, append(common, "--shard", "2/3", "--seed", "2", "--out", other)...); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	out := t.TempDir()
	for _, c := range []struct {
		dirs []string
		want string
	}{
		{[]string{dirs["0/3"], dirs["1/3"]}, "shard 2 is missing (shards 0 to 2 of 3 are wanted, each once)"},
		{[]string{dirs["1/3"]}, "shards 0, 2 are missing"},
		{[]string{dirs["0/3"], dirs["1/3"], dirs["1/3"], dirs["2/3"]}, "shard 1/3 is given twice"},
		{[]string{dirs["0/3"], dirs["1/3"], other}, "different options: seed"},
		{[]string{out}, "no shard.json"},
	} {
		code, _, stderr := simCLI(t, append(append([]string{"simulate", "merge"}, c.dirs...), "--out", out)...)
		if code == 0 || !strings.Contains(stderr, c.want) {
			t.Errorf("merge %v: exit %d, %q; want an error with %q", c.dirs, code, stderr, c.want)
		}
	}
	for _, bad := range []string{"4/4", "-1/2", "1", "a/b", "0/0"} {
		if code, _, stderr := simCLI(t, append(common, "--shard", bad, "--out", out)...); code != 2 || !strings.Contains(stderr, "--shard") {
			t.Errorf("--shard %s: exit %d, %q; want a usage error", bad, code, stderr)
		}
	}
}

// TestSimulateShardEvents checks the records of shards run with --events:
// merge writes them to the file the shards named, refuses a part changed
// since its shard ran before writing anything, and refuses --events when
// the shards wrote no records; --baseline times a shard's own part.
func TestSimulateShardEvents(t *testing.T) {
	dir := t.TempDir()
	events := filepath.Join(dir, "records.jsonl")
	common := []string{"simulate", "--citizens", "3000", "--years", "2", "--no-claims", "--no-parquet", "--quiet", "--events", events}
	if code, _, stderr := simCLI(t, common...); code != 0 {
		t.Fatalf("whole run: exit %d: %s", code, stderr)
	}
	whole, _ := os.ReadFile(events)
	os.Remove(events)
	var shards []string
	for k := range 2 {
		d := filepath.Join(dir, "shard-"+strconv.Itoa(k))
		code, stdout, stderr := simCLI(t, append(common, "--shard", strconv.Itoa(k)+"/2", "--out", d, "--baseline")...)
		if code != 0 {
			t.Fatalf("shard %d: exit %d: %s", k, code, stderr)
		}
		if !strings.Contains(stdout, "this shard's simulation (") || !strings.Contains(stdout, "the shard's") {
			t.Errorf("shard %d --baseline printed %q; want the shard's own timings", k, stdout)
		}
		shards = append(shards, d)
	}
	if _, err := os.Stat(events); err == nil {
		t.Fatalf("a shard wrote the whole run's records file %s", events)
	}
	merge := append([]string{"simulate", "merge"}, shards...)
	if code, _, stderr := simCLI(t, append(merge, "--out", filepath.Join(dir, "merged"), "--quiet")...); code != 0 {
		t.Fatalf("merge: exit %d: %s", code, stderr)
	}
	if got, _ := os.ReadFile(events); len(whole) == 0 || !bytes.Equal(got, whole) {
		t.Errorf("merged records: %d bytes, differ from the whole run's %d bytes", len(got), len(whole))
	}
	part := filepath.Join(shards[1], "events.jsonl")
	data, _ := os.ReadFile(part)
	data[len(data)/2] ^= 1 // same size, other content
	os.WriteFile(part, data, 0o644)
	out, bad := filepath.Join(dir, "m2"), filepath.Join(dir, "bad.jsonl")
	code, _, stderr := simCLI(t, append(merge, "--out", out, "--quiet", "--events", bad)...)
	if code == 0 || !strings.Contains(stderr, "shard 1/2") || !strings.Contains(stderr, "SHA-256") {
		t.Errorf("merge of a changed part: exit %d, %q; want it named", code, stderr)
	}
	for _, f := range []string{bad, out} {
		if _, err := os.Stat(f); err == nil {
			t.Errorf("merge of a changed part wrote %s", f)
		}
	}
	os.WriteFile(part, data[:len(data)-10], 0o644)
	code, _, stderr = simCLI(t, append(merge, "--out", out, "--quiet", "--events", bad)...)
	if code == 0 || !strings.Contains(stderr, "bytes") {
		t.Errorf("merge of a part cut short: exit %d, %q; want the sizes", code, stderr)
	}
	if _, err := os.Stat(out); err == nil {
		t.Errorf("merge of a part cut short wrote %s", out)
	}
	plain := filepath.Join(dir, "plain")
	if code, _, stderr := simCLI(t, "simulate", "--citizens", "3000", "--years", "1", "--no-claims", "--no-parquet", "--quiet", "--shard", "0/1", "--out", plain); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if code, _, stderr := simCLI(t, "simulate", "merge", plain, "--out", out, "--events", bad); code != 2 || !strings.Contains(stderr, "without --events") {
		t.Errorf("merge --events of shards without records: exit %d, %q; want a usage error", code, stderr)
	}
}

// FuzzShardFlag feeds arbitrary --shard values to its parser: it accepts
// exactly K/N with 0 <= K < N and never panics.
func FuzzShardFlag(f *testing.F) {
	for _, s := range []string{"0/1", "3/4", "4/4", "-1/2", "1", "a/b", "0/0", "1/100000", "0/100001", "00/2 "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		o := &simOptions{out: "dir"}
		if err := checkShard(o, s); err != nil || s == "" {
			return
		}
		if o.shard < 0 || o.shard >= o.shards || o.study.Shard != o.shard || o.study.Shards != o.shards {
			t.Fatalf("%q gave shard %d/%d", s, o.shard, o.shards)
		}
	})
}
