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
	// Number the citizens, then place each event's index in its citizen's
	// run with a counting sort: input order is kept within a citizen.
	num := make(map[string]int32)
	of := make([]int32, len(evs))
	ts := make([]instant, len(evs)) // event times, compact for sorting
	var ids []string
	for i := range evs {
		ts[i] = instant{evs[i].At.Unix(), int32(evs[i].At.Nanosecond())}
		c := evs[i].Citizen
		k, ok := num[c]
		if !ok {
			k = int32(len(ids))
			num[c] = k
			ids = append(ids, c)
		}
		of[i] = k
	}
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
		if !slices.IsSortedFunc(run, byTime) {
			slices.SortStableFunc(run, byTime)
		}
		st := e.NewState(ids[k])
		var trail []scs.TrailEntry
		if withTrail {
			trail = make([]scs.TrailEntry, 0, len(run))
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
			te, err := e.Apply(&st, ev)
			if err != nil {
				return err
			}
			trail = append(trail, te)
		}
		out[n] = Result{State: st, Standing: e.Standing(&st, asOf), Trail: trail}
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
