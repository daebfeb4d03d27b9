package store

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"scs"
	"scs/schemes"
)

// TestFactorModelGradesMove checks the registry's grade counts and grade
// lists under a factor model (Sesame), where a score moves at each monthly
// recomputation with no new record: the stats and the lists as of times
// after the last record must be the engine's GradeAt of each state, not the
// band stored with the last record. Citizen c1 has arrears only, c2 a
// mixed history, c3 no records; every answer is compared with the engine's
// at five times, months before, between and years after the records.
func TestFactorModelGradesMove(t *testing.T) {
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "scs.db"), schemes.MustLoad("sesame"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	f := &fixture{t: t, db: db, ctx: context.Background(), now: t0}
	db.SetClock(func() time.Time { return f.now })
	f.admin = Operator()
	for _, id := range []string{"c1", "c2", "c3"} {
		f.register(id, "hood-"+id[1:], true)
	}
	base := f.now.AddDate(-1, 0, 0)
	var evs []scs.Event
	for i := range 24 {
		rule, c := "bank-arrears", "c1"
		if i%2 == 1 {
			c = "c2"
			if i%4 == 1 {
				rule = "repaid-on-time"
			}
		}
		e := ev(fmt.Sprintf("e%d", i), c, rule, base.AddDate(0, 0, 10*i))
		e.Quantity, e.HasQuantity = 1, true
		evs = append(evs, e)
	}
	f.report(f.admin, evs...)
	moved := false
	for _, at := range []time.Time{base.AddDate(0, -1, 0), base.AddDate(0, 3, 0), f.now, f.now.AddDate(0, 2, 0), f.now.AddDate(3, 0, 0)} {
		got, err := db.Stats(f.ctx, at)
		if err != nil {
			t.Fatal(err)
		}
		want := statsFromScratch(t, f, at)
		if fmt.Sprint(got.PerGrade, got.Scored, got.Citizens) != fmt.Sprint(want.PerGrade, want.Scored, want.Citizens) {
			t.Errorf("stats as of %s: %v %d of %d; the engine: %v %d of %d", at, got.PerGrade, got.Scored, got.Citizens, want.PerGrade, want.Scored, want.Citizens)
		}
		for g := range db.scheme.Grades {
			cs, _, err := db.scan(f.ctx, []int{g}, at, "", 0, "")
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, c := range cs {
				ids = append(ids, c.p.citizen)
			}
			var wantIDs []string
			for _, id := range []string{"c1", "c2", "c3"} {
				st := f.state(id)
				if db.eng.GradeAt(&st, at) == g {
					wantIDs = append(wantIDs, id)
				}
				var band int
				if err := db.r.QueryRowContext(f.ctx, `SELECT band FROM projections WHERE citizen = ?`, id).Scan(&band); err != nil {
					t.Fatal(err)
				}
				moved = moved || band != db.eng.GradeAt(&st, at)
			}
			if !slices.Equal(ids, wantIDs) {
				t.Errorf("grade %s as of %s: listed %v, the engine %v", db.scheme.Grades[g].Name, at, ids, wantIDs)
			}
		}
	}
	if !moved {
		t.Fatal("no stored band differs from the grade at any time: the test does not exercise a score moving with time")
	}
}

// state reads a citizen's stored state.
func (f *fixture) state(id string) scs.State {
	f.t.Helper()
	var b []byte
	if err := f.db.r.QueryRowContext(f.ctx, `SELECT state FROM projections WHERE citizen = ?`, id).Scan(&b); err != nil {
		f.t.Fatal(err)
	}
	st, err := decodeState(b, id)
	if err != nil {
		f.t.Fatal(err)
	}
	return st
}
