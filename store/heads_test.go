package store

import (
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"strings"
	"testing"
	"time"

	"scs"
)

// heads deletes the newest ledger entries together with their trail and
// projection rows (what restoring an older copy of the database does):
// Verify alone finds the rest consistent; CheckHead of a later checkpoint
// names the missing entries; a stored checkpoint left behind is named by
// Verify; and checkpoints' signatures hold.
func heads(t *testing.T, f *fixture) {
	var evs []scs.Event
	for i := range 6 {
		evs = append(evs, ev(fmt.Sprintf("h%d", i), "c1", "speeding-ticket", t0.AddDate(0, 0, -20+i)))
	}
	f.report(f.admin, evs[:3]...)
	older, err := f.db.Head(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	saved := f.dumpProjections()
	f.report(f.admin, evs[3:]...)
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	c, err := f.db.Checkpoint(f.ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	later, err := ParseHead(c.Head)
	if err != nil || later.Seq != older.Seq+3 {
		t.Fatalf("checkpoint head %q (%v), want 3 entries after %s", c.Head, err, older)
	}
	if err := VerifyCheckpoint(&c); err != nil {
		t.Fatalf("a fresh checkpoint: %v", err)
	}
	forged := c
	forged.Body = strings.Replace(c.Body, c.Hash, strings.Repeat("0", 64), 1)
	if err := VerifyCheckpoint(&forged); err == nil {
		t.Fatal("a checkpoint with a changed body passed")
	}
	got, ok, err := f.db.LatestCheckpoint(f.ctx)
	if err != nil || !ok || got.Head != c.Head || got.Signature != c.Signature {
		t.Fatalf("latest checkpoint %+v %v %v, want %+v", got, ok, err, c)
	}
	if p, err := f.db.CheckHead(f.ctx, later); err != nil || p != nil {
		t.Fatalf("the current head: %v %+v", err, p)
	}
	f.verifyClean()

	// Delete the newest entries with their trail and projections, keeping
	// the stored checkpoint first.
	for _, q := range []string{`DELETE FROM ledger WHERE seq > ?`, `DELETE FROM trail WHERE seq > ?`} {
		if _, err := f.db.w.ExecContext(f.ctx, f.db.q(q), older.Seq); err != nil {
			t.Fatal(err)
		}
	}
	f.restoreProjections(saved)
	// The running totals too (Verify names them otherwise).
	if _, err := f.db.w.ExecContext(f.ctx, `UPDATE rule_totals SET records = records - 3 WHERE rule = 'speeding-ticket'`); err != nil {
		t.Fatal(err)
	}
	var probs []string
	f.db.Verify(f.ctx, func(p scs.VerifyProblem) { probs = append(probs, p.Message) })
	if len(probs) != 1 || !strings.Contains(probs[0], "checkpoint") || !strings.Contains(probs[0], "missing") {
		t.Fatalf("verify with the checkpoint left behind: %q", probs)
	}
	// Now the checkpoints too: Verify alone passes, the head kept elsewhere does not.
	if _, err := f.db.w.ExecContext(f.ctx, `DELETE FROM checkpoints`); err != nil {
		t.Fatal(err)
	}
	f.verifyClean()
	p, err := f.db.CheckHead(f.ctx, later)
	want := fmt.Sprintf("entries %d to %d are missing", older.Seq+1, later.Seq)
	if err != nil || p == nil || !strings.Contains(p.Message, want) {
		t.Fatalf("CheckHead of a later checkpoint after truncation: %v %+v; want %q", err, p, want)
	}
	if p, _ := f.db.CheckHead(f.ctx, older); p != nil {
		t.Fatalf("the older head: %+v", p)
	}
	var n int
	_, head, err := f.db.VerifySince(f.ctx, later, func(scs.VerifyProblem) { n++ })
	if err != nil || n != 1 || head != older {
		t.Fatalf("VerifySince a lost head: %v, %d problems, head %s", err, n, head)
	}
	// A rewritten entry under the same sequence number.
	f.report(f.admin, ev("other", "c2", "speeding-ticket", t0.AddDate(0, 0, -1)))
	p, _ = f.db.CheckHead(f.ctx, Head{Seq: older.Seq + 1, Hash: later.Hash})
	if p == nil || !strings.Contains(p.Message, "does not extend") {
		t.Fatalf("CheckHead of a rewritten entry: %+v", p)
	}
}

// dumpProjections returns the projections table's rows.
func (f *fixture) dumpProjections() [][]any {
	f.t.Helper()
	rows, err := f.db.r.QueryContext(f.ctx, `SELECT `+projCols+` FROM projections`)
	if err != nil {
		f.t.Fatal(err)
	}
	defer rows.Close()
	var out [][]any
	for rows.Next() {
		vals := make([]any, 9)
		ptrs := make([]any, 9)
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			f.t.Fatal(err)
		}
		out = append(out, vals)
	}
	return out
}

// restoreProjections replaces the projections table's rows with saved.
func (f *fixture) restoreProjections(saved [][]any) {
	f.t.Helper()
	if _, err := f.db.w.ExecContext(f.ctx, `DELETE FROM projections`); err != nil {
		f.t.Fatal(err)
	}
	for _, row := range saved {
		if _, err := f.db.w.ExecContext(f.ctx, f.db.q(`INSERT INTO projections (`+projCols+`) VALUES `+values(1, 9)), row...); err != nil {
			f.t.Fatal(err)
		}
	}
}

// tablesInChain edits the tables that decide something besides the
// records (an objection's decision, an account's role or revocation, a
// citizen's consent, a row added behind the registry's back): Verify names
// each edit, and the database verifies again once it is undone.
func tablesInChain(t *testing.T, f *fixture) {
	f.report(f.admin, ev("t1", "c1", "speeding-ticket", t0.AddDate(0, 0, -3)))
	o, err := f.db.Object(f.ctx, f.citizen, "c1", "t1", "not me")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.DecideObjection(f.ctx, f.reviewer, o.ID, false, "the photo shows the car"); err != nil {
		t.Fatal(err)
	}
	if err := f.db.RevokeAccount(f.ctx, f.admin, f.traffic.ID); err != nil {
		t.Fatal(err)
	}
	f.verifyClean()
	for _, c := range []struct {
		name, edit, undo, want string
		args                   []any
	}{
		{"objection decision", `UPDATE objections SET status = 'upheld' WHERE id = ?`, `UPDATE objections SET status = 'rejected' WHERE id = ?`,
			"objection " + fmt.Sprint(o.ID) + " was changed after it was written: status is upheld, the ledger says rejected", []any{o.ID}},
		{"account role", `UPDATE accounts SET role = 'admin' WHERE id = ?`, `UPDATE accounts SET role = 'official' WHERE id = ?`,
			"account " + fmt.Sprint(f.official.ID) + " was changed after it was written: role is admin, the ledger says official", []any{f.official.ID}},
		{"revocation", `UPDATE accounts SET revoked = NULL WHERE id = ?`, `UPDATE accounts SET revoked = (SELECT MAX(recorded) FROM ledger WHERE kind = 'revocation') WHERE id = ?`,
			"revoked is none, the ledger says", []any{f.traffic.ID}},
		{"consent", `UPDATE citizens SET consent = 0 WHERE id = ?`, `UPDATE citizens SET consent = 1 WHERE id = ?`, "citizens table", []any{"c2"}},
		{"account added", `INSERT INTO accounts (name, role, citizen, department, token_hash, created, created_by) VALUES ('mole', 'admin', '', '', ?, 0, 0)`,
			`DELETE FROM accounts WHERE name = 'mole'`, "(mole, admin) has no entry in the ledger", []any{[]byte("not a real token hash")}},
	} {
		if _, err := f.db.w.ExecContext(f.ctx, f.db.q(c.edit), c.args...); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		var probs []string
		if _, err := f.db.Verify(f.ctx, func(p scs.VerifyProblem) { probs = append(probs, p.Message) }); err != nil {
			t.Fatal(err)
		}
		if len(probs) != 1 || !strings.Contains(probs[0], c.want) {
			t.Errorf("%s: verify says %q; want one problem with %q", c.name, probs, c.want)
		}
		undoArgs := c.args
		if strings.HasPrefix(c.undo, "DELETE") {
			undoArgs = nil
		}
		if _, err := f.db.w.ExecContext(f.ctx, f.db.q(c.undo), undoArgs...); err != nil {
			t.Fatalf("%s: undo: %v", c.name, err)
		}
		f.verifyClean()
	}
}

// simultaneous reports records at one instant: they are applied in
// arrival (ledger) order, whether they come in one batch or one after the
// other, and the file says when the order mattered.
func simultaneous(t *testing.T, f *fixture) {
	at := t0.Add(-time.Hour)
	crit := ev("s-crit", "c1", "online-criticism-of-government", at)
	hero := ev("s-hero", "c1", "heroic-act", at)
	f.report(f.admin, crit, hero) // one batch
	f.report(f.admin, ev("s-hero2", "c2", "heroic-act", at))
	f.report(f.admin, ev("s-crit2", "c2", "online-criticism-of-government", at)) // after, at the same instant
	for citizen, want := range map[string]string{"c1": "B", "c2": "A"} {
		file := f.file(citizen)
		if file.Standing.Grade != want || file.Standing.Score != 980 {
			t.Errorf("%s: %+v, want grade %s", citizen, file.Standing, want)
		}
		last := file.Trail[len(file.Trail)-1]
		if !strings.Contains(last.Reason, "order mattered") || !strings.Contains(last.Reason, "arrival order") {
			t.Errorf("%s: the last record's reason %q does not say that the order mattered", citizen, last.Reason)
		}
	}
	f.verifyClean()
}
