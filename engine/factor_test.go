package engine_test

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"scs"
	"scs/engine"
	"scs/schemes"
)

func sesame(t *testing.T) (*scs.Scheme, *engine.Engine) {
	t.Helper()
	s := schemes.MustLoad("sesame")
	e, err := engine.New(s)
	if err != nil {
		t.Fatal(err)
	}
	return s, e
}

// TestFactorNoHistory checks that a person with no records sits at the
// scheme's start at every time, and that the start is the score of the
// factors' sub-scores at value 0.
func TestFactorNoHistory(t *testing.T) {
	s, e := sesame(t)
	st := e.NewState("c")
	if s.Start != s.NoHistoryScore() {
		t.Fatalf("start %d, no-history score %d", s.Start, s.NoHistoryScore())
	}
	for _, at := range []time.Time{time.Date(2015, 1, 1, 0, 0, 0, 0, cst), time.Date(2030, 6, 15, 12, 0, 0, 0, cst)} {
		if got := e.ScoreAt(&st, at); got != s.Start {
			t.Errorf("score at %v: %d, want %d", at, got, s.Start)
		}
		if sd := e.Standing(&st, at); sd.Score != s.Start || sd.Grade != s.Grades[s.GradeOf(s.Start)].Name {
			t.Errorf("standing at %v: %+v", at, sd)
		}
	}
}

// TestFactorBound checks, for each factor, that a life with only that
// factor's conduct, at its best (every input that adds, a large amount
// every month), for ten years stays within the factor's weight of the
// range: the factor's contribution never exceeds weight x range, and the
// score never rises above where the person started by more than what the
// factor has left to give.
func TestFactorBound(t *testing.T) {
	s, e := sesame(t)
	span := float64(s.Ceiling - s.Floor)
	for fi, f := range s.Factors {
		t.Run(f.Name, func(t *testing.T) {
			st := e.NewState("c")
			start := time.Date(2020, 1, 15, 12, 0, 0, 0, cst)
			n := 0
			rose := false
			for m := range 120 {
				at := start.AddDate(0, m, 0)
				for _, r := range s.Rules {
					if r.Effect.Factor != f.Name || r.Effect.Value <= 0 {
						continue
					}
					ev := scs.Event{ID: "e", Citizen: "c", Rule: r.Conduct, At: at}
					if r.Effect.NeedsQuantity() {
						ev.Quantity, ev.HasQuantity = 1e6, true
					}
					if _, err := e.Apply(&st, &ev); err != nil {
						t.Fatal(err)
					}
					n++
				}
				check := at.AddDate(0, 0, 20)
				score := e.ScoreAt(&st, check)
				most := s.Start + int64(math.Ceil(span*f.Weight/100*(1-f.SubScore.Of(0))))
				if score > most || score < s.Floor {
					t.Fatalf("month %d: score %d, want at most %d (start %d + what %s has left of its %g%%)", m, score, most, s.Start, f.Name, f.Weight)
				}
				rose = rose || score > s.Start
				for _, rc := range e.Recomputations(&st, time.Time{}, check) {
					if p := rc.Factors[fi].Points; p > span*f.Weight/100+1e-9 {
						t.Fatalf("%s contributes %.2f points, more than its %g%% of %g", f.Name, p, f.Weight, span)
					}
				}
			}
			if n == 0 || !rose {
				t.Fatalf("%d records, score rose: %v; the test did not exercise the factor", n, rose)
			}
		})
	}
}

// TestFactorRecomputesOnScheduleOnly checks, over random histories, that
// the score changes only at recomputations (midnight on the first of the
// month in the scheme's zone), that a record never moves the score before
// the next recomputation, and that the score stays in the range.
func TestFactorRecomputesOnScheduleOnly(t *testing.T) {
	s, e := sesame(t)
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 100 {
		st := e.NewState("c")
		at := time.Date(2020, 1, 1, 0, 0, 0, 0, cst).Add(time.Duration(rng.IntN(1000)) * time.Hour)
		for range rng.IntN(40) {
			at = at.Add(time.Duration(rng.IntN(24*60)) * time.Hour)
			r := s.Rules[rng.IntN(len(s.Rules))]
			ev := scs.Event{ID: "e", Citizen: "c", Rule: r.Conduct, At: at}
			if r.Effect.NeedsQuantity() {
				ev.Quantity, ev.HasQuantity = float64(rng.IntN(50000)), true
			}
			before := cloneRecords(st)
			prevScore := e.ScoreAt(&st, at)
			if _, err := e.Apply(&st, &ev); err != nil {
				t.Fatal(err)
			}
			next := e.NextRecomputation(at)
			// The record counts from the next recomputation, not before.
			for _, q := range []time.Time{at, next.Add(-time.Second)} {
				if got, was := e.ScoreAt(&st, q), e.ScoreAt(&before, q); got != was {
					t.Fatalf("trial %d: a record at %v moved the score at %v from %d to %d", trial, at, q, was, got)
				}
			}
			if e.ScoreAt(&st, at) != prevScore {
				t.Fatalf("trial %d: score at the record's time changed", trial)
			}
		}
		// Walk hour by hour over the history and beyond: every change is
		// at a recomputation.
		prev := e.ScoreAt(&st, time.Date(2020, 1, 1, 0, 0, 0, 0, cst))
		const step = 7 * time.Hour
		for q := time.Date(2020, 1, 1, 1, 0, 0, 0, cst); q.Before(at.AddDate(2, 1, 0)); q = q.Add(step) {
			got := e.ScoreAt(&st, q)
			if got < s.Floor || got > s.Ceiling {
				t.Fatalf("trial %d: score %d out of range at %v", trial, got, q)
			}
			if got != prev {
				// The change must be at the one recomputation in (q-step, q].
				r := e.LastRecomputation(q)
				lr := r.In(cst)
				if !r.After(q.Add(-step)) || lr.Day() != 1 || lr.Hour() != 0 || lr.Minute() != 0 ||
					e.ScoreAt(&st, r) != got || e.ScoreAt(&st, r.Add(-time.Nanosecond)) != prev {
					t.Fatalf("trial %d: score changed from %d to %d between %v and %v, not at a recomputation", trial, prev, got, q.Add(-step), q)
				}
			}
			prev = got
		}
	}
}

func cloneRecords(st scs.State) scs.State {
	st.Records = append([]scs.FactorRecord(nil), st.Records...)
	return st
}

// TestRecomputationSchedule checks the schedule's instants: midnight on
// the first of the month in the scheme's zone, not in UTC.
func TestRecomputationSchedule(t *testing.T) {
	_, e := sesame(t)
	at := time.Date(2024, 2, 29, 16, 30, 0, 0, time.UTC) // 1 March 00:30 in Shanghai
	if got, want := e.LastRecomputation(at), time.Date(2024, 3, 1, 0, 0, 0, 0, cst); !got.Equal(want) {
		t.Errorf("last recomputation before %v: %v, want %v", at, got, want)
	}
	if got, want := e.NextRecomputation(at), time.Date(2024, 4, 1, 0, 0, 0, 0, cst); !got.Equal(want) {
		t.Errorf("next: %v, want %v", got, want)
	}
	if got := e.NextRecomputation(time.Date(2024, 12, 5, 0, 0, 0, 0, cst)); !got.Equal(time.Date(2025, 1, 1, 0, 0, 0, 0, cst)) {
		t.Errorf("next after December: %v", got)
	}
}

// TestRecomputationsInSpans checks that the recomputations of a history
// asked for span by span (as a file page shows them) are those of the
// whole history, each once, and that RecomputationAt gives the score
// ScoreAt gives, with the factors' points adding up to it.
func TestRecomputationsInSpans(t *testing.T) {
	s, e := sesame(t)
	rng := rand.New(rand.NewPCG(3, 4))
	for trial := range 50 {
		st := e.NewState("c")
		at := time.Date(2020, 1, 1, 0, 0, 0, 0, cst)
		var times []time.Time
		for range 1 + rng.IntN(30) {
			at = at.Add(time.Duration(rng.IntN(24*90)) * time.Hour)
			r := s.Rules[rng.IntN(len(s.Rules))]
			ev := scs.Event{ID: "e", Citizen: "c", Rule: r.Conduct, At: at}
			if r.Effect.NeedsQuantity() {
				ev.Quantity, ev.HasQuantity = float64(1+rng.IntN(20)), true
			}
			if _, err := e.Apply(&st, &ev); err != nil {
				t.Fatal(err)
			}
			times = append(times, at)
		}
		end := at.AddDate(3, 0, 0)
		whole := e.Recomputations(&st, time.Time{}, end)
		if len(whole) == 0 {
			t.Fatalf("trial %d: no recomputation", trial)
		}
		// Cut the history at random records' times, as pages do.
		var pieced []scs.Recomputation
		from := time.Time{}
		for i, q := range times {
			if i == len(times)-1 || rng.IntN(3) == 0 {
				to := q
				if i == len(times)-1 {
					to = end
				}
				pieced = append(pieced, e.Recomputations(&st, from, to)...)
				from = to
			}
		}
		if len(pieced) != len(whole) {
			t.Fatalf("trial %d: %d recomputations in spans, %d in the whole", trial, len(pieced), len(whole))
		}
		for i := range whole {
			if !pieced[i].At.Equal(whole[i].At) || pieced[i].Score != whole[i].Score {
				t.Fatalf("trial %d: recomputation %d is %v %d in spans, %v %d in the whole", trial, i, pieced[i].At, pieced[i].Score, whole[i].At, whole[i].Score)
			}
		}
		for _, q := range []time.Time{times[0], at, end, whole[len(whole)-1].At} {
			rc := e.RecomputationAt(&st, q)
			if rc.Score != e.ScoreAt(&st, q) || rc.At.After(q) || !rc.At.Equal(e.LastRecomputation(q)) {
				t.Fatalf("trial %d: recomputation at %v: %+v, score %d", trial, q, rc, e.ScoreAt(&st, q))
			}
			sum := float64(s.Floor)
			for _, f := range rc.Factors {
				sum += f.Points
			}
			if math.Abs(sum-float64(rc.Score)) > 0.5+1e-9 {
				t.Fatalf("trial %d: factors add up to %.2f, score %d", trial, sum, rc.Score)
			}
		}
	}
}

// TestFactorHalfLife checks a decaying factor: a record counts a little
// less than its value a month on, half of that a year (the half-life, in
// average days) later, and the score falls back towards the no-history
// score as the record ages, never below it; the recomputations shown stop
// once the decay no longer shows at a tenth of a point.
func TestFactorHalfLife(t *testing.T) {
	src, _ := schemes.Builtin("sesame")
	text := strings.Replace(string(src), "      lifetime: true\n", "      half_life: 12 months\n", 1)
	if text == string(src) {
		t.Fatal("sesame has no lifetime window to make decay")
	}
	s, err := schemes.Parse("decay.yaml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	fi := -1
	for i, f := range s.Factors {
		if !f.HalfLife.IsZero() {
			fi = i
		}
	}
	if fi < 0 || s.Fingerprint() == schemes.MustLoad("sesame").Fingerprint() || !strings.Contains(s.Factors[fi].WindowWords(), "halved every 12 months") {
		t.Fatalf("the half-life did not load: %+v", s.Factors)
	}
	e, err := engine.New(s)
	if err != nil {
		t.Fatal(err)
	}
	st := e.NewState("c")
	var conduct string
	for _, r := range s.Rules {
		if r.Effect.Factor == s.Factors[fi].Name && r.Effect.Value > 0 {
			conduct = r.Conduct
		}
	}
	ev := scs.Event{ID: "e", Citizen: "c", Rule: conduct, At: time.Date(2024, 3, 1, 0, 0, 0, 0, cst), Quantity: 3, HasQuantity: true}
	if _, err := e.Apply(&st, &ev); err != nil {
		t.Fatal(err)
	}
	// The record is dated at a recomputation: at it, its age is 0 but it is
	// not yet counted; a month later it has aged one month.
	r1 := e.RecomputationAt(&st, time.Date(2024, 4, 1, 0, 0, 0, 0, cst))
	r13 := e.RecomputationAt(&st, time.Date(2025, 4, 1, 0, 0, 0, 0, cst))
	v1, v13 := r1.Factors[fi].Value, r13.Factors[fi].Value
	if math.Abs(v13/v1-0.5) > 0.002 || v1 >= 3 || v1 < 3*0.94 {
		t.Fatalf("value after 1 month %g, after 13 months %g: want half", v1, v13)
	}
	prev := e.ScoreAt(&st, time.Date(2024, 4, 1, 0, 0, 0, 0, cst))
	if prev <= s.Start {
		t.Fatalf("the record did not raise the score: %d", prev)
	}
	for m := 1; m < 240; m++ {
		got := e.ScoreAt(&st, time.Date(2024, 4+time.Month(m), 1, 0, 0, 0, 0, cst))
		if got > prev || got < s.Start {
			t.Fatalf("month %d: score %d after %d (start %d)", m, got, prev, s.Start)
		}
		prev = got
	}
	if prev != s.Start {
		t.Fatalf("twenty years on the score is %d, not back at %d", prev, s.Start)
	}
	rcs := e.Recomputations(&st, time.Time{}, time.Date(2044, 1, 1, 0, 0, 0, 0, cst))
	if len(rcs) < 12 || len(rcs) > 120 {
		t.Fatalf("%d recomputations shown over twenty years", len(rcs))
	}
}
