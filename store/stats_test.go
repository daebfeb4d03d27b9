package store

import (
	"fmt"
	"maps"
	"strings"
	"testing"
	"time"

	"scs"
)

// statsFromScratch is what Stats computed before the running totals: every
// scored citizen's state decoded and graded by the engine, and the ledger
// counted. It is the oracle of statsTotals.
func statsFromScratch(t *testing.T, f *fixture, at time.Time) scs.Stats {
	t.Helper()
	s := scs.Stats{PerGrade: map[string]int{}, RecordsPerRule: map[string]int{}, AsOf: at.UTC()}
	for _, g := range f.db.scheme.Grades {
		s.PerGrade[g.Name] = 0
	}
	rows, err := f.db.r.QueryContext(f.ctx, `SELECT p.citizen, p.state, c.consent FROM projections p JOIN citizens c ON c.id = p.citizen`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id string
		var state []byte
		var consent int
		if err := rows.Scan(&id, &state, &consent); err != nil {
			t.Fatal(err)
		}
		s.Citizens++
		if f.db.scheme.ConsentRequired && consent != 1 {
			continue
		}
		s.Scored++
		st, err := decodeState(state, id)
		if err != nil {
			t.Fatal(err)
		}
		s.PerGrade[f.db.scheme.Grades[f.db.eng.GradeAt(&st, at)].Name]++
	}
	rows.Close()
	rows, err = f.db.r.QueryContext(f.ctx, `SELECT kind, rule FROM ledger WHERE kind IN ('record', 'reversal')`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var kind, rule string
		if err := rows.Scan(&kind, &rule); err != nil {
			t.Fatal(err)
		}
		n := 1
		if kind == scs.EntryReversal {
			n = -1
		}
		s.RecordsPerRule[rule] += n
		s.Records += int64(n)
	}
	rows.Close()
	maps.DeleteFunc(s.RecordsPerRule, func(_ string, n int) bool { return n == 0 })
	f.db.r.QueryRowContext(f.ctx, f.db.q(`SELECT COUNT(*), COALESCE(SUM(CASE WHEN due < ? THEN 1 ELSE 0 END), 0) FROM objections WHERE status = ?`),
		nanos(at), scs.ObjectionOpen).Scan(&s.ObjectionsOpen, &s.ObjectionsOverdue)
	return s
}

// statsTotals checks Stats, read from the running totals and the
// projections' columns, against the computation from scratch, as of times
// inside and after lock-ins, with a reversal, a citizen opted out and a
// batch; Verify names a running total changed behind the registry's back.
func statsTotals(t *testing.T, f *fixture) {
	base := f.now.AddDate(-3, 0, 0)
	var evs []scs.Event
	rules := []string{"tax-evasion", "online-criticism-of-government", "heroic-act", "speeding-ticket", "tax-evasion", "drunk-driving"}
	for i := range 30 {
		c := fmt.Sprintf("c%d", 1+i%3)
		evs = append(evs, ev(fmt.Sprintf("st%d", i), c, rules[i%len(rules)], base.AddDate(0, i, 0)))
	}
	// c4 falls into B (locked in for two years) and climbs back to A's
	// score inside the lock: graded B by the lock, A by the band.
	evs = append(evs, ev("lock0", "c4", "tax-evasion", f.now.AddDate(0, -6, 0)))
	for i := range 5 {
		evs = append(evs, ev(fmt.Sprintf("lock%d", i+1), "c4", "heroic-act", f.now.AddDate(0, -5, i)))
	}
	f.report(f.admin, evs...)
	o, err := f.db.Object(f.ctx, f.citizen, "c1", "st0", "not me")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.DecideObjection(f.ctx, f.reviewer, o.ID, true, "upheld"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.SetConsent(f.ctx, f.admin, "c3", false); err != nil {
		t.Fatal(err)
	}
	for _, at := range []time.Time{base, base.AddDate(1, 0, 0), base.AddDate(2, 6, 0), f.now, f.now.AddDate(1, 0, 0), f.now.AddDate(5, 0, 0)} {
		got, err := f.db.Stats(f.ctx, at)
		if err != nil {
			t.Fatal(err)
		}
		want := statsFromScratch(t, f, at)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("stats as of %s:\n%+v\nfrom scratch:\n%+v", at, got, want)
		}
	}
	var band, lockGrade int
	var lockedUntil int64
	if err := f.db.r.QueryRowContext(f.ctx, `SELECT band, lock_grade, locked_until FROM projections WHERE citizen = 'c4'`).Scan(&band, &lockGrade, &lockedUntil); err != nil {
		t.Fatal(err)
	}
	if lockGrade <= band || lockedUntil <= nanos(f.now) {
		t.Fatalf("c4: band %d, lock %d until %s: the test does not exercise a lock worse than the band", band, lockGrade, fromNanos(lockedUntil))
	}
	if _, err := f.db.w.ExecContext(f.ctx, `UPDATE rule_totals SET records = records + 1 WHERE rule = 'heroic-act'`); err != nil {
		t.Fatal(err)
	}
	var probs []string
	f.db.Verify(f.ctx, func(p scs.VerifyProblem) { probs = append(probs, p.Message) })
	if len(probs) != 1 || !strings.Contains(probs[0], "rule_totals: rule heroic-act has") {
		t.Errorf("verify with a changed total: %q", probs)
	}
}
