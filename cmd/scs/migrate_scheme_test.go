package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"scs/schemes"
)

// TestMigrateScheme moves a registry to a copy of Rongcheng whose tax
// evasion costs 300 points: the refusal to open with it names the change,
// a dry run prints the change and writes nothing, the move replays the
// citizens and records itself in the ledger, and then verify passes with
// the new scheme and refuses the old one.
func TestMigrateScheme(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "a.db")
	cit := filepath.Join(dir, "citizens.jsonl")
	recs := filepath.Join(dir, "records.jsonl")
	os.WriteFile(cit, []byte(citizensFile), 0o644)
	os.WriteFile(recs, []byte(recordsFile), 0o644)
	if _, stderr, err := runStoreCmd(t, db, "", "import", recs, "--citizens", cit); err != nil {
		t.Fatalf("import: %v\n%s", err, stderr)
	}
	b, _ := schemes.Builtin("rongcheng")
	s := string(b)
	i := strings.Index(s, "  - id: tax-evasion")
	j := strings.Index(s[i:], "points: -100")
	harsher := filepath.Join(dir, "harsher.yaml")
	os.WriteFile(harsher, []byte(s[:i+j]+"points: -300"+s[i+j+len("points: -100"):]), 0o644)

	if _, _, err := runStoreCmd(t, db, "", "verify", "--scheme", harsher); err == nil || !strings.Contains(err.Error(), "rules[tax-evasion].points: -100, now -300") {
		t.Fatalf("verify with the new scheme before the move: %v", err)
	}
	out, _, err := runStoreCmd(t, db, "", "migrate-scheme", "--to", harsher, "--dry-run")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"rules[tax-evasion].points: -100, now -300", "replayed 2 citizens, 3 records", "1 citizens change standing", "c1 ", "dry run: nothing was written"} {
		if !strings.Contains(out, want) {
			t.Errorf("dry run: no %q in\n%s", want, out)
		}
	}
	if _, _, err := runStoreCmd(t, db, "", "verify"); err != nil {
		t.Fatalf("verify with the old scheme after a dry run: %v", err)
	}
	out, _, err = runStoreCmd(t, db, "", "migrate-scheme", "--to", harsher)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "ledger entry 6 records the move") || strings.Contains(out, "dry run") {
		t.Errorf("migrate-scheme:\n%s", out)
	}
	if out, _, err := runStoreCmd(t, db, "", "verify", "--scheme", harsher); err != nil {
		t.Fatalf("verify with the new scheme: %v\n%s", err, out)
	}
	if _, _, err := runStoreCmd(t, db, "", "verify"); err == nil || !strings.Contains(err.Error(), "scores differently") {
		t.Fatalf("verify with the old scheme after the move: %v", err)
	}
	if _, _, err := runStoreCmd(t, db, "", "migrate-scheme", "--to", harsher, "--scheme", harsher); err == nil || !strings.Contains(err.Error(), "nothing to migrate") {
		t.Fatalf("moving to the scheme it has: %v", err)
	}
	if _, _, err := runStoreCmd(t, db, "", "migrate-scheme"); err == nil {
		t.Fatal("migrate-scheme without --to")
	}
}
