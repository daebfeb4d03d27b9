package main

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	_ "modernc.org/sqlite"
	"scs/schemes"
)

// runStoreCmd runs the CLI in-process with SCS_DB set to db.
func runStoreCmd(t *testing.T, db string, stdin string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errb bytes.Buffer
	getenv := func(k string) string {
		if k == "SCS_DB" {
			return db
		}
		return ""
	}
	err = run(context.Background(), append([]string{"scs"}, args...), getenv, strings.NewReader(stdin), &out, &errb)
	return out.String(), errb.String(), err
}

const citizensFile = `{"id":"c1","name":"Li Wei","neighbourhood":"Yatou","birth_year":1980,"consent":true}
{"id":"c2","name":"Wang Fang","neighbourhood":"Yatou","birth_year":1975,"consent":true}
`

const recordsFile = `{"id":"r1","citizen":"c1","rule":"tax-evasion","at":"2024-03-01T09:00:00+08:00"}
{"id":"r2","citizen":"c2","rule":"returned-lost-money","at":"2024-03-02T09:00:00+08:00","evidence":"wallet"}
{"id":"r3","citizen":"c1","rule":"charitable-donation","at":"2024-01-02T09:00:00+08:00","quantity":1500}
`

func TestImportExportVerifyAccounts(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "a.db")
	cit := filepath.Join(dir, "citizens.jsonl")
	recs := filepath.Join(dir, "records.jsonl")
	os.WriteFile(cit, []byte(citizensFile), 0o644)
	os.WriteFile(recs, []byte(recordsFile), 0o644)

	// A bad line names the line and the field, and nothing is stored.
	bad := filepath.Join(dir, "bad.jsonl")
	os.WriteFile(bad, []byte(recordsFile+`{"id":"r4","citizen":"c1","rule":"other-commercial","at":"2024-03-01T09:00:00+08:00"}`+"\n"), 0o644)
	_, stderr, err := runStoreCmd(t, db, "", "import", bad, "--citizens", cit)
	if err == nil || !strings.Contains(stderr, "line 4: points") || !strings.Contains(stderr, "nothing stored") {
		t.Fatalf("bad import: %v\n%s", err, stderr)
	}
	// NUL bytes in evidence (which PostgreSQL refuses with a bare SQLSTATE
	// 22021) are named by line and field before anything is stored.
	os.WriteFile(bad, []byte(recordsFile+`{"id":"r5","citizen":"c1","rule":"tax-evasion","at":"2024-03-01T09:00:00+08:00","evidence":"a\u0000b"}`+"\n"), 0o644)
	if _, stderr, err := runStoreCmd(t, db, "", "import", bad, "--citizens", cit); err == nil || !strings.Contains(stderr, "line 4: evidence") {
		t.Fatalf("import with a NUL byte: %v\n%s", err, stderr)
	}
	out, _, err := runStoreCmd(t, db, "", "export")
	if err != nil || out != "" {
		t.Fatalf("export after a bad import: %v %q", err, out)
	}
	// An unknown citizen is refused with its line.
	_, _, err = runStoreCmd(t, db, "", "import", recs)
	if err == nil || !strings.Contains(err.Error(), "line 1") || !strings.Contains(err.Error(), "citizen") {
		t.Fatalf("import without citizens: %v", err)
	}

	if _, stderr, err := runStoreCmd(t, db, "", "import", recs, "--citizens", cit); err != nil || !strings.Contains(stderr, "3 new") {
		t.Fatalf("import: %v %s", err, stderr)
	}
	if _, stderr, err := runStoreCmd(t, db, "", "import", recs, "--citizens", cit); err != nil || !strings.Contains(stderr, "0 new") {
		t.Fatalf("import again: %v %s", err, stderr)
	}
	out, _, err = runStoreCmd(t, db, "", "export", "--citizens", filepath.Join(dir, "out-citizens.jsonl"))
	if err != nil || strings.Count(out, "\n") != 3 || !strings.Contains(out, `"id":"r2"`) {
		t.Fatalf("export: %v\n%s", err, out)
	}
	// Move to a second database through export and import.
	db2 := filepath.Join(dir, "b.db")
	if _, stderr, err := runStoreCmd(t, db2, out, "import", "-", "--citizens", filepath.Join(dir, "out-citizens.jsonl")); err != nil {
		t.Fatalf("import into a second database: %v %s", err, stderr)
	}
	out2, _, _ := runStoreCmd(t, db2, "", "export")
	if out2 != out {
		t.Fatalf("export of the copy differs:\n%s\n%s", out, out2)
	}

	token, _, err := runStoreCmd(t, db, "", "accounts", "create", "--role", "official", "--department", "tax-bureau", "--name", "tax office")
	if err != nil || !strings.HasPrefix(token, "scs_") || strings.Count(token, "\n") != 1 {
		t.Fatalf("accounts create: %v %q", err, token)
	}
	if _, _, err := runStoreCmd(t, db, "", "accounts", "create", "--role", "official", "--department", "nowhere", "--name", "x"); err == nil || !strings.Contains(err.Error(), "department") {
		t.Fatalf("bad department: %v", err)
	}
	if _, _, err := runStoreCmd(t, db, "", "accounts", "create", "--name", "x"); err == nil {
		t.Fatal("create without --role")
	}
	if _, _, err := runStoreCmd(t, db, "", "accounts", "revoke", "1"); err != nil {
		t.Fatal(err)
	}
	out, _, err = runStoreCmd(t, db, "", "accounts", "list")
	if err != nil || !strings.Contains(out, "tax office") || strings.Contains(out, strings.TrimSpace(token)) || strings.Count(out, "\n") != 2 {
		t.Fatalf("accounts list: %v\n%s", err, out)
	}
	var revoked sql.NullInt64
	if h, err := sql.Open("sqlite", db); err == nil {
		h.QueryRow(`SELECT revoked FROM accounts WHERE id = 1`).Scan(&revoked)
		h.Close()
	}
	if !revoked.Valid {
		t.Fatal("account 1 not revoked")
	}

	if _, stderr, err := runStoreCmd(t, db, "", "verify"); err != nil || !strings.Contains(stderr, "consistent") {
		t.Fatalf("verify: %v %s", err, stderr)
	}
	// Tamper with a stored record: verify names it and fails.
	h, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	var seq int64
	h.QueryRow(`SELECT seq FROM ledger WHERE rid = 'r2'`).Scan(&seq)
	if _, err := h.Exec(`UPDATE ledger SET evidence = 'forged' WHERE rid = 'r2'`); err != nil {
		t.Fatal(err)
	}
	h.Close()
	out, _, err = runStoreCmd(t, db, "", "verify")
	if err == nil || !strings.Contains(out, "seq "+itoa64(seq)+" ") || !strings.Contains(out, "hash") {
		t.Fatalf("verify after tampering: %v\n%s", err, out)
	}
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }

// TestImportUnscoredConduct imports, under sesame, records of conduct that
// only Rongcheng scores and conduct that a sesame rule of another id
// scores: they are stored (the first kept but not scored), nothing panics,
// and verify finds the database consistent.
func TestImportUnscoredConduct(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "s.db")
	cit := filepath.Join(dir, "citizens.jsonl")
	recs := filepath.Join(dir, "records.jsonl")
	os.WriteFile(cit, []byte(citizensFile), 0o644)
	os.WriteFile(recs, []byte(recordsFile), 0o644)
	if _, stderr, err := runStoreCmd(t, db, "", "import", "--scheme", "sesame", recs, "--citizens", cit); err != nil {
		t.Fatalf("import under sesame: %v\n%s", err, stderr)
	}
	out, _, err := runStoreCmd(t, db, "", "export", "--scheme", "sesame")
	if err != nil || strings.Count(out, "\n") != 3 {
		t.Fatalf("export under sesame: %v\n%s", err, out)
	}
	if out, stderr, err := runStoreCmd(t, db, "", "verify", "--scheme", "sesame"); err != nil {
		t.Fatalf("verify under sesame: %v\n%s%s", err, out, stderr)
	}
	// Without --scheme, the database's own scheme is used.
	if out, stderr, err := runStoreCmd(t, db, "", "verify"); err != nil || !strings.Contains(out+stderr, "consistent") {
		t.Fatalf("verify without --scheme: %v\n%s%s", err, out, stderr)
	}
	// Opened with another scheme, the error is one short line that names
	// the scheme to open it with.
	_, _, err = runStoreCmd(t, db, "", "verify", "--scheme", "rongcheng")
	if err == nil || !strings.Contains(err.Error(), "open it with --scheme sesame") || len(err.Error()) > 400 {
		t.Fatalf("verify with another scheme: %v", err)
	}
}

// TestImportExamplesUnderEveryScheme: the example event file, whose
// departments are named as the conduct vocabulary names reporters, imports
// under every built-in scheme (a sesame department stored by its own name),
// and verifies; a department that is not the rule's is refused under each.
func TestImportExamplesUnderEveryScheme(t *testing.T) {
	for _, scheme := range []string{"rongcheng", "sesame"} {
		db := filepath.Join(t.TempDir(), scheme+".db")
		if _, stderr, err := runStoreCmd(t, db, "", "import", "--scheme", scheme, "--citizens", "../../examples/citizens.jsonl", "../../examples/events.jsonl"); err != nil {
			t.Fatalf("import under %s: %v\n%s", scheme, err, stderr)
		}
		if out, stderr, err := runStoreCmd(t, db, "", "verify", "--scheme", scheme); err != nil {
			t.Fatalf("verify under %s: %v\n%s%s", scheme, err, out, stderr)
		}
		out, _, err := runStoreCmd(t, db, "", "export", "--scheme", scheme)
		want := `"rule":"bank-arrears","at":"2024-07-01T01:00:00Z","quantity":3,"department":"financial-institutions"`
		if scheme == "sesame" {
			want = strings.Replace(want, "financial-institutions", "credit-provider", 1)
		}
		if err != nil || !strings.Contains(out, want) {
			t.Errorf("export under %s lacks %s: %v\n%s", scheme, want, err, out)
		}
		bad := `{"id":"x1","citizen":"c-33","rule":"bank-arrears","quantity":1,"at":"2024-08-01T09:00:00+08:00","department":"tax-bureau"}` + "\n"
		_, stderr, err := runStoreCmd(t, db, bad, "import", "--scheme", scheme, "-")
		if err == nil || !strings.Contains(stderr, "line 1: department: rule bank-arrears belongs to department") || !strings.Contains(stderr, "not tax-bureau") {
			t.Errorf("under %s, a record of another department: %v\n%s", scheme, err, stderr)
		}
	}
}

// TestSchemeFromTheDatabase: without --scheme, a command opens a database
// with the built-in scheme it was made with; one made with a scheme file
// of another name asks for the file.
func TestSchemeFromTheDatabase(t *testing.T) {
	dir := t.TempDir()
	b, _ := schemes.Builtin("rongcheng")
	custom := filepath.Join(dir, "city.yaml")
	os.WriteFile(custom, []byte(strings.Replace(string(b), "name: rongcheng", "name: harbour-city", 1)), 0o644)
	db := filepath.Join(dir, "c.db")
	cit := filepath.Join(dir, "citizens.jsonl")
	os.WriteFile(cit, []byte(citizensFile), 0o644)
	if _, stderr, err := runStoreCmd(t, db, recordsFile, "import", "--scheme", custom, "--citizens", cit, "-"); err != nil {
		t.Fatalf("import under a scheme file: %v\n%s", err, stderr)
	}
	if _, _, err := runStoreCmd(t, db, "", "verify"); err == nil || !strings.Contains(err.Error(), "made with scheme harbour-city, which is not a built-in one: name its file with --scheme FILE") {
		t.Fatalf("verify without --scheme: %v", err)
	}
	if out, _, err := runStoreCmd(t, db, "", "verify", "--scheme", custom); err != nil {
		t.Fatalf("verify with the file: %v\n%s", err, out)
	}
}
