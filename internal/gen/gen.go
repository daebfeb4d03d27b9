// Package gen makes random but valid event histories for tests and
// benchmarks. It is not a population model (package sim is): rules are
// drawn uniformly and times uniformly over the span.
package gen

import (
	"fmt"
	"math/rand/v2"
	"time"

	"scs"
)

// Events returns n events for citizens "c-0".."c-(citizens-1)" under s,
// spread over years from start, drawn from a PCG stream seeded by seed.
// Quantities and points are valid for each rule. The result is sorted by time.
func Events(s *scs.Scheme, citizens, n int, start time.Time, years int, seed uint64) []scs.Event {
	r := rand.New(rand.NewPCG(seed, 0x5c5))
	span := start.AddDate(years, 0, 0).Sub(start)
	step := span / time.Duration(max(n, 1))
	evs := make([]scs.Event, n)
	for i := range evs {
		rule := &s.Rules[r.IntN(len(s.Rules))]
		ev := scs.Event{
			ID:      fmt.Sprintf("e%d", i),
			Citizen: fmt.Sprintf("c-%d", r.IntN(citizens)),
			Rule:    rule.ID,
			At:      start.Add(time.Duration(i) * step).UTC(),
		}
		switch rule.Effect.Kind {
		case scs.EffectPerUnit, scs.EffectTiered:
			ev.Quantity, ev.HasQuantity = float64(r.IntN(500)), true
		case scs.EffectRange:
			ev.Points, ev.HasPoints = rule.Effect.Min+r.Int64N(rule.Effect.Max-rule.Effect.Min+1), true
		}
		evs[i] = ev
	}
	return evs
}
