package sim

import (
	"math"
	"scs/internal/arith"
	"slices"

	"scs"
)

// CitizenYears returns the citizen-years the run simulated.
func (r *Result) CitizenYears() float64 { return float64(r.Citizens) * float64(r.Years) }

// ListShare returns the share of scored citizens on list l at the end of
// year y (0 = start).
func (r *Result) ListShare(l List, y int) float64 {
	var n, tot int64
	for g, v := range r.Metrics.GradeCounts[y] {
		tot += v
		if slices.Contains(l.Grades, g) {
			n += v
		}
	}
	return ratio(n, tot)
}

// ListedGrades returns the grades on at least one list.
func (r *Result) ListedGrades() []int {
	var out []int
	for g, on := range r.Listed {
		if on {
			out = append(out, g)
		}
	}
	return out
}

// ListedYears returns the person-years scored citizens spent in listed
// grades.
func (r *Result) ListedYears() float64 {
	return float64(r.Metrics.ListedSeconds) / secondsPerYear
}

// HasVisits reports whether a grade of the scheme has officials' visits.
func (r *Result) HasVisits() bool {
	for _, g := range r.Scheme.Grades {
		if g.Visits.PerDay() > 0 {
			return true
		}
	}
	return false
}

// HasKind reports whether a rule of the scheme is driven by a behaviour of
// the given kind.
func (r *Result) HasKind(kind string) bool {
	for _, m := range r.Mapping {
		if m.Kind == kind {
			return true
		}
	}
	return false
}

// LockedGrades returns the grades with a lock-in in the scheme as given
// (before a lockins=0 counterfactual removed them): the listed ones among
// them when there are any, else all of them.
func (r *Result) LockedGrades() []int {
	var locked, listed []int
	for g, gr := range r.Given.Grades {
		if !gr.LockIn.IsZero() {
			locked = append(locked, g)
			if r.Listed[g] {
				listed = append(listed, g)
			}
		}
	}
	if len(listed) > 0 {
		return listed
	}
	return locked
}

// VisitsPerDay returns the officials' visits a day that the grades of the
// scored citizens need at the end of year y, from the scheme's visit
// frequencies.
func (r *Result) VisitsPerDay(y int) float64 {
	v := 0.0
	for g, n := range r.Metrics.GradeCounts[y] {
		v += float64(n) * r.Scheme.Grades[g].Visits.PerDay()
	}
	return v
}

// Survival returns the Kaplan-Meier curve of staying in grade g after
// falling into it: S[m] is the share of episodes still in g (or below)
// after m months, and the episodes observed.
func (r *Result) Survival(g int) (s []float64, episodes int64) {
	h := r.Metrics.Survival[g]
	n := len(h) / 2
	var atRisk int64
	for m := 0; m < n; m++ {
		atRisk += h[2*m] + h[2*m+1]
	}
	episodes = atRisk
	cur := 1.0
	s = make([]float64, n)
	for m := 0; m < n; m++ {
		if atRisk > 0 {
			cur *= 1 - float64(h[2*m])/float64(atRisk)
		}
		s[m] = cur
		atRisk -= h[2*m] + h[2*m+1]
	}
	return s, episodes
}

// ClimbOut returns, over the episodes of falling into any of the grades
// gs, the share that ended with a climb above the grade before the end of
// the run, and the number of episodes.
func (r *Result) ClimbOut(gs ...int) (float64, int64) {
	var out, all int64
	for _, g := range gs {
		h := r.Metrics.Survival[g]
		for m := 0; m+1 < len(h); m += 2 {
			out += h[m]
			all += h[m] + h[m+1]
		}
	}
	return ratio(out, all), all
}

// Bunching returns, for the boundary at the bottom of grade g, the scored
// citizens whose final score is within width points above it and within
// width points below it.
func (r *Result) Bunching(g, width int) (above, below int64) {
	m := r.Metrics
	b := int(r.Scheme.Grades[g].Min - m.Floor)
	for i := b; i < b+width && i < len(m.ScoreHist); i++ {
		if i >= 0 {
			above += m.ScoreHist[i]
		}
	}
	for i := b - width; i < b; i++ {
		if i >= 0 && i < len(m.ScoreHist) {
			below += m.ScoreHist[i]
		}
	}
	return above, below
}

// BunchWidth is the width in points of the bands of the bunching index.
const BunchWidth = 10

// BunchingIndex returns the bunching of final scores just above the grade
// boundaries: the scored citizens within BunchWidth points above a boundary
// divided by what the density around it would put there, summed over the
// boundaries. The expectation is the geometric mean of the middle two of
// the four bands of the same width flanking the band (two below the
// boundary, two above the band): on a density that rises or falls
// exponentially it equals the band's count, so the index reads 1 when
// nothing bunches, and one spike of scores in a flank (such as 950, one
// criticism below Rongcheng's start) does not move it. A boundary
// whose bands reach the scheme's floor or ceiling, where scores pile up for
// another reason, is left out. n is the citizens in the bands used.
func (r *Result) BunchingIndex() (index float64, n int64) {
	m := r.Metrics
	s := r.Scheme
	w := int64(BunchWidth)
	band := func(from int64) int64 {
		var c int64
		for i := from; i < from+w; i++ {
			if i >= 0 && i < int64(len(m.ScoreHist)) {
				c += m.ScoreHist[i]
			}
		}
		return c
	}
	top := int64(len(m.ScoreHist)) - 1
	if s.Ceiling > 0 && s.Ceiling != scs.Unbounded {
		top = min(top, s.Ceiling-m.Floor)
	}
	var above int64
	expect := 0.0
	for g := 0; g+1 < len(s.Grades); g++ {
		b := s.Grades[g].Min - m.Floor
		if b-2*w <= 0 || b+3*w > top {
			continue
		}
		a := band(b)
		fl := []int64{band(b - 2*w), band(b - w), band(b + w), band(b + 2*w)}
		slices.Sort(fl)
		if fl[1] == 0 {
			continue
		}
		above += a
		expect += math.Sqrt(float64(fl[1]) * float64(fl[2]))
		n += a + fl[0] + fl[1] + fl[2] + fl[3]
	}
	if expect == 0 {
		return math.NaN(), n
	}
	return float64(above) / expect, n
}

// DecileMeanScore returns the mean final score of scored citizens in wealth
// decile d (0 = poorest).
func (r *Result) DecileMeanScore(d int) float64 {
	m := r.Metrics
	if m.DecileCount[d] == 0 {
		return math.NaN()
	}
	return float64(m.DecileScore[d]) / float64(m.DecileCount[d])
}

// sum and ratio are the shared arithmetic (package internal/arith) under
// the names the metrics read.
var (
	sum   = arith.Sum
	ratio = arith.Ratio
)

// perK returns n per 1,000 of d.
func perK(n int64, d float64) float64 {
	if d == 0 {
		return math.NaN()
	}
	return 1000 * float64(n) / d
}
