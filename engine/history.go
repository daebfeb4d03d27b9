package engine

import (
	"slices"
	"time"

	"scs"
)

// GradeCounts counts citizens per grade at fixed instants (the city's
// year-ends) by replaying each citizen's standing records through the
// engine. Add each citizen once; Counts gives the totals.
type GradeCounts struct {
	e      *Engine
	ends   []time.Time
	counts [][]int
}

// NewGradeCounts counts at each of ends, in increasing order.
func (e *Engine) NewGradeCounts(ends []time.Time) *GradeCounts {
	g := &GradeCounts{e: e, ends: ends, counts: make([][]int, len(ends))}
	for i := range g.counts {
		g.counts[i] = make([]int, len(e.grades))
	}
	return g
}

// Add replays one scored citizen's standing records (in any order; those
// at one instant in ledger order) and counts their grade at each end not
// before their registration (a zero registered counts at every end). It
// sorts evs.
func (g *GradeCounts) Add(citizen string, registered time.Time, evs []scs.Event) error {
	slices.SortStableFunc(evs, func(a, b scs.Event) int { return a.At.Compare(b.At) })
	st := g.e.NewState(citizen)
	count := func(k int) {
		if !registered.IsZero() && registered.After(g.ends[k]) {
			return
		}
		g.counts[k][g.e.GradeAt(&st, g.ends[k])]++
	}
	k := 0 // the next end to count
	for i := range evs {
		for ; k < len(g.ends) && !evs[i].At.Before(g.ends[k]); k++ {
			count(k)
		}
		if _, err := g.e.Apply(&st, &evs[i]); err != nil {
			return err
		}
	}
	for ; k < len(g.ends); k++ {
		count(k)
	}
	return nil
}

// Counts returns, for each end, the number of citizens in each of the
// scheme's grades (in the scheme's order).
func (g *GradeCounts) Counts() [][]int { return g.counts }

// Preview says what ev would do to the citizen whose file f is (every
// page of the trail), as of asOf: the file's standing records replayed
// with and without it. An error applying ev is scs.EINVALID on "rule".
func (e *Engine) Preview(f *scs.File, ev scs.Event, asOf time.Time) (scs.RecordPreview, error) {
	pv := scs.RecordPreview{Name: f.Citizen.Name, Scored: f.Scored}
	var evs []scs.Event
	for _, te := range f.Trail {
		if te.Reversed {
			continue
		}
		rule, ok := e.scheme.Rule(te.Rule)
		if !ok {
			continue
		}
		old := scs.Event{ID: te.Event, Citizen: ev.Citizen, Rule: te.Rule, At: te.At}
		if rule.Effect.NeedsQuantity() {
			old.Quantity, old.HasQuantity = te.Quantity, true
		}
		if rule.Effect.Kind == scs.EffectRange {
			old.Points, old.HasPoints = te.Asked, true
		}
		evs = append(evs, old)
	}
	if ev.At.After(asOf) {
		asOf = ev.At
	}
	before, _, err := e.Replay(ev.Citizen, evs, asOf, false)
	if err != nil {
		return pv, err
	}
	after, trail, err := e.Replay(ev.Citizen, append(evs, ev), asOf, true)
	if err != nil {
		return pv, &scs.Error{Code: scs.EINVALID, Field: "rule", Message: scs.ErrorMessage(err)}
	}
	for _, te := range trail {
		if te.Event == ev.ID {
			pv.Asked, pv.Applied, pv.Reason = te.Asked, te.Applied, te.Reason
		}
	}
	pv.Before, pv.After = before.Score, after.Score
	pv.GradeWas = e.Standing(&before, asOf).Grade
	pv.Grade = e.Standing(&after, asOf).Grade
	return pv, nil
}
