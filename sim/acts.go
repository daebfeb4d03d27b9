package sim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"time"
)

// block stops behaviour k of c until the next calendar year.
func (w *worker) block(c *citizen, k int) {
	if !c.blocked[k] {
		w.dirty = true
		c.nblocked++
		c.blocked[k] = true
		if rc := w.m.beh[k].rc; rc != rcNone {
			c.sums[rc] = max(0, c.sums[rc]-c.static[k])
		}
	}
}

// live simulates citizen c through year y; reports are the informant
// reports the citizen makes this year, sorted by time.
//
// One loop runs the whole year: the rare stops (a Jan 1 inside the year, the
// end of a lock-in, a report) are handled in it, so that the common path, an
// act or the year's end, keeps only c, t and the next cut in registers. The
// citizen's rates are computed in it too (w.cw, the total rate of each class,
// w.cm, each class's multiplier on the static rates, w.total, their sum, with
// its per-second forms), whenever something they respond to moved (w.dirty).
//
// c.left is what remains of a unit exponential drawn after the citizen's last
// act: at rate total, the next act comes when it runs out. A change of rate
// or a stop (a year's end, a lock running out) carries the rest over, so a
// citizen-year needs no draw beyond its acts'.
func (w *worker) live(c *citizen, y int, reports []report) error {
	m := w.m
	cuts := m.cuts[y]
	w.rat = int64(math.MaxInt64)
	if len(reports) > 0 {
		w.reps, w.rat = reports, reports[0].at
	}
	// A new year: the neighbourhood's aggregates and the citizen's memory
	// moved. Within the year the rates change only by what sets w.dirty (a
	// record, a block, a grade), so a cut (a Jan 1 inside the year) needs
	// none of its own.
	w.dirty = true
	seg, t, b := 1, cuts[0], cuts[1]
	var perSec, secPer float64 // w.total per second and its inverse
	if m.jan1[y] {
		w.newYear(c, t)
	} else if c.st.LockGrade >= 0 {
		w.lockAt(c, t)
	}
	for {
		if w.dirty {
			w.dirty = false
			mis, spe, pos := 1.0, 1.0, 1.0
			if c.consent {
				var fall int
				if st, i := &m.stand[c.grade], c.st.Score; i >= st.lo && i-st.lo < int64(len(st.tab)) {
					e := &st.tab[i-st.lo]
					pos, fall, w.pretence = e.pos, e.fall, e.pret
				} else {
					pos, fall = w.standingOff(c)
				}
				mis = w.deterrence(fall)
				if m.p.chill > 0 {
					spe = w.speechMult
					if c.speech > 0 {
						spe *= m.speechPow[min(c.speech, len(m.speechPow)-1)]
					}
				}
			}
			eco := mis * c.econ // in a register: w.cm's store and load would delay w.total
			w.cm = [4]float64{mis, eco, spe, pos}
			w.cw = [4]float64{mis * c.sums[rcMisconduct], eco * c.sums[rcEconomic],
				spe * c.sums[rcSpeech], pos * c.sums[rcPositive]}
			w.total = w.cw[0] + w.cw[1] + w.cw[2] + w.cw[3]
			perSec = w.total * (1 / secondsPerYear)
			secPer = secondsPerYear / w.total
		}
		stop, why := b, 0
		if c.st.LockGrade >= 0 {
			if lu := c.st.LockedUntil.Unix(); lu > t && lu < stop {
				stop, why = lu, 1
			}
		}
		if w.rat < stop {
			stop, why = w.reportAt(t)
		}
		if w.total > 0 {
			if c.left == 0 {
				p := *w.pd // expDraw, without a call
				if x, ok := zigAt(p.Uint64()); ok {
					*w.pd, c.left = p, x
				} else {
					c.left = w.rd.ExpFloat64()
				}
			}
			d := c.left * secPer
			if float64(t)+d < float64(stop) {
				t += int64(d)
				c.left = 0
				if err := w.act(c, t); err != nil {
					return err
				}
				continue
			}
			left := c.left - float64(stop-t)*perSec
			if left < 0 {
				left = 0 // rounding: the act would have been at the stop
			}
			c.left = left
		}
		t = stop
		if why == 0 {
			if seg++; seg == len(cuts) {
				w.lived(c)
				return nil
			}
			b = cuts[seg]
			w.newYear(c, t)
			continue
		}
		if err := w.stopped(c, t, why); err != nil {
			return err
		}
	}
}

// standingOff returns the multiplier of scored citizen c's positive acts and
// the index of their nearness to a fall, at a score off their grade's table
// (live reads them from it), and sets their records' pretence.
func (w *worker) standingOff(c *citizen) (pos float64, fall int) {
	m := w.m
	farm, fall := m.standingAt(c.grade, c.st.Score)
	pos = farm * m.unstigma[c.grade]
	w.pretence = pretence(pos)
	return pos, fall
}

// reportAt is live's stop for the citizen's next report (why 2), at t or
// after. It is a call, not inlined, so that the compiler keeps live's test
// for a report a branch, almost never taken, instead of conditional moves
// run at every step (count.sh: about 25 instructions per citizen-year
// fewer).
//
//go:noinline
func (w *worker) reportAt(t int64) (int64, int) { return max(w.rat, t), 2 }

// newYear starts a calendar year (a Jan 1) at t for citizen c: cut, with
// no call when nothing is blocked or locked (the yearly limits only).
func (w *worker) newYear(c *citizen, t int64) {
	if c.nblocked > 0 || c.st.LockGrade >= 0 {
		w.cut(c, t)
		return
	}
	c.limits = limits{}
}

// cut starts a calendar year (a Jan 1) at t: the citizen's yearly limits
// start again (newYear does it itself when nothing is blocked or locked).
func (w *worker) cut(c *citizen, t int64) {
	if c.nblocked > 0 {
		clear(c.blocked)
		c.sums = c.base
		c.nblocked = 0
		w.dirty = true
	}
	c.limits = limits{}
	w.lockAt(c, t)
}

// lockAt moves a locked-in citizen to their grade at t (a cut: a lock may
// have run out since).
func (w *worker) lockAt(c *citizen, t int64) {
	if c.st.LockGrade >= 0 {
		if g := w.m.eng.GradeAt(&c.st, time.Unix(t, 0)); g != c.grade {
			w.transition(c, g, t)
			w.dirty = true
		}
	}
}

// stopped handles a stop of live at t other than a cut: the end of a
// lock-in (why 1) or the citizen's next informant report (why 2).
func (w *worker) stopped(c *citizen, t int64, why int) error {
	m := w.m
	w.dirty = true
	if why == 1 {
		if g := m.eng.GradeAt(&c.st, time.Unix(t, 0)); g != c.grade {
			w.transition(c, g, t)
		}
		return nil
	}
	w.reps = w.reps[1:]
	w.rat = int64(math.MaxInt64)
	if len(w.reps) > 0 {
		w.rat = w.reps[0].at
	}
	if m.inform >= 0 {
		return w.record(c, m.inform, &m.beh[m.inform], t, 0)
	}
	return nil
}

// act does c's next act at t: picks it by rate (first the class, then the
// behaviour within it), counts it, and records it when it is a positive act
// or a detected or reported one.
func (w *worker) act(c *citizen, t int64) error {
	// The classes in the order of their rates: the positive acts, about
	// seven in ten of all, first; a class without rate is passed over (u
	// is never below 0, so u >= cw holds for cw = 0).
	u := float64(w.pd.Uint64()<<11>>11) / (1 << 53) * w.total // unit(w.pd)
	rc := rcPositive
	if cw := w.cw[rcPositive]; u >= cw {
		u -= cw
		rc = rcMisconduct
		if cw := w.cw[rcMisconduct]; u >= cw {
			u -= cw
			rc = rcEconomic
			if cw := w.cw[rcEconomic]; u >= cw {
				u -= cw
				rc = rcSpeech
			}
		}
	}
	// Within the class: the static rates times the class's multiplier, laid
	// end to end, largest first; v is the residual of the draw, a uniform in
	// [0, 1) independent of the choice, which the act may use as its own.
	var k int
	var v float64
	if ks, f := w.m.byClass[rc], w.cm[rc]; c.nblocked == 0 {
		k, v = pickIn(c.static, ks, f, u)
	} else {
		k, v = pickBlocked(c, ks, f, u)
	}
	b := &w.m.beh[k]
	switch b.op {
	case opOffend:
		return w.offend(c, k, b, t, v)
	case opRecord:
		return w.record(c, k, b, t, float64(1+w.extra(b)))
	}
	q := w.give(c, k, b)
	if q == 0 {
		return nil
	}
	return w.record(c, k, b, t, q)
}

// pickIn is act's pick within a class when c has nothing blocked: the
// behaviour among ks that u falls on, their rates (static times f) laid
// end to end, and the draw's residual. u is not below 0, so a behaviour
// without rate (s = 0) is passed over without a test of its own: u < 0
// never holds, and u -= 0 leaves u as it was. It is pickBlocked with
// nothing blocked (TestPickIn); last is the last behaviour with a rate,
// for a draw that runs past the end by rounding.
func pickIn(static []float64, ks []int, f, u float64) (int, float64) {
	last := -1
	for _, k := range ks {
		s := static[k] * f
		if u < s {
			return k, u / s
		}
		u -= s
		if s > 0 {
			last = k
		}
	}
	ls := 0.0
	if last >= 0 {
		ls = static[last] * f
	}
	return last, residual(u, ls)
}

// pickBlocked is act's pick within a class when c has blocked behaviours:
// the behaviour among ks that u falls on, the rates of the unblocked ones
// (c's static rates times f) laid end to end, and the draw's residual.
func pickBlocked(c *citizen, ks []int, f, u float64) (int, float64) {
	last, ls := -1, 0.0
	for _, k := range ks {
		if s := c.static[k] * f; s > 0 && !c.blocked[k] {
			if u < s {
				return k, u / s
			}
			last, ls = k, s
			u -= s
		}
	}
	return last, residual(u, ls)
}

// residual is the residual of a draw that ran past the last behaviour by
// rounding (u >= 0 left over after it): as if it fell at its end.
func residual(u, s float64) float64 {
	if s <= 0 {
		return 0
	}
	return min(1-1.0/(1<<53), 1+u/s)
}

// offend counts c's misconduct or speech act k at t and records it when it
// is detected or an informant reports it; v is the pick's residual, the
// detection's uniform.
func (w *worker) offend(c *citizen, k int, b *cbeh, t int64, v float64) error {
	yr := &w.yr
	yr.acts[b.ruleIdx]++
	if b.class == clSpeech {
		*yr.speech++
		if c.consent {
			*yr.scoredSpeech++
		}
	} else {
		*yr.mis++
		if c.consent {
			*yr.scoredMis++
		}
	}
	u := v
	if u < b.detect {
		return w.record(c, k, b, t, 0)
	}
	if b.informable && !c.informant && len(w.infs) > 0 && u < b.detect+(1-b.detect)*w.pInf {
		yr.via[b.ruleIdx]++
		c.reported++
		who := w.infs[w.rd.IntN(len(w.infs))]
		w.reports = append(w.reports, report{who: who, at: t})
		return w.record(c, k, b, t, 0)
	}
	return nil
}

// give returns the quantity of c's donation, blood donation or volunteering
// k, within the year's limits (0: none left, no act).
func (w *worker) give(c *citizen, k int, b *cbeh) float64 {
	m := w.m
	r := w.rd
	switch b.op {
	case opDonation:
		budget := m.p.donBudget*c.income - c.spent
		if c.donScale == 0 {
			// (income/median)^0.8, from the income trait until a job loss.
			if c.jobLost {
				c.donScale = m.p.donMedian * math.Pow(c.income/m.p.incMedian, 0.8)
			} else {
				c.donScale = m.p.donMedian * math.Exp(0.8*m.p.incSigma*c.z[2])
			}
		}
		amt := math.Round(c.donScale * math.Exp(0.8*r.NormFloat64()))
		if amt >= budget {
			amt = math.Floor(budget)
			w.block(c, k)
		}
		if amt < 1 {
			w.block(c, k)
			return 0
		}
		c.spent += amt
		return amt
	case opBlood:
		c.blood++
		if c.blood >= 2 {
			w.block(c, k)
		}
		return 1
	}
	hrs := float64(1 + w.extra(b))
	limit := m.p.volHours
	if c.employed {
		limit /= 2
	}
	if c.hours+hrs >= limit {
		hrs = math.Floor(limit - c.hours)
		w.block(c, k)
	}
	if hrs < 1 {
		w.block(c, k)
		return 0
	}
	c.hours += hrs
	return hrs
}

// unit returns a uniform in [0, 1) from p: rand.Rand's Float64 of the same
// stream (the same value), without the call through the Source interface.
func unit(p *rand.PCG) float64 { return float64(p.Uint64()<<11>>11) / (1 << 53) }

// extra draws the units of a record beyond the first: Poisson with mean
// quantity-1 (a normal approximation above a mean of 30).
func (w *worker) extra(b *cbeh) int {
	if b.mu > 30 {
		return max(0, int(math.Round(b.mu+math.Sqrt(b.mu)*w.rd.NormFloat64())))
	}
	if b.mu == 0 {
		return 0
	}
	// Inversion against the precomputed distribution function: the
	// first k with u < cdf[k], searched from where the guide table says
	// u's bucket starts (one step or none for most u: a branch the
	// processor predicts, where a scan from 0 or a bisection is not).
	u := float64(w.pd.Uint64()<<11>>11) / (1 << 53) // unit(w.pd)
	return guided(b.cdf, b.guide, u)
}

// record makes the record of behaviour k's act at t (b is m.beh[k]),
// applies it through the engine when the citizen is scored, and lets the
// citizen learn from the result (a cap reached, a grade changed).
func (w *worker) record(c *citizen, k int, b *cbeh, t int64, q float64) error {
	m := w.m
	// The record's quantity and points, as the engine's StepAt takes them:
	// none where the rule takes none.
	var pts int64
	if b.needsQty {
		if q == 0 {
			q = float64(1 + w.extra(b))
		}
	} else {
		q = 0
	}
	if b.isRange {
		pts = b.min + w.rd.Int64N(b.max-b.min+1)
	}
	yr := &w.yr
	yr.records[b.ruleIdx]++
	switch b.class {
	case clPositive:
		*yr.pos++
		if c.consent {
			met := w.met
			if m.stigmaK[c.grade] > 0 {
				met.StigmaPositive++
			}
			// Pretence: the part of this act's rate that the score adds
			// (farming) is acts the citizen would not do without it
			// (rates: w.pretence).
			met.ScoredPositive++
			met.PretenceMicro += w.pretence
		}
	case clMisconduct, clSpeech:
		*yr.neg++
	}
	if b.class == clSpeech {
		c.speech++
		w.speechRecs++
	}
	c.records++
	w.events++
	if c.consent {
		// A record moves a scored citizen's standing, which their rates
		// respond to (an unscored citizen's rates move only by block).
		w.dirty = true
	}
	if w.out != nil && (m.cfg.Events == AllEvents || (m.cfg.Events == ScoredEvents && c.consent)) {
		w.emit(c, b, t, q, pts)
	}
	if !c.consent {
		return nil
	}
	applied, g, err := m.eng.StepAt(&c.st, b.ruleIdx, t, q, pts)
	if err != nil {
		return fmt.Errorf("sim: neighbourhood %d: rule %s: %w", w.hi+1, b.rule, err)
	}
	if b.capBlocks && applied <= 0 {
		// The act earned nothing under a rule with a yearly cap: the
		// citizen learns the cap is reached and stops until next year.
		w.block(c, k)
	}
	if g != c.grade {
		w.transition(c, g, t)
	}
	return nil
}

// emit adds the record of c's act of behaviour b at t, with quantity q and
// points pts, to the neighbourhood's output.
func (w *worker) emit(c *citizen, b *cbeh, t int64, q float64, pts int64) {
	m := w.m
	// The worker's event, filled in rather than made (and zeroed) anew.
	ev := &w.ev
	ev.Rule, ev.At, ev.Department = b.rule, time.Unix(t, 0).UTC(), b.dept
	ev.Quantity, ev.HasQuantity = q, b.needsQty
	ev.Points, ev.HasPoints = pts, b.isRange
	w.seq++
	ev.ID = "e-" + strconv.Itoa(w.hi+1) + "-" + strconv.Itoa(w.seq)
	ev.Citizen = m.citizenID(m.offset(w.hi) + int(c.idx))
	ev.Evidence = "synthetic record (scs simulate)"
	w.out.Events = append(w.out.Events, *ev)
}

// yearRows points w.yr at year y's rows of the metrics the acts count in.
func (w *worker) yearRows(y int) {
	met := w.met
	w.yr = yearRows{acts: met.Acts[y], via: met.ViaInformant[y], records: met.Records[y],
		speech: &met.SpeechActs[y], scoredSpeech: &met.ScoredSpeechActs[y],
		mis: &met.MisconductActs[y], scoredMis: &met.ScoredMisconductActs[y],
		pos: &met.PositiveRecords[y], neg: &met.NegativeRecords[y]}
}

// yearRows are the current year's rows of the metrics the acts count in
// (worker.yearRows).
type yearRows struct {
	acts, via, records                   []int64 // by rule
	speech, scoredSpeech, mis, scoredMis *int64
	pos, neg                             *int64
}
