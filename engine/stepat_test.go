package engine_test

import (
	"fmt"
	"math"
	"reflect"
	"testing"
	"time"

	"pgregory.net/rapid"

	"scs"
	"scs/engine"
	"scs/schemes"
)

// genScheme draws a points scheme: two to five grades, some with lock-ins,
// their minimums close together or far apart (beyond the engine's table
// of bands), sometimes above the floor; a ceiling or none; rules of every
// effect kind, some with yearly caps; a time zone that is not always UTC.
func genScheme(t *rapid.T) *scs.Scheme {
	zone := rapid.SampledFrom([]string{"UTC", "Asia/Shanghai", "America/New_York", "Pacific/Chatham", "Australia/Lord_Howe"}).Draw(t, "zone")
	loc, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatal(err)
	}
	floor := rapid.SampledFrom([]int64{0, -100, 300}).Draw(t, "floor")
	n := rapid.IntRange(2, 5).Draw(t, "grades")
	// Minimums from the lowest grade up.
	mins := make([]int64, n)
	mins[0] = floor + rapid.SampledFrom([]int64{0, 0, 0, 20}).Draw(t, "belowLowest")
	for i := 1; i < n; i++ {
		mins[i] = mins[i-1] + rapid.SampledFrom([]int64{1, 5, 40, 150, 40_000}).Draw(t, "gap")
	}
	top := mins[n-1]
	s := &scs.Scheme{Name: "p", TimeZone: zone, Location: loc, Floor: floor, Ceiling: scs.Unbounded}
	if rapid.Bool().Draw(t, "ceiling") {
		s.Ceiling = top + rapid.Int64Range(0, 200).Draw(t, "aboveTop")
	}
	s.Start = rapid.Int64Range(floor, max(top+50, s.Ceiling)).Draw(t, "start")
	for i := n - 1; i >= 0; i-- {
		g := scs.Grade{Name: fmt.Sprint("g", n-1-i), Min: mins[i], Max: scs.Unbounded}
		if i < n-1 {
			g.Max = mins[i+1] - 1
		}
		if rapid.IntRange(0, 2).Draw(t, "locks") == 0 {
			g.LockIn = scs.Period{Years: rapid.IntRange(0, 2).Draw(t, "lockY"), Months: rapid.IntRange(0, 11).Draw(t, "lockM"), Days: rapid.IntRange(0, 30).Draw(t, "lockD")}
		}
		s.Grades = append(s.Grades, g)
	}
	nr := rapid.IntRange(1, 6).Draw(t, "rules")
	for i := range nr {
		r := scs.Rule{ID: fmt.Sprint("r", i)}
		switch rapid.IntRange(0, 4).Draw(t, "kind") {
		case 0:
			r.Effect = scs.Effect{Kind: scs.EffectFixed, Points: rapid.Int64Range(-300, 300).Draw(t, "points")}
		case 1:
			r.Effect = scs.Effect{Kind: scs.EffectPerUnit, Points: rapid.Int64Range(-5, 5).Draw(t, "points"),
				Unit: rapid.SampledFrom([]float64{1, 0.5, 2.5, 100}).Draw(t, "unit"), Quantity: "q"}
		case 2:
			lo := rapid.Int64Range(-200, 100).Draw(t, "min")
			r.Effect = scs.Effect{Kind: scs.EffectRange, Min: lo, Max: lo + rapid.Int64Range(0, 100).Draw(t, "width")}
		case 3:
			r.Effect = scs.Effect{Kind: scs.EffectTiered, Quantity: "q"}
			upTo := 0.0
			for j, nt := 0, rapid.IntRange(1, 3).Draw(t, "tiers"); j < nt; j++ {
				tr := scs.Tier{Per: rapid.SampledFrom([]float64{1, 0.5, 3}).Draw(t, "per"), Points: rapid.Int64Range(-3, 5).Draw(t, "tierPoints")}
				if j < nt-1 {
					upTo += float64(rapid.IntRange(1, 40).Draw(t, "upTo"))
					tr.UpTo = upTo
				}
				r.Effect.Tiers = append(r.Effect.Tiers, tr)
			}
		case 4:
			r.Effect = scs.Effect{Kind: scs.EffectDropTo, DropTo: s.Grades[rapid.IntRange(1, n-1).Draw(t, "dropTo")].Name}
		}
		if r.Effect.Kind != scs.EffectDropTo && rapid.Bool().Draw(t, "capped") {
			r.YearlyCap = rapid.Int64Range(1, 100).Draw(t, "cap")
		}
		s.Rules = append(s.Rules, r)
	}
	s.Index()
	return s
}

// stepAtCase is one drawn event as StepAt takes it.
type stepAtCase struct {
	rule     int
	at       int64
	nsec     int // a fraction of a second: only Step can take it
	quantity float64
	points   int64
}

// genStepAt draws an event of e's scheme at or after last (unix seconds),
// within a few years, now and then invalid (a quantity or points out of
// range or where the rule takes none, or a time before last).
func genStepAt(t *rapid.T, s *scs.Scheme, last int64) stepAtCase {
	c := stepAtCase{rule: rapid.IntRange(0, len(s.Rules)-1).Draw(t, "rule")}
	c.at = last + rapid.SampledFrom([]int64{0, 1, 3600, 86400, 40 * 86400, 200 * 86400, 400 * 86400}).Draw(t, "gap") + rapid.Int64Range(0, 86400).Draw(t, "jitter")
	if rapid.IntRange(0, 5).Draw(t, "fraction") == 0 {
		c.nsec = rapid.IntRange(1, 999_999_999).Draw(t, "nsec")
	}
	r := s.Rules[c.rule]
	if r.Effect.NeedsQuantity() {
		c.quantity = rapid.SampledFrom([]float64{0, 1, 2, 7, 30, 99, 150, 1000, 2.5, 0.3333333, 1e-7, 1e9, engine.MaxQuantity}).Draw(t, "quantity")
	}
	if r.Effect.Kind == scs.EffectRange {
		c.points = rapid.Int64Range(r.Effect.Min, r.Effect.Max).Draw(t, "points")
	}
	switch rapid.IntRange(0, 19).Draw(t, "invalid") {
	case 0:
		c.quantity = rapid.SampledFrom([]float64{-1, math.NaN(), math.Inf(1), 2 * engine.MaxQuantity, 3}).Draw(t, "badQuantity")
	case 1:
		c.points = rapid.SampledFrom([]int64{-1000, 1000, 1}).Draw(t, "badPoints")
	case 2:
		c.at = last - rapid.Int64Range(1, 86400).Draw(t, "before")
	}
	return c
}

// event is the scs.Event StepAt's arguments stand for (see StepAt), with
// no id, as StepAt's errors have none.
func (c stepAtCase) event(s *scs.Scheme) scs.Event {
	r := s.Rules[c.rule]
	return scs.Event{Rule: r.ID, At: time.Unix(c.at, int64(c.nsec)).UTC(),
		Quantity: c.quantity, HasQuantity: r.Effect.NeedsQuantity() || c.quantity != 0,
		Points: c.points, HasPoints: r.Effect.Kind == scs.EffectRange || c.points != 0}
}

// checkStepAt steps one history through Step (state a) and through StepAt
// (state b; Step for an event with a fraction of a second, which StepAt
// cannot take) and compares, after every event, the error, the points
// applied, the grade and the whole state; and, at times after the event,
// the grade GradeAt gives against the band of the score and the lock.
func checkStepAt(t *rapid.T, e *engine.Engine) {
	s := e.Scheme()
	a, b := e.NewState("c"), e.NewState("c")
	// Years before and after those the engine has a table of (1900-2500)
	// too.
	year := rapid.SampledFrom([]int{2023, 2023, 1899, 2499}).Draw(t, "year")
	last := time.Date(year, time.Month(rapid.IntRange(1, 12).Draw(t, "month")), 28, 22, 0, 0, 0, s.Location).Unix()
	for i, n := 0, rapid.IntRange(1, 60).Draw(t, "events"); i < n; i++ {
		c := genStepAt(t, s, last)
		ev := c.event(s)
		want, err1 := e.Step(&a, &ev)
		var got int64
		var g int
		var err2 error
		if c.nsec == 0 {
			got, g, err2 = e.StepAt(&b, c.rule, c.at, c.quantity, c.points)
		} else {
			got, err2 = e.Step(&b, &ev)
			g = e.GradeAt(&b, ev.At)
		}
		if (err1 == nil) != (err2 == nil) || (err1 != nil && err1.Error() != err2.Error()) {
			t.Fatalf("event %d %+v: Step's error %v, StepAt's %v", i, c, err1, err2)
		}
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("event %d %+v: states differ:\nStep   %+v\nStepAt %+v", i, c, a, b)
		}
		if err1 != nil {
			continue
		}
		if want != got {
			t.Fatalf("event %d %+v: Step applied %d, StepAt %d", i, c, want, got)
		}
		if wg := e.GradeAt(&a, ev.At); g != wg {
			t.Fatalf("event %d %+v: StepAt's grade %d, GradeAt %d", i, c, g, wg)
		}
		last = c.at
		// GradeAt is the band of the score, held by a lock that has not
		// run out (the band's look-up against the scheme's own).
		later := ev.At.Add(time.Duration(rapid.Int64Range(0, 3*365*86400).Draw(t, "later")) * time.Second)
		want2 := s.GradeOf(a.Score)
		if a.LockGrade > want2 && later.Before(a.LockedUntil) {
			want2 = a.LockGrade
		}
		if !s.IsFactorModel() {
			if got := e.GradeAt(&a, later); got != want2 {
				t.Fatalf("GradeAt(%d points, lock %d until %v) at %v: %d, want %d", a.Score, a.LockGrade, a.LockedUntil, later, got, want2)
			}
			// A lock holds to the nanosecond before its end, and not at it.
			if band := s.GradeOf(a.Score); a.LockGrade > band {
				if got := e.GradeAt(&a, a.LockedUntil.Add(-time.Nanosecond)); got != a.LockGrade {
					t.Fatalf("GradeAt just before the lock's end %v: %d, want the lock's %d", a.LockedUntil, got, a.LockGrade)
				}
				if got := e.GradeAt(&a, a.LockedUntil); got != band {
					t.Fatalf("GradeAt at the lock's end %v: %d, want the band %d", a.LockedUntil, got, band)
				}
			}
		}
	}
	// A rule number the scheme does not have is refused.
	before := b
	if _, _, err := e.StepAt(&b, len(s.Rules), last, 0, 0); err == nil || !reflect.DeepEqual(before, b) {
		t.Fatalf("rule number %d of %d rules: error %v", len(s.Rules), len(s.Rules), err)
	}
}

// StepAt, the simulator's step on plain values, leaves every state exactly
// as Step does, with the same points applied, grade and errors, under
// random points schemes (lock-ins, yearly caps, tiered and drop_to rules,
// floors and ceilings, years in a zone that is not UTC) and under the two
// schemes of the repository, the factor model Sesame included.
func TestStepAtIsStep(t *testing.T) {
	t.Run("random", func(t *testing.T) {
		rapid.Check(t, func(t *rapid.T) {
			e, err := engine.New(genScheme(t))
			if err != nil {
				t.Fatal(err)
			}
			checkStepAt(t, e)
		})
	})
	for _, name := range []string{"rongcheng", "sesame"} {
		t.Run(name, func(t *testing.T) {
			e, err := engine.New(schemes.MustLoad(name))
			if err != nil {
				t.Fatal(err)
			}
			rapid.Check(t, func(t *rapid.T) { checkStepAt(t, e) })
		})
	}
}

// StepAt allocates nothing once a state's yearly totals exist (a state
// reused with ResetState keeps them): the simulator steps every record so.
func TestStepAtAllocatesNothing(t *testing.T) {
	e, err := engine.New(schemes.MustLoad("rongcheng"))
	if err != nil {
		t.Fatal(err)
	}
	s := e.Scheme()
	st := e.NewState("")
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, s.Location).Unix()
	locked := false // the history brings the citizen into a lock-in
	run := func() {
		e.ResetState(&st, "")
		for k := range 200 {
			i := k % len(s.Rules)
			r := s.Rules[i]
			q, p := 0.0, int64(0)
			if r.Effect.NeedsQuantity() {
				q = float64(1 + k%7)
			}
			if r.Effect.Kind == scs.EffectRange {
				p = r.Effect.Min
			}
			if _, _, err := e.StepAt(&st, i, start+int64(k)*5*86400, q, p); err != nil {
				t.Fatal(err)
			}
			locked = locked || st.LockGrade >= 0
		}
	}
	run()
	if !locked || len(st.Yearly) == 0 {
		t.Fatalf("the history never locked the citizen in (%v) or kept no yearly totals (%v)", locked, st.Yearly)
	}
	if n := testing.AllocsPerRun(20, run); n != 0 {
		t.Errorf("%v allocations per run of 200 records, want 0", n)
	}
}
