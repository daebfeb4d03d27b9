package sim

import "math"

// CitizenYears returns the citizen-years the run simulated.
func (r *Result) CitizenYears() float64 { return float64(r.Citizens) * float64(r.Years) }

// capShare returns the share of scored citizens at the end of year y
// (0 = start) whose grade has the named capability; NaN when the scheme has
// no such capability.
func (r *Result) capShare(name string, y int) float64 {
	c, ok := r.Scheme.Capability(name)
	if !ok {
		return math.NaN()
	}
	var n, tot int64
	for g, v := range r.Metrics.GradeCounts[y] {
		tot += v
		if c.Has(r.Scheme.Grades[g].Name) {
			n += v
		}
	}
	return ratio(n, tot)
}

// WatchListShare returns the share of scored citizens on the watch list at
// the end of year y (0 = start).
func (r *Result) WatchListShare(y int) float64 { return r.capShare("watch-list", y) }

// PublicListShare returns the share of scored citizens on the public list
// at the end of year y (0 = start).
func (r *Result) PublicListShare(y int) float64 { return r.capShare("public-list", y) }

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

// ClimbOutShare returns, over the episodes of falling into any of the
// grades gs, the share that ended with a climb above the grade before the
// end of the run.
func (r *Result) ClimbOutShare(gs ...int) float64 {
	var out, all int64
	for _, g := range gs {
		h := r.Metrics.Survival[g]
		for m := 0; m+1 < len(h); m += 2 {
			out += h[m]
			all += h[m] + h[m+1]
		}
	}
	return ratio(out, all)
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

// BunchingIndex returns the scored citizens within 10 points above any
// grade boundary per citizen within 10 points below it (1 = no bunching).
func (r *Result) BunchingIndex() float64 {
	var a, b int64
	for g := 0; g+1 < len(r.Scheme.Grades); g++ {
		x, y := r.Bunching(g, 10)
		a += x
		b += y
	}
	return ratio(a, b)
}

// StigmaGrades returns the grades on the watch list or the public list (or
// the two lowest when the scheme has neither).
func (r *Result) StigmaGrades() []int {
	var out []int
	w, wok := r.Scheme.Capability("watch-list")
	p, pok := r.Scheme.Capability("public-list")
	for i, g := range r.Scheme.Grades {
		if (wok && w.Has(g.Name)) || (pok && p.Has(g.Name)) {
			out = append(out, i)
		}
	}
	if !wok && !pok && len(r.Scheme.Grades) >= 2 {
		out = []int{len(r.Scheme.Grades) - 2, len(r.Scheme.Grades) - 1}
	}
	return out
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

func sum(xs []int64) int64 {
	var n int64
	for _, x := range xs {
		n += x
	}
	return n
}

func ratio(a, b int64) float64 {
	if b == 0 {
		return math.NaN()
	}
	return float64(a) / float64(b)
}

// perK returns n per 1,000 of d.
func perK(n int64, d float64) float64 {
	if d == 0 {
		return math.NaN()
	}
	return 1000 * float64(n) / d
}
