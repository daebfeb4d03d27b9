package engine

import (
	"math"
	"time"

	"scs"
)

// factorModel is a compiled factor-model scheme: the factors and the
// recomputation schedule.
type factorModel struct {
	factors []factor
	months  int // recomputation every so many months
	span    float64
}

type factor struct {
	name     string
	weight   float64 // share of the range, 0..1
	window   scs.Period
	halfLife scs.Period // a decaying factor's half-life (window is then zero)
	sub      scs.SubScore
}

func compileFactors(s *scs.Scheme) (*factorModel, error) {
	if s.Recompute == nil || len(s.Factors) == 0 {
		return nil, scs.Errorf(scs.EINVALID, "factor-model scheme %s has no factors or no schedule", s.Name)
	}
	m := &factorModel{months: s.Recompute.Every.Years*12 + s.Recompute.Every.Months, span: float64(s.Ceiling - s.Floor)}
	if m.months <= 0 || s.Recompute.Every.Days != 0 {
		return nil, scs.Errorf(scs.EINVALID, "scheme %s: recomputation must be every whole number of months", s.Name)
	}
	if s.Ceiling == 0 || s.Ceiling == scs.Unbounded {
		return nil, scs.Errorf(scs.EINVALID, "factor-model scheme %s has no ceiling", s.Name)
	}
	for _, f := range s.Factors {
		m.factors = append(m.factors, factor{name: f.Name, weight: f.Weight / 100, window: f.Window, halfLife: f.HalfLife, sub: f.SubScore})
	}
	return m, nil
}

// LastRecomputation returns the latest recomputation of a factor-model
// scheme at or before t: midnight on the first of a month in the scheme's
// zone, every so many months counted from January. It returns the zero time
// for a points scheme.
func (e *Engine) LastRecomputation(t time.Time) time.Time {
	if e.fm == nil {
		return time.Time{}
	}
	lt := t.In(e.loc)
	k := lt.Year()*12 + int(lt.Month()) - 1
	k -= ((k % e.fm.months) + e.fm.months) % e.fm.months
	return time.Date(k/12, time.Month(k%12+1), 1, 0, 0, 0, 0, e.loc)
}

// NextRecomputation returns the first recomputation after t (zero for a
// points scheme).
func (e *Engine) NextRecomputation(t time.Time) time.Time {
	if e.fm == nil {
		return time.Time{}
	}
	r := e.LastRecomputation(t)
	return time.Date(r.Year(), r.Month()+time.Month(e.fm.months), 1, 0, 0, 0, 0, e.loc)
}

// IsFactorModel reports whether the engine's scheme is a factor model.
func (e *Engine) IsFactorModel() bool { return e.fm != nil }

// ScoreAt returns the citizen's score as of t. Under a points scheme it is
// the score after the last event applied; under a factor model it is the
// score of the last recomputation at or before t, from the records dated
// before that recomputation (the scheme's start when there are none).
func (e *Engine) ScoreAt(st *scs.State, t time.Time) int64 {
	if e.fm == nil {
		return st.Score
	}
	r := e.LastRecomputation(t)
	if len(st.Records) == 0 || !st.Records[0].At.Before(r) {
		return e.scheme.Start
	}
	score, _ := e.recompute(st, r, false)
	return score
}

// Advance brings the state's Score to the citizen's score as of t, for
// callers that read State.Score between records: under a factor model the
// recomputations up to t; under a points scheme nothing changes. t must
// not be before the state's last record.
func (e *Engine) Advance(st *scs.State, t time.Time) {
	if e.fm != nil {
		st.Score = e.ScoreAt(st, t)
	}
}

// recompute computes the score at recomputation r from the records dated
// before r within each factor's window, and, when explain is set, every
// factor's value, sub-score and contribution.
func (e *Engine) recompute(st *scs.State, r time.Time, explain bool) (int64, []scs.FactorScore) {
	fm := e.fm
	var buf [8]float64
	vals := buf[:0]
	if len(fm.factors) > len(buf) {
		vals = make([]float64, 0, len(fm.factors))
	}
	vals = vals[:len(fm.factors)]
	clear(vals)
	var counts []int
	if explain {
		counts = make([]int, len(fm.factors))
	}
	from := make([]time.Time, len(fm.factors))
	var half []float64 // a decaying factor's half-life in seconds, 0 for the others
	lr := r.In(e.loc)
	for i, f := range fm.factors {
		if !f.window.IsZero() {
			from[i] = lr.AddDate(-f.window.Years, -f.window.Months, -f.window.Days)
		}
		if !f.halfLife.IsZero() {
			if half == nil {
				half = make([]float64, len(fm.factors))
			}
			half[i] = f.halfLife.InDays() * 86400
		}
	}
	for _, rec := range st.Records {
		if !rec.At.Before(r) {
			break
		}
		if f := from[rec.Factor]; !f.IsZero() && rec.At.Before(f) {
			continue
		}
		v := rec.Value
		if half != nil && half[rec.Factor] > 0 {
			v *= math.Exp2(-r.Sub(rec.At).Seconds() / half[rec.Factor])
		}
		vals[rec.Factor] += v
		if explain {
			counts[rec.Factor]++
		}
	}
	sub := make([]float64, len(fm.factors))
	for i, f := range fm.factors {
		sub[i] = f.sub.Of(vals[i])
	}
	score := e.scheme.FactorScore(sub)
	if !explain {
		return score, nil
	}
	out := make([]scs.FactorScore, len(fm.factors))
	for i, f := range fm.factors {
		out[i] = scs.FactorScore{Factor: f.name, Value: vals[i], SubScore: sub[i], Points: fm.span * f.weight * sub[i], Records: counts[i]}
	}
	return score, out
}

// Recomputations returns, under a factor model, each recomputation after
// from and at or before to at which the citizen's factors differ from the
// recomputation before it (the first one after the citizen's first record
// always), with every factor's sub-score and contribution in points. It
// returns nil for a points scheme or a citizen with no records. A caller
// that shows a long history in pages may ask for each page's span: the
// spans' recomputations together are those of the whole history.
func (e *Engine) Recomputations(st *scs.State, from, to time.Time) []scs.Recomputation {
	if e.fm == nil || len(st.Records) == 0 {
		return nil
	}
	var prev []scs.FactorScore
	var prevScore int64
	if first := st.Records[0].At; from.Before(first) {
		from = first
	} else if r := e.LastRecomputation(from); first.Before(r) {
		// The recomputation before the span is the one to differ from.
		prevScore, prev = e.recompute(st, r, true)
	}
	var out []scs.Recomputation
	for r := e.NextRecomputation(from); !r.After(to); r = e.NextRecomputation(r) {
		score, fs := e.recompute(st, r, true)
		if prev != nil && e.sameFactors(prev, fs) && score == prevScore {
			continue
		}
		prevScore = score
		prev = fs
		out = append(out, scs.Recomputation{At: r, Score: score, Grade: e.grades[e.gradeOf(score)].name, Factors: fs})
	}
	return out
}

// RecomputationAt returns, under a factor model, the last recomputation at
// or before t, from which the citizen's score as of t comes, with every
// factor's value, sub-score and contribution (every factor at its value 0
// for a citizen with no records before it). It returns nil for a points
// scheme.
func (e *Engine) RecomputationAt(st *scs.State, t time.Time) *scs.Recomputation {
	if e.fm == nil {
		return nil
	}
	r := e.LastRecomputation(t)
	score, fs := e.recompute(st, r, true)
	return &scs.Recomputation{At: r, Score: score, Grade: e.grades[e.gradeOf(score)].name, Factors: fs}
}

// sameFactors reports whether two recomputations' factors are the same:
// the same records counted and the same values, a decaying factor's value
// (which shrinks at every recomputation) the same as shown, to a tenth of
// a point.
func (e *Engine) sameFactors(a, b []scs.FactorScore) bool {
	for i := range a {
		if a[i].Records != b[i].Records {
			return false
		}
		if !e.fm.factors[i].halfLife.IsZero() {
			if math.Round(a[i].Points*10) != math.Round(b[i].Points*10) {
				return false
			}
		} else if a[i].Value != b[i].Value {
			return false
		}
	}
	return true
}

// applyFactor keeps a record under a factor model: its value goes to its
// factor and counts from the next recomputation; the score is the one of
// the last recomputation at or before the record.
func (e *Engine) applyFactor(st *scs.State, ev *scs.Event, r *rule, te *scs.TrailEntry) {
	v := e.factorStep(st, r, ev.At, ev.Quantity)
	if te == nil {
		return
	}
	why := scs.Reason{Code: scs.ReasonFactor, Value: v, Name: e.fm.factors[r.factor].name, Until: e.inZone(e.NextRecomputation(ev.At))}
	*te = scs.TrailEntry{Event: ev.ID, Rule: r.id, At: ev.At, Score: st.Score, Grade: e.grades[e.gradeOf(st.Score)].name, Factor: e.fm.factors[r.factor].name, Value: v,
		Reason: why.String(), Reasons: []scs.Reason{why}}
	if ev.HasQuantity {
		te.Quantity = ev.Quantity
	}
}

// factorStep keeps a valid record of rule r at time at with quantity q
// under a factor model (see applyFactor) and returns the value it adds to
// its factor.
func (e *Engine) factorStep(st *scs.State, r *rule, at time.Time, q float64) float64 {
	v := r.value
	if r.needsQty {
		v *= q
	}
	st.Records = append(st.Records, scs.FactorRecord{At: at, Factor: r.factor, Value: v})
	st.Score = e.ScoreAt(st, at)
	st.Events++
	st.LastAt = at
	st.LastApplied = 0
	return v
}
