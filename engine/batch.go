package engine

import (
	"cmp"
	"slices"
	"strings"
	"sync"
	"time"

	"scs"
)

type instant struct {
	sec int64
	ns  int32
}

// Result is one citizen's outcome of ScoreEvents.
type Result struct {
	State    scs.State
	Standing scs.Standing
	Trail    []scs.TrailEntry // only when asked for
	// Recomputations are, under a factor model and when the trail is asked
	// for, the recomputations up to the time asked at which the citizen's
	// factors changed (Engine.Recomputations).
	Recomputations []scs.Recomputation
}

// ScoreEvents groups evs by citizen, applies each citizen's events in time
// order (equal times: input order) up to asOf, and returns one result per
// citizen sorted by citizen id. evs must have passed Check; an event the
// engine rejects stops scoring with its error (the first citizen's, in id
// order). evs is not modified. It uses one goroutine; ScoreEventsParallel
// spreads the citizens over more, with the same result.
func (e *Engine) ScoreEvents(evs []scs.Event, asOf time.Time, withTrail bool) ([]Result, error) {
	return e.ScoreEventsParallel(evs, asOf, withTrail, 1)
}

// ScoreEventsParallel is ScoreEvents with the citizens scored by up to
// workers goroutines. The result does not depend on workers.
func (e *Engine) ScoreEventsParallel(evs []scs.Event, asOf time.Time, withTrail bool, workers int) ([]Result, error) {
	g := NewGrouping(len(evs))
	for i := range evs {
		g.Add(&evs[i])
	}
	return e.ScoreGrouped(evs, g, asOf, withTrail, workers)
}

// Grouping numbers the citizens of a list of events as they are added, so
// that a reader can group events while it decodes them (see ScoreGrouped).
// It is not safe for concurrent use.
type Grouping struct {
	num      map[string]int32
	of       []int32   // citizen number of each event
	ts       []instant // event times, compact for sorting
	ids      []string  // citizen id of each number
	last     []instant // latest time seen per citizen
	unsorted []bool    // whether a citizen's events came out of time order
}

// NewGrouping returns an empty Grouping expecting about n events.
func NewGrouping(n int) *Grouping {
	return &Grouping{num: make(map[string]int32), of: make([]int32, 0, n), ts: make([]instant, 0, n)}
}

// Add records the next event; events must be added in the order of the
// slice later given to ScoreGrouped.
func (g *Grouping) Add(ev *scs.Event) {
	t := instant{ev.At.Unix(), int32(ev.At.Nanosecond())}
	k, ok := g.num[ev.Citizen]
	if !ok {
		k = int32(len(g.ids))
		g.num[ev.Citizen] = k
		g.ids = append(g.ids, ev.Citizen)
		g.last = append(g.last, t)
		g.unsorted = append(g.unsorted, false)
	} else if before(t, g.last[k]) {
		g.unsorted[k] = true
	} else {
		g.last[k] = t
	}
	g.of = append(g.of, k)
	g.ts = append(g.ts, t)
}

func before(a, b instant) bool { return a.sec < b.sec || a.sec == b.sec && a.ns < b.ns }

// ScoreGrouped is ScoreEventsParallel for events already added, in order, to g.
func (e *Engine) ScoreGrouped(evs []scs.Event, g *Grouping, asOf time.Time, withTrail bool, workers int) ([]Result, error) {
	if len(g.of) != len(evs) {
		return nil, scs.Errorf(scs.EINTERNAL, "grouping has %d events, the list %d", len(g.of), len(evs))
	}
	// Place each event's index in its citizen's run with a counting sort:
	// input order is kept within a citizen.
	of, ts, ids := g.of, g.ts, g.ids
	start := make([]int32, len(ids)+1)
	for _, k := range of {
		start[k+1]++
	}
	for k := range ids {
		start[k+1] += start[k]
	}
	next := slices.Clone(start[:len(ids)])
	idx := make([]int32, len(evs))
	for i, k := range of {
		idx[next[k]] = int32(i)
		next[k]++
	}
	order := make([]int32, len(ids))
	for k := range order {
		order[k] = int32(k)
	}
	slices.SortFunc(order, func(a, b int32) int { return strings.Compare(ids[a], ids[b]) })
	byTime := func(a, b int32) int {
		if c := cmp.Compare(ts[a].sec, ts[b].sec); c != 0 {
			return c
		}
		return cmp.Compare(ts[a].ns, ts[b].ns)
	}
	out := make([]Result, len(ids))
	errs := make([]error, len(ids))
	score := func(n int, k int32) error {
		run := idx[start[k]:start[k+1]]
		if g.unsorted[k] {
			slices.SortStableFunc(run, byTime)
		}
		st := e.NewState(ids[k])
		var trail []scs.TrailEntry
		var seq *Sequence
		if withTrail {
			trail = make([]scs.TrailEntry, 0, len(run))
			seq = e.NewSequence(nil)
		}
		for _, i := range run {
			ev := &evs[i]
			if ev.At.After(asOf) {
				break
			}
			if !withTrail {
				if _, err := e.Step(&st, ev); err != nil {
					return err
				}
				continue
			}
			te, err := seq.Apply(&st, ev)
			if err != nil {
				return err
			}
			trail = append(trail, te)
		}
		out[n] = Result{State: st, Standing: e.Standing(&st, asOf), Trail: trail}
		if withTrail && e.fm != nil {
			out[n].Recomputations = e.Recomputations(&st, time.Time{}, asOf)
		}
		return nil
	}
	workers = max(1, min(workers, len(order)/1024+1))
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for n := w; n < len(order); n += workers {
				if err := score(n, order[n]); err != nil {
					errs[n] = err
					return
				}
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}
