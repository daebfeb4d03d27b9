package store

import (
	"strings"
	"testing"

	"scs"
)

// adoptOldTables builds what a database written before objections and
// accounts entered the chain holds (rows with no ledger entry, a consent
// change missing from consent_log): Verify names each; reopened, the rows
// are brought into the chain once, Verify is clean, and an edit made after
// that is named.
func adoptOldTables(t *testing.T, f *fixture) {
	f.report(f.admin, ev("o1", "c1", "tax-evasion", t0.AddDate(0, -2, 0)), ev("o2", "c1", "heroic-act", t0.AddDate(0, -1, 0)))
	if _, err := f.db.SetConsent(f.ctx, f.admin, "c2", false); err != nil {
		t.Fatal(err)
	}
	var seq int64
	if err := f.db.r.QueryRowContext(f.ctx, f.db.q(`SELECT seq FROM ledger WHERE rid = ?`), "o1").Scan(&seq); err != nil {
		t.Fatal(err)
	}
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := f.db.w.ExecContext(f.ctx, f.db.q(q), args...); err != nil {
			t.Fatal(err)
		}
	}
	// The rows an earlier scs wrote without entries.
	exec(`INSERT INTO objections (id, citizen, record, seq, reason, status, filed, due, decided, reviewer, decision, filed_by) VALUES (900, 'c1', 'o1', ?, 'old', ?, ?, ?, ?, 3, 'old decision', 2)`,
		seq, scs.ObjectionRejected, nanos(t0.AddDate(0, 0, -9)), nanos(t0.AddDate(0, 0, 11)), nanos(t0.AddDate(0, 0, -1)))
	exec(`INSERT INTO objections (id, citizen, record, seq, reason, status, filed, due, decided, reviewer, decision, filed_by) VALUES (901, 'c1', 'o2', (SELECT seq FROM ledger WHERE rid = 'o2'), 'still open', ?, ?, ?, NULL, NULL, '', 2)`,
		scs.ObjectionOpen, nanos(t0.AddDate(0, 0, -3)), nanos(t0.AddDate(0, 0, 17)))
	exec(`INSERT INTO accounts (id, name, role, citizen, department, token_hash, created, revoked, created_by) VALUES (900, 'old official', 'official', '', 'tax-bureau', ?, ?, ?, 0)`,
		[]byte("0123456789abcdef0123456789abcdef"), nanos(t0.AddDate(-1, 0, 0)), nanos(t0.AddDate(0, -1, 0)))
	exec(`UPDATE citizens SET consent_log = '' WHERE id = 'c2'`)
	exec(`DELETE FROM meta WHERE key = ?`, adoptedKey)
	var probs []string
	if _, err := f.db.Verify(f.ctx, func(p scs.VerifyProblem) { probs = append(probs, p.Message) }); err != nil {
		t.Fatal(err)
	}
	all := strings.Join(probs, "\n")
	for _, want := range []string{"objection 900 has no entry", "objection 901 has no entry", "account 900 (old official, official) has no entry", "consent"} {
		if !strings.Contains(all, want) {
			t.Errorf("verify of the old database: no %q in\n%s", want, all)
		}
	}

	countEntries := func(db *DB) int {
		t.Helper()
		var n int
		if err := db.r.QueryRowContext(f.ctx, `SELECT COUNT(*) FROM ledger WHERE kind IN ('objection', 'objection-decision', 'account', 'revocation')`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := countEntries(f.db)
	db2, err := Open(f.ctx, f.db.dsn, rongcheng(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	verify := func() []string {
		t.Helper()
		var probs []string
		if _, err := db2.Verify(f.ctx, func(p scs.VerifyProblem) { probs = append(probs, p.Message) }); err != nil {
			t.Fatal(err)
		}
		return probs
	}
	if probs := verify(); len(probs) > 0 {
		t.Fatalf("after the upgrade: %q", probs)
	}
	entries := countEntries(db2)
	if entries != before+5 { // objection, decision, objection, account, revocation
		t.Errorf("%d objection and account entries after the upgrade; want %d", entries, before+5)
	}
	// Opening again adopts nothing more.
	db3, err := Open(f.ctx, f.db.dsn, rongcheng(t))
	if err != nil {
		t.Fatal(err)
	}
	db3.Close()
	if again := countEntries(db2); again != entries {
		t.Errorf("a second open added entries: %d -> %d", entries, again)
	}
	exec(`UPDATE objections SET status = ? WHERE id = 900`, scs.ObjectionUpheld)
	exec(`UPDATE accounts SET role = 'admin' WHERE id = 900`)
	probs = verify()
	if all := strings.Join(probs, "\n"); len(probs) != 2 || !strings.Contains(all, "objection 900 was changed") || !strings.Contains(all, "account 900 was changed") {
		t.Errorf("edits after the upgrade: %q", probs)
	}
}
