package store

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"scs"
)

// recordPacks checks the record packs' upkeep as records arrive: sealed as
// records are applied in order, a late record inserted into the first,
// a middle and the last pack (splitting a full one), a reversal taking its
// record out, and a database without packs (written before them) packed
// anew; after every step the packs are what the ledger holds (Verify), and
// the standing and trail what a replay of the whole history gives.
func recordPacks(t *testing.T, f *fixture) {
	f.db.snapEvery = 3
	f.db.packSize = 4 // sealed every 2 records applied in order, split past 4
	base := t0.AddDate(-2, 0, 0)
	var all []scs.Event
	day := func(d int) time.Time { return base.Add(time.Duration(d) * 24 * time.Hour) }
	rules := []string{"returned-lost-money", "speeding-ticket", "blood-donation"}
	for i := range 24 {
		e := ev("p"+strconv.Itoa(i), "c1", rules[i%3], day(10*i))
		f.report(f.admin, e)
		all = append(all, e)
	}
	packs := func() []packRow {
		t.Helper()
		rows, err := f.db.r.QueryContext(f.ctx, `SELECT lo, hi, body FROM record_packs WHERE citizen = 'c1' ORDER BY lo`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []packRow
		for rows.Next() {
			var pk packRow
			if err := rows.Scan(&pk.lo, &pk.hi, &pk.body); err != nil {
				t.Fatal(err)
			}
			out = append(out, pk)
		}
		return out
	}
	check := func(what string) {
		t.Helper()
		f.verifyClean()
		checkTrail(t, f, "c1", true)
		want := oracle(t, f.db, "c1", all, f.now)
		if got := f.file("c1").Standing; got.Score != want.Score || got.Grade != want.Grade {
			t.Fatalf("%s: %+v, a replay of the whole history gives %+v", what, got, want)
		}
	}
	check("in order")
	before := packs()
	if len(before) < 5 || before[0].lo != math.MinInt64 {
		t.Fatalf("%d packs after 24 records in order (packs of 4)", len(before))
	}
	late := func(id string, at time.Time) {
		t.Helper()
		e := ev(id, "c1", "speeding-ticket", at)
		f.report(f.admin, e)
		all = append(all, e)
		check(id)
	}
	// Into the first pack (before every record), twice: it splits.
	late("first", base.Add(-time.Hour))
	late("first2", base.Add(time.Hour))
	// Into a middle pack, at the instant of a record there.
	late("middle", day(100))
	// Into the last pack.
	last := packs()
	lastPack, err := decodePack(last[len(last)-1].body)
	if err != nil {
		t.Fatal(err)
	}
	late("last", fromNanos(lastPack[len(lastPack)-1].At).Add(-time.Hour))
	if after := packs(); len(after) <= len(before) {
		t.Fatalf("%d packs before late records into full packs, %d after: none split", len(before), len(after))
	}
	// One batch of many late records into one pack and the next (a pack
	// read and written once, split into several), two at one instant.
	n0 := len(packs())
	var batch []scs.Event
	for i := range 11 {
		batch = append(batch, ev("batch"+strconv.Itoa(i), "c1", rules[i%3], day(150+i%6).Add(time.Duration(i)*time.Minute)))
	}
	batch = append(batch, ev("batch-same", "c1", "speeding-ticket", batch[3].At))
	f.report(f.admin, batch...)
	all = append(all, batch...)
	check("batch")
	if n := len(packs()); n < n0+2 {
		t.Fatalf("%d packs before a batch of 12 records into packs of 4, %d after", n0, n)
	}
	// A reversal of a record inside a middle pack.
	o, err := f.db.Object(f.ctx, f.citizen, "c1", "p11", "not me")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.DecideObjection(f.ctx, f.reviewer, o.ID, true, "upheld"); err != nil {
		t.Fatal(err)
	}
	for i := range all {
		if all[i].ID == "p11" {
			all = append(all[:i:i], all[i+1:]...)
			break
		}
	}
	check("reversal")
	for _, pk := range packs() {
		recs, err := decodePack(pk.body)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range recs {
			if r.Rid == "p11" {
				t.Fatalf("the reversed record p11 is still in a pack")
			}
		}
	}
	// A database written before packs: the records are read from the
	// ledger, and packed at the next seal.
	if _, err := f.db.w.ExecContext(f.ctx, `DELETE FROM record_packs`); err != nil {
		t.Fatal(err)
	}
	f.db.cache = map[string]*proj{}
	late("unpacked", day(55))
	for i := range 3 {
		e := ev("q"+strconv.Itoa(i), "c1", "returned-lost-money", f.now.Add(-time.Duration(3-i)*time.Hour))
		f.report(f.admin, e)
		all = append(all, e)
	}
	check("adopted")
	if len(packs()) == 0 {
		t.Fatalf("no packs after records applied in order in a database without them")
	}
}

// TestPackCodec checks that packs keep every field a replay reads, and
// that a replay names the citizen and the pack of one that does not decode.
func TestPackCodec(t *testing.T) {
	recs := []entry{
		{Seq: 7, Kind: scs.EntryRecord, Rid: "a", Rule: "speeding-ticket", At: -5},
		{Seq: 3, Kind: scs.EntryRecord, Rid: "b", Rule: "volunteering", At: 10, Quantity: 2.5, HasQ: true},
		{Seq: 9, Kind: scs.EntryRecord, Rid: "c", Rule: "speeding-ticket", At: 10, Points: -40, HasP: true},
	}
	got, err := decodePack(encodePack(nil, recs))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(recs) {
		t.Fatalf("%d records, want %d", len(got), len(recs))
	}
	for i := range recs {
		if got[i] != recs[i] {
			t.Fatalf("record %d: %+v, want %+v", i, got[i], recs[i])
		}
	}
	if packLen(encodePack(nil, recs)) != 3 {
		t.Fatal("packLen")
	}
	bad := encodePack(nil, recs)
	s := &histSource{citizen: "c9", from: math.MinInt64, to: math.MaxInt64, packs: []packRow{{lo: math.MinInt64, hi: 10, body: bad[:len(bad)-2]}}}
	var serr error
	for {
		e, err := s.next()
		if err != nil || e == nil {
			serr = err
			break
		}
	}
	if serr == nil || !strings.Contains(serr.Error(), "citizen c9: the first record pack: corrupt record pack") {
		t.Fatalf("a cut pack: %v", serr)
	}
}

// FuzzDecodePack checks that the pack decoder never panics on a corrupt
// pack and that what it accepts encodes back to the same records.
func FuzzDecodePack(f *testing.F) {
	f.Add(encodePack(nil, []entry{{Seq: 1, Rid: "r1", Rule: "speeding-ticket", At: 100}, {Seq: 5, Rid: "r2", Rule: "volunteering", At: 100, Quantity: 1, HasQ: true}}))
	f.Add(encodePack(nil, []entry{{Seq: 2, Rid: "x", Rule: "range", At: -1, Points: 7, HasP: true}}))
	f.Add([]byte{1, 0, 0})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		recs, err := decodePack(b)
		if err != nil {
			return
		}
		again, err := decodePack(encodePack(nil, recs))
		if err != nil || len(again) != len(recs) {
			t.Fatalf("%x: decoded %d records, encoded and decoded %d: %v", b, len(recs), len(again), err)
		}
		for i := range recs {
			a, r := again[i], recs[i]
			if a.Seq != r.Seq || a.At != r.At || a.Rid != r.Rid || a.Rule != r.Rule || a.HasQ != r.HasQ || a.HasP != r.HasP ||
				math.Float64bits(a.Quantity) != math.Float64bits(r.Quantity) || a.Points != r.Points {
				t.Fatalf("%x: record %d decoded %+v, then %+v", b, i, r, a)
			}
		}
	})
}

// packsPastScored checks the packs of a citizen whose last records are not
// scored (dated after they withdrew consent): a record dated after their
// last scored record but before those is applied in order, and must still
// be in the packs, or a later replay from them would miss it.
func packsPastScored(t *testing.T, f *fixture) {
	f.db.snapEvery = 3
	f.db.packSize = 4 // sealed every 2 records applied in order, split past 4
	day := withdrawnHistory(t, f)
	f.verifyClean()
	// After the last scored record (day 6), before the unscored ones: in
	// order for the engine, but dated within the packs.
	f.now = day(61)
	f.report(f.admin, ev("between", "c3", "tax-evasion", day(20)))
	f.verifyClean()
	// A late record replays from the packs: it must see "between".
	f.report(f.admin, ev("early", "c3", "blood-donation", day(2).Add(time.Hour)))
	f.verifyClean()
	checkTrail(t, f, "c3", true)
	if got := f.file("c3").Standing; got.Events != 8 {
		t.Fatalf("%d records scored, want 8 (6 before the withdrawal, %q and %q)", got.Events, "between", "early")
	}
}

// packsRolledBack checks that an op failing after it changed a citizen's
// record packs (a late record inserted into one, records in order sealed)
// leaves them as they were, while the other ops of its group are kept.
func packsRolledBack(t *testing.T, f *fixture) {
	f.db.snapEvery = 3
	f.db.packSize = 4 // sealed every 2 records applied in order, split past 4
	day := func(d int) time.Time { return t0.Add(time.Duration(d) * 24 * time.Hour) }
	f.now = day(30)
	for i := 1; i <= 7; i++ {
		f.report(f.admin, ev("s"+strconv.Itoa(i), "c3", "speeding-ticket", day(i)))
	}
	packs := func() string {
		t.Helper()
		rows, err := f.db.r.QueryContext(f.ctx, `SELECT lo, hi, body FROM record_packs WHERE citizen = 'c3' ORDER BY lo`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var b strings.Builder
		for rows.Next() {
			var lo, hi int64
			var body []byte
			if err := rows.Scan(&lo, &hi, &body); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&b, "%d %d %x\n", lo, hi, body)
		}
		return b.String()
	}
	before := packs()
	if before == "" {
		t.Fatal("no packs after 7 records in order")
	}
	report := func(fail bool, evs ...scs.Event) *op {
		return &op{ctx: f.ctx, done: make(chan error, 1), fn: func(w *wtx) error {
			for i := range evs {
				if err := f.db.validate(f.admin, &evs[i], w.now, true); err != nil {
					return err
				}
			}
			if _, err := w.appendRecords(f.admin, evs); err != nil {
				return err
			}
			if fail {
				return scs.Errorf(scs.EINVALID, "failing on purpose after writing")
			}
			return nil
		}}
	}
	// A late record into the first pack, then one in order that seals.
	bad := report(true, ev("late", "c3", "blood-donation", day(1).Add(time.Hour)))
	bad2 := report(true, ev("next", "c3", "blood-donation", day(8)))
	group := []*op{report(false, ev("g1", "c1", "returned-lost-money", day(2))), bad, report(false, ev("g2", "c2", "returned-lost-money", day(2))), bad2}
	f.db.commitGroup(group)
	for i, o := range group {
		if err := <-o.done; (err != nil) != (o == bad || o == bad2) {
			t.Errorf("op %d: %v", i, err)
		}
	}
	if after := packs(); after != before {
		t.Fatalf("a failed op changed the packs:\n%s\nwere\n%s", after, before)
	}
	f.verifyClean()
	// The same records again, for real: the packs follow.
	f.report(f.admin, ev("late", "c3", "blood-donation", day(1).Add(time.Hour)))
	f.report(f.admin, ev("next", "c3", "blood-donation", day(8)))
	if packs() == before {
		t.Fatal("the packs did not change with a late record into them")
	}
	f.verifyClean()
	checkTrail(t, f, "c3", true)
}

// withdrawnHistory gives citizen c3 six records, a withdrawal of consent,
// three records while withdrawn (not scored) and consent again (which
// replays the whole history and packs it anew). It returns the days the
// records are dated by (day 30 and 60 were the times of writing).
func withdrawnHistory(t *testing.T, f *fixture) func(int) time.Time {
	t.Helper()
	day := func(d int) time.Time { return t0.Add(time.Duration(d) * 24 * time.Hour) }
	f.now = day(30)
	for i := 1; i <= 6; i++ {
		f.report(f.admin, ev("s"+strconv.Itoa(i), "c3", "speeding-ticket", day(i)))
	}
	if _, err := f.db.SetConsent(f.ctx, f.admin, "c3", false); err != nil {
		t.Fatal(err)
	}
	f.now = day(60)
	for i := 40; i <= 42; i++ {
		f.report(f.admin, ev("w"+strconv.Itoa(i), "c3", "speeding-ticket", day(i)))
	}
	if _, err := f.db.SetConsent(f.ctx, f.admin, "c3", true); err != nil {
		t.Fatal(err)
	}
	return day
}

// trimOldSnapshots checks that a database written before snapshots
// stopped at the citizen's last scored record loses, once at open
// (trimSnapshots), a snapshot dated after it, so that a record applied in
// order before that snapshot's time is not missing from a later replay.
func trimOldSnapshots(t *testing.T, f *fixture) {
	f.db.snapEvery = 3
	day := withdrawnHistory(t, f)
	// What an earlier scs left: a snapshot at a record that was not scored.
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := f.db.w.ExecContext(f.ctx, f.db.q(q), args...); err != nil {
			t.Fatal(err)
		}
	}
	exec(`INSERT INTO snapshots (citizen, at, state, since) SELECT citizen, ?, state, since FROM snapshots WHERE citizen = 'c3' AND at = (SELECT MAX(at) FROM snapshots WHERE citizen = 'c3')`, nanos(day(41)))
	f.verifyClean()
	exec(`DELETE FROM meta WHERE key = ?`, snapsScoredKey)
	if err := f.db.trimSnapshots(f.ctx); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := f.db.r.QueryRowContext(f.ctx, f.db.q(`SELECT COUNT(*) FROM snapshots WHERE citizen = 'c3' AND at > ?`), nanos(day(6))).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d snapshots after the last scored record left (%v)", n, err)
	}
	if err := f.db.r.QueryRowContext(f.ctx, f.db.q(`SELECT COUNT(*) FROM meta WHERE key = ?`), snapsScoredKey).Scan(&n); err != nil || n != 1 {
		t.Fatalf("the database is not marked (%d, %v)", n, err)
	}
	f.now = day(61)
	f.report(f.admin, ev("between", "c3", "tax-evasion", day(20)))
	f.report(f.admin, ev("after", "c3", "blood-donation", day(41).Add(time.Hour)))
	f.verifyClean()
	checkTrail(t, f, "c3", true)
}
