package store

import (
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"scs"
)

// lateSnapshots is a property test of per-citizen snapshots: records arrive
// in random order (late ones, several at one instant, some at the instant
// of an earlier one, and reversals), snapshots are taken every
// three records, and after every batch the stored projection and trail are what
// a replay of the whole history gives (Verify) and what the engine says.
func lateSnapshots(t *testing.T, f *fixture) {
	f.db.snapEvery = 3
	f.db.packSize = 4 // sealed every 2 records applied in order, split past 4
	rng := rand.New(rand.NewPCG(16, 6))
	rules := []string{"returned-lost-money", "speeding-ticket", "tax-evasion", "blood-donation", "online-criticism-of-government", "heroic-act"}
	base := t0.AddDate(-3, 0, 0)
	var all []scs.Event
	var times []time.Time
	usedLate, id, staleSeen := 0, 0, 0
	for batch := range 40 {
		var evs []scs.Event
		for range 1 + rng.IntN(3) {
			var at time.Time
			switch r := rng.IntN(10); {
			case r < 3 && len(times) > 0: // at the instant of an earlier record
				at = times[rng.IntN(len(times))]
			case r < 7: // late: anywhere in the three years
				at = base.Add(time.Duration(rng.Int64N(int64(3 * 365 * 24 * time.Hour)))).Truncate(time.Hour)
			default: // after the others
				at = f.now.Add(-time.Duration(rng.IntN(1000)) * time.Hour)
			}
			if len(times) > 0 && at.Before(times[len(times)-1]) {
				usedLate++
			}
			id++
			e := ev("s"+strconv.Itoa(id), "c1", rules[rng.IntN(len(rules))], at)
			evs = append(evs, e)
		}
		if batch%4 == 3 {
			// Another record of the citizen lands between the replay
			// before the writer and the write: the writer must see
			// that replay is stale and replay again.
			id++
			x := ev("s"+strconv.Itoa(id), "c1", rules[rng.IntN(len(rules))], base.Add(time.Duration(rng.Int64N(int64(3*365*24*time.Hour)))).Truncate(time.Hour))
			f.db.beforeLateWrite = func() {
				f.db.beforeLateWrite = nil
				f.report(f.admin, x)
			}
			all = append(all, x)
			times = append(times, x.At)
		}
		f.report(f.admin, evs...)
		f.db.beforeLateWrite = nil
		all = append(all, evs...)
		for _, e := range evs {
			times = append(times, e.At)
		}
		if batch == 12 || batch == 27 { // reverse a random earlier record
			i := rng.IntN(len(all))
			o, err := f.db.Object(f.ctx, f.citizen, "c1", all[i].ID, "not me")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.db.DecideObjection(f.ctx, f.reviewer, o.ID, true, "upheld"); err != nil {
				t.Fatal(err)
			}
			all = append(all[:i:i], all[i+1:]...)
		}
		if batch%8 == 7 {
			f.verifyClean()
		}
		checkTrail(t, f, "c1", batch%4 == 0)
		var marks int
		if err := f.db.r.QueryRowContext(f.ctx, `SELECT COUNT(*) FROM trail_stale`).Scan(&marks); err != nil {
			t.Fatal(err)
		}
		staleSeen += marks
		want := oracle(t, f.db, "c1", all, f.now)
		if got := f.file("c1").Standing; got.Score != want.Score || got.Grade != want.Grade || !equalTimePtr(got.LockedUntil, want.LockedUntil) {
			t.Fatalf("batch %d: %+v, a replay of the whole history gives %+v", batch, got, want)
		}
	}
	var n int
	if err := f.db.r.QueryRowContext(f.ctx, `SELECT COUNT(*) FROM snapshots WHERE citizen = 'c1'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n < 5 || usedLate < 10 {
		t.Fatalf("%d snapshots, %d late records: the test does not exercise snapshots", n, usedLate)
	}
	if err := f.db.r.QueryRowContext(f.ctx, `SELECT COUNT(*) FROM record_packs WHERE citizen = 'c1'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n < 10 {
		t.Fatalf("%d record packs: the test does not exercise them", n)
	}
	if staleSeen < 5 {
		t.Fatalf("the citizen's trail was marked stale after %d batches: the test does not exercise trail rows left out of date", staleSeen)
	}
	if used, redone := f.db.lateStats.used.Load(), f.db.lateStats.redone.Load(); used < 10 || redone < 2 {
		t.Fatalf("the writer used %d replays of late records done before it and redid %d stale ones: the test does not exercise both", used, redone)
	}
	f.verifyClean()
	tamperCaches(t, f, "c1")
}

// tamperCaches checks that Verify names a snapshot changed by hand and a
// stale mark removed (the rows it covered are then read as stored, and
// they are out of date).
func tamperCaches(t *testing.T, f *fixture, citizen string) {
	t.Helper()
	// A record dated before every other: every row after it is left
	// out of date.
	f.report(f.admin, ev("tamper-first", citizen, "returned-lost-money", t0.AddDate(-4, 0, 0)))
	// A record after every other, applied to the projection that replay
	// left (in the writer's cache): its trail entry is kept.
	f.report(f.admin, ev("after-all", citizen, "returned-lost-money", f.now))
	checkTrail(t, f, citizen, true)
	f.verifyClean()
	named := func(what string) {
		t.Helper()
		var probs []scs.VerifyProblem
		if _, err := f.db.Verify(f.ctx, func(p scs.VerifyProblem) { probs = append(probs, p) }); err != nil {
			t.Fatal(err)
		}
		for _, p := range probs {
			if strings.HasPrefix(p.Message, what) {
				return
			}
		}
		t.Fatalf("verify does not name %q: %+v", what, probs)
	}
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := f.db.w.ExecContext(f.ctx, f.db.q(q), args...); err != nil {
			t.Fatal(err)
		}
	}
	var at, since int64
	if err := f.db.r.QueryRowContext(f.ctx, f.db.q(`SELECT at, since FROM snapshots WHERE citizen = ? ORDER BY at LIMIT 1 OFFSET 2`), citizen).Scan(&at, &since); err != nil {
		t.Fatal(err)
	}
	exec(`UPDATE snapshots SET since = ? WHERE citizen = ? AND at = ?`, since+1, citizen, at)
	named("snapshots: the snapshot at")
	exec(`UPDATE snapshots SET since = ? WHERE citizen = ? AND at = ?`, since, citizen, at)
	var mark int64
	if err := f.db.r.QueryRowContext(f.ctx, f.db.q(`SELECT at FROM trail_stale WHERE citizen = ?`), citizen).Scan(&mark); err != nil {
		t.Fatal(err)
	}
	exec(`DELETE FROM trail_stale WHERE citizen = ?`, citizen)
	named("trail: the entry of record")
	exec(`INSERT INTO trail_stale (citizen, at) VALUES (?, ?)`, citizen, mark)
	f.verifyClean()
	tamperPacks(t, f, citizen, named, exec)
}

// tamperPacks checks that Verify names a record pack changed, removed,
// added or cut short by hand, and one that does not decode.
func tamperPacks(t *testing.T, f *fixture, citizen string, named func(string), exec func(string, ...any)) {
	t.Helper()
	var lo, hi int64
	var body []byte
	if err := f.db.r.QueryRowContext(f.ctx, f.db.q(`SELECT lo, hi, body FROM record_packs WHERE citizen = ? ORDER BY lo LIMIT 1 OFFSET 1`), citizen).Scan(&lo, &hi, &body); err != nil {
		t.Fatal(err)
	}
	recs, err := decodePack(body)
	if err != nil || len(recs) < 2 {
		t.Fatalf("the second pack holds %d records: %v", len(recs), err)
	}
	restore := func() {
		t.Helper()
		exec(`DELETE FROM record_packs WHERE citizen = ? AND lo = ?`, citizen, lo)
		exec(`INSERT INTO record_packs (citizen, lo, hi, body) VALUES (?, ?, ?, ?)`, citizen, lo, hi, body)
		f.verifyClean()
	}
	changed := slices.Clone(recs)
	changed[0].Rule = "heroic-act"
	if recs[0].Rule == "heroic-act" {
		changed[0].Rule = "tax-evasion"
	}
	exec(`UPDATE record_packs SET body = ? WHERE citizen = ? AND lo = ?`, encodePack(nil, changed), citizen, lo)
	named("record packs: citizen " + citizen + ": the record pack from")
	restore()
	exec(`UPDATE record_packs SET body = ? WHERE citizen = ? AND lo = ?`, encodePack(nil, recs[1:]), citizen, lo)
	named("record packs: citizen " + citizen + ": the record pack from") // a record missing
	restore()
	exec(`UPDATE record_packs SET body = ? WHERE citizen = ? AND lo = ?`, body[:len(body)-1], citizen, lo)
	named("record packs: citizen " + citizen + ": the record pack from") // does not decode
	restore()
	exec(`DELETE FROM record_packs WHERE citizen = ? AND lo = ?`, citizen, lo)
	named("record packs: citizen " + citizen + ": the record pack from") // a gap
	restore()
	exec(`UPDATE record_packs SET hi = ? WHERE citizen = ? AND lo = ?`, hi-1, citizen, lo)
	named("record packs: citizen " + citizen + ": the record pack from") // the next does not follow on
	restore()
	// The last pack reaching past the last scored record: a record
	// applied in order after it would not be put into the pack.
	var lastLo, lastHi int64
	if err := f.db.r.QueryRowContext(f.ctx, f.db.q(`SELECT lo, hi FROM record_packs WHERE citizen = ? ORDER BY lo DESC LIMIT 1`), citizen).Scan(&lastLo, &lastHi); err != nil {
		t.Fatal(err)
	}
	exec(`UPDATE record_packs SET hi = ? WHERE citizen = ? AND lo = ?`, int64(math.MaxInt64), citizen, lastLo)
	var probs []string
	if _, err := f.db.Verify(f.ctx, func(p scs.VerifyProblem) { probs = append(probs, p.Message) }); err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(probs, func(m string) bool { return strings.HasSuffix(m, "ends after the citizen's last scored record") }) {
		t.Fatalf("verify does not name a last pack ending after the last scored record: %q", probs)
	}
	exec(`UPDATE record_packs SET hi = ? WHERE citizen = ? AND lo = ?`, lastHi, citizen, lastLo)
	f.verifyClean()
	exec(`INSERT INTO record_packs (citizen, lo, hi, body) VALUES (?, ?, ?, ?)`, "nobody", math.MinInt64, hi, body)
	named("record packs: 1 for citizen nobody")
	exec(`DELETE FROM record_packs WHERE citizen = ?`, "nobody")
	f.verifyClean()
}

// checkTrail compares the citizen's file trail, whole and (when paged) read
// four entries a page, with the trail a replay of their whole history
// gives, whatever rows a late record left out of date.
func checkTrail(t *testing.T, f *fixture, citizen string, paged bool) {
	t.Helper()
	recs, reversed, err := f.db.history(f.ctx, f.db.r, citizen)
	if err != nil {
		t.Fatal(err)
	}
	ps, err := f.db.loadProjections(f.ctx, f.db.read(f.ctx), []string{citizen})
	if err != nil {
		t.Fatal(err)
	}
	p := ps[citizen]
	want, err := f.db.rebuild(citizen, p.registered, p.sc, liveRecords(recs, reversed))
	if err != nil {
		t.Fatal(err)
	}
	compare := func(how string, got []scs.FileEntry) {
		t.Helper()
		var live []scs.TrailEntry
		for _, fe := range got {
			if !fe.Reversed {
				live = append(live, fe.TrailEntry)
			}
		}
		if len(live) != len(want.out) {
			t.Fatalf("%s: %d standing entries, the replay %d", how, len(live), len(want.out))
		}
		for i := range live {
			w, err := f.db.decodeTrailItem(want.out[i].Seq, f.db.encodeTrailItem(nil, &want.out[i]))
			if err != nil {
				t.Fatal(err)
			}
			if !live[i].Equal(&w.TrailEntry) {
				t.Fatalf("%s: entry %d is %+v; the replay gives %+v", how, i, live[i], w.TrailEntry)
			}
		}
	}
	compare("whole trail", f.file(citizen).Trail)
	// As the public list and an objection read it.
	items, err := f.db.trailOf(f.db.read(f.ctx), citizen)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.db.currentTrail(f.ctx, f.db.rc, citizen, nil, items); err != nil {
		t.Fatal(err)
	}
	var listed []scs.FileEntry
	for _, it := range items {
		listed = append(listed, scs.FileEntry{TrailEntry: it.TrailEntry})
	}
	compare("trail as lists read it", listed)
	if !paged {
		return
	}
	var got []scs.FileEntry
	cursor := ""
	for {
		file, err := f.db.File(f.ctx, f.admin, citizen, f.now, scs.TrailPage{Limit: 4, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, file.Trail...)
		if file.TrailNext == "" {
			break
		}
		cursor = file.TrailNext
	}
	compare("pages of 4", got)
}
