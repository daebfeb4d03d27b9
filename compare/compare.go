// Package compare sets the outcomes of the same lives under two schemes
// side by side: each person's standing relative to where everyone starts,
// the cross-tabulation of one scheme's grades against the other's, the
// share whose standing agrees, the rank correlation of the scores, and the
// records that made the difference. It decides no score: the engine scores
// each scheme, and this package only counts and compares.
package compare

import (
	"fmt"
	"math"
	"slices"
	"sort"

	"scs"
	"scs/internal/numfmt"
)

// Levels of standing: where a person's grade is relative to the grade of
// the scheme's start, the grade of a person with no records.
const (
	Below   = -1
	AtStart = 0
	Above   = 1
)

// Level returns the level of grade index g under s: Above, AtStart or
// Below the grade of s's start (grades are listed highest first).
func Level(s *scs.Scheme, g int) int {
	start := s.GradeOf(s.Start)
	switch {
	case g < start:
		return Above
	case g > start:
		return Below
	}
	return AtStart
}

// LevelWords names a level.
func LevelWords(l int) string {
	switch l {
	case Above:
		return "above the start"
	case Below:
		return "below the start"
	}
	return "at the start"
}

// Table is a cross-tabulation of people by their grade under scheme A
// (rows) and scheme B (columns), with their scores for the rank
// correlation.
type Table struct {
	A, B   *scs.Scheme
	N      [][]int // [grade of A][grade of B]
	scoreA []float64
	scoreB []float64
	agree  int
	split  int // above in one, below in the other
}

// NewTable returns an empty table for schemes a and b.
func NewTable(a, b *scs.Scheme) *Table {
	t := &Table{A: a, B: b, N: make([][]int, len(a.Grades))}
	for i := range t.N {
		t.N[i] = make([]int, len(b.Grades))
	}
	return t
}

// Add counts one person with grade index ga and score sa under A, gb and
// sb under B.
func (t *Table) Add(ga int, sa int64, gb int, sb int64) {
	t.N[ga][gb]++
	t.scoreA = append(t.scoreA, float64(sa))
	t.scoreB = append(t.scoreB, float64(sb))
	la, lb := Level(t.A, ga), Level(t.B, gb)
	if la == lb {
		t.agree++
	}
	if la*lb == -1 {
		t.split++
	}
}

// Total returns the number of people counted.
func (t *Table) Total() int { return len(t.scoreA) }

// Agreement returns the share of people whose level (above, at or below
// the start) is the same under both schemes; NaN when there are none.
func (t *Table) Agreement() float64 {
	if t.Total() == 0 {
		return math.NaN()
	}
	return float64(t.agree) / float64(t.Total())
}

// Split returns how many people stand above the start under one scheme and
// below it under the other.
func (t *Table) Split() int { return t.split }

// Spearman returns the rank correlation of the two schemes' scores.
func (t *Table) Spearman() float64 { return Spearman(t.scoreA, t.scoreB) }

// Spearman returns Spearman's rank correlation of x and y: the Pearson
// correlation of their ranks, tied values sharing the average of their
// ranks. It is NaN when there are fewer than two pairs or either list has
// no spread.
func Spearman(x, y []float64) float64 {
	if len(x) != len(y) || len(x) < 2 {
		return math.NaN()
	}
	rx, ry := ranks(x), ranks(y)
	var mx, my float64
	for i := range rx {
		mx += rx[i]
		my += ry[i]
	}
	n := float64(len(rx))
	mx /= n
	my /= n
	var sxy, sxx, syy float64
	for i := range rx {
		dx, dy := rx[i]-mx, ry[i]-my
		sxy += dx * dy
		sxx += dx * dx
		syy += dy * dy
	}
	if sxx == 0 || syy == 0 {
		return math.NaN()
	}
	return sxy / math.Sqrt(sxx*syy)
}

func ranks(v []float64) []float64 {
	idx := make([]int, len(v))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return v[idx[a]] < v[idx[b]] })
	out := make([]float64, len(v))
	for i := 0; i < len(idx); {
		j := i
		for j+1 < len(idx) && v[idx[j+1]] == v[idx[i]] {
			j++
		}
		r := float64(i+j)/2 + 1
		for k := i; k <= j; k++ {
			out[idx[k]] = r
		}
		i = j + 1
	}
	return out
}

// Reading says in plain words how far "the base idea is always the same"
// (the essay, on Sesame Credit beside Rongcheng) holds for the people
// counted: by the rank correlation of the scores and the share whose
// standing agrees.
func (t *Table) Reading() string {
	n := t.Total()
	if n < 2 {
		return fmt.Sprintf("%d people: too few to say whether %s and %s rank the same lives alike", n, t.A.Name, t.B.Name)
	}
	rho, agree := t.Spearman(), t.Agreement()
	var how string
	switch {
	case math.IsNaN(rho):
		how = "One of the schemes gives everyone the same score, so the ranks cannot be compared"
	case rho >= 0.7:
		how = fmt.Sprintf("The two schemes rank the same lives much alike (Spearman %.2f)", rho)
	case rho >= 0.4:
		how = fmt.Sprintf("The two schemes rank the same lives somewhat alike (Spearman %.2f)", rho)
	case rho > -0.4:
		how = fmt.Sprintf("The two schemes rank the same lives almost independently of each other (Spearman %.2f)", rho)
	default:
		how = fmt.Sprintf("The two schemes rank the same lives in nearly opposite orders (Spearman %.2f)", rho)
	}
	return fmt.Sprintf("%s; %.0f%% of the %s people stand on the same side of where everyone starts under both (above, at or below), and %s stand above it under one and below it under the other. "+
		"So \"the base idea is always the same\" holds %s here; the conduct each scheme ignores and every figure marked assumed decide much of this.",
		how, 100*agree, numfmt.Int(int64(n)), numfmt.Int(int64(t.Split())), holds(rho, agree))
}

func holds(rho, agree float64) string {
	switch {
	case !math.IsNaN(rho) && rho >= 0.7 && agree >= 0.8:
		return "largely"
	case !math.IsNaN(rho) && rho >= 0.4 && agree >= 0.5:
		return "in part"
	}
	return "only weakly"
}

// Differing returns the names in a that are not in b and in b that are not
// in a, each sorted: the capabilities a person holds under one scheme and
// not under the other.
func Differing(a, b []string) (onlyA, onlyB []string) {
	for _, x := range a {
		if !slices.Contains(b, x) {
			onlyA = append(onlyA, x)
		}
	}
	for _, x := range b {
		if !slices.Contains(a, x) {
			onlyB = append(onlyB, x)
		}
	}
	slices.Sort(onlyA)
	slices.Sort(onlyB)
	return onlyA, onlyB
}

// Effect says in words what a record did under a scheme, from its trail
// entry: "ignored", "not scored", "+3 to factor credit-history" or
// "-100 points".
func Effect(te *scs.TrailEntry) string {
	switch {
	case te.Ignored:
		return "ignored"
	case te.NotScored:
		return "not scored"
	case te.Factor != "":
		return fmt.Sprintf("%+g to factor %s", te.Value, te.Factor)
	}
	return fmt.Sprintf("%+d points", te.Applied)
}

// Counts reports whether a record counted under a scheme: it moved the
// score or fed a factor.
func Counts(te *scs.TrailEntry) bool {
	return !te.NotScored && (te.Factor != "" || te.Applied != 0)
}
