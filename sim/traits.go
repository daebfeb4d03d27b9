package sim

import (
	"math"
	"slices"
)

// Trait multipliers: a behaviour's rate is multiplied by exp(sum over the
// traits of slope*z). Drawing a citizen makes, per trait, the factors
// exp(slope*z) of the trait's distinct slopes, and each behaviour's static
// rate is its rate times the product of its four factors (staticRates):
// for age (whole years) from a table made once, and for the other traits
// from one exp per trait when every slope of the trait is a whole number of
// tenths (the behaviour table's are), as powers of exp(z/10); otherwise one
// exp per distinct slope. The factors' indices are bytes, so that the
// products read them without bounds checks; a behaviour table with more
// distinct slopes of one trait than a byte indexes (maxFactors) is drawn
// with one exp per behaviour instead (traitTables.direct).

const (
	minAge    = 18
	ageSpan   = 62   // ages minAge to minAge+ageSpan-1
	slopeStep = 0.1  // the grid of slopes made from powers
	maxSteps  = 40   // at most 4.0 on the grid
	gridTol   = 1e-9 // a slope this close to the grid is on it
	// maxFactors is the most factors of one trait a byte indexes
	// (worker.fac).
	maxFactors = 256
)

// multipliers masks its indices into worker.fac with len-1, which needs
// 4*maxFactors to be a power of two: this fails to compile otherwise.
var _ = [1]struct{}{}[4*maxFactors&(4*maxFactors-1)]

// traitTable says how the factors of one continuous trait are made.
type traitTable struct {
	grid   bool      // every slope is n*slopeStep, lo <= n <= hi
	lo, hi int       // with grid
	slopes []float64 // without grid: the distinct non-zero slopes
	// With grid: the powers x^n made, in order, as f[dst[s]] = f[a[s]] *
	// f[b[s]] (indices n-lo), those of the slopes and what they are made
	// from, beyond x^0, x^1 and x^-1.
	dst, a, b []uint8
}

// traitTables are the compiled trait multipliers of the behaviours.
type traitTables struct {
	cont [3]traitTable
	// steps are the grid tables' plans together, ordered by depth (a
	// step's factors are made by an earlier depth): the same products,
	// but those next to each other do not wait on each other.
	steps []powStep
	ages  int       // the distinct age slopes
	age   []float64 // per age-minAge and distinct age slope: the age factor, [a*ages+j]
	// direct: a trait has more than maxFactors factors, and staticRates
	// computes each behaviour's exp(sum slope*z) on its own.
	direct bool
}

// compileTraits makes the trait tables of m.slopeSets and sets each
// behaviour's factor indices (rateEntry.ix).
func (m *model) compileTraits() {
	tt := &m.traits
	for t := range 3 {
		tab := &tt.cont[t]
		tab.grid = true
		for _, sl := range m.slopeSets {
			if s := sl[t]; s != 0 {
				n := math.Round(s / slopeStep)
				if math.Abs(s-n*slopeStep) > gridTol || math.Abs(n) > maxSteps {
					tab.grid = false
				} else {
					tab.lo, tab.hi = min(tab.lo, int(n)), max(tab.hi, int(n))
				}
				if !slices.Contains(tab.slopes, s) {
					tab.slopes = append(tab.slopes, s)
				}
			}
		}
	}
	for t := range 3 {
		if tab := &tt.cont[t]; tab.grid {
			tab.plan(m.slopeSets, t)
		}
	}
	tt.mergePlans()
	var ageSlopes []float64
	for _, b := range m.beh {
		if !slices.Contains(ageSlopes, b.slopes[3]) {
			ageSlopes = append(ageSlopes, b.slopes[3])
		}
	}
	tt.direct = len(ageSlopes) > maxFactors
	for t := range 3 {
		if tab := &tt.cont[t]; !tab.grid && len(tab.slopes)+1 > maxFactors {
			tt.direct = true
		}
	}
	if tt.direct {
		return
	}
	for i := range m.rateTab {
		e := &m.rateTab[i]
		b := &m.beh[m.rateK[i]]
		for t := range 3 {
			e.ix[t] = uint8(tt.cont[t].index(b.slopes[t]))
		}
		e.ix[3] = uint8(slices.Index(ageSlopes, b.slopes[3]))
	}
	tt.ages = len(ageSlopes)
	tt.age = make([]float64, ageSpan*tt.ages)
	for j, s := range ageSlopes {
		for a := range ageSpan {
			tt.age[a*tt.ages+j] = math.Exp(s * float64(minAge+a-45) / 15)
		}
	}
}

// index returns where the factor of slope s is among the trait's factors
// (multipliers).
func (tab *traitTable) index(s float64) int {
	switch {
	case s == 0 && tab.grid:
		return -tab.lo // x^0 = 1
	case s == 0:
		return len(tab.slopes) // the 1 after the slopes' factors
	case tab.grid:
		return int(math.Round(s/slopeStep)) - tab.lo
	default:
		return slices.Index(tab.slopes, s)
	}
}

// plan makes the steps of a grid table: x^n for each slope n*slopeStep of
// trait t as x^(n/2) * x^(n-n/2), products of depth log n rather than a
// chain of n multiplications waiting on each other, and only the powers
// needed.
func (tab *traitTable) plan(sets [][4]float64, t int) {
	need := make([]bool, tab.hi-tab.lo+1)
	var mark func(n int)
	mark = func(n int) {
		if need[n-tab.lo] {
			return
		}
		need[n-tab.lo] = true
		if n >= 2 || n <= -2 {
			mark(n / 2)
			mark(n - n/2)
		}
	}
	for _, sl := range sets {
		if sl[t] != 0 {
			mark(int(math.Round(sl[t] / slopeStep)))
		}
	}
	for n := 2; n <= tab.hi; n++ {
		if need[n-tab.lo] {
			tab.step(n-tab.lo, n/2-tab.lo, n-n/2-tab.lo)
		}
	}
	for n := -2; n >= tab.lo; n-- {
		if need[n-tab.lo] {
			tab.step(n-tab.lo, n/2-tab.lo, n-n/2-tab.lo)
		}
	}
}

// powStep is the step fac[d] = fac[a] * fac[b] (worker.fac: trait t's
// factor i at t*maxFactors+i).
type powStep struct{ d, a, b uint16 }

// mergePlans makes tt.steps from the grid tables' plans.
func (tt *traitTables) mergePlans() {
	type ranked struct {
		depth int
		s     powStep
	}
	var all []ranked
	for t := range tt.cont {
		tab := &tt.cont[t]
		if !tab.grid {
			continue
		}
		var depth [maxFactors]int // x^0, x^1 and x^-1: 0
		for i, d := range tab.dst {
			a, b := tab.a[i], tab.b[i]
			depth[d] = 1 + max(depth[a], depth[b])
			o := uint16(t * maxFactors)
			all = append(all, ranked{depth[d], powStep{o + uint16(d), o + uint16(a), o + uint16(b)}})
		}
	}
	slices.SortStableFunc(all, func(x, y ranked) int { return x.depth - y.depth })
	tt.steps = tt.steps[:0]
	for _, r := range all {
		tt.steps = append(tt.steps, r.s)
	}
}

// step adds the step f[dst] = f[a] * f[b] to the plan.
func (tab *traitTable) step(dst, a, b int) {
	tab.dst, tab.a, tab.b = append(tab.dst, uint8(dst)), append(tab.a, uint8(a)), append(tab.b, uint8(b))
}

// factors returns trait t's factors in w.fac (3: age).
func (w *worker) factors(t int) *[maxFactors]float64 {
	return (*[maxFactors]float64)(w.fac[t*maxFactors:][:maxFactors])
}

// multipliers sets w.fac to the factors of every distinct slope of each
// continuous trait for traits z, and of each distinct age slope for age
// (nothing with traitTables.direct).
func (w *worker) multipliers(z *[4]float64, age int) {
	tt := &w.m.traits
	if tt.direct {
		return
	}
	for t := range 3 {
		tab := &tt.cont[t]
		f := w.factors(t)
		if tab.grid {
			x := math.Exp(slopeStep * z[t])
			// x^0, x^1 and x^-1, needed or not: a grid's indices are
			// far from wrapping round a byte.
			z0 := uint8(-tab.lo)
			f[z0], f[z0+1], f[z0-1] = 1, x, 1/x
		} else {
			for i, s := range tab.slopes {
				f[i] = math.Exp(s * z[t])
			}
			f[len(tab.slopes)] = 1
		}
	}
	// The grid tables' powers, all traits' steps of one depth together.
	fac := &w.fac
	for _, s := range tt.steps {
		const mask = uint16(len(fac) - 1) // no bounds checks
		fac[s.d&mask] = fac[s.a&mask] * fac[s.b&mask]
	}
	for j, v := range tt.age[(age-minAge)*tt.ages:][:tt.ages] {
		w.fac[3*maxFactors+int(uint8(j))] = v
	}
}
