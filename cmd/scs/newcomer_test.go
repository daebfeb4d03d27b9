package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestHelpOnce: --help, -h and "scs help X" print the usage once, on
// standard output, and each default once.
func TestHelpOnce(t *testing.T) {
	for _, c := range commands {
		for _, args := range [][]string{{c.name, "--help"}, {c.name, "-h"}, {"help", c.name}} {
			out, errOut, err := runCLI(t, "", args...)
			if err != nil || errOut != "" {
				t.Errorf("%v: %v %q", args, err, errOut)
			}
			if n := strings.Count(out, "Usage: scs "+c.name); n != 1 {
				t.Errorf("%v: the usage is printed %d times:\n%s", args, n, out)
			}
			for _, line := range strings.Split(out, "\n") {
				if strings.Count(line, "(default") > 1 {
					t.Errorf("%v: a default shown twice: %s", args, line)
				}
			}
		}
	}
}

// TestUsageErrorsAreOneLine: a mistyped flag prints nothing on standard
// output; main prints the one-line error and a hint on standard error and
// exits with status 2.
func TestUsageErrorsAreOneLine(t *testing.T) {
	for _, tc := range []struct {
		args []string
		cmd  string
	}{
		{[]string{"score", "--explian"}, "score"},
		{[]string{"score", "--format", "csv"}, "score"},
		{[]string{"simulate", "--set", "stigmaa=2"}, "simulate"},
		{[]string{"verify", "surplus"}, "verify"},
		{[]string{"serve", "--demo-years", "0"}, "serve"},
		{[]string{"simulate", "merge", "dir"}, "simulate merge"},
	} {
		out, errOut, err := runCLI(t, "", tc.args...)
		if !isUsage(err) || out != "" || errOut != "" {
			t.Errorf("%v: %v\nstdout %q\nstderr %q", tc.args, err, out, errOut)
			continue
		}
		var msg bytes.Buffer
		if code := exitCode(err, &msg); code != 2 {
			t.Errorf("%v: exit %d, want 2", tc.args, code)
		}
		lines := strings.Split(strings.TrimSpace(msg.String()), "\n")
		if len(lines) != 2 || !strings.HasPrefix(lines[0], "scs: ") || lines[1] != "run 'scs "+tc.cmd+" --help' for usage" {
			t.Errorf("%v: stderr:\n%s", tc.args, msg.String())
		}
	}
}

// TestMessagesWithoutCodes: what the CLI prints carries no internal code.
func TestMessagesWithoutCodes(t *testing.T) {
	for _, args := range [][]string{
		{"score", "nope.jsonl"},
		{"score", "--scheme", "nosuch", "-"},
		{"accounts", "create", "--role", "admin", "--name", "x", "--citizen", "c-1", "--db", filepath.Join(t.TempDir(), "a.db")},
	} {
		_, _, err := runCLI(t, "", args...)
		if err == nil {
			t.Errorf("%v: no error", args)
			continue
		}
		var msg bytes.Buffer
		exitCode(err, &msg)
		for _, code := range []string{"invalid: ", "not_found: ", "a admin"} {
			if strings.Contains(msg.String(), code) {
				t.Errorf("%v: %q in %q", args, code, msg.String())
			}
		}
	}
}

// TestNoDatabaseIsAnError: verify, export and accounts refuse a database
// that is not there and make none; import makes one.
func TestNoDatabaseIsAnError(t *testing.T) {
	dir := t.TempDir()
	wd, _ := os.Getwd()
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	defer os.Chdir(wd)
	for _, args := range [][]string{{"verify"}, {"export"}, {"accounts", "list"}} {
		out, _, err := runCLI(t, "", args...)
		if err == nil || message(err) != "no database at ./scs.db (scs serve or scs import creates one; --db or $SCS_DB names another)" || out != "" {
			t.Errorf("%v: %v %q", args, err, out)
		}
		if _, err := os.Stat("scs.db"); err == nil {
			t.Fatalf("%v made ./scs.db", args)
		}
	}
	if _, _, err := runCLI(t, "", "verify", "--db", "other.db"); err == nil || !strings.Contains(err.Error(), "no database at other.db") {
		t.Errorf("verify --db other.db: %v", err)
	}
	os.WriteFile("citizens.jsonl", []byte(citizensFile), 0o644)
	if _, errOut, err := runCLI(t, recordsFile, "import", "-", "--citizens", "citizens.jsonl"); err != nil {
		t.Errorf("import on no database: %v\n%s", err, errOut)
	}
	if _, _, err := runCLI(t, "", "verify"); err != nil {
		t.Errorf("verify after import: %v", err)
	}
}

// TestSchemeShowFitsATerminal: no line of scs scheme show is wider than
// 80 characters, for Rongcheng's short grade names and for Sesame's long
// band names and factor table.
func TestSchemeShowFitsATerminal(t *testing.T) {
	for _, name := range []string{"rongcheng", "sesame"} {
		out, _, err := runCLI(t, "", "scheme", "show", name)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range strings.Split(out, "\n") {
			if n := len([]rune(l)); n > 80 {
				t.Errorf("%s: %d characters: %s", name, n, l)
			}
		}
	}
}

// TestServeHelpNamesThePages: serve --help speaks of the web pages and
// /signin, and of --log-format.
func TestServeHelpNamesThePages(t *testing.T) {
	out, _, _ := runCLI(t, "", "serve", "--help")
	for _, want := range []string{"web pages", "/signin", "-log-format FORMAT"} {
		if !strings.Contains(out, want) {
			t.Errorf("serve --help lacks %q:\n%s", want, out)
		}
	}
	var top bytes.Buffer
	run(context.Background(), []string{"scs", "help"}, func(string) string { return "" }, nil, &top, &top)
	if !strings.Contains(top.String(), "web pages") {
		t.Errorf("scs help does not say serve serves web pages:\n%s", top.String())
	}
}

// TestExplainInSchemeZone: scs score --explain shows an event at 23:30 in
// Shanghai as 23:30 with its offset, and the lock-in's end likewise, never
// in UTC (issue 17, point 8).
func TestExplainInSchemeZone(t *testing.T) {
	in := `{"id":"e1","citizen":"c-17","rule":"tax-evasion","at":"2023-12-31T23:30:00+08:00"}` + "\n"
	out, errOut, err := runCLI(t, in, "score", "--explain", "--at", "2024-06-01T00:00:00+08:00", "-")
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	for _, want := range []string{"2023-12-31 23:30 +08:00", "locked until 2025-12-31 23:30 +08:00", "times in Asia/Shanghai"} {
		if !strings.Contains(out, want) {
			t.Errorf("--explain lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "15:30") || strings.Contains(out, ":00Z") {
		t.Errorf("--explain shows UTC:\n%s", out)
	}
}

// TestTopUsageAligned: scs --help lists every command with its summary in
// one column, however long the longest name (migrate-scheme), and the
// summary of scheme names each of its subcommands.
func TestTopUsageAligned(t *testing.T) {
	out, _, err := runCLI(t, "", "--help")
	if err != nil {
		t.Fatal(err)
	}
	col := -1
	for _, c := range commands {
		i := strings.Index(out, "\n  "+c.name+" ")
		if i < 0 {
			t.Fatalf("%s is not listed:\n%s", c.name, out)
		}
		line, _, _ := strings.Cut(out[i+1:], "\n")
		at := strings.Index(line, c.summary)
		if col == -1 {
			col = at
		}
		if at != col || at < len("  "+c.name+" ") {
			t.Errorf("%s's summary starts at column %d, want %d:\n%s", c.name, at, col, out)
		}
	}
	for _, sub := range []string{"list", "show", "validate", "analyse"} {
		if !strings.Contains(out, "  scheme") || !strings.Contains(strings.SplitN(out[strings.Index(out, "  scheme "):], "\n", 2)[0], sub) {
			t.Errorf("the summary of scheme does not name %s", sub)
		}
	}
	_, _, err = runCLI(t, "", "scheme", "frob")
	if !isUsage(err) || !strings.Contains(err.Error(), "analyse") {
		t.Errorf("scheme frob: %v; want a usage error naming every subcommand", err)
	}
}

// TestSimulateSummaryThousands: the summary scs simulate prints writes its
// counts with thousands separators, as the claims table under it does.
func TestSimulateSummaryThousands(t *testing.T) {
	code, out, stderr := simCLI(t, "simulate", "--citizens", "2000", "--years", "1", "--no-claims", "--seed", "3")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(out, "simulated 2,000 citizens") || !strings.Contains(out, "(scored 1,") {
		t.Errorf("counts without separators:\n%s", out)
	}
}

// TestBareScoreOnATerminal: scs score with no FILE on a terminal says on
// standard error that it reads events there (it would otherwise look hung);
// with "-" or from a pipe it says nothing.
func TestBareScoreOnATerminal(t *testing.T) {
	defer func(f func(io.Reader) bool) { readerIsTerminal = f }(readerIsTerminal)
	for _, tc := range []struct {
		terminal bool
		args     []string
		want     bool
	}{
		{true, []string{"score"}, true},
		{true, []string{"score", "-"}, false},
		{false, []string{"score"}, false},
		{true, []string{"compare", "--scheme", "rongcheng", "--scheme", "sesame"}, true},
	} {
		readerIsTerminal = func(io.Reader) bool { return tc.terminal }
		out, errOut, err := runCLI(t, "", tc.args...)
		if err != nil || !strings.Contains(out, "CITIZEN") && !strings.Contains(out, "Citizens") {
			t.Errorf("%v: %v\n%s", tc.args, err, out)
		}
		if got := strings.Contains(errOut, "from the terminal; end with Ctrl-D"); got != tc.want {
			t.Errorf("%v on a terminal=%v: stderr %q", tc.args, tc.terminal, errOut)
		}
	}
}

// TestDocsNameRealFlags: every flag the README and docs/*.md name in inline
// code (`--flag`, or a `scs ...` command line) is a flag of some scs
// command, so that the docs do not send a reader to a flag that is not
// there (docs/api.md once named a --max-batch serve never had).
func TestDocsNameRealFlags(t *testing.T) {
	defined := map[string]bool{"help": true}
	flagLine := regexp.MustCompile(`(?m)^  -([a-z][a-z0-9-]*)`)
	helps := [][]string{{"scheme", "analyse", "--help"}, {"simulate", "merge", "--help"}}
	for _, c := range commands {
		helps = append(helps, []string{c.name, "--help"})
	}
	for _, args := range helps {
		out, _, _ := runCLI(t, "", args...)
		for _, m := range flagLine.FindAllStringSubmatch(out, -1) {
			defined[m[1]] = true
		}
	}
	files, _ := filepath.Glob("../../docs/*.md")
	files = append(files, "../../README.md")
	code := regexp.MustCompile("`(--[a-z][^`\n]*|scs [^`\n]*)`")
	flag := regexp.MustCompile(`(?:^|[\s\[|(])--([a-z][a-z0-9-]*)`)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(b), "\n") {
			for _, span := range code.FindAllStringSubmatch(line, -1) {
				for _, m := range flag.FindAllStringSubmatch(span[1], -1) {
					if !defined[m[1]] {
						t.Errorf("%s:%d: `%s` names --%s, which no scs command has", filepath.Base(f), i+1, span[1], m[1])
					}
				}
			}
		}
	}
}

// TestVerifyCountsWithSeparators: scs verify says how many ledger entries
// it checked with thousands separators.
func TestVerifyCountsWithSeparators(t *testing.T) {
	dir := t.TempDir()
	db, cit, recs := filepath.Join(dir, "a.db"), filepath.Join(dir, "c.jsonl"), filepath.Join(dir, "r.jsonl")
	var b strings.Builder
	for i := range 1200 {
		fmt.Fprintf(&b, `{"id":"r%d","citizen":"c1","rule":"returned-lost-money","at":"2024-03-01T09:%02d:%02d+08:00"}`+"\n", i, i/60, i%60)
	}
	os.WriteFile(cit, []byte(citizensFile), 0o644)
	os.WriteFile(recs, []byte(b.String()), 0o644)
	if _, stderr, err := runStoreCmd(t, db, "", "import", recs, "--citizens", cit); err != nil {
		t.Fatalf("import: %v\n%s", err, stderr)
	}
	_, stderr, err := runStoreCmd(t, db, "", "verify")
	if err != nil || !strings.Contains(stderr, ",") || !regexp.MustCompile(`scs verify: 1,[0-9]{3} ledger entries checked`).MatchString(stderr) {
		t.Errorf("verify: %v\n%s", err, stderr)
	}
}
