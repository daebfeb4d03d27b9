package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// TestCompareJSON is the example: the Rongcheng example file under
// rongcheng and sesame, one line per citizen with both outcomes.
func TestCompareJSON(t *testing.T) {
	file := filepath.Join("..", "..", "examples", "events.jsonl")
	out, errOut, err := runCLI(t, "", "compare", "--scheme", "rongcheng", "--scheme", "sesame", file, "--format", "json", "--at", "2025-01-01T00:00:00+08:00")
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 4 {
		t.Fatalf("%d lines, want one per citizen (4):\n%s", len(lines), out)
	}
	type side struct {
		Citizen string  `json:"citizen"`
		Score   int64   `json:"score"`
		Grade   string  `json:"grade"`
		Locked  *string `json:"locked_until"`
		Level   string  `json:"level"`
	}
	var c33 struct {
		Citizen   string `json:"citizen"`
		Rongcheng side   `json:"rongcheng"`
		Sesame    side   `json:"sesame"`
		Agrees    bool   `json:"standing_agrees"`
	}
	if err := json.Unmarshal([]byte(lines[2]), &c33); err != nil {
		t.Fatal(err)
	}
	// c-33: drunk driving drops them to C under Rongcheng (locked), and
	// 3 overdue months (bank-arrears) cost 52 points at sesame's August
	// recomputation; the rest sesame ignores.
	if c33.Citizen != "c-33" || c33.Rongcheng.Grade != "C" || c33.Rongcheng.Locked == nil || c33.Rongcheng.Level != "below the start" ||
		c33.Sesame.Score != 513 || c33.Sesame.Grade != "poor" || c33.Sesame.Level != "below the start" || !c33.Agrees {
		t.Errorf("c-33: %+v", c33)
	}
	table, _, err := runCLI(t, "", "compare", "--scheme", "rongcheng", "--scheme", "sesame", file, "--at", "2025-01-01T00:00:00+08:00")
	if err != nil {
		t.Fatal(err)
	}
	// c-02 and c-48 are at the start under rongcheng (A) and above it
	// under sesame (their payments, profile and friends, which rongcheng
	// ignores); c-17, tax evader and listed defaulter, is below under both.
	for _, want := range []string{"Citizens by grade: rongcheng (rows) against sesame (columns)", "Spearman",
		"c-02: rongcheng 970 A (at the start), sesame 757 excellent-750 (above the start)",
		"e10 repaid-on-time: ignored under rongcheng, +12 to factor credit-history under sesame",
		"c-48: rongcheng 990 A (at the start), sesame 905 excellent-750 (above the start)",
		"e18 speeding-ticket: -10 points under rongcheng, ignored under sesame",
		"c-17     986 B, locked until 2026-03-01  483 poor"} {
		if !strings.Contains(table, want) {
			t.Errorf("the table lacks %q:\n%s", want, table)
		}
	}
}

func TestCompareUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"compare", "--scheme", "rongcheng", "x"}, "give --scheme exactly twice"},
		{[]string{"compare", "--scheme", "rongcheng", "--scheme", "rongcheng", "x"}, "compare two different schemes"},
		{[]string{"compare", "--scheme", "rongcheng", "--scheme", "sesame", "--at", "yesterday", "x"}, "--at"},
	} {
		_, _, err := runCLI(t, "", tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want %q", tc.args, err, tc.want)
		}
	}
	// An event neither scheme knows is an error naming the line.
	_, errOut, err := runCLI(t, `{"id":"e1","citizen":"c","conduct":"jaywalking","at":"2024-03-01T09:00:00+08:00"}`+"\n", "compare", "--scheme", "rongcheng", "--scheme", "sesame")
	if err == nil || !strings.Contains(errOut+err.Error(), "line 1") {
		t.Errorf("unknown conduct: %v %s", err, errOut)
	}
}
