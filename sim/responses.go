package sim

import (
	"math"
	"math/bits"
	"slices"
)

// farm is the farming multiplier of positive acts: 1 far from any grade
// boundary, up to 1+6*farming just below the next grade or just above a fall.
func (w *worker) farm(c *citizen) float64 {
	f, _ := w.standing(c)
	return f
}

// standing returns the farming multiplier of c's positive acts (farm) and
// how near c is to falling out of their grade (model.standingAt).
func (w *worker) standing(c *citizen) (farm float64, fall int) {
	if !c.consent {
		return 1, len(w.m.expTab)
	}
	return w.m.standingAt(c.grade, c.st.Score)
}

// standingAt returns the farming multiplier of the positive acts of a
// citizen in grade g with score s (farm: 1 far from any grade boundary, up
// to 1+6*farming just below the next grade or just above a fall) and how near
// they are to falling out of their grade, the fear of which deters
// misconduct: fall, an index in m.fallTab (the decay of the points above the
// grade's floor; 0 in the lowest grade).
func (m *model) standingAt(g int, s int64) (farm float64, fall int) {
	fall = len(m.expTab) // fallTab's 0
	f := 0.0
	if g < m.nG-1 {
		margin := s - m.gradeMin[g]
		fall = int(max(0, min(margin, int64(len(m.expTab))))) // decay's index
		if margin >= 0 {
			f += m.fallTab[fall]
		}
	}
	if m.p.farming == 0 {
		return 1, fall
	}
	if g > 0 {
		if gap := m.gradeMin[g-1] - s; gap >= 0 {
			f = m.decay(gap) + f
		}
	}
	return 1 + 3*m.p.farming*f, fall
}

// standEntry is a scored citizen's standing at one score: the multiplier of
// their positive acts (farming times the stigma's factor), the index of
// their nearness to a fall in m.fallTab and the pretence of their positive
// records at the multiplier.
type standEntry struct {
	pos  float64
	fall int
	pret int64
}

// pretence returns the pretence of a positive record at the multiplier pos
// of positive acts, in millionths: the part of the act's rate that the score
// adds (farming) is acts the citizen would not do without it.
func pretence(pos float64) int64 {
	if pos <= 1 {
		return 0
	}
	return int64(math.Round(1e6 * (1 - 1/pos)))
}

// standGrade is standingAt tabulated for the scores of a grade from lo on.
type standGrade struct {
	lo  int64
	tab []standEntry
}

// standTable tabulates standingAt for the scores of each grade's range
// (the top grade: up to where farming has decayed), so that live reads a
// citizen's standing instead of computing it: m.stand[g].tab[s-m.stand[g].lo].
func (m *model) standTable() {
	m.stand = make([]standGrade, m.nG)
	for g := range m.nG {
		lo, hi := m.gradeMin[g], m.gradeMin[g]+int64(len(m.expTab))
		if g > 0 {
			hi = m.gradeMin[g-1] - 1
		}
		if hi-lo > 1<<16 {
			hi = lo + 1<<16
		}
		st := &m.stand[g]
		st.lo = lo
		for s := lo; s <= hi; s++ {
			farm, fall := m.standingAt(g, s)
			pos := farm * m.unstigma[g]
			st.tab = append(st.tab, standEntry{pos: pos, fall: fall, pret: pretence(pos)})
		}
	}
}

// deterrence returns the factor on misconduct of a citizen whose nearness
// to a fall is m.fallTab[fall], at the neighbourhood's perceived risk.
func (w *worker) deterrence(fall int) float64 {
	if w.misTab != nil {
		return w.misTab[fall]
	}
	return 1 / (1 + w.m.p.deter*(w.risk+0.5*w.m.fallTab[fall]))
}

// decay returns exp(-d/farm_scale) for d >= 0 points, from a table.
func (m *model) decay(d int64) float64 {
	if d < 0 {
		return 1
	}
	if d >= int64(len(m.expTab)) {
		return 0
	}
	return m.expTab[d]
}

// transition moves c to grade g at t: survival episodes, stigma days and job loss.
func (w *worker) transition(c *citizen, g int, t int64) {
	m := w.m
	old := c.grade
	c.grade = g
	if listed, was := m.stigmaK[g] > 0, m.stigmaK[old] > 0; listed != was {
		if listed {
			c.listedSince = t
		} else {
			w.met.ListedSeconds += t - c.listedSince
			c.listedSince = never
		}
	}
	if g > old {
		if m.lowGrade[g] && !m.lowGrade[old] {
			c.everLow = true
		}
		if c.entered[g] == never {
			c.entered[g] = t
		}
		if m.lowGrade[g] && !m.lowGrade[old] && c.employed && !c.jobLost && unit(w.pd) < m.p.jobLoss {
			c.jobLost, c.employed = true, false
			c.income *= 1 - m.p.jobIncomeLoss
			c.donScale = 0
			if c.income > 0 {
				c.econ = math.Pow(c.income0/c.income, m.p.econEl)
			} else {
				c.econ = math.Pow(1e3, m.p.econEl)
			}
		}
	}
	// The episodes in the grades below g end: those numbered g+1 to old,
	// as an episode is open only in a grade numbered up to the current one
	// (one falls into it, and climbing above it ends it).
	for k := g + 1; k <= old; k++ {
		if e := c.entered[k]; e != never {
			w.met.Survival[k][months(t-e)*2]++
			c.entered[k] = never
		}
	}
}

// startYear draws the year's informants (recruited and quitting) and moves
// the aggregates citizens perceive towards last year's: the risk of being
// reported, the share in listed grades (shareLow) and the cost of speech.
// The citizens' own memories moved at the year's end (endYear), their
// first year's at the draw (begin).
func (w *worker) startYear(y int, shareLow float64) {
	m := w.m
	n := len(w.cs)
	if y > 0 && (m.p.quit > 0 || m.p.recruit > 0) {
		w.informants()
	}
	w.pInf = 1 - math.Pow(1-m.p.reach, float64(len(w.infs)))
	// The aggregates citizens perceive move part of the way (adaptation)
	// towards what they saw last year, so that responses settle instead
	// of swinging from year to year.
	risk := 0.3 + w.pInf + 2*shareLow
	cost := 0.3 + 20*float64(w.speechRecs)/float64(n)
	if y == 0 {
		w.risk = risk
	} else {
		w.risk += m.p.adapt * (risk - w.risk)
		w.cost += m.p.adapt * (cost - w.cost)
	}
	w.speechMult = math.Exp(-m.p.chill * w.cost)
	w.speechRecs = 0
	// The deterrence of each nearness to a fall at this year's risk, when
	// the table is not longer than the neighbourhood.
	w.misTab = nil
	if len(m.fallTab) <= n {
		mt := slices.Grow(w.misBuf[:0], len(m.fallTab))[:len(m.fallTab)]
		deter, risk := m.p.deter, w.risk
		for i, f := range m.fallTab {
			mt[i] = 1 / (1 + deter*(risk+0.5*f))
		}
		w.misTab, w.misBuf = mt, mt
	}
}

// informants draws the informants who stop and those recruited at the
// start of a later year, and lists the year's informants (w.infs). A
// scored citizen who is not an informant (a candidate, w.cands) becomes
// one with probability recruit*farm: candidates are drawn with the
// largest such probability, pmax, by skipping a geometric number of them,
// and each is recruited with the ratio of the two. The draws are made in
// the order of the citizens: last year's informants' and the candidates
// drawn, the candidates between them counted, not visited.
func (w *worker) informants() {
	m := w.m
	quit, recruit := m.p.quit, m.p.recruit
	pmax := min(1, recruit*(1+6*m.p.farming))
	next := none // the next candidate drawn
	if recruit > 0 {
		next = w.cands.nth(0, w.skip(pmax))
	}
	old, infs, quits := w.infs, w.infsNext[:0], w.quits[:0]
	cs := w.cs
	for j := 0; ; {
		inf := none
		if j < len(old) {
			inf = old[j]
		}
		if inf < next {
			j++
			c := &cs[inf]
			if quit > 0 && unit(w.pd) < quit {
				c.informant = false
				if c.consent {
					quits = append(quits, inf) // a candidate from next year
				}
				continue
			}
			infs = append(infs, inf)
			continue
		}
		if next == none {
			break
		}
		c := &cs[next]
		if c.informant = unit(w.pd)*pmax < recruit*w.farm(c); c.informant {
			infs = append(infs, next)
			w.cands.clear(next)
		}
		next = w.cands.nth(next+1, w.skip(pmax))
	}
	for _, i := range quits {
		w.cands.set(i)
	}
	w.infs, w.infsNext, w.quits = infs, old, quits
}

// none is an index past every citizen.
const none = math.MaxInt

// bitSet is a set of citizens by index.
type bitSet []uint64

func (b bitSet) set(i int)   { b[i>>6] |= 1 << (i & 63) }
func (b bitSet) clear(i int) { b[i>>6] &^= 1 << (i & 63) }

// nth returns the k-th (from 0) index in b from index i on, none when there
// are fewer.
func (b bitSet) nth(i, k int) int {
	wi := i >> 6
	if wi >= len(b) {
		return none
	}
	word := b[wi] &^ (1<<(i&63) - 1)
	for {
		if n := bits.OnesCount64(word); k >= n {
			k -= n
			wi++
			if wi == len(b) {
				return none
			}
			word = b[wi]
			continue
		}
		for ; k > 0; k-- {
			word &= word - 1
		}
		return wi<<6 + bits.TrailingZeros64(word)
	}
}

// skip draws the number of citizens passed over before the next one drawn
// with probability p: geometric, from one uniform.
func (w *worker) skip(p float64) int {
	if p >= 1 {
		return 0
	}
	v := math.Log(1-w.rd.Float64()) / math.Log1p(-p)
	if v > 1<<30 {
		return 1 << 30
	}
	return int(v)
}

// yearTrust is what every citizen's trust in neighbours moves with at the
// end of a year (trustYear).
type yearTrust struct {
	loss, recovery, trust0 float64 // the parameters
	exposure               float64 // informant reports made in the neighbourhood this year, per 100 citizens
	unreported             float64 // the factor on the trust of those not reported themselves (1 without loss or reports)
}

// trustYear returns what every citizen's trust in neighbours moves with at
// the end of the year: it falls with the informant reports made in the
// neighbourhood this year (per 100 citizens) and with being reported
// oneself, and recovers part of the way to where it started.
func (w *worker) trustYear() yearTrust {
	p := &w.m.p
	exposure := 100 * float64(len(w.reports)) / float64(len(w.cs))
	return yearTrust{loss: p.trustLoss, recovery: p.trustRecovery, trust0: p.trust0,
		exposure: exposure, unreported: math.Exp(-p.trustLoss * exposure)}
}

// factor returns the factor on the trust of a citizen reported r times
// this year: unreported for r = 0, and exactly 1 without loss.
func (yt *yearTrust) factor(r int) float64 {
	if r == 0 || yt.loss == 0 {
		return yt.unreported
	}
	return math.Exp(-yt.loss * (yt.exposure + 10*float64(r)))
}

// moved returns trust tr moved with the factor f of what its holder saw
// this year (factor), then part of the way back to where it started.
func (yt *yearTrust) moved(tr, f float64) float64 {
	tr *= f
	return tr + yt.recovery*(yt.trust0-tr)
}

// micro returns trust tr in millionths, rounded (trust is not negative).
func micro(tr float64) int64 { return int64(1e6*tr + 0.5) }
