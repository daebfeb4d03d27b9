package analyse

import (
	"cmp"
	"math"
	"slices"
	"time"

	"scs"
	"scs/engine"
)

// option is one way to do an act in a calendar year: units of it (events
// for a rule with fixed points, quantity otherwise), the points the engine
// gives them in one year, and what they cost.
type option struct {
	units       float64
	points      int
	yuan, hours float64
}

// act is a plannable rule with its options, fewest units first; options[0]
// is doing nothing.
type act struct {
	rule    *scs.Rule
	options []option
}

// eps absorbs float rounding in sums of yuan and hours.
const eps = 1e-9

// maxSteps bounds the units tried for one act.
const maxSteps = 1_000_000

// actOptions lists, for every act person may plan (with or without those
// that harm others), the fewest units that give each number of points the
// act can give in one calendar year, as the engine decides them.
func actOptions(eng *engine.Engine, person Person, informing bool, only []string, maxNeed int, segs []segment) ([]act, error) {
	s := eng.Scheme()
	var yearHours float64
	for _, sg := range segs {
		yearHours = max(yearHours, hoursBetween(person.HoursPerWeek, sg.from, sg.end))
	}
	at := segs[0].from
	var out []act
	for i := range s.Rules {
		r := &s.Rules[i]
		a := r.Act
		if a == nil || !a.Plannable || (a.HarmsOthers && !informing) || (only != nil && !slices.Contains(only, r.ID)) {
			continue
		}
		affordable := func(units float64) bool {
			return (a.MaxPerYear == 0 || units <= a.MaxPerYear+eps) &&
				units*a.Yuan <= person.YuanPerYear+eps && units*a.Hours <= yearHours+eps
		}
		opts := []option{{}}
		add := func(units float64, pts int64) {
			if int(min(pts, int64(maxNeed))) > opts[len(opts)-1].points {
				opts = append(opts, option{units: units, points: int(min(pts, int64(maxNeed))), yuan: units * a.Yuan, hours: units * a.Hours})
			}
		}
		switch r.Effect.Kind {
		case scs.EffectFixed:
			st := eng.NewState(Citizen)
			var cum int64
			for n := 1; n <= maxSteps && affordable(float64(n)); n++ {
				applied, err := eng.Step(&st, &scs.Event{ID: "a", Citizen: Citizen, Rule: r.ID, At: at})
				if err != nil {
					return nil, scs.Errorf(scs.EINTERNAL, "analyse: rule %s: %v", r.ID, err)
				}
				if applied <= 0 {
					break
				}
				cum += applied
				add(float64(n), cum)
				if cum >= int64(maxNeed) {
					break
				}
			}
		case scs.EffectPerUnit, scs.EffectTiered:
			next := nextQuantity(r.Effect)
			q := 0.0
			for n := 1; n <= maxSteps; n++ {
				q = next(q)
				if math.IsInf(q, 1) || q > engine.MaxQuantity || !affordable(q) {
					break
				}
				pts, err := yearPoints(eng, r.ID, q, at)
				if err != nil {
					return nil, err
				}
				add(q, pts)
				if pts >= int64(maxNeed) || (r.YearlyCap > 0 && pts >= r.YearlyCap) {
					break
				}
			}
		}
		if len(opts) > 1 {
			out = append(out, act{rule: r, options: opts})
		}
	}
	// Acts that cost only hours keep one entry per number of points in the
	// Pareto sets; taking them first keeps the sets small until the acts
	// that cost yuan come.
	slices.SortStableFunc(out, func(a, b act) int { return cmp.Compare(costsYuan(a), costsYuan(b)) })
	return out, nil
}

func costsYuan(a act) int {
	if a.rule.Act.Yuan > 0 {
		return 1
	}
	return 0
}

// yearPoints is the points the engine applies for one event of quantity q
// of rule id to a fresh citizen.
func yearPoints(eng *engine.Engine, id string, q float64, at time.Time) (int64, error) {
	st := eng.NewState(Citizen)
	applied, err := eng.Step(&st, &scs.Event{ID: "a", Citizen: Citizen, Rule: id, At: at, Quantity: q, HasQuantity: true})
	if err != nil {
		return 0, scs.Errorf(scs.EINTERNAL, "analyse: rule %s, quantity %v: %v", id, q, err)
	}
	return applied, nil
}

// nextQuantity returns a function giving the next quantity after q at which
// the effect's points can change: the next whole unit of a per-unit effect;
// for a tiered one, the next whole Per within the tier q is in, or the first
// whole Per of the next tier.
func nextQuantity(e scs.Effect) func(q float64) float64 {
	if e.Kind == scs.EffectPerUnit {
		return func(q float64) float64 { return (math.Round(q/e.Unit) + 1) * e.Unit }
	}
	return func(q float64) float64 {
		from := 0.0
		for i, t := range e.Tiers {
			if t.UpTo == 0 || q < t.UpTo-eps {
				k := math.Floor((q-from)/t.Per+eps) + 1
				n := from + k*t.Per
				if t.UpTo == 0 || n <= t.UpTo+eps {
					return n
				}
				if i+1 < len(e.Tiers) {
					return t.UpTo + e.Tiers[i+1].Per
				}
				return math.Inf(1)
			}
			from = t.UpTo
		}
		return math.Inf(1)
	}
}
