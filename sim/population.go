package sim

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"scs"
)

// citizen is one person during a run.
type citizen struct {
	// The fields a citizen's year reads at every step first (live, act,
	// the year's end in lived), in the first two cache lines, then the engine's
	// state, then what is read once a year or once a run.
	grade              int     // current grade, -1 unscored
	speech             int     // own speech records, halved each year (memory)
	reported           int     // acts of theirs reported by an informant this year
	nblocked           int     // behaviours blocked until the next calendar year
	left               float64 // the unit exponential left until the next act (live)
	econ               float64
	consent, informant bool
	ownTrust           bool // reported at least once: trust of their own
	employed, jobLost  bool
	everLow            bool // fell into a grade without job security
	driver, parent     bool
	records            int32
	idx                int32      // index in the neighbourhood (read at the year's end, lived)
	sums               [4]float64 // unblocked static rates by rate class
	limits                        // what they gave this calendar year
	donScale           float64    // median donation at the current income, 0 until needed
	st                 scs.State
	static             []float64
	blocked            []bool
	base               [4]float64 // static rates by rate class, none blocked
	entered            []int64    // per grade: when they fell into it, never when not in it
	income0, income    float64
	trust              float64 // trust in neighbours, 0 to 1, with ownTrust (else worker.trust)
	listedSince        int64   // when they entered a listed grade, never when not listed
	age                int
	z                  [4]float64 // conscientiousness, outspokenness, income, age
	zWealth            float64
	decile             int
}

// limits are what a citizen gave in a calendar year, against its limits
// (give): money donated, volunteered hours, blood donations.
type limits struct {
	spent, hours float64
	blood        int
}

// never is the time of what has not happened (citizen.listedSince,
// citizen.entered): a run may start before 1970, at negative unix seconds.
const never = math.MinInt64

// HoodName returns the name of neighbourhood h.
func HoodName(h int) string { return fmt.Sprintf("n-%05d", h+1) }

func (m *model) citizenID(i int) string {
	b := make([]byte, 0, 2+m.idWidth)
	b = append(b, 'c', '-')
	s := strconv.Itoa(i + 1)
	for k := len(s); k < m.idWidth; k++ {
		b = append(b, '0')
	}
	return string(append(b, s...))
}

func (w *worker) row(h int, c *citizen) CitizenRow {
	m := w.m
	r := CitizenRow{ID: m.citizenID(m.offset(h) + int(c.idx)), Name: syntheticName(w.rt), Neighbourhood: HoodName(h),
		BirthYear: int32(time.Unix(m.yearB[0], 0).UTC().Year() - c.age), Income0: math.Round(c.income0), Income: math.Round(c.income),
		Wealth: math.Round(wealth(m, c)), WealthDecile: int32(c.decile + 1), Conscientious: c.z[0], Outspoken: c.z[1],
		Driver: c.driver, Parent: c.parent, Consent: c.consent, Informant: c.informant, JobLost: c.jobLost, Records: c.records}
	if c.consent {
		r.Score = c.st.Score
		r.Grade = m.scheme.Grades[c.grade].Name
		if c.st.LockGrade >= 0 && m.end.Before(c.st.LockedUntil) {
			r.LockedUntil = c.st.LockedUntil.Unix()
		}
	}
	return r
}

// traits draws the neighbourhood's citizens from the traits stream.
func (w *worker) traits(h, n int) {
	m := w.m
	r, pt := w.rt, w.pt
	K := len(m.beh)
	zeal := math.Exp(0.5*r.NormFloat64() - 0.125)
	rho := m.p.wCorr
	rho1 := math.Sqrt(1 - rho*rho)
	// No behaviour blocked, no grade entered.
	clear(w.blocked[:n*K])
	entered := w.entered[:n*m.nG]
	if len(entered) > 0 {
		entered[0] = never
		for k := 1; k < len(entered); k *= 2 {
			copy(entered[k:], entered[:k]) // doubling: at the speed of memmove
		}
	}
	for i := range n {
		c := &w.cs[i]
		// The state keeps its yearly totals' memory (ResetState), and the
		// citizen their part of the worker's buffers (begin).
		yearly, records := c.st.Yearly[:0], c.st.Records[:0]
		static, blocked, entered := c.static, c.blocked, c.entered
		*c = citizen{}
		c.st.Yearly, c.st.Records = yearly, records
		c.static, c.blocked, c.entered = static, blocked, entered
		c.idx, c.grade = int32(i), -1
		c.st.LockGrade = -1 // never locked unless scored (live tests only this)
		age := 18 + int(unit(pt)*62)
		if age > 60 && unit(pt) < float64(age-60)/25 {
			age = 18 + int(unit(pt)*62)
		}
		c.age = age
		zi := r.NormFloat64()
		c.zWealth = rho*zi + rho1*r.NormFloat64()
		c.z = [4]float64{r.NormFloat64(), r.NormFloat64(), zi, float64(age-45) / 15}
		c.econ = 1
		c.decile = wealthDecile(c.zWealth)
		pd := m.p.drivers * (1 + 0.3*zi)
		if age > 70 {
			pd /= 2
		}
		c.driver = unit(pt) < pd
		c.parent = age >= 22 && age <= 40 && unit(pt) < m.p.parents
		// Opting in: the essay's three reasons (trust in the state, fear of
		// the consequences, the weight of social stability) and what the
		// scheme offers, on the log-odds scale.
		zt, zf, zs := r.NormFloat64(), r.NormFloat64(), r.NormFloat64()
		logit := m.p.partBase + m.p.partTrust*(1+zt) + m.p.partStability*(1+zs)
		if m.fearful {
			logit += m.p.partFear * (1 + zf)
		}
		if m.offers {
			logit += m.p.partOffer
		}
		c.consent = optIn(unit(pt), logit)
		c.listedSince = never
		c.informant = unit(pt) < m.p.informants*zeal
		c.employed = age < 60
		// The income and the factors of the trait multipliers: four exps
		// side by side, so that they overlap.
		c.income0 = m.p.incMedian * math.Exp(m.p.incSigma*zi)
		c.income = c.income0
		w.multipliers(&c.z, age)
		w.staticRates(c, age)
		if c.consent {
			m.eng.ResetState(&c.st, "")
			c.grade = m.startGrade
			if m.stigmaK[c.grade] > 0 {
				c.listedSince = m.yearB[0]
			}
		}
	}
}

// staticRates sets c's static rate of every behaviour (its rate, 0 when
// c lacks what it needs, times c's trait multiplier) and their sums by
// rate class, none blocked.
func (w *worker) staticRates(c *citizen, age int) {
	have := uint8(haveAll)
	if c.driver {
		have |= haveDriver
	}
	if c.parent {
		have |= haveChild
	}
	if age <= 55 {
		have |= haveAge
	}
	m := w.m
	tab := m.rateTab
	rates, ks := m.rates[have>>1][:len(tab)], m.rateK[:len(tab)]
	static := c.static[:len(m.beh)]
	if m.traits.direct {
		w.directRates(c, rates, static)
		return
	}
	f0, f1, f2, fa := w.factors(0), w.factors(1), w.factors(2), w.factors(3)
	var sums [4]float64 // by rate class; rcNone's: never spontaneous, dropped
	lo := 0
	for rc := range sums {
		// One class's behaviours, in order: its sum stays in a register.
		hi := min(m.rcEnd[rc], len(tab))
		sum := 0.0
		for i := lo; i < hi; i++ {
			b := &tab[i]
			// The trait multiplier exp(sum slope*z) as a product of factors.
			s := rates[i] * (fa[b.ix[3]] * f0[b.ix[0]] * f1[b.ix[1]] * f2[b.ix[2]])
			static[ks[i]] = s
			sum += s
		}
		sums[rc] = sum
		lo = max(lo, hi)
	}
	for i := lo; i < len(tab); i++ {
		b := &tab[i]
		static[ks[i]] = rates[i] * (fa[b.ix[3]] * f0[b.ix[0]] * f1[b.ix[1]] * f2[b.ix[2]])
	}
	c.sums = sums
	c.base = sums
}

// directRates is staticRates with one exp per behaviour
// (traitTables.direct).
func (w *worker) directRates(c *citizen, rates, static []float64) {
	m := w.m
	var sums [rcNone + 1]float64 // rcNone's dropped
	z := &c.z
	for i, k := range m.rateK {
		b := &m.beh[k]
		sl := &b.slopes
		s := rates[i] * math.Exp(sl[0]*z[0]+sl[1]*z[1]+sl[2]*z[2]+sl[3]*z[3])
		static[k] = s
		sums[b.rc] += s
	}
	c.sums = [4]float64(sums[:4])
	c.base = c.sums
}

// wealth returns c's wealth, made from their trait when a row needs it.
func wealth(m *model, c *citizen) float64 { return 3 * m.p.incMedian * math.Exp(m.p.wSigma*c.zWealth) }

// decileZ[d] is the standard normal's (d+1)-th decile, Φ⁻¹((d+1)/10).
var decileZ = func() (q [9]float64) {
	for d := range q {
		q[d] = math.Sqrt2 * math.Erfinv(2*float64(d+1)/10-1)
	}
	return q
}()

// wealthDecile returns the decile (0 to 9) of a standard normal z: the
// deciles at or below it, counted without a branch rather than Φ(z)
// computed.
func wealthDecile(z float64) int {
	d := 0
	for _, q := range &decileZ {
		if z >= q {
			d++
		}
	}
	return d
}
