package sim

import (
	"math"
	"slices"
)

// Trait multipliers: a behaviour's rate is multiplied by exp(sum over the
// traits of slope*z). Drawing a citizen computes this for every distinct
// set of slopes; rather than one exp per set, the factors exp(slope*z) are
// made per trait and multiplied: for age (whole years) from a table made
// once, and for the other traits from one exp per trait when every slope
// of the trait is a whole number of tenths (the behaviour table's are),
// as powers of exp(z/10); otherwise one exp per distinct slope.

const (
	minAge    = 18
	ageSpan   = 62   // ages minAge to minAge+ageSpan-1
	slopeStep = 0.1  // the grid of slopes made from powers
	maxSteps  = 40   // at most 4.0 on the grid
	gridTol   = 1e-9 // a slope this close to the grid is on it
)

// traitTable says how the factors of one continuous trait are made.
type traitTable struct {
	grid   bool      // every slope is n*slopeStep, lo <= n <= hi
	lo, hi int       // with grid
	slopes []float64 // without grid: the distinct non-zero slopes
}

// traitTables are the compiled trait multipliers of the behaviours.
type traitTables struct {
	cont [3]traitTable
	// per slope set: index in the trait's factors (-1: slope 0)
	idx [][3]int
	age []float64 // per age-minAge and slope set: the age factor, [a*sets+j]
}

// compileTraits makes the trait tables of m.slopeSets.
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
	n := len(m.slopeSets)
	tt.age = make([]float64, ageSpan*n)
	for j, sl := range m.slopeSets {
		var ix [3]int
		for t := range 3 {
			tab := &tt.cont[t]
			switch {
			case sl[t] == 0:
				ix[t] = -1
			case tab.grid:
				ix[t] = int(math.Round(sl[t]/slopeStep)) - tab.lo
			default:
				ix[t] = slices.Index(tab.slopes, sl[t])
			}
		}
		tt.idx = append(tt.idx, ix)
		for a := range ageSpan {
			tt.age[a*n+j] = math.Exp(sl[3] * float64(minAge+a-45) / 15)
		}
	}
}

// multipliers sets w.traitMult to the trait multiplier of each slope set
// for traits z (age as a whole number of years in z[3]).
func (w *worker) multipliers(z *[4]float64, age int) {
	tt := &w.m.traits
	for t := range 3 {
		tab := &tt.cont[t]
		f := w.factors[t][:0]
		if tab.grid {
			f = f[:tab.hi-tab.lo+1]
			x := math.Exp(slopeStep * z[t])
			// x^n as x^(n/2) * x^(n-n/2): products of depth log n, not
			// a chain of n multiplications waiting on each other.
			f[-tab.lo] = 1
			if tab.hi > 0 {
				f[1-tab.lo] = x
			}
			for n := 2; n <= tab.hi; n++ {
				f[n-tab.lo] = f[n/2-tab.lo] * f[n-n/2-tab.lo]
			}
			if tab.lo < 0 {
				f[-1-tab.lo] = 1 / x
				for n := -2; n >= tab.lo; n-- {
					f[n-tab.lo] = f[n/2-tab.lo] * f[n-n/2-tab.lo]
				}
			}
		} else {
			for _, s := range tab.slopes {
				f = append(f, math.Exp(s*z[t]))
			}
		}
		w.factors[t] = f
	}
	ages := tt.age[(age-minAge)*len(tt.idx):][:len(tt.idx)]
	f0, f1, f2 := w.factors[0], w.factors[1], w.factors[2]
	mult := w.traitMult[:len(tt.idx)]
	for j, ix := range tt.idx {
		v := ages[j]
		if ix[0] >= 0 {
			v *= f0[ix[0]]
		}
		if ix[1] >= 0 {
			v *= f1[ix[1]]
		}
		if ix[2] >= 0 {
			v *= f2[ix[2]]
		}
		mult[j] = v
	}
}
