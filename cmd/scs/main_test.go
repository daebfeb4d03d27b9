package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestMain removes the events file the benchmarks write.
func TestMain(m *testing.M) {
	code := m.Run()
	if benchFile != "" {
		os.RemoveAll(filepath.Dir(benchFile))
	}
	os.Exit(code)
}

// runCLI runs scs in-process with args and stdin, returning stdout, stderr
// and the error run returned.
func runCLI(t *testing.T, stdin string, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), append([]string{"scs"}, args...), func(string) string { return "" }, strings.NewReader(stdin), &out, &errOut)
	return out.String(), errOut.String(), err
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/scs -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (run go test ./cmd/scs -update and review the diff):\n%s", path, got)
	}
}

func isUsage(err error) bool {
	var u *usageError
	return errors.As(err, &u)
}

func TestTopLevel(t *testing.T) {
	out, _, err := runCLI(t, "", "--help")
	if err != nil || !strings.Contains(out, "score") || !strings.Contains(out, "scheme") {
		t.Fatalf("--help: %v\n%s", err, out)
	}
	if _, _, err := runCLI(t, ""); !isUsage(err) {
		t.Fatalf("no command: %v", err)
	}
	if out, errOut, err := runCLI(t, "", "frobnicate"); !isUsage(err) || out != "" || errOut != "" || !strings.Contains(err.(*usageError).hint, "scs help") {
		t.Fatalf("unknown command: %v", err)
	}
	out, _, err = runCLI(t, "", "version")
	if err != nil || !strings.HasPrefix(out, "scs ") {
		t.Fatalf("version: %v %q", err, out)
	}
	for _, c := range commands {
		out, _, err := runCLI(t, "", c.name, "--help")
		if err != nil || !strings.HasPrefix(out, "Usage: scs "+c.name) {
			t.Errorf("%s --help: %v\n%s", c.name, err, out)
		}
	}
}

const at = "2025-01-01T00:00:00Z"

func TestScoreGolden(t *testing.T) {
	for _, tc := range []struct{ name string }{{"table"}, {"json"}} {
		out, errOut, err := runCLI(t, "", "score", "--at", at, "--format", tc.name, "../../examples/events.jsonl")
		if err != nil || errOut != "" {
			t.Fatalf("%v %s", err, errOut)
		}
		golden(t, "score."+tc.name, out)
		out, _, err = runCLI(t, "", "score", "--explain", "--at", at, "--format", tc.name, "../../examples/events.jsonl")
		if err != nil {
			t.Fatal(err)
		}
		golden(t, "score-explain."+tc.name, out)
	}
}

func TestScoreStdinAndFlagsAfterFile(t *testing.T) {
	in, err := os.ReadFile("../../examples/events.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	fromStdin, _, err := runCLI(t, string(in), "score", "--at", at, "-")
	if err != nil {
		t.Fatal(err)
	}
	fromFile, _, err := runCLI(t, "", "score", "../../examples/events.jsonl", "--at", at)
	if err != nil {
		t.Fatal(err)
	}
	if fromStdin != fromFile {
		t.Fatalf("stdin and file differ:\n%s\n%s", fromStdin, fromFile)
	}
}

func TestScoreAt(t *testing.T) {
	in := `{"id":"e1","citizen":"c-17","rule":"tax-evasion","at":"2024-03-01T09:00:00+08:00"}` + "\n"
	out, _, err := runCLI(t, in, "score", "--format", "json", "--at", "2024-02-01T00:00:00Z")
	if err != nil || out != `{"citizen":"c-17","score":1000,"grade":"A","locked_until":null,"events":0}`+"\n" {
		t.Fatalf("before the event: %v %s", err, out)
	}
	out, _, _ = runCLI(t, in, "score", "--format", "json", "--at", "2025-02-01T00:00:00Z")
	if out != `{"citizen":"c-17","score":900,"grade":"B","locked_until":"2026-03-01T09:00:00+08:00","events":1}`+"\n" {
		t.Fatalf("locked: %s", out)
	}
	out, _, _ = runCLI(t, in, "score", "--format", "json", "--at", "2026-03-01T01:00:00Z")
	if out != `{"citizen":"c-17","score":900,"grade":"B","locked_until":null,"events":1}`+"\n" {
		t.Fatalf("lock expired: %s", out)
	}
}

func TestScoreBadInput(t *testing.T) {
	in := strings.Join([]string{
		`{"id":"e1","citizen":"c-1","rule":"tax-evasion","at":"2024-03-01T09:00:00+08:00"}`,
		`{"id":"e2","citizen":"c-1","rule":"tax-evasio","at":"2024-03-01T09:00:00+08:00"}`,
		`{"id":"e3","citizen":"c-1","rule":"other-commercial","points":-60,"at":"2024-03-01T09:00:00+08:00"}`,
		`{"id":"e4","citizen":"c-1","rule":"bank-arrears","at":"2024-03-01T09:00:00+08:00"}`,
		`{"id":"e1","citizen":"c-2","rule":"tax-evasion","at":"2024-03-01T09:00:00+08:00"}`,
		`{"id":"e6","citizen":"c-2","rule":"tax-evasion","at":"2024-03-01","colour":"red"}`,
		`{"id":"e7","citizen":"c-2","rule":"tax-evasion","at":"yesterday"}`,
		`{"id":"e8","citizen":"c-3","rule":"heroic-act","at":"2024-03-01T09:00:00+08:00"}`,
	}, "\n")
	out, errOut, err := runCLI(t, in, "score", "--at", at)
	if !errors.Is(err, errReported) || out != "" {
		t.Fatalf("err %v, stdout %q", err, out)
	}
	for _, want := range []string{
		`line 2: rule: unknown rule "tax-evasio" in scheme rongcheng`,
		`line 3: points: -60 is outside rule other-commercial's range -50 to -5`,
		`line 4: quantity: rule bank-arrears counts a quantity; the event has none`,
		`line 5: id: duplicate id "e1" (first on line 1)`,
		`line 6: colour: unknown field`,
		`line 7: at: "yesterday" is not an RFC 3339 time`,
		`6 bad lines; nothing scored`,
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	out, errOut, err = runCLI(t, in, "score", "--at", at, "--skip-invalid", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(errOut, "skipped line") != 6 {
		t.Errorf("want 6 skipped lines reported:\n%s", errOut)
	}
	want := `{"citizen":"c-1","score":900,"grade":"B","locked_until":"2026-03-01T09:00:00+08:00","events":1}
{"citizen":"c-3","score":1030,"grade":"AA","locked_until":null,"events":1}
`
	if out != want {
		t.Errorf("--skip-invalid output:\n%s\nwant\n%s", out, want)
	}
}

func TestScoreUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"score", "--at", "soon"},
		{"score", "--format", "xml"},
		{"score", "--bogus"},
		{"score", "a.jsonl", "b.jsonl"},
	} {
		if _, errOut, err := runCLI(t, "", args...); !isUsage(err) {
			t.Errorf("%v: err %v %s, want a usage error", args, err, errOut)
		}
	}
	if _, _, err := runCLI(t, "", "score", "no-such-file.jsonl"); err == nil || isUsage(err) || !strings.Contains(err.Error(), "no-such-file.jsonl") {
		t.Errorf("missing file: %v", err)
	}
	if _, _, err := runCLI(t, "", "score", "--scheme", "nope", "-"); err == nil || !strings.Contains(err.Error(), "no built-in scheme") {
		t.Errorf("unknown scheme: %v", err)
	}
}

func TestSchemeCommands(t *testing.T) {
	out, _, err := runCLI(t, "", "scheme", "list")
	if err != nil || !strings.Contains(out, "rongcheng") {
		t.Fatalf("list: %v %s", err, out)
	}
	out, _, err = runCLI(t, "", "scheme", "show", "rongcheng")
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "scheme-show.txt", out)
	out, _, err = runCLI(t, "", "scheme", "show", "--format", "json", "rongcheng")
	if err != nil || !strings.Contains(out, `"id": "volunteer-service"`) {
		t.Fatalf("show json: %v", err)
	}
	good := filepath.Join(t.TempDir(), "good.yaml")
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	src, _ := os.ReadFile("../../schemes/rongcheng.yaml")
	os.WriteFile(good, src, 0o644)
	os.WriteFile(bad, bytes.Replace(src, []byte("    max: 959\n"), []byte("    max: 949\n"), 1), 0o644)
	out, _, err = runCLI(t, "", "scheme", "validate", good)
	if err != nil || !strings.Contains(out, "ok: scheme rongcheng, 6 grades, 13 capabilities, 27 rules") {
		t.Fatalf("validate good: %v %s", err, out)
	}
	out, errOut, err := runCLI(t, "", "scheme", "validate", good, bad)
	if !errors.Is(err, errReported) || !strings.Contains(errOut, bad+":") || !strings.Contains(errOut, "grades[3].max: gap: scores 950-959 are in no grade") {
		t.Fatalf("validate bad: %v\n%s", err, errOut)
	}
	if !strings.Contains(out, "good.yaml: ok") {
		t.Errorf("the good file is still reported: %s", out)
	}
	for _, args := range [][]string{{"scheme"}, {"scheme", "frob"}, {"scheme", "show"}, {"scheme", "validate"}} {
		if _, _, err := runCLI(t, "", args...); !isUsage(err) {
			t.Errorf("%v: %v", args, err)
		}
	}
}
