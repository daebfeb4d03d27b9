package store

import (
	"context"
	"database/sql"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"scs"
)

// TestMigrateRowidLayout takes a database written in the first layout
// (migration 001 alone: seq a BIGINT PRIMARY KEY beside SQLite's row id,
// projections and citizens with row ids), opens it with the current store
// and checks that migration 002 kept every entry, hash, file and list, and
// that the tables now have the new layout.
func TestMigrateRowidLayout(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	t0 := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	c := syntheticCity(60, 12, 5)

	db, err := Open(ctx, path, rongcheng(t))
	if err != nil {
		t.Fatal(err)
	}
	db.SetClock(func() time.Time { return t0 })
	if err := db.Load(ctx, c.citizens, c.events, Operator()); err != nil {
		t.Fatal(err)
	}
	// A reversal too, so the ledger holds every kind of entry.
	ob, err := db.Object(ctx, Operator(), c.events[0].Citizen, c.events[0].ID, "not me")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.DecideObjection(ctx, Operator(), ob.ID, true, "agreed"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	downgrade(t, path)

	old, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	if layout := tableSQL(t, old, "ledger"); !strings.Contains(layout, "BIGINT PRIMARY KEY") {
		t.Fatalf("the downgrade did not make the old layout: %s", layout)
	}
	before := dumpTables(t, old)
	old.Close()

	db, err = Open(ctx, path, rongcheng(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetClock(func() time.Time { return t0 })
	var probs []scs.VerifyProblem
	n, err := db.Verify(ctx, func(p scs.VerifyProblem) { probs = append(probs, p) })
	if err != nil || len(probs) > 0 {
		t.Fatalf("verify after the migration: %v %+v", err, probs)
	}
	if want := int64(len(before["ledger"])); n != want {
		t.Fatalf("verify checked %d entries, the ledger had %d", n, want)
	}
	if after := dumpTables(t, db.r); !reflect.DeepEqual(before, after) {
		for k := range before {
			if !reflect.DeepEqual(before[k], after[k]) {
				t.Errorf("table %s changed in the migration: %d rows before, %d after", k, len(before[k]), len(after[k]))
			}
		}
	}
	for table, want := range map[string]string{"ledger": "seq        INTEGER PRIMARY KEY", "trail": "seq  INTEGER PRIMARY KEY",
		"projections": "WITHOUT ROWID", "citizens": "WITHOUT ROWID"} {
		if got := tableSQL(t, db.r, table); !strings.Contains(got, want) {
			t.Errorf("table %s after the migration: %s; want it to contain %q", table, got, want)
		}
	}
	// The store writes to the migrated tables as before.
	f := &fixture{t: t, db: db, ctx: ctx}
	rec := f.report(Operator(), ev("after-migration", c.citizens[1].ID, "blood-donation", t0.Add(-time.Hour)))
	if len(rec) != 1 || rec[0].Seq != n+1 {
		t.Fatalf("a record after the migration: %+v, want sequence number %d", rec, n+1)
	}
	f.verifyClean()
}

// downgrade rewrites the four tables that migration 002 changes in their
// layout of migration 001, keeping every row, and forgets migration 002.
func downgrade(t *testing.T, path string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	for _, s := range undoTypedRefs {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	body, _ := migrations.ReadFile("migrations/001_init.sqlite.sql")
	text := string(body)
	// Migration 004's columns go too, and it is applied again on open.
	stmts := []string{"ALTER TABLE citizens DROP COLUMN resident_since", "ALTER TABLE citizens DROP COLUMN consent_log",
		"DELETE FROM schema_migrations WHERE version = 4",
		"DROP INDEX ledger_rid", "DROP INDEX ledger_citizen", "DROP INDEX citizens_neighbourhood"}
	tables := []string{"ledger", "citizens", "projections", "trail"}
	for _, tb := range tables {
		stmts = append(stmts, "ALTER TABLE "+tb+" RENAME TO "+tb+"_v2")
	}
	for _, s := range splitSQL(text) {
		for _, tb := range tables {
			if strings.Contains(s, "TABLE "+tb+" (") || strings.Contains(s, " ON "+tb+" (") {
				stmts = append(stmts, s)
			}
		}
	}
	for _, tb := range tables {
		stmts = append(stmts, "INSERT INTO "+tb+" SELECT * FROM "+tb+"_v2", "DROP TABLE "+tb+"_v2")
	}
	stmts = append(stmts, "DELETE FROM schema_migrations WHERE version = 2")
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

func tableSQL(t *testing.T, db *sql.DB, table string) string {
	t.Helper()
	var s string
	if err := db.QueryRow(`SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?`, table).Scan(&s); err != nil {
		t.Fatalf("table %s: %v", table, err)
	}
	return s
}

// dumpTables returns every row of the migrated tables, in key order.
func dumpTables(t *testing.T, db *sql.DB) map[string][][]any {
	t.Helper()
	out := map[string][][]any{}
	for table, order := range map[string]string{"ledger": "seq", "trail": "seq", "projections": "citizen", "citizens": "id"} {
		cols := "*"
		if table == "ledger" {
			// The columns of migration 001 but ref, which migration 008
			// moves into typed columns: Verify checks that the hashes,
			// kept here, still cover what the columns give back.
			cols = "seq, kind, rid, citizen, rule, at, quantity, points, department, evidence, recorded, account, hash"
		}
		if table == "citizens" {
			cols = "id, name, neighbourhood, birth_year, consent, registered" // the columns of migration 001
		}
		rows, err := db.Query(`SELECT ` + cols + ` FROM ` + table + ` ORDER BY ` + order)
		if err != nil {
			t.Fatal(err)
		}
		names, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(names))
			ptrs := make([]any, len(names))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			out[table] = append(out[table], vals)
		}
		rows.Close()
	}
	return out
}

// TestMigrationFiles checks the migrations' names and that each is plain
// SQL: NNN_name.sql for both databases, NNN_name.sqlite.sql or
// NNN_name.postgres.sql for one, no template tokens (a {{blob}} from the
// time migrations were templated would reach the database as it is).
func TestMigrationFiles(t *testing.T) {
	names, err := fs.Glob(migrations, "migrations/*")
	if err != nil || len(names) == 0 {
		t.Fatalf("no migrations: %v", err)
	}
	valid := regexp.MustCompile(`^[0-9]{3}_[a-z0-9_]+(\.sqlite|\.postgres)?\.sql$`)
	for _, name := range names {
		base := path.Base(name)
		if !valid.MatchString(base) {
			t.Errorf("migration %s: want NNN_name.sql, NNN_name.sqlite.sql or NNN_name.postgres.sql", base)
		}
		body, _ := migrations.ReadFile(name)
		if i := strings.Index(string(body), "{{"); i >= 0 {
			t.Errorf("migration %s: template token at byte %d; write the dialect's SQL in NNN_name.sqlite.sql and NNN_name.postgres.sql", base, i)
		}
	}
}

// undoTypedRefs takes a ledger back to before migration 008: a reversal's
// reference and a consent change as text in ref, no typed columns.
var undoTypedRefs = []string{
	`UPDATE ledger SET ref = 'seq:' || target || ' objection:' || objection WHERE kind = 'reversal' AND ref = ''`,
	`UPDATE ledger SET ref = CAST(consent AS TEXT) WHERE kind = 'consent' AND ref = ''`,
	`ALTER TABLE ledger DROP COLUMN target`,
	`ALTER TABLE ledger DROP COLUMN objection`,
	`ALTER TABLE ledger DROP COLUMN consent`,
	`DELETE FROM schema_migrations WHERE version = 8`,
}

// migrateTypedRefs writes reversals and consent changes, takes the ledger
// back to its layout before migration 008, migrates it again and checks
// that every entry, hash, file and reversal is as it was and that the
// references now live in their columns alone.
func migrateTypedRefs(t *testing.T, open func(testing.TB) *DB) {
	f := newFixture(t, open)
	f.report(f.admin, ev("m1", "c1", "tax-evasion", t0.AddDate(0, -2, 0)), ev("m2", "c1", "returned-lost-money", t0.AddDate(0, -1, 0)),
		ev("m3", "c2", "tax-evasion", t0.AddDate(0, -1, 0)))
	for _, rec := range []string{"m1", "m3"} {
		citizen := map[string]string{"m1": "c1", "m3": "c2"}[rec]
		o, err := f.db.Object(f.ctx, f.admin, citizen, rec, "not me")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.db.DecideObjection(f.ctx, f.reviewer, o.ID, true, "agreed"); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []bool{false, true, false} {
		if _, err := f.db.SetConsent(f.ctx, f.admin, "c3", c); err != nil {
			t.Fatal(err)
		}
	}
	entries := func() []entry {
		rows, err := f.db.r.Query(`SELECT ` + ledgerCols + ` FROM ledger ORDER BY seq`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []entry
		for rows.Next() {
			var e entry
			var h []byte
			if err := scanEntry(rows, &e, &h); err != nil {
				t.Fatal(err)
			}
			copy(e.hash[:], h)
			out = append(out, e)
		}
		return out
	}
	before := entries()
	files := map[string]*scs.File{"c1": f.file("c1"), "c2": f.file("c2"), "c3": f.file("c3")}
	var reversals, consents int
	for _, e := range before {
		switch e.Kind {
		case scs.EntryReversal:
			reversals++
			if e.Ref != "" || e.Target == 0 || e.Objection == 0 {
				t.Fatalf("reversal written with ref %q, target %d, objection %d", e.Ref, e.Target, e.Objection)
			}
		case scs.EntryConsent:
			consents++
			if e.Ref != "" {
				t.Fatalf("consent change written with ref %q", e.Ref)
			}
		}
	}
	if reversals != 2 || consents != 3 {
		t.Fatalf("%d reversals and %d consent changes, want 2 and 3", reversals, consents)
	}

	for _, s := range undoTypedRefs {
		if _, err := f.db.w.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	var old []string
	rows, err := f.db.w.Query(`SELECT ref FROM ledger WHERE kind IN ('reversal', 'consent') ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var s string
		rows.Scan(&s)
		old = append(old, s)
	}
	rows.Close()
	if len(old) != 5 || !strings.HasPrefix(old[0], "seq:") || !strings.Contains(old[0], " objection:") {
		t.Fatalf("the old layout's references: %q", old)
	}
	// The text the hashes covered before the columns is what refText
	// derives from them.
	k := 0
	for _, e := range before {
		if e.Kind == scs.EntryReversal || e.Kind == scs.EntryConsent {
			if e.refText() != old[k] {
				t.Errorf("entry %d: refText %q, the old layout wrote %q", e.Seq, e.refText(), old[k])
			}
			k++
		}
	}

	if err := f.db.migrate(f.ctx); err != nil {
		t.Fatal(err)
	}
	f.verifyClean()
	if after := entries(); !reflect.DeepEqual(before, after) {
		for i := range before {
			if i < len(after) && !reflect.DeepEqual(before[i], after[i]) {
				t.Errorf("entry %d after the migration: %+v, before %+v", before[i].Seq, after[i], before[i])
			}
		}
		t.Fatalf("%d entries before, %d after", len(before), len(after))
	}
	for id, want := range files {
		if got := f.file(id); !reflect.DeepEqual(got, want) {
			t.Errorf("file of %s changed in the migration:\n%+v\n%+v", id, got, want)
		}
	}
}

func TestMigrateTypedRefsSQLite(t *testing.T) { migrateTypedRefs(t, openSQLite) }

func TestMigrateTypedRefsPostgres(t *testing.T) {
	if os.Getenv("SCS_TEST_POSTGRES") == "" {
		t.Skip("SCS_TEST_POSTGRES is not set")
	}
	migrateTypedRefs(t, openPostgres)
}
