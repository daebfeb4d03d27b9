package store

import (
	"math/rand/v2"
	"strconv"
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
	rng := rand.New(rand.NewPCG(16, 6))
	rules := []string{"returned-lost-money", "speeding-ticket", "tax-evasion", "blood-donation", "online-criticism-of-government", "heroic-act"}
	base := t0.AddDate(-3, 0, 0)
	var all []scs.Event
	var times []time.Time
	usedLate, id := 0, 0
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
	if used, redone := f.db.lateStats.used.Load(), f.db.lateStats.redone.Load(); used < 10 || redone < 2 {
		t.Fatalf("the writer used %d replays of late records done before it and redid %d stale ones: the test does not exercise both", used, redone)
	}
	f.verifyClean()
}
