package sim

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"scs/engine"
	"scs/schemes"
)

// BenchmarkStepAtReplay replays the engine's steps of one neighbourhood of
// a Rongcheng run (the default hood_size, 780 citizens; 10 years, seed 1):
// the records of the citizens who opted in, in the order the simulator
// stepped them, through engine.StepAt into the states of citizens laid out
// as the simulator's are, which stay in the processor's caches as a
// worker's neighbourhood does. Each replay starts from reset states and
// must end with every citizen's score as the run's. It reports the wall
// time of a step, the median (step-ns) and the fastest (step-ns-min) of
// the replays, beside, in the same run, that of a loop that only touches
// each state as a step does first (touch-ns, median): the engine's part of
// an act without the model's. (Until session 9 it replayed 30,000
// citizens, whose states do not stay in the caches: about 50 ns a step,
// most of it cache misses a run does not have.)
func BenchmarkStepAtReplay(b *testing.B) {
	s, err := schemes.Load("rongcheng")
	if err != nil {
		b.Fatal(err)
	}
	eng, err := engine.New(s)
	if err != nil {
		b.Fatal(err)
	}
	type step struct {
		c, rule int
		at      int64
		q       float64
		pts     int64
	}
	n := int(Settings(nil).Get("hood_size")) // one neighbourhood, of the default size
	var steps []step
	score := make([]int64, n)
	index := func(id string) int {
		i, err := strconv.Atoi(strings.TrimPrefix(id, "c-"))
		if err != nil {
			b.Fatal(err)
		}
		return i - 1
	}
	cfg := Config{Scheme: s, Citizens: n, Years: 10, Seed: 1, Workers: 1, End: time.Date(2026, 1, 1, 0, 0, 0, 0, s.Location),
		Rows: true, Events: ScoredEvents, OnHood: func(h *HoodOutput) error {
			for _, ev := range h.Events {
				st := step{c: index(ev.Citizen), rule: eng.RuleNumber(ev.Rule), at: ev.At.Unix()}
				if ev.HasQuantity {
					st.q = ev.Quantity
				}
				if ev.HasPoints {
					st.pts = ev.Points
				}
				steps = append(steps, st)
			}
			for _, r := range h.Rows {
				if r.Consent {
					score[index(r.ID)] = r.Score
				}
			}
			return nil
		}}
	if _, err := Simulate(context.Background(), cfg); err != nil {
		b.Fatal(err)
	}
	cs := make([]citizen, n)
	var stepNs, touchNs []float64
	for b.Loop() {
		for i := range cs {
			eng.ResetState(&cs[i].st, "")
		}
		t0 := time.Now()
		for _, x := range steps {
			if _, _, err := eng.StepAt(&cs[x.c].st, x.rule, x.at, x.q, x.pts); err != nil {
				b.Fatal(err)
			}
		}
		stepNs = append(stepNs, float64(time.Since(t0).Nanoseconds())/float64(len(steps)))
		for i := range cs {
			if cs[i].st.Events > 0 && cs[i].st.Score != score[i] {
				b.Fatalf("citizen %d: replayed score %d, the run's %d", i, cs[i].st.Score, score[i])
			}
		}
		t0 = time.Now()
		for _, x := range steps {
			st := &cs[x.c].st
			st.Events++
			st.Score += x.pts
		}
		touchNs = append(touchNs, float64(time.Since(t0).Nanoseconds())/float64(len(steps)))
	}
	slices.Sort(stepNs)
	slices.Sort(touchNs)
	b.ReportMetric(stepNs[len(stepNs)/2], "step-ns")
	b.ReportMetric(stepNs[0], "step-ns-min")
	b.ReportMetric(touchNs[len(touchNs)/2], "touch-ns")
	b.ReportMetric(float64(len(steps))/float64(n*10), "steps/citizen-year")
}
