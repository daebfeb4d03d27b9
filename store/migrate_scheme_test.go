package store

import (
	"encoding/json"
	"strings"
	"testing"

	"scs"
	"scs/engine"
	"scs/schemes"
)

// editedRongcheng returns the built-in Rongcheng scheme with old replaced
// by new in its file (the first occurrence after the line after).
func editedRongcheng(t *testing.T, after, old, new string) *scs.Scheme {
	t.Helper()
	b, _ := schemes.Builtin("rongcheng")
	s := string(b)
	i := strings.Index(s, after)
	j := strings.Index(s[i:], old)
	if i < 0 || j < 0 {
		t.Fatalf("%q then %q are not in rongcheng.yaml", after, old)
	}
	s = s[:i+j] + new + s[i+j+len(old):]
	sc, err := schemes.Parse("rongcheng-edited.yaml", []byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// migrateScheme moves a registry to a scheme whose tax evasion costs 300
// points instead of 100: a dry run writes nothing; the migration keeps the
// old standings in rescore entries, replays every citizen under the new
// rules (the engine's replay as oracle), passes Verify, and the database
// opens with the new scheme only. A scheme lacking a rule in use, or one
// that scores the same, is refused; a meta table edited back is named by
// Verify.
func migrateScheme(t *testing.T, f *fixture) {
	f.db.snapEvery = 2
	var evs []scs.Event
	for i, r := range []string{"tax-evasion", "heroic-act", "tax-evasion", "blood-donation", "heroic-act", "speeding-ticket"} {
		evs = append(evs, ev("m"+string(rune('a'+i)), "c1", r, t0.AddDate(0, -6+i, 0)))
	}
	evs = append(evs, ev("m-c2", "c2", "heroic-act", t0.AddDate(0, -1, 0)), ev("m-c3", "c3", "tax-evasion", t0.AddDate(0, -2, 0)))
	f.report(f.admin, evs...)
	o, err := f.db.Object(f.ctx, f.citizen, "c1", "mc", "not me")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.DecideObjection(f.ctx, f.reviewer, o.ID, true, "upheld"); err != nil {
		t.Fatal(err)
	}
	live := map[string][]scs.Event{}
	for _, e := range evs {
		if e.ID != "mc" {
			live[e.Citizen] = append(live[e.Citizen], e)
		}
	}
	old := map[string]*scs.Standing{}
	for _, c := range []string{"c1", "c2", "c3", "c4"} {
		old[c] = f.file(c).Standing
	}
	tail := func() int64 {
		var n int64
		if err := f.db.r.QueryRowContext(f.ctx, `SELECT COALESCE(MAX(seq), 0) FROM ledger`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	if _, err := f.db.MigrateScheme(f.ctx, f.admin, rongcheng(t), false); scs.ErrorCode(err) != scs.EINVALID || !strings.Contains(err.Error(), "nothing to migrate") {
		t.Fatalf("the same scheme: %v", err)
	}
	renamed := editedRongcheng(t, "  - id: heroic-act", "heroic-act", "heroic-deed")
	if _, err := f.db.MigrateScheme(f.ctx, f.admin, renamed, false); scs.ErrorCode(err) != scs.EINVALID || !strings.Contains(err.Error(), "record mb (seq") || !strings.Contains(err.Error(), "cannot score 3 of the records") {
		t.Fatalf("a scheme without a rule in use: %v", err)
	}
	if _, err := f.db.MigrateScheme(f.ctx, f.official, renamed, false); scs.ErrorCode(err) != scs.EFORBIDDEN {
		t.Fatalf("an official migrating: %v", err)
	}

	harsher := editedRongcheng(t, "  - id: tax-evasion", "points: -100", "points: -300")
	n := tail()
	dry, err := f.db.MigrateScheme(f.ctx, f.admin, harsher, true)
	if err != nil {
		t.Fatal(err)
	}
	if dry.Seq != 0 || tail() != n || len(dry.Rescored) != 2 || len(dry.Changes) != 1 || dry.Changes[0] != "rules[tax-evasion].points: -100, now -300" {
		t.Fatalf("dry run: seq %d, ledger %d -> %d, rescored %+v, changes %q", dry.Seq, n, tail(), dry.Rescored, dry.Changes)
	}
	if got := f.file("c1").Standing; got.Score != old["c1"].Score {
		t.Fatalf("a dry run changed c1's score: %d -> %d", old["c1"].Score, got.Score)
	}
	f.verifyClean()

	m, err := f.db.MigrateScheme(f.ctx, f.admin, harsher, false)
	if err != nil {
		t.Fatal(err)
	}
	if m.Seq != n+1 || m.Citizens != 4 || len(m.Rescored) != 2 || m.Rescored[0].Citizen != "c1" || m.Rescored[1].Citizen != "c3" {
		t.Fatalf("migration: %+v", m)
	}
	eng, err := engine.New(harsher)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{"c1", "c2", "c3", "c4"} {
		st, _, err := eng.Replay(c, live[c], f.now, false)
		if err != nil {
			t.Fatal(err)
		}
		want := eng.Standing(&st, f.now)
		got := f.file(c).Standing
		if got.Score != want.Score || got.Grade != want.Grade {
			t.Errorf("%s after the migration: %d %s; the new rules give %d %s", c, got.Score, got.Grade, want.Score, want.Grade)
		}
	}
	// The old results are in the ledger.
	var ref string
	if err := f.db.r.QueryRowContext(f.ctx, f.db.q(`SELECT ref FROM ledger WHERE kind = ? AND citizen = ?`), scs.EntryRescore, "c1").Scan(&ref); err != nil {
		t.Fatal(err)
	}
	var r Rescore
	if err := json.Unmarshal([]byte(ref), &r); err != nil {
		t.Fatal(err)
	}
	if r.Before.Score != old["c1"].Score || r.Before.Grade != old["c1"].Grade || r.After.Score != f.file("c1").Standing.Score {
		t.Errorf("c1's rescore entry: %+v; before the migration %d %s", r, old["c1"].Score, old["c1"].Grade)
	}
	f.verifyClean()
	// A record reported after the migration is scored by the new rules.
	f.report(f.admin, ev("m-after", "c2", "tax-evasion", t0.Add(-1)))
	if got := f.file("c2").Standing.Score; got != old["c2"].Score-300 {
		t.Errorf("c2 after a tax evasion under the new rules: %d, want %d", got, old["c2"].Score-300)
	}
	f.verifyClean()

	if _, err := Open(f.ctx, f.db.dsn, rongcheng(t)); err == nil || !strings.Contains(err.Error(), "scores differently") {
		t.Fatalf("opening with the old scheme after the migration: %v", err)
	}
	db2, err := Open(f.ctx, f.db.dsn, harsher)
	if err != nil {
		t.Fatal(err)
	}
	var probs []scs.VerifyProblem
	if _, err := db2.Verify(f.ctx, func(p scs.VerifyProblem) { probs = append(probs, p) }); err != nil || len(probs) > 0 {
		t.Fatalf("verify with the new scheme after reopening: %v %+v", err, probs)
	}
	db2.Close()

	// The meta table edited back to the old scheme is named.
	if _, err := f.db.w.ExecContext(f.ctx, f.db.q(`UPDATE meta SET value = ? WHERE key = 'scheme_fingerprint'`), m.FromFingerprint); err != nil {
		t.Fatal(err)
	}
	probs = nil
	if _, err := f.db.Verify(f.ctx, func(p scs.VerifyProblem) { probs = append(probs, p) }); err != nil {
		t.Fatal(err)
	}
	if len(probs) != 1 || probs[0].Seq != m.Seq || !strings.Contains(probs[0].Message, "last scheme entry") {
		t.Fatalf("verify after the meta table was edited: %+v", probs)
	}
}
