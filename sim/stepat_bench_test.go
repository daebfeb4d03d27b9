package sim

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"scs/engine"
	"scs/schemes"
)

// BenchmarkStepAtReplay replays the engine's steps of a 30,000-citizen
// Rongcheng run (10 years, seed 1): the records of the citizens who opted
// in, in the order the simulator stepped them, through engine.StepAt into
// the states of citizens laid out as the simulator's are. It reports the
// CPU time of a step (step-ns) beside, in the same run, that of a loop
// that only touches each state as a step does first (touch-ns): the
// engine's part of an act without the model's, with less noise than the
// whole run. Each replay starts from reset states and must end with every
// citizen's score as the run's.
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
	const n = 30_000
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
	var stepSec, touchSec float64
	for b.Loop() {
		for i := range cs {
			eng.ResetState(&cs[i].st, "")
		}
		c0 := cpuSeconds()
		for _, x := range steps {
			if _, _, err := eng.StepAt(&cs[x.c].st, x.rule, x.at, x.q, x.pts); err != nil {
				b.Fatal(err)
			}
		}
		stepSec += cpuSeconds() - c0
		for i := range cs {
			if cs[i].st.Events > 0 && cs[i].st.Score != score[i] {
				b.Fatalf("citizen %d: replayed score %d, the run's %d", i, cs[i].st.Score, score[i])
			}
		}
		c0 = cpuSeconds()
		for _, x := range steps {
			st := &cs[x.c].st
			st.Events++
			st.Score += x.pts
		}
		touchSec += cpuSeconds() - c0
	}
	per := 1e9 / float64(b.N*len(steps))
	b.ReportMetric(stepSec*per, "step-ns")
	b.ReportMetric(touchSec*per, "touch-ns")
	b.ReportMetric(float64(len(steps))/float64(n*10), "steps/citizen-year")
}
