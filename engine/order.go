package engine

import (
	"slices"
	"strings"

	"scs"
)

// Sequence applies one citizen's records in the order given and explains
// when the order of records at the same instant mattered. The rule for
// simultaneous records is the same everywhere: they are applied in arrival
// order (line order in an event file, ledger order in the registry, the
// self-test's placement of its answers, generation order in the simulator).
// When a record
// shares its instant with records applied before it, Sequence replays that
// instant's records in the reverse order from the state before the first of
// them; if the score, grade or lock would differ, the record's trail entry
// says so and gives the other outcome. A Sequence belongs to one replay.
type Sequence struct {
	e      *Engine
	sc     *Scoring
	before scs.State
	group  []scs.Event
}

// NewSequence starts a replay under sc (nil: every record scored).
func (e *Engine) NewSequence(sc *Scoring) *Sequence { return &Sequence{e: e, sc: sc} }

// Apply applies ev to st as ApplyFor does and adds the note on order to
// the trail entry when the order of simultaneous records mattered.
func (q *Sequence) Apply(st *scs.State, ev *scs.Event) (scs.TrailEntry, error) {
	if len(q.group) == 0 || !ev.At.Equal(q.group[0].At) {
		q.before = cloneState(st)
		q.group = q.group[:0]
	}
	te, err := q.e.ApplyFor(st, ev, q.sc)
	if err != nil {
		return te, err
	}
	q.group = append(q.group, *ev)
	if len(q.group) < 2 {
		return te, nil
	}
	alt := cloneState(&q.before)
	for i := len(q.group) - 1; i >= 0; i-- {
		if _, _, err := q.e.StepFor(&alt, &q.group[i], q.sc); err != nil {
			return te, nil // cannot happen: the same records applied in order
		}
	}
	g, ag := q.e.GradeAt(st, ev.At), q.e.GradeAt(&alt, ev.At)
	if alt.Score == st.Score && ag == g && alt.LockGrade == st.LockGrade && alt.LockedUntil.Equal(st.LockedUntil) {
		return te, nil
	}
	ids := make([]string, len(q.group))
	for i := range q.group {
		ids[i] = q.group[i].ID
	}
	note := scs.Reason{Code: scs.ReasonOrder, Name: strings.Join(ids, ", "), N: alt.Score, Grade: q.e.grades[ag].name}
	if alt.LockGrade >= 0 && ev.At.Before(alt.LockedUntil) {
		note.Band, note.Until = q.e.grades[alt.LockGrade].name, q.e.inZone(alt.LockedUntil)
	}
	te.Reasons = append(te.Reasons, note)
	te.Reason = scs.JoinReasons(te.Reasons)
	return te, nil
}

func cloneState(st *scs.State) scs.State {
	c := *st
	c.Yearly = slices.Clone(st.Yearly)
	c.Records = slices.Clone(st.Records)
	return c
}
