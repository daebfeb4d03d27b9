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
	// With grid: the powers x^n made, in order, as f[dst] = f[a] * f[b]
	// (indices n-lo), those of the slopes and what they are made from.
	one, inv bool // x^1 and x^-1 are needed
	steps    [][3]int
}

// traitTables are the compiled trait multipliers of the behaviours.
type traitTables struct {
	cont [3]traitTable
	// per slope set: index in the trait's factors (of a factor 1 for slope 0)
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
	for t := range 3 {
		if tab := &tt.cont[t]; tab.grid {
			tab.plan(m.slopeSets, t)
		}
	}
	n := len(m.slopeSets)
	tt.age = make([]float64, ageSpan*n)
	for j, sl := range m.slopeSets {
		var ix [3]int
		for t := range 3 {
			tab := &tt.cont[t]
			switch {
			case sl[t] == 0 && tab.grid:
				ix[t] = -tab.lo // x^0 = 1
			case sl[t] == 0:
				ix[t] = len(tab.slopes) // the 1 after the slopes' factors
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
	tab.one = tab.hi >= 1 && need[1-tab.lo]
	tab.inv = tab.lo <= -1 && need[-1-tab.lo]
	for n := 2; n <= tab.hi; n++ {
		if need[n-tab.lo] {
			tab.steps = append(tab.steps, [3]int{n - tab.lo, n/2 - tab.lo, n - n/2 - tab.lo})
		}
	}
	for n := -2; n >= tab.lo; n-- {
		if need[n-tab.lo] {
			tab.steps = append(tab.steps, [3]int{n - tab.lo, n/2 - tab.lo, n - n/2 - tab.lo})
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
			f[-tab.lo] = 1
			if tab.one {
				f[1-tab.lo] = x
			}
			if tab.inv {
				f[-1-tab.lo] = 1 / x
			}
			for _, st := range tab.steps {
				f[st[0]] = f[st[1]] * f[st[2]]
			}
		} else {
			for _, s := range tab.slopes {
				f = append(f, math.Exp(s*z[t]))
			}
			f = append(f, 1)
		}
		w.factors[t] = f
	}
	ages := tt.age[(age-minAge)*len(tt.idx):][:len(tt.idx)]
	f0, f1, f2 := w.factors[0], w.factors[1], w.factors[2]
	mult := w.traitMult[:len(tt.idx)]
	for j, ix := range tt.idx {
		mult[j] = ages[j] * f0[ix[0]] * f1[ix[1]] * f2[ix[2]]
	}
}
