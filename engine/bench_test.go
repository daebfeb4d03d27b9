package engine_test

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"scs"
	"scs/engine"
	"scs/internal/gen"
	"scs/schemes"
	"scs/sim"
)

// realistic returns the records of a synthetic city of 100,000 citizens over
// ten years, made by the simulator (about a million), grouped by citizen in
// time order as Replay and ScoreEvents apply them, with the index where each
// citizen's run starts.
func realistic(b *testing.B, e *engine.Engine) ([]scs.Event, []bool) {
	city, err := sim.Demo(context.Background(), e.Scheme(), sim.DemoOptions{Citizens: 100_000, Years: 10, Seed: 1,
		End: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		b.Fatal(err)
	}
	evs := city.Events
	slices.SortStableFunc(evs, func(a, b scs.Event) int { return cmp.Compare(a.Citizen, b.Citizen) })
	first := make([]bool, len(evs))
	for i := range evs {
		first[i] = i == 0 || evs[i].Citizen != evs[i-1].Citizen
	}
	return evs, first
}

// BenchmarkApply measures the engine alone: events applied per second on one
// core, in memory, over the simulator's ten-year history of a city of
// 100,000 citizens, each citizen's events applied in time order as Replay
// and ScoreEvents do. It
// reports Step (the score, grade and lock without the explanation) and Apply
// (with the trail entry and its reasons). The baseline, in the same run, is
// the least any scorer must do per event: look the rule up by id and add
// fixed points to the citizen's score, with no caps, tiers, floor, grades or
// locks. The ratios are engine speed / baseline speed.
func BenchmarkApply(b *testing.B) {
	e := newEngine(b)
	evs, first := realistic(b, e)
	points := map[string]int64{}
	for _, r := range e.Scheme().Rules {
		points[r.ID] = r.Effect.Points
	}
	var stepTime, applyTime, baseTime time.Duration
	var n int
	var sink int64
	b.ResetTimer()
	for range b.N {
		t0 := time.Now()
		var st scs.State
		for i := range evs {
			if first[i] {
				st = e.NewState(evs[i].Citizen)
			}
			if _, err := e.Step(&st, &evs[i]); err != nil {
				b.Fatal(err)
			}
		}
		t1 := time.Now()
		for i := range evs {
			if first[i] {
				st = e.NewState(evs[i].Citizen)
			}
			te, err := e.Apply(&st, &evs[i])
			if err != nil {
				b.Fatal(err)
			}
			sink += te.Applied
		}
		t2 := time.Now()
		var score int64
		for i := range evs {
			if first[i] {
				sink += score
				score = 1000
			}
			score += points[evs[i].Rule]
		}
		t3 := time.Now()
		stepTime += t1.Sub(t0)
		applyTime += t2.Sub(t1)
		baseTime += t3.Sub(t2)
		n += len(evs)
	}
	b.StopTimer()
	_ = sink
	step, apply, base := float64(n)/stepTime.Seconds(), float64(n)/applyTime.Seconds(), float64(n)/baseTime.Seconds()
	b.ReportMetric(step, "step-events/s")
	b.ReportMetric(apply, "apply-events/s")
	b.ReportMetric(base, "baseline-events/s")
	b.ReportMetric(step/base, "step-ratio")
	b.ReportMetric(apply/base, "apply-ratio")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkScoreEvents measures grouping and scoring a million events of
// 100,000 citizens, as `scs score` does after decoding.
func BenchmarkScoreEvents(b *testing.B) {
	e := newEngine(b)
	evs := gen.Events(e.Scheme(), 100_000, 1_000_000, time.Date(2016, 1, 1, 0, 0, 0, 0, time.UTC), 10, 7)
	asOf := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			for range b.N {
				if _, err := e.ScoreEventsParallel(evs, asOf, false, workers); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(evs)*b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

// BenchmarkApplyFactorModel is BenchmarkApply's measure for a factor-model
// scheme (sesame): the simulator's ten-year history of 100,000 citizens
// under sesame, each record kept for its factor and the score of the last
// recomputation read back (Step), and then every citizen's standing at the
// end recomputed from the records in every factor's window (Standing).
// The baseline is BenchmarkApply's, on the same records: look the rule up
// and add a number.
func BenchmarkApplyFactorModel(b *testing.B) {
	s, err := schemes.Load("sesame")
	if err != nil {
		b.Fatal(err)
	}
	e, err := engine.New(s)
	if err != nil {
		b.Fatal(err)
	}
	evs, first := realistic(b, e)
	value := map[string]float64{}
	for _, r := range s.Rules {
		value[r.ID] = r.Effect.Value
	}
	end := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var stepTime, standTime, baseTime time.Duration
	var n, citizens int
	var sink int64
	var fsink float64
	b.ResetTimer()
	for range b.N {
		t0 := time.Now()
		var standings time.Duration
		var st scs.State
		for i := range evs {
			if first[i] {
				if i > 0 {
					ts := time.Now()
					sink += e.Standing(&st, end).Score
					standings += time.Since(ts)
					citizens++
				}
				st = e.NewState(evs[i].Citizen)
			}
			if _, err := e.Step(&st, &evs[i]); err != nil {
				b.Fatal(err)
			}
		}
		t1 := time.Now()
		var v float64
		for i := range evs {
			if first[i] {
				fsink += v
				v = 0
			}
			v += value[evs[i].Rule]
		}
		t2 := time.Now()
		stepTime += t1.Sub(t0) - standings
		standTime += standings
		baseTime += t2.Sub(t1)
		n += len(evs)
	}
	b.StopTimer()
	_, _ = sink, fsink
	step, base := float64(n)/stepTime.Seconds(), float64(n)/baseTime.Seconds()
	b.ReportMetric(step, "step-events/s")
	b.ReportMetric(base, "baseline-events/s")
	b.ReportMetric(step/base, "step-ratio")
	b.ReportMetric(float64(citizens)/standTime.Seconds(), "standings/s")
	b.ReportMetric(float64(n)/float64(b.N), "events")
	b.ReportMetric(0, "ns/op")
}
