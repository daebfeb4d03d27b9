package engine

import (
	"slices"
	"strings"
	"time"

	"scs"
)

// Result is one citizen's outcome of ScoreEvents.
type Result struct {
	State    scs.State
	Standing scs.Standing
	Trail    []scs.TrailEntry // only when asked for
}

// ScoreEvents groups evs by citizen, applies each citizen's events in time
// order (equal times: input order) up to asOf, and returns one result per
// citizen sorted by citizen id. evs must have passed Check; the first event
// the engine rejects stops scoring with its error. evs is not modified.
func (e *Engine) ScoreEvents(evs []scs.Event, asOf time.Time, withTrail bool) ([]Result, error) {
	byCitizen := make(map[string][]int32)
	for i := range evs {
		c := evs[i].Citizen
		byCitizen[c] = append(byCitizen[c], int32(i))
	}
	ids := make([]string, 0, len(byCitizen))
	for c := range byCitizen {
		ids = append(ids, c)
	}
	slices.SortFunc(ids, strings.Compare)
	out := make([]Result, len(ids))
	for k, c := range ids {
		idx := byCitizen[c]
		slices.SortStableFunc(idx, func(a, b int32) int { return evs[a].At.Compare(evs[b].At) })
		st := e.NewState(c)
		var trail []scs.TrailEntry
		for _, i := range idx {
			ev := &evs[i]
			if ev.At.After(asOf) {
				break
			}
			te, err := e.Apply(&st, ev)
			if err != nil {
				return nil, err
			}
			if withTrail {
				trail = append(trail, te)
			}
		}
		out[k] = Result{State: st, Standing: e.Standing(&st, asOf), Trail: trail}
	}
	return out, nil
}
