package store

import (
	"context"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	"scs"
	"scs/engine"
)

func TestFactorFileSQLite(t *testing.T) { factorFile(t, openSQLiteWith) }

func TestFactorFilePostgres(t *testing.T) {
	if os.Getenv("SCS_TEST_POSTGRES") == "" {
		t.Skip("SCS_TEST_POSTGRES is not set")
	}
	factorFile(t, openPostgresWith)
}

// factorFile checks a factor model's file: every trail entry keeps the
// factor it feeds and its value; the file carries the recomputation its
// standing comes from; and the recomputations of the file's pages, walked
// in either order, are together those the engine gives for the whole
// history, each once. Verify finds the stored trail as the replay gives it.
func factorFile(t *testing.T, open func(testing.TB, *scs.Scheme) *DB) {
	sc := sesameScheme(t)
	db := open(t, sc)
	ctx := context.Background()
	now := time.Date(2026, 12, 20, 4, 0, 0, 0, time.UTC)
	db.SetClock(func() time.Time { return now })
	eng, err := engine.New(sc)
	if err != nil {
		t.Fatal(err)
	}
	// Four years of the conduct the factors read, at random times.
	rng := rand.New(rand.NewPCG(12, 5))
	var evs []scs.Event
	at := time.Date(2022, 11, 3, 9, 0, 0, 0, time.UTC)
	for i := 0; at.Before(now.AddDate(0, -1, 0)); i++ {
		r := sc.Rules[rng.IntN(len(sc.Rules))]
		ev := scs.Event{ID: "e" + string(rune('a'+i/26%26)) + string(rune('a'+i%26)), Citizen: "c1", Rule: r.Conduct, At: at}
		if r.Effect.NeedsQuantity() {
			ev.Quantity, ev.HasQuantity = float64(1+rng.IntN(5)), true
		}
		evs = append(evs, ev)
		at = at.Add(time.Duration(1+rng.IntN(30*24)) * time.Hour)
	}
	if len(evs) < 30 {
		t.Fatalf("only %d records", len(evs))
	}
	// The first ones loaded in bulk, the rest reported as an official of
	// each rule's department would: both writers keep the factor.
	cut := len(evs) / 2
	if err := db.Load(ctx, []scs.Citizen{{ID: "c1", Name: "Wang Fang", Neighbourhood: "Shidao", BirthYear: 1980, Consent: true}}, evs[:cut], Operator()); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ReportRecords(ctx, Operator(), evs[cut:]); err != nil {
		t.Fatal(err)
	}
	st := eng.NewState("c1")
	want := map[string]scs.TrailEntry{}
	for i := range evs {
		te, err := eng.Apply(&st, &evs[i])
		if err != nil {
			t.Fatal(err)
		}
		if te.Factor == "" {
			t.Fatalf("the engine gave no factor for %+v", evs[i])
		}
		want[te.Event] = te
	}
	whole := eng.Recomputations(&st, time.Time{}, now)
	last := eng.RecomputationAt(&st, now)
	if len(whole) < 5 {
		t.Fatalf("only %d recomputations", len(whole))
	}
	for _, newest := range []bool{false, true} {
		var pages [][]scs.Recomputation
		cursor, seen := "", 0
		for range 100 {
			f, err := db.File(ctx, Operator(), "c1", now, scs.TrailPage{Cursor: cursor, Limit: 7, Newest: newest})
			if err != nil {
				t.Fatal(err)
			}
			if f.Recomputation == nil || !f.Recomputation.At.Equal(last.At) || f.Recomputation.Score != last.Score ||
				f.Standing == nil || f.Standing.Score != last.Score || !reflect.DeepEqual(f.Recomputation.Factors, last.Factors) {
				t.Fatalf("the file's recomputation %+v, standing %+v; the engine's %+v", f.Recomputation, f.Standing, last)
			}
			for _, fe := range f.Trail {
				w := want[fe.Event]
				if fe.Factor != w.Factor || math.Float64bits(fe.Value) != math.Float64bits(w.Value) || fe.Factor == "" {
					t.Fatalf("record %s: factor %q value %g, the engine's %q %g", fe.Event, fe.Factor, fe.Value, w.Factor, w.Value)
				}
			}
			seen += len(f.Trail)
			pages = append(pages, f.Recomputations)
			if cursor = f.TrailNext; cursor == "" {
				break
			}
		}
		if seen != len(evs) {
			t.Fatalf("newest %v: %d records on the pages, %d reported", newest, seen, len(evs))
		}
		if newest {
			slices.Reverse(pages)
		}
		var got []scs.Recomputation
		for _, p := range pages {
			got = append(got, p...)
		}
		if len(got) != len(whole) {
			t.Fatalf("newest %v: %d recomputations on the pages, %d in the whole history", newest, len(got), len(whole))
		}
		for i := range whole {
			if !got[i].At.Equal(whole[i].At) || got[i].Score != whole[i].Score || !reflect.DeepEqual(got[i].Factors, whole[i].Factors) {
				t.Fatalf("newest %v: recomputation %d is %+v, the engine's %+v", newest, i, got[i], whole[i])
			}
		}
	}
	// The database says which scheme it was made with, read without
	// opening it under a scheme.
	if got := SchemeOf(ctx, db.dsn); got != "sesame" {
		t.Errorf("SchemeOf: %q, want sesame", got)
	}
	if got := SchemeOf(ctx, filepath.Join(t.TempDir(), "none.db")); got != "" {
		t.Errorf("SchemeOf a missing database: %q", got)
	}
	// A trail entry written before the trail kept a factor (and reasons as
	// structure) still reads, without its factor, and verifies.
	var seq int64
	var item []byte
	if err := db.r.QueryRowContext(ctx, db.q(`SELECT seq, item FROM trail ORDER BY seq LIMIT 1`)).Scan(&seq, &item); err != nil {
		t.Fatal(err)
	}
	old, err := db.decodeTrailItem(seq, item)
	if err != nil || old.Factor == "" {
		t.Fatalf("stored entry %+v, %v", old, err)
	}
	old.Factor, old.Value, old.Reasons = "", 0, nil
	if _, err := db.w.ExecContext(ctx, db.q(`UPDATE trail SET item = ? WHERE seq = ?`), db.encodeTrailItem(nil, &old), seq); err != nil {
		t.Fatal(err)
	}
	f, err := db.File(ctx, Operator(), "c1", now, scs.TrailPage{Limit: 1})
	if err != nil || len(f.Trail) != 1 || f.Trail[0].Event != old.Event || f.Trail[0].Factor != "" || f.Trail[0].Reason != old.Reason {
		t.Fatalf("the file with an old entry: %+v, %v", f, err)
	}
	var problems []scs.VerifyProblem
	if _, err := db.Verify(ctx, func(p scs.VerifyProblem) { problems = append(problems, p) }); err != nil || len(problems) > 0 {
		t.Fatalf("verify: %v %+v", err, problems)
	}
}
