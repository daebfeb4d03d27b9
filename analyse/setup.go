package analyse

import (
	"fmt"
	"math"
	"slices"
	"time"

	"scs"
	"scs/engine"
)

// setupEvents returns events that bring a synthetic citizen from the
// scheme's start to the starting state st at time at: the score st.Score in
// grade st.Grade, and, when that grade has a lock-in, fallen into it at
// fell (at, or before it), so that the lock-in runs from fell. The events come in two phases. The
// first, years before at (longer ago than any lock-in, and in another
// calendar year, so that no cap or lock of it reaches at), brings the
// score to a value found by a breadth-first search over the scheme's rules,
// each step decided by the engine. The second, at at, is one event of a rule
// that takes points away (or drops to a grade) and makes the fall. Errors
// are scs.EINVALID when the scheme's rules cannot reach the state.
func setupEvents(eng *engine.Engine, st Start, fell, at time.Time) ([]scs.Event, error) {
	s := eng.Scheme()
	loc := s.Location
	if loc == nil {
		loc = time.UTC
	}
	var longest float64
	for _, g := range s.Grades {
		longest = max(longest, g.LockIn.InDays())
	}
	past := fell.In(loc).AddDate(-(int(longest/365) + 2), 0, 0).UTC()
	g := s.Grades[st.grade]
	if g.LockIn.IsZero() || !g.LockIn.AddTo(fell.In(loc)).After(at) {
		evs, _, ok := reach(eng, eng.NewState(Citizen), st.Score, past, false)
		if !ok {
			return nil, scs.Errorf(scs.EINVALID, "scheme %s: no sequence of its rules brings a citizen from %d to %d, so no plan from %s at %d can be replayed", s.Name, s.Start, st.Score, g.Name, st.Score)
		}
		return label(evs, st), nil
	}
	above := g.Max + 1 // the lowest score of the grade above
	for _, fall := range fallCandidates(s, st.Score, above) {
		evs, state, ok := reach(eng, eng.NewState(Citizen), fall.from, past, false)
		if !ok {
			continue
		}
		ev := fall.ev
		ev.ID, ev.Citizen, ev.At = fmt.Sprintf("s%d", len(evs)+1), Citizen, fell
		if _, err := eng.Step(&state, &ev); err != nil {
			continue
		}
		if state.Score != st.Score || eng.GradeAt(&state, at) != st.grade || state.LockGrade != st.grade || !state.LockedUntil.Equal(g.LockIn.AddTo(fell.In(loc)).UTC()) {
			continue
		}
		return label(append(evs, ev), st), nil
	}
	// No single event makes the fall: fall in several steps at at, each a
	// rule that takes points away, from the lowest reachable score above.
	lockEnd := g.LockIn.AddTo(fell.In(loc)).UTC()
	for from := above; from < above+200; from++ {
		evs, state, ok := reach(eng, eng.NewState(Citizen), from, past, false)
		if !ok {
			continue
		}
		down, state, ok := reach(eng, state, st.Score, fell, true)
		if !ok || eng.GradeAt(&state, at) != st.grade || state.LockGrade != st.grade || !state.LockedUntil.Equal(lockEnd) {
			continue
		}
		for i := range down {
			down[i].ID = fmt.Sprintf("s%d", len(evs)+i+1)
		}
		return label(append(evs, down...), st), nil
	}
	return nil, scs.Errorf(scs.EINVALID, "scheme %s: no rules that take points away make a fall from %s into %s at %d, so no plan from there can be replayed", s.Name, s.Grades[st.grade-1].Name, g.Name, st.Score)
}

func label(evs []scs.Event, st Start) []scs.Event {
	for i := range evs {
		evs[i].Evidence = fmt.Sprintf("setup: brings the synthetic citizen to %s at %d", st.Grade, st.Score)
	}
	return evs
}

type fall struct {
	from int64
	ev   scs.Event
}

// fallCandidates lists single events that take a score from a value at or
// above `above` to exactly score (the floor or drop_to may cut the fall
// short), with the value they start from, most direct first.
func fallCandidates(s *scs.Scheme, score, above int64) []fall {
	var out []fall
	add := func(delta int64, ev scs.Event) {
		if delta >= 0 {
			return
		}
		from := score - delta
		if score == s.Floor && above+delta <= s.Floor {
			from = above // the floor stops the fall
		}
		if from < above {
			return
		}
		out = append(out, fall{from: from, ev: ev})
	}
	gap := above - score
	for _, r := range s.Rules {
		capped := func(d int64) int64 {
			if r.YearlyCap > 0 && -d > r.YearlyCap {
				return -r.YearlyCap
			}
			return d
		}
		switch r.Effect.Kind {
		case scs.EffectFixed:
			add(capped(r.Effect.Points), scs.Event{Rule: r.ID})
		case scs.EffectPerUnit:
			if r.Effect.Points < 0 {
				for k := int64(1); k <= min(gap/(-r.Effect.Points)+2, 10000); k++ {
					add(capped(k*r.Effect.Points), scs.Event{Rule: r.ID, Quantity: float64(k) * r.Effect.Unit, HasQuantity: true})
				}
			}
		case scs.EffectRange:
			for p := r.Effect.Max; p >= r.Effect.Min; p-- {
				add(capped(p), scs.Event{Rule: r.ID, Points: p, HasPoints: true})
			}
		case scs.EffectDropTo:
			if gi := s.GradeIndex(r.Effect.DropTo); gi >= 0 && s.Grades[gi].Max == score {
				out = append(out, fall{from: above, ev: scs.Event{Rule: r.ID}})
			}
		}
	}
	slices.SortStableFunc(out, func(a, b fall) int { return int(a.from - b.from) })
	return out
}

// maxSearch bounds the scores the setup search visits.
const maxSearch = 200_000

// reach searches, breadth first over scores, for events at time at that
// take a citizen from state start to score exactly; each step is decided
// by the engine, and with down only steps that take points away count. It
// returns the events and the state after them.
func reach(eng *engine.Engine, start scs.State, score int64, at time.Time, down bool) ([]scs.Event, scs.State, bool) {
	type node struct {
		st     scs.State
		parent int
		ev     scs.Event
	}
	s := eng.Scheme()
	var moves []scs.Event
	for _, r := range s.Rules {
		switch r.Effect.Kind {
		case scs.EffectFixed:
			moves = append(moves, scs.Event{Rule: r.ID})
		case scs.EffectPerUnit:
			moves = append(moves, scs.Event{Rule: r.ID, Quantity: r.Effect.Unit, HasQuantity: true})
		case scs.EffectDropTo:
			if down {
				moves = append(moves, scs.Event{Rule: r.ID})
			}
		case scs.EffectRange:
			step := max(1, (r.Effect.Max-r.Effect.Min)/200)
			for p := r.Effect.Min; p <= r.Effect.Max; p += step {
				moves = append(moves, scs.Event{Rule: r.ID, Points: p, HasPoints: true})
			}
		}
	}
	lo, hi := s.Floor, max(s.Start, score)+2*int64(math.Sqrt(maxSearch))
	nodes := []node{{st: start, parent: -1}}
	seen := map[int64]bool{start.Score: true}
	for i := 0; i < len(nodes) && len(nodes) < maxSearch; i++ {
		if nodes[i].st.Score == score {
			var evs []scs.Event
			for j := i; nodes[j].parent >= 0; j = nodes[j].parent {
				evs = append(evs, nodes[j].ev)
			}
			slices.Reverse(evs)
			for k := range evs {
				evs[k].ID, evs[k].Citizen, evs[k].At = fmt.Sprintf("s%d", k+1), Citizen, at
			}
			return evs, nodes[i].st, true
		}
		for _, m := range moves {
			st := nodes[i].st
			st.Yearly = slices.Clone(st.Yearly)
			ev := m
			ev.Citizen, ev.At = Citizen, at
			if _, err := eng.Step(&st, &ev); err != nil || seen[st.Score] || st.Score < lo || st.Score > hi || (down && st.Score >= nodes[i].st.Score) {
				continue
			}
			seen[st.Score] = true
			nodes = append(nodes, node{st: st, parent: i, ev: m})
		}
	}
	return nil, scs.State{}, false
}
