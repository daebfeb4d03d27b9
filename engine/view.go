package engine

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"scs"
)

// Standing returns the citizen's score, grade and lock as of t. LockedUntil
// is nil when no lock holds at t.
func (e *Engine) Standing(st *scs.State, t time.Time) scs.Standing {
	s := scs.Standing{Citizen: st.Citizen, Score: e.ScoreAt(st, t), Grade: e.grades[e.GradeAt(st, t)].name, Events: st.Events}
	if st.LockGrade >= 0 && t.Before(st.LockedUntil) {
		u := st.LockedUntil.UTC()
		s.LockedUntil = &u
	}
	return s
}

// Decide answers whether the citizen has the named capability as of t, with
// the reason in words. An unknown capability is an scs.ENOTFOUND error.
func (e *Engine) Decide(st *scs.State, capability string, t time.Time) (scs.Decision, error) {
	for i := range e.scheme.Capabilities {
		if e.scheme.Capabilities[i].Name == capability {
			return e.decide(st, i, t), nil
		}
	}
	return scs.Decision{}, scs.Errorf(scs.ENOTFOUND, "capability %q is not in scheme %s", capability, e.scheme.Name)
}

// Decisions returns the decision for every capability of the scheme, in the
// scheme's order.
func (e *Engine) Decisions(st *scs.State, t time.Time) []scs.Decision {
	out := make([]scs.Decision, len(e.scheme.Capabilities))
	for i := range out {
		out[i] = e.decide(st, i, t)
	}
	return out
}

// DecideUnscored answers for a person who is not scored (no consent, not
// eligible; why says which, in words): an entitlement is allowed, a
// privilege is not, a sanction is not imposed. An unknown capability is an
// scs.ENOTFOUND error.
func (e *Engine) DecideUnscored(capability, why string) (scs.Decision, error) {
	for i := range e.scheme.Capabilities {
		if e.scheme.Capabilities[i].Name == capability {
			return e.decideUnscored(i, why), nil
		}
	}
	return scs.Decision{}, scs.Errorf(scs.ENOTFOUND, "capability %q is not in scheme %s", capability, e.scheme.Name)
}

// DecisionsUnscored returns DecideUnscored's answer for every capability of
// the scheme, in the scheme's order.
func (e *Engine) DecisionsUnscored(why string) []scs.Decision {
	out := make([]scs.Decision, len(e.scheme.Capabilities))
	for i := range out {
		out[i] = e.decideUnscored(i, why)
	}
	return out
}

func (e *Engine) decideUnscored(ci int, why string) scs.Decision {
	c := &e.scheme.Capabilities[ci]
	d := scs.Decision{Capability: c.Name, Kind: kindOf(c)}
	switch d.Kind {
	case scs.Entitlement:
		d.Allowed = true
		d.Reason = fmt.Sprintf("allowed: %s is an entitlement, and a person who is not scored keeps every entitlement (%s)", c.Name, why)
	case scs.Sanction:
		d.Reason = fmt.Sprintf("not imposed: %s is a sanction of low standing, and a person who is not scored has no standing and no sanction (%s)", c.Name, why)
	default:
		d.Reason = fmt.Sprintf("no score, no privilege: %s is a privilege of good standing, and a person who is not scored has none (%s)", c.Name, why)
	}
	return d
}

func kindOf(c *scs.Capability) scs.CapabilityKind {
	if c.Kind == "" {
		return scs.Privilege
	}
	return c.Kind
}

func (e *Engine) decide(st *scs.State, ci int, t time.Time) scs.Decision {
	c := &e.scheme.Capabilities[ci]
	g := e.GradeAt(st, t)
	name := e.grades[g].name
	score := e.ScoreAt(st, t)
	d := scs.Decision{Capability: c.Name, Kind: kindOf(c), Allowed: e.capGrades[ci][g], Scored: true, Grade: name, Score: score}
	var why strings.Builder
	fmt.Fprintf(&why, "grade %s (score %d", name, score)
	if e.fm != nil {
		fmt.Fprintf(&why, " as recomputed on %s", e.scheme.FormatTime(e.LastRecomputation(t)))
	}
	if band := e.gradeOf(score); band != g {
		fmt.Fprintf(&why, ", held in %s by the lock-in until %s", name, e.scheme.FormatTime(st.LockedUntil))
	}
	why.WriteString(")")
	switch {
	case d.Kind == scs.Sanction && d.Allowed:
		fmt.Fprintf(&why, " has the sanction %s imposed", c.Name)
	case d.Kind == scs.Sanction:
		fmt.Fprintf(&why, " does not have the sanction %s imposed", c.Name)
	case d.Kind == scs.Entitlement && !d.Allowed:
		fmt.Fprintf(&why, " has lost the entitlement %s", c.Name)
	case d.Allowed:
		fmt.Fprintf(&why, " has %s", c.Name)
	default:
		fmt.Fprintf(&why, " does not have %s", c.Name)
	}
	if len(c.Grades) == 0 {
		why.WriteString("; no grade has it")
	} else {
		fmt.Fprintf(&why, "; grades with it: %s", strings.Join(c.Grades, ", "))
	}
	d.Reason = why.String()
	return d
}

// SortEvents orders events by time, keeping the input order of events at
// the same time. It is the order in which the engine applies a history.
func SortEvents(evs []scs.Event) {
	slices.SortStableFunc(evs, func(a, b scs.Event) int { return a.At.Compare(b.At) })
}

// Replay applies a citizen's whole history, in time order (equal times:
// input order), skipping events after asOf. It does not modify evs. It
// returns the state and, when withTrail is set, one trail entry per applied
// event. The first invalid event stops the replay with its error.
func (e *Engine) Replay(citizen string, evs []scs.Event, asOf time.Time, withTrail bool) (scs.State, []scs.TrailEntry, error) {
	return e.ReplayFor(citizen, evs, asOf, withTrail, nil)
}

// ReplayFor is Replay under sc: records sc does not score are kept in the
// trail, not scored (see ApplyFor).
func (e *Engine) ReplayFor(citizen string, evs []scs.Event, asOf time.Time, withTrail bool, sc *Scoring) (scs.State, []scs.TrailEntry, error) {
	sorted := evs
	if !slices.IsSortedFunc(evs, func(a, b scs.Event) int { return a.At.Compare(b.At) }) {
		sorted = slices.Clone(evs)
		SortEvents(sorted)
	}
	st := e.NewState(citizen)
	var trail []scs.TrailEntry
	if withTrail {
		trail = make([]scs.TrailEntry, 0, len(sorted))
	}
	seq := e.NewSequence(sc)
	for i := range sorted {
		if sorted[i].At.After(asOf) {
			break
		}
		te, err := seq.Apply(&st, &sorted[i])
		if err != nil {
			return st, trail, fmt.Errorf("event %s: %w", sorted[i].ID, err)
		}
		if withTrail {
			trail = append(trail, te)
		}
	}
	return st, trail, nil
}
