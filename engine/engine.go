// Package engine decides every point: it applies events to a citizen's state
// under a scheme and explains each result. It is pure and deterministic: no
// clock, no I/O, no global random source; time comes in as arguments and the
// same input gives the same output on any machine.
package engine

import (
	"math"
	"time"

	"scs"
)

// micro is the fixed-point scale of quantities: the engine counts quantities
// in millionths so that running totals do not drift (0.1 + 0.2 hours).
const micro = 1_000_000

// MaxQuantity is the largest quantity an event may carry.
const MaxQuantity = 1e12

// MaxPoints bounds any number of points (asked, applied or score) so that
// sums cannot overflow; results beyond it saturate.
const MaxPoints = int64(1) << 50

type tier struct {
	from, upTo int64 // micro units; upTo 0 = unbounded
	per        int64 // micro units
	points     int64
}

type rule struct {
	id        string
	kind      scs.EffectKind
	points    int64
	unit      int64 // micro units
	min, max  int64
	tiers     []tier
	dropGrade int
	dropTop   int64
	dropCut   scs.Reason // reasons of a drop_to rule
	dropNoop  scs.Reason
	cap       int64
	capSlot   int // index into State.Yearly of the points applied this year, -1 if none
	qtySlot   int // index into State.Yearly of the quantity counted this year, -1 if none
	needsQty  bool
	isRange   bool    // kind is EffectRange
	yearly    bool    // capSlot or qtySlot is set: the rule keeps yearly totals
	qLo, qHi  float64 // the range of an event's quantity (see inRange)
	pLo, pHi  int64   // the range of an event's points (see inRange)
	factor    int     // EffectFactor: the factor's index
	value     float64 // EffectFactor: value per unit or per record
}

type grade struct {
	name string
	min  int64
	lock scs.Period
}

// Engine applies events under one scheme. It is safe for concurrent use: it
// holds no mutable state; each citizen's State belongs to the caller.
type Engine struct {
	scheme    *scs.Scheme
	loc       *time.Location
	rules     []rule
	index     map[string]int // rule id -> index in rules
	byConduct map[string]int // rules whose conduct is not their id
	grades    []grade
	lockIn    []bool   // by grade: falling into it locks it in (its lock is not zero)
	capGrades [][]bool // capability index -> grade index -> has
	slots     int
	floor     int64
	ceiling   int64
	// reasons that never change, made once
	floorReason, ceilingReason scs.Reason
	yearBase                   int
	yearStart                  []int64      // unix seconds of Jan 1 00:00 in loc, for yearBase+i
	fm                         *factorModel // nil for a points scheme
	// The bands of the scores from bandLo up to (not including) bandHi,
	// the lowest and highest of the grades' minimums, for gradeOf; nil
	// when the grades span too many points for a table.
	bandLo, bandHi int64
	bands          []uint8
}

const (
	firstYear = 1900
	lastYear  = 2500
)

// New compiles scheme into an Engine. The scheme must have been validated by
// the schemes package; New returns an error for inconsistencies it cannot
// compile (an unknown grade in a drop rule, a missing time zone).
func New(s *scs.Scheme) (*Engine, error) {
	if s == nil || len(s.Grades) == 0 {
		return nil, scs.Errorf(scs.EINVALID, "scheme has no grades")
	}
	loc := s.Location
	if loc == nil {
		loc = time.UTC
	}
	e := &Engine{scheme: s, loc: loc, index: make(map[string]int, len(s.Rules)), floor: s.Floor, ceiling: s.Ceiling}
	if e.ceiling == 0 || e.ceiling > MaxPoints {
		e.ceiling = MaxPoints
	}
	e.floorReason = scs.Reason{Code: scs.ReasonFloor, N: e.floor}
	e.ceilingReason = scs.Reason{Code: scs.ReasonCeiling, N: e.ceiling}
	for _, g := range s.Grades {
		e.grades = append(e.grades, grade{name: g.Name, min: g.Min, lock: g.LockIn})
		e.lockIn = append(e.lockIn, !g.LockIn.IsZero())
	}
	e.bandTable()
	if s.IsFactorModel() {
		fm, err := compileFactors(s)
		if err != nil {
			return nil, err
		}
		e.fm = fm
	}
	for i, sr := range s.Rules {
		r, err := e.compileRule(s, &sr)
		if err != nil {
			return nil, err
		}
		e.rules = append(e.rules, r)
		e.index[sr.ID] = i
		if sr.Conduct != "" && sr.Conduct != sr.ID {
			if e.byConduct == nil {
				e.byConduct = map[string]int{}
			}
			e.byConduct[sr.Conduct] = i
		}
	}
	for _, c := range s.Capabilities {
		has := make([]bool, len(s.Grades))
		for _, g := range c.Grades {
			if gi := s.GradeIndex(g); gi >= 0 {
				has[gi] = true
			}
		}
		e.capGrades = append(e.capGrades, has)
	}
	e.yearBase = firstYear
	for y := firstYear; y <= lastYear+1; y++ {
		e.yearStart = append(e.yearStart, time.Date(y, 1, 1, 0, 0, 0, 0, loc).Unix())
	}
	return e, nil
}

// Scheme returns the scheme the engine was built from.
func (e *Engine) Scheme() *scs.Scheme { return e.scheme }

// NewState returns the state of a citizen before any event: the scheme's
// starting score, no lock.
func (e *Engine) NewState(citizen string) scs.State {
	return scs.State{Citizen: citizen, Score: clamp(e.scheme.Start, e.floor, e.ceiling), LockGrade: -1}
}

// ResetState makes *st the state of a citizen before any event, as NewState
// does, but keeps the memory of its yearly totals and factor records for the
// engine to reuse: for callers that go through many citizens one after
// another (the simulator). st must not share that memory with another State.
func (e *Engine) ResetState(st *scs.State, citizen string) {
	y, r := st.Yearly[:0], st.Records[:0]
	*st = e.NewState(citizen)
	st.Yearly, st.Records = y, r
}

// yearOf returns the calendar year of t in the scheme's zone.
func (e *Engine) yearOf(t time.Time) int {
	u := t.Unix()
	n := len(e.yearStart) - 1
	if u < e.yearStart[0] || u >= e.yearStart[n] {
		return t.In(e.loc).Year()
	}
	i := int((u - e.yearStart[0]) / 31556952)
	if i >= n {
		i = n - 1
	}
	for i > 0 && u < e.yearStart[i] {
		i--
	}
	for i+1 < n && u >= e.yearStart[i+1] {
		i++
	}
	return e.yearBase + i
}

// toMicro returns f in micro units, rounded half away from zero; a whole
// number of micro units (any whole quantity) needs no rounding.
func toMicro(f float64) int64 {
	x := f * micro
	if i := int64(x); float64(i) == x {
		return i
	}
	return roundMicro(x)
}

// roundMicro is int64(math.Round(x)), for toMicro.
func roundMicro(x float64) int64 { return int64(math.Round(x)) }

// Check reports whether ev is valid under the scheme, independent of any
// state: a known rule, a quantity where the rule counts one (finite, not
// negative, at most MaxQuantity), points within the range of a range rule,
// and neither where the rule takes none. Errors are scs.EINVALID and name
// the field.
func (e *Engine) Check(ev *scs.Event) error {
	i := e.find(ev.Rule)
	if i < 0 {
		if ev.Rule == "" {
			return scs.FieldErrorf(scs.EINVALID, ev.RuleField(), "missing")
		}
		if _, ok := scs.LookupConduct(ev.Rule); ok {
			if ev.At.IsZero() {
				return scs.FieldErrorf(scs.EINVALID, "at", "missing")
			}
			return nil // conduct the scheme does not score: kept, ignored
		}
		if ev.ByConduct {
			return scs.FieldErrorf(scs.EINVALID, "conduct", "unknown conduct %q: not an id of the vocabulary (docs/conduct.md) nor a rule of scheme %s", ev.Rule, e.scheme.Name)
		}
		return scs.FieldErrorf(scs.EINVALID, "rule", "unknown rule %q in scheme %s (and not a conduct of the vocabulary, docs/conduct.md)", ev.Rule, e.scheme.Name)
	}
	return e.check(&e.rules[i], ev)
}

// Ignores reports whether the scheme ignores conduct: an id of the
// vocabulary that no rule of the scheme scores.
func (e *Engine) Ignores(conduct string) bool {
	if e.find(conduct) >= 0 {
		return false
	}
	_, ok := scs.LookupConduct(conduct)
	return ok
}

// ignored fills te for a record of conduct the scheme does not score.
func (e *Engine) ignored(ev *scs.Event, te *scs.TrailEntry) {
	if te == nil {
		return
	}
	why := scs.Reason{Code: scs.ReasonIgnored, Name: e.scheme.Name, Rule: ev.Rule}
	*te = scs.TrailEntry{Event: ev.ID, Rule: ev.Rule, At: ev.At, NotScored: true, Ignored: true, Reason: why.String(), Reasons: []scs.Reason{why}}
	if ev.HasQuantity {
		te.Quantity = ev.Quantity
	}
}

func (e *Engine) check(r *rule, ev *scs.Event) error {
	if !r.valid(ev.HasQuantity, ev.Quantity, ev.HasPoints, ev.Points) || ev.At.IsZero() {
		return r.bad(ev.At, ev.HasQuantity, ev.Quantity, ev.HasPoints, ev.Points)
	}
	return nil
}

// valid reports whether an event of rule r with these values (its
// quantity, if it has one, and its points, if it has any) is valid, its
// time aside: the test of Check, short enough to be inlined in the steps;
// bad says what is wrong with an invalid one.
func (r *rule) valid(hasQty bool, q float64, hasPoints bool, points int64) bool {
	if !hasQty {
		q = 0
	}
	if !hasPoints {
		points = 0
	}
	return hasQty == r.needsQty && hasPoints == r.isRange && r.inRange(q, points)
}

// inRange reports whether a quantity q and points are within rule r's
// ranges: 0 to MaxQuantity for a rule that counts a quantity, the range of
// a range rule, and 0 where the rule takes none (NaN is in no range).
func (r *rule) inRange(q float64, points int64) bool {
	return q >= r.qLo && q <= r.qHi && points >= r.pLo && points <= r.pHi
}

// bad returns the error of an invalid event of rule r, given by its values
// (see valid); at is the event's time, invalid when zero.
func (r *rule) bad(at time.Time, hasQty bool, q float64, hasPoints bool, points int64) error {
	if at.IsZero() {
		return scs.FieldErrorf(scs.EINVALID, "at", "missing")
	}
	switch {
	case r.needsQty:
		if !hasQty {
			return scs.FieldErrorf(scs.EINVALID, "quantity", "rule %s counts a quantity; the event has none", r.id)
		}
		if math.IsNaN(q) || q < 0 || q > MaxQuantity {
			return scs.FieldErrorf(scs.EINVALID, "quantity", "%v is out of range for rule %s (want 0 to %g)", q, r.id, MaxQuantity)
		}
	default:
		if hasQty {
			return scs.FieldErrorf(scs.EINVALID, "quantity", "rule %s does not count a quantity", r.id)
		}
	}
	if r.kind == scs.EffectRange {
		if !hasPoints {
			return scs.FieldErrorf(scs.EINVALID, "points", "rule %s needs the official to choose points from %d to %d", r.id, r.min, r.max)
		}
		if points < r.min || points > r.max {
			return scs.FieldErrorf(scs.EINVALID, "points", "%d is outside rule %s's range %d to %d", points, r.id, r.min, r.max)
		}
	} else if hasPoints {
		return scs.FieldErrorf(scs.EINVALID, "points", "rule %s decides its own points; only range rules take points", r.id)
	}
	return nil
}

// GradeAt returns the index in the scheme's grades of the citizen's grade as
// of t: the band of the score, held down by a lock that has not expired at t.
func (e *Engine) GradeAt(st *scs.State, t time.Time) int {
	if e.fm != nil {
		return e.gradeOf(e.ScoreAt(st, t))
	}
	band := e.gradeOf(st.Score)
	if st.LockGrade > band && lockHolds(st, &t) {
		return st.LockGrade
	}
	return band
}

// lockHolds reports whether st's lock holds at *t: whether *t is before
// st.LockedUntil. It is t.Before(st.LockedUntil) without the call: the
// engine sets LockedUntil without a monotonic clock reading, so Before
// compares wall times, as this does.
func lockHolds(st *scs.State, t *time.Time) bool {
	ts, us := t.Unix(), st.LockedUntil.Unix()
	return ts < us || (ts == us && t.Nanosecond() < st.LockedUntil.Nanosecond())
}

// GradeHeld returns the grade of a citizen whose score is in grade band
// (an index in the scheme's grades) under a lock in lockGrade (-1 for none)
// that holds or has run out: the lock's grade while it holds and is worse
// than the band's, the band's otherwise. It is GradeAt for callers that
// keep a standing's band and lock rather than its state (a registry
// counting grades by band); under a factor model the score itself moves
// at each recomputation, so such callers need ScoreMoves first.
func (e *Engine) GradeHeld(band, lockGrade int, holds bool) int {
	if lockGrade >= 0 && holds && band < lockGrade {
		return lockGrade
	}
	return band
}

// ScoreMoves reports whether a citizen's score can change with time alone,
// with no new record: true under a factor model (each recomputation reads
// a window of records that moves on), false under a points scheme, where a
// standing changes only with a record or a lock running out. A registry
// that reads grades from a stored band must ask the engine for each
// state's GradeAt when it is true.
func (e *Engine) ScoreMoves() bool { return e.fm != nil }

// gradeOf returns the index of the band of score: the first grade whose
// minimum it reaches, the last grade when it reaches none.
func (e *Engine) gradeOf(score int64) int {
	switch {
	case score >= e.bandHi:
		return 0 // at or above every minimum: the first grade's
	case score < e.bandLo:
		return len(e.grades) - 1 // below every minimum
	case e.bands != nil:
		return int(e.bands[score-e.bandLo])
	}
	return e.scanGrades(score)
}

// scanGrades is gradeOf by a scan of the grades.
func (e *Engine) scanGrades(score int64) int {
	for i := range e.grades {
		if score >= e.grades[i].min {
			return i
		}
	}
	return len(e.grades) - 1
}

// maxBands bounds the table of bands gradeOf reads (one byte a point).
const maxBands = 1 << 16

// bandTable makes gradeOf's table of bands from the grades, which must be
// set: the band of every score from the lowest of the grades' minimums up
// to the highest, as scanGrades finds it.
func (e *Engine) bandTable() {
	e.bandLo, e.bandHi = e.grades[0].min, e.grades[0].min
	for _, g := range e.grades {
		e.bandLo, e.bandHi = min(e.bandLo, g.min), max(e.bandHi, g.min)
	}
	if e.bandLo < -MaxPoints || e.bandHi > MaxPoints || e.bandHi-e.bandLo > maxBands || len(e.grades) > 256 {
		return
	}
	e.bands = make([]uint8, e.bandHi-e.bandLo)
	for i := range e.bands {
		e.bands[i] = uint8(e.scanGrades(e.bandLo + int64(i)))
	}
}

// Apply applies ev to st and returns the trail entry that explains it.
// Events must come in time order for each citizen: an event before the
// state's last event is an error (replay the whole history with Replay
// instead). An invalid event leaves st unchanged.
func (e *Engine) Apply(st *scs.State, ev *scs.Event) (scs.TrailEntry, error) {
	var te scs.TrailEntry
	_, err := e.apply(st, ev, &te, nil)
	return te, err
}

// ApplyFor applies ev as Apply does when sc scores its time; otherwise the
// record is kept but not scored: st is unchanged and the trail entry has
// NotScored set and the reason (the person was not eligible, or had not
// consented). A nil sc scores every record.
func (e *Engine) ApplyFor(st *scs.State, ev *scs.Event, sc *Scoring) (scs.TrailEntry, error) {
	var te scs.TrailEntry
	_, err := e.apply(st, ev, &te, sc)
	return te, err
}

// Step applies ev to st exactly as Apply does, without building the trail
// entry and its reasons, and returns the points applied. It is for callers
// that need the state but not the explanation (the simulator, replays that
// compare states).
func (e *Engine) Step(st *scs.State, ev *scs.Event) (int64, error) {
	scored, err := e.apply(st, ev, nil, nil)
	if err != nil || !scored {
		return 0, err
	}
	return st.LastApplied, nil
}

// StepFor is Step under sc (see ApplyFor); scored is false for a record
// kept but not scored, which leaves st unchanged.
func (e *Engine) StepFor(st *scs.State, ev *scs.Event, sc *Scoring) (applied int64, scored bool, err error) {
	scored, err = e.apply(st, ev, nil, sc)
	if err != nil || !scored {
		return 0, scored, err
	}
	return st.LastApplied, true, nil
}

// RuleNumber returns the number of the rule id names (a rule or a conduct
// of the scheme), its index in Scheme.Rules, for StepRuleFor and StepAt;
// -1 when the scheme has no such rule.
func (e *Engine) RuleNumber(id string) int { return e.find(id) }

// StepRuleFor is StepFor for an event of the scheme's rule number i (its
// index in Scheme.Rules), for callers that step many records of a few
// rules (a replay): the rule is not looked up by name, but ev.Rule must
// still name that rule (or be its conduct); otherwise StepRuleFor returns
// an error and leaves st unchanged. scored is false for a record kept but
// not scored, which leaves st unchanged; grade is GradeAt(st, ev.At) after
// a scored one.
func (e *Engine) StepRuleFor(st *scs.State, i int, ev *scs.Event, sc *Scoring) (scored bool, grade int, err error) {
	if i < 0 || i >= len(e.rules) || (ev.Rule != e.rules[i].id && e.find(ev.Rule) != i) {
		return false, 0, scs.FieldErrorf(scs.EINVALID, "rule", "%q is not rule number %d of scheme %s", ev.Rule, i, e.scheme.Name)
	}
	return e.applyRule(st, &e.rules[i], ev, nil, sc)
}

func (e *Engine) apply(st *scs.State, ev *scs.Event, te *scs.TrailEntry, sc *Scoring) (bool, error) {
	i := e.find(ev.Rule)
	if i < 0 {
		if err := e.Check(ev); err != nil {
			return false, err
		}
		e.ignored(ev, te)
		return false, nil
	}
	scored, _, err := e.applyRule(st, &e.rules[i], ev, te, sc)
	return scored, err
}

// applyRule applies ev, an event of rule r, to st, and returns whether it
// scored it and the grade after it (GradeAt(st, ev.At)).
func (e *Engine) applyRule(st *scs.State, r *rule, ev *scs.Event, te *scs.TrailEntry, sc *Scoring) (bool, int, error) {
	if err := e.check(r, ev); err != nil {
		return false, 0, err
	}
	if sc != nil && !sc.scores(ev.At) {
		_, why := sc.At(ev.At)
		notScored(te, ev, r.id, why)
		return false, 0, nil
	}
	if st.Events > 0 && ev.At.Before(st.LastAt) {
		return false, 0, e.outOfOrder(st, ev.ID, ev.At)
	}
	if e.fm != nil {
		e.applyFactor(st, ev, r, te)
		return true, e.gradeOf(st.Score), nil
	}
	v := ev.Points
	if r.needsQty {
		v = toMicro(ev.Quantity)
	}
	held := e.entering(st, r, ev.At.Unix()) && e.enter(st, r, &ev.At)
	var o outcome
	applied, g := e.score(st, r, v, held, &o)
	if o.did&didLockIn != 0 {
		e.lock(st, g, &ev.At)
	}
	st.LastAt = ev.At
	if te != nil {
		e.explain(st, r, ev, &o, applied, g, te)
	}
	return true, g, nil
}

// outOfOrder is the error of an event at t, before the state's last.
// id is the event's id ("" for StepAt's, which have none).
func (e *Engine) outOfOrder(st *scs.State, id string, t time.Time) error {
	if id != "" {
		id = " " + id
	}
	return scs.FieldErrorf(scs.EINVALID, "at", "event%s at %s is before the citizen's last event at %s; replay the history in time order",
		id, e.scheme.FormatTime(t), e.scheme.FormatTime(st.LastAt))
}

// StepAt is Step for an event given by its values rather than as an
// scs.Event, for callers that make many events and keep none of them (the
// simulator): the scheme's rule number i, the time at in unix seconds,
// the quantity (0 for a rule that counts none) and the points (0 but for a
// range rule). It checks them as Check checks an event's and leaves st
// unchanged when they are invalid: it is Step of the event of rule i at
// time.Unix(at, 0) carrying a quantity when the rule counts one or
// quantity is not 0, and points when the rule is a range rule or points is
// not 0. It returns the points applied and the grade after the event.
func (e *Engine) StepAt(st *scs.State, i int, at int64, quantity float64, points int64) (applied int64, grade int, err error) {
	if uint(i) >= uint(len(e.rules)) {
		return 0, 0, scs.FieldErrorf(scs.EINVALID, "rule", "scheme %s has no rule number %d", e.scheme.Name, i)
	}
	r := &e.rules[i]
	t := time.Unix(at, 0).UTC()
	// The event has a quantity where the rule counts one or quantity is
	// not 0, points where the rule is a range rule or points is not 0:
	// valid then is inRange.
	if !r.inRange(quantity, points) || t.IsZero() {
		return 0, 0, r.bad(t, r.needsQty || quantity != 0, quantity, r.isRange || points != 0, points)
	}
	if st.Events > 0 && beforeUnix(at, st.LastAt) {
		return 0, 0, e.outOfOrder(st, "", t)
	}
	if e.fm != nil {
		e.factorStep(st, r, t, quantity)
		return 0, e.gradeOf(st.Score), nil
	}
	v := points
	if r.needsQty {
		v = toMicro(quantity)
	}
	held := e.entering(st, r, at) && e.enter(st, r, &t)
	var o outcome
	applied, grade = e.score(st, r, v, held, &o)
	if o.did&didLockIn != 0 {
		e.lock(st, grade, &t)
	}
	st.LastAt = t
	return applied, grade, nil
}

// beforeUnix reports whether the time of unix seconds u is before t:
// time.Unix(u, 0).Before(t), inlined.
func beforeUnix(u int64, t time.Time) bool {
	s := t.Unix()
	return u < s || (u == s && t.Nanosecond() != 0)
}

// What a step did that its explanation gives a reason for (outcome.did).
const (
	didDrop    = 1 << iota // a drop_to rule cut the score
	didCap                 // the rule's yearly cap held points back
	didFloor               // the floor held the score up
	didCeiling             // the ceiling held the score down
	didHold                // a lock held the grade above the score's band
	didLockIn              // the event brought the citizen into a lock-in
)

// outcome is what step reports beside the points applied and the grade,
// for the reasons of the explaining path.
type outcome struct {
	asked  int64 // the points the rule's effect asked
	capSum int64 // didCap: the rule's points this year before the event
	band   int   // the band of the score after the event
	before int   // didLockIn: the grade before the event
	did    uint8
}

// A valid event of a points scheme is applied in three parts, in this
// order, by applyRule and StepAt alike: enter, when the state has a lock or
// the rule keeps yearly totals, brings the state to the event's time;
// score decides, on plain values and with no call; lock, when score locked
// the citizen in, sets the lock's end in the scheme's calendar.

// score is the one place a points scheme's event is scored: it applies a
// valid event of rule r, with v its quantity in micro units for a rule
// that counts one and its points for a range rule, to st, brought to the
// event's time by enter (held: whether st's lock holds then): the effect,
// the yearly cap, the floor and ceiling, the grade and the lock-in. It
// returns the points applied and the grade after the event; o says what
// happened, for the explanation. For a lock-in (didLockIn) it sets
// st.LockGrade, and the caller the lock's end with lock; the caller has
// checked the event and its time order, and sets st.LastAt.
func (e *Engine) score(st *scs.State, r *rule, v int64, held bool, o *outcome) (int64, int) {
	// The grade before the event (GradeAt), worked out below only when
	// the event brings the citizen into a grade with a lock-in. A lock
	// that has run out is off (enter).
	oldScore, oldLock := st.Score, st.LockGrade
	// The points the rule's effect asks.
	var asked int64
	switch r.kind {
	case scs.EffectFixed:
		asked = r.points
	case scs.EffectRange:
		asked = v
	case scs.EffectPerUnit:
		asked = satMul(v/r.unit, r.points)
	case scs.EffectTiered:
		// The points the year's running total is worth after the event
		// (p2) less those it was worth before (p1): in each tier, Points
		// for every whole Per of the total within it; the tiers above
		// h2's (and so h1's, h1 <= h2) add nothing.
		h1 := st.Yearly[r.qtySlot]
		h2 := satAdd(h1, v)
		st.Yearly[r.qtySlot] = h2
		var p1, p2 int64
		for i := range r.tiers {
			t := &r.tiers[i]
			if h2 <= t.from {
				break
			}
			p2 = satAdd(p2, satMul((tierTop(t, h2)-t.from)/t.per, t.points))
			if h1 > t.from {
				p1 = satAdd(p1, satMul((tierTop(t, h1)-t.from)/t.per, t.points))
			}
		}
		asked = p2 - p1
	case scs.EffectDropTo:
		if st.Score > r.dropTop {
			asked = r.dropTop - st.Score
			o.did |= didDrop
		}
	}
	o.asked = asked
	applied := asked
	if r.capSlot >= 0 && applied != 0 {
		sum := st.Yearly[r.capSlot]
		if applied > 0 {
			if room := r.cap - sum; applied > room {
				applied = max(room, 0)
			}
		} else if room := r.cap + sum; -applied > room {
			applied = -max(room, 0)
		}
		if applied != asked {
			o.did |= didCap
			o.capSum = sum
		}
	}
	score := satAdd(st.Score, applied)
	if score < e.floor {
		score = e.floor
		o.did |= didFloor
	} else if score > e.ceiling {
		score = e.ceiling
		o.did |= didCeiling
	}
	applied = score - st.Score
	st.Score = score
	if r.capSlot >= 0 {
		st.Yearly[r.capSlot] += applied
	}
	band := e.gradeOf(score)
	o.band = band
	g := band
	if st.LockGrade >= 0 && g < st.LockGrade {
		g = st.LockGrade
		o.did |= didHold
	}
	if e.lockIn[g] {
		if before := e.GradeHeld(e.gradeOf(oldScore), oldLock, held); g > before {
			st.LockGrade = g
			o.did |= didLockIn
			o.before = before
		}
	}
	st.Events++
	st.LastApplied = applied
	return applied, g
}

// entering reports whether an event of rule r at unix time u needs enter:
// st has a lock, or the rule keeps yearly totals and the event may not be
// in their year.
func (e *Engine) entering(st *scs.State, r *rule, u int64) bool {
	if st.LockGrade >= 0 {
		return true
	}
	i := st.Year - e.yearBase
	return r.yearly && (len(st.Yearly) != e.slots || uint(i) >= uint(len(e.yearStart)-1) || u < e.yearStart[i] || u >= e.yearStart[i+1])
}

// enter brings st to the time of an event of rule r at *at: a lock that
// has run out taken off (held reports whether one holds), the yearly
// totals of a rule that keeps them those of the event's year.
func (e *Engine) enter(st *scs.State, r *rule, at *time.Time) (held bool) {
	if st.LockGrade >= 0 {
		if held = lockHolds(st, at); !held {
			st.LockGrade, st.LockedUntil = -1, time.Time{}
		}
	}
	if r.yearly {
		e.toYear(st, *at)
	}
	return held
}

// lock sets the end of st's lock in grade g, entered at *at: the grade's
// lock-in from then, in the scheme's calendar.
func (e *Engine) lock(st *scs.State, g int, at *time.Time) {
	st.LockedUntil = e.grades[g].lock.AddTo(at.In(e.loc)).UTC()
}

// explain fills te with the entry of ev, which step scored with outcome o,
// applying applied points and leaving the citizen in grade g: the reasons
// are made from what o says happened.
func (e *Engine) explain(st *scs.State, r *rule, ev *scs.Event, o *outcome, applied int64, g int, te *scs.TrailEntry) {
	var reasons []scs.Reason
	if r.kind == scs.EffectDropTo {
		if o.did&didDrop != 0 {
			reasons = append(reasons, r.dropCut)
		} else {
			reasons = append(reasons, r.dropNoop)
		}
	}
	if o.did&didCap != 0 {
		reasons = append(reasons, scs.Reason{Code: scs.ReasonYearlyCap, N: r.cap, Rule: r.id, Year: st.Year, M: o.capSum})
	}
	if o.did&didFloor != 0 {
		reasons = append(reasons, e.floorReason)
	}
	if o.did&didCeiling != 0 {
		reasons = append(reasons, e.ceilingReason)
	}
	if o.did&didHold != 0 {
		reasons = append(reasons, scs.Reason{Code: scs.ReasonLockHeld, Grade: e.grades[g].name, Until: e.inZone(st.LockedUntil), Band: e.grades[o.band].name})
	}
	if o.did&didLockIn != 0 {
		reasons = append(reasons, scs.Reason{Code: scs.ReasonLockIn, Band: e.grades[o.before].name, Grade: e.grades[g].name,
			Period: e.grades[g].lock, Until: e.inZone(st.LockedUntil)})
	}
	*te = scs.TrailEntry{Event: ev.ID, Rule: r.id, At: ev.At, Quantity: quantity(ev), Asked: o.asked, Applied: applied, Score: st.Score,
		Grade: e.grades[g].name, Reason: scs.JoinReasons(reasons), Reasons: reasons}
}

// toYear makes st's yearly totals those of the calendar year of t (in the
// scheme's zone), starting them at zero in a new year.
func (e *Engine) toYear(st *scs.State, t time.Time) {
	if len(st.Yearly) != e.slots {
		if cap(st.Yearly) >= e.slots {
			// An empty slice with room (a state reset for reuse, see ResetState).
			st.Yearly = st.Yearly[:e.slots]
			clear(st.Yearly)
		} else {
			st.Yearly = make([]int64, e.slots)
		}
		st.Year = e.yearOf(t)
		return
	}
	// Most events fall in the year of the last event or the next.
	u, y := t.Unix(), st.Year
	if i := y - e.yearBase; i < 0 || i+2 >= len(e.yearStart) || u < e.yearStart[i] || u >= e.yearStart[i+2] {
		y = e.yearOf(t)
	} else if u >= e.yearStart[i+1] {
		y++
	}
	if y != st.Year {
		clear(st.Yearly)
		st.Year = y
	}
}

// notScored fills te, when not nil, with the entry of a record the scheme
// does not score for the citizen at its time, saying why.
func notScored(te *scs.TrailEntry, ev *scs.Event, rule string, why scs.Reason) {
	if te != nil {
		*te = scs.TrailEntry{Event: ev.ID, Rule: rule, At: ev.At, Quantity: quantity(ev), Reason: why.String(), Reasons: []scs.Reason{why}, NotScored: true}
	}
}

// loc2 is t in the scheme's zone, as a reason carries it.
func (e *Engine) inZone(t time.Time) time.Time { return t.In(e.loc) }

// quantity is the event's quantity as a trail entry shows it (0 without).
func quantity(ev *scs.Event) float64 {
	if ev.HasQuantity {
		return ev.Quantity
	}
	return 0
}

// compileRule turns one of the scheme's rules into the engine's form,
// taking the yearly slots (a tiered rule's running quantity, a capped
// rule's points) it needs.
func (e *Engine) compileRule(s *scs.Scheme, sr *scs.Rule) (rule, error) {
	r := rule{id: sr.ID, kind: sr.Effect.Kind, cap: sr.YearlyCap, capSlot: -1, qtySlot: -1, dropGrade: -1, needsQty: sr.Effect.NeedsQuantity(),
		isRange: sr.Effect.Kind == scs.EffectRange}
	if (sr.Effect.Kind == scs.EffectFactor) != (e.fm != nil) {
		return r, scs.Errorf(scs.EINVALID, "rule %s: a factor effect belongs in a factor-model scheme, and only there", sr.ID)
	}
	switch sr.Effect.Kind {
	case scs.EffectFactor:
		r.factor = s.FactorIndex(sr.Effect.Factor)
		r.value = sr.Effect.Value
		if r.factor < 0 {
			return r, scs.Errorf(scs.EINVALID, "rule %s: unknown factor %q", sr.ID, sr.Effect.Factor)
		}
	case scs.EffectFixed:
		r.points = sr.Effect.Points
	case scs.EffectPerUnit:
		r.points = sr.Effect.Points
		r.unit = toMicro(sr.Effect.Unit)
		if r.unit <= 0 {
			return r, scs.Errorf(scs.EINVALID, "rule %s: unit must be positive", sr.ID)
		}
	case scs.EffectRange:
		r.min, r.max = sr.Effect.Min, sr.Effect.Max
	case scs.EffectTiered:
		var from int64
		for j, t := range sr.Effect.Tiers {
			ct := tier{from: from, upTo: toMicro(t.UpTo), per: toMicro(t.Per), points: t.Points}
			if ct.per <= 0 || (ct.upTo != 0 && ct.upTo <= from) || (ct.upTo == 0 && j != len(sr.Effect.Tiers)-1) {
				return r, scs.Errorf(scs.EINVALID, "rule %s: tier %d is malformed", sr.ID, j+1)
			}
			r.tiers = append(r.tiers, ct)
			from = ct.upTo
		}
		if len(r.tiers) == 0 {
			return r, scs.Errorf(scs.EINVALID, "rule %s: tiered effect has no tiers", sr.ID)
		}
		r.qtySlot = e.slots
		e.slots++
	case scs.EffectDropTo:
		r.dropGrade = s.GradeIndex(sr.Effect.DropTo)
		if r.dropGrade < 0 {
			return r, scs.Errorf(scs.EINVALID, "rule %s: drop_to names unknown grade %q", sr.ID, sr.Effect.DropTo)
		}
		r.dropTop = s.Grades[r.dropGrade].Max
		r.dropCut = scs.Reason{Code: scs.ReasonDropCut, N: r.dropTop, Grade: sr.Effect.DropTo}
		r.dropNoop = scs.Reason{Code: scs.ReasonDropNoop, N: r.dropTop, Grade: sr.Effect.DropTo}
	default:
		return r, scs.Errorf(scs.EINVALID, "rule %s: unknown effect kind %d", sr.ID, sr.Effect.Kind)
	}
	if r.cap > 0 {
		r.capSlot = e.slots
		e.slots++
	}
	r.yearly = r.capSlot >= 0 || r.qtySlot >= 0
	if r.needsQty {
		r.qHi = MaxQuantity
	}
	if r.isRange {
		r.pLo, r.pHi = r.min, r.max
	}
	return r, nil
}

// find returns the index of the rule with the given id, or -1.
func (e *Engine) find(id string) int {
	if i, ok := e.index[id]; ok {
		return i
	}
	if i, ok := e.byConduct[id]; ok {
		return i
	}
	return -1
}

// tierTop is the top of a running total of h (micro units) within tier t
// (from t.from, which h may not reach).
func tierTop(t *tier, h int64) int64 {
	if t.upTo != 0 && h > t.upTo {
		return t.upTo
	}
	return h
}

func clamp(v, lo, hi int64) int64 { return min(max(v, lo), hi) }

func satAdd(a, b int64) int64 { return clamp(a+b, -MaxPoints, MaxPoints) }

func satMul(a, b int64) int64 {
	if uint64(a+1<<25) < 1<<26 && uint64(b+1<<25) < 1<<26 {
		return a * b // |a|, |b| <= 2^25: |a*b| <= 2^50, MaxPoints
	}
	if a == 0 || b == 0 {
		return 0
	}
	p := a * b
	if p/b != a || p > MaxPoints || p < -MaxPoints {
		if (a > 0) == (b > 0) {
			return MaxPoints
		}
		return -MaxPoints
	}
	return p
}
