package sim

import (
	"math/rand/v2"
	"slices"
	"time"

	"scs"
)

type report struct {
	who int
	at  int64
}

// worker simulates neighbourhoods one at a time, reusing its buffers.
type worker struct {
	m                 *model
	met               *Metrics // metAll or metSample: where the current neighbourhood counts
	metAll, metSample *Metrics
	rt, rd            *rand.Rand
	pt, pd            *rand.PCG
	cs                []citizen
	static            []float64
	blocked           []bool
	entered           []int64
	cw                [4]float64              // the current citizen's total rate of each class
	cm                [4]float64              // and each class's multiplier on the static rates
	fac               [4 * maxFactors]float64 // per trait t from t*maxFactors: the current citizen's factors (traits.go)
	total             float64
	dirty             bool
	reports           []report
	order             []int
	infs, infsNext    []int   // the year's informants, in order; the next year's being made
	quits             []int   // informants: those who stop and become candidates
	cands             bitSet  // scored citizens who are not informants
	later, laterInf   []int32 // endYear's citizens done after the others (lived); the informants among them
	factor            bool    // the scheme is a factor model (endYear recomputes its citizens' scores)
	hoodG, stay       []int64 // per grade: the neighbourhood's scored citizens at the last count; endYear's who stayed
	trust             float64 // trust in neighbours of the citizens never reported (the same for all)
	events            int64
	out               *HoodOutput
	seq               int
	hi                int
	// neighbourhood aggregates for the current year
	pInf, risk, speechMult float64
	misTab, misBuf         []float64 // deterrence by index in model.fallTab at this year's risk (nil: computed)
	cost                   float64   // the speech cost citizens perceive (damped)
	speechRecs             int
	pretence               int64 // a positive record's pretence at the current citizen's rates, in millionths
	ev                     scs.Event
	// live's state for the current citizen-year: the reports still to make
	// and the time of the next (MaxInt64: none).
	reps []report
	rat  int64
	yr   yearRows
}

func newWorker(m *model) *worker {
	w := &worker{m: m, metAll: newMetrics(m.cfg.Years, m.nG, len(m.scheme.Rules), m.scheme.Floor),
		metSample: newMetrics(m.cfg.Years, m.nG, len(m.scheme.Rules), m.scheme.Floor)}
	w.met = w.metAll
	w.factor = m.eng.IsFactorModel()
	w.hoodG, w.stay = make([]int64, m.nG), make([]int64, m.nG)
	w.pt = rand.NewPCG(0, 0)
	w.pd = rand.NewPCG(0, 0)
	w.rt = rand.New(w.pt)
	w.rd = rand.New(w.pd)
	return w
}

func (w *worker) seed(h int) {
	s := w.m.cfg.Seed
	k := splitmix64(s ^ splitmix64(uint64(h)+1))
	w.pt.Seed(splitmix64(k^1), splitmix64(k^2))
	w.pd.Seed(splitmix64(k^3), splitmix64(k^4))
}

// hood simulates neighbourhood h from its first year to its last and
// returns its output (nil without Config.OnHood).
func (w *worker) hood(h int) (*HoodOutput, error) {
	w.begin(h)
	shareLow := 0.0
	for y := 0; y < w.m.cfg.Years; y++ {
		w.yearRows(y)
		w.startYear(y, shareLow)
		if err := w.liveYear(y); err != nil {
			return nil, err
		}
		shareLow = w.endYear(y)
	}
	w.finish(h)
	return w.out, nil
}

// begin draws neighbourhood h's citizens and counts them.
func (w *worker) begin(h int) {
	m := w.m
	n := m.size(h)
	w.seed(h)
	w.hi = h
	w.seq = 0
	w.speechRecs = 0
	w.cost = 0.3
	K := len(m.beh)
	if cap(w.cs) < n {
		w.cs = make([]citizen, n)
		w.static = make([]float64, n*K)
		w.blocked = make([]bool, n*K)
		w.entered = make([]int64, n*m.nG)
		// Each citizen's part of them, kept from one draw to the next
		// (traits).
		for i := range w.cs {
			c := &w.cs[i]
			c.static, c.blocked, c.entered = w.static[i*K:(i+1)*K], w.blocked[i*K:(i+1)*K], w.entered[i*m.nG:(i+1)*m.nG]
		}
	}
	w.cs = w.cs[:n]
	w.out = nil
	if m.cfg.OnHood != nil {
		w.out = &HoodOutput{Index: h, Name: HoodName(h)}
	}
	w.traits(h, n)
	w.met = w.metAll
	if m.inSample != nil && m.inSample[h] {
		w.met = w.metSample
	}
	met := w.met
	met.Citizens += int64(n)
	// The first year's start grades (the mobility matrix's), informants
	// and trust in neighbours.
	w.order = slices.Grow(w.order[:0], n)[:n]
	w.infs = w.infs[:0]
	w.cands = slices.Grow(w.cands[:0], (n+63)/64)[:(n+63)/64]
	clear(w.cands)
	clear(w.hoodG)
	for i := range w.cs {
		c := &w.cs[i]
		if c.consent {
			w.hoodG[c.grade]++
		}
		w.order[i] = c.grade
		if c.informant {
			w.infs = append(w.infs, i)
		} else if c.consent {
			w.cands.set(i)
		}
	}
	for g, k := range w.hoodG {
		met.Scored += k
		met.GradeCounts[0][g] += k
	}
	w.trust = m.p.trust0
}

// liveYear lives year y of every citizen of the neighbourhood; each
// citizen's year ends with their part of the year's end (lived), while
// their fields are still in cache, so the year reads each citizen once.
func (w *worker) liveYear(y int) error {
	w.reports = w.reports[:0]
	w.later = slices.Grow(w.later[:0], len(w.cs))
	// Non-informants first: their acts can be reported by informants,
	// whose reports are applied after, in time order. Nothing a citizen's
	// yearEnd reads changes after their own year: a report counts against
	// the reported citizen in their own acts (offend).
	cs := w.cs
	for i := range cs {
		if c := &cs[i]; !c.informant {
			if err := w.live(c, y, nil); err != nil {
				return err
			}
		}
	}
	slices.SortStableFunc(w.reports, func(a, b report) int {
		if a.who != b.who {
			return a.who - b.who
		}
		return int(a.at - b.at)
	})
	n := len(w.later)
	ri := 0
	for _, i := range w.infs {
		lo := ri
		for ri < len(w.reports) && w.reports[ri].who == i {
			ri++
		}
		if err := w.live(&w.cs[i], y, w.reports[lo:ri]); err != nil {
			return err
		}
	}
	// endYear does its citizens in citizen order (its draws follow it):
	// the informants' (w.infs is in citizen order), listed after the
	// others, merged in.
	w.laterInf = append(w.laterInf[:0], w.later[n:]...)
	w.later = w.later[:mergeInto(w.later, n, w.laterInf)]
	return nil
}

// lived ends citizen c's year: their speech memory halved, and listed for
// endYear if it has more to do for them (yearEnd).
func (w *worker) lived(c *citizen) {
	if c.yearEnd(w.factor, w.order[c.idx]) {
		w.later = append(w.later, c.idx)
	}
}

// yearEnd halves c's speech memory (the next year's) at the end of their
// year and tells whether endYear has more to do for them: reported, with a
// trust of their own, or scored and locked, under a factor model
// (factor) or in another grade than start, the one they started the year
// in.
func (c *citizen) yearEnd(factor bool, start int) bool {
	c.speech >>= 1
	return c.reported > 0 || c.ownTrust || c.consent && (factor || c.st.LockGrade >= 0 || c.grade != start)
}

// mergeInto merges b into a[:n], both ascending and disjoint, in place (a
// has room for both), and returns their length.
func mergeInto(a []int32, n int, b []int32) int {
	i, j, k := n-1, len(b)-1, n+len(b)-1
	for ; j >= 0; k-- {
		if i >= 0 && a[i] > b[j] {
			a[k] = a[i]
			i--
		} else {
			a[k] = b[j]
			j--
		}
	}
	return n + len(b)
}

// endYear counts the neighbourhood at the end of year y, updates every
// citizen's trust in neighbours (trustYear), moves their memories to the
// next year (speech halved, reports forgotten, the start grade of the
// mobility matrix), and returns the share of its scored citizens in listed
// grades.
//
// Most citizens need only their speech halved: their grade is the one
// they started the year in, and their trust, never having been reported,
// is the neighbourhood's common one (w.trust). lived halved it and
// listed the others (reported, with a trust of their own, locked, under a
// factor model, or in another grade) in w.later, in order; endYear does
// them, and the counts of the rest follow from the neighbourhood's grade
// counts.
func (w *worker) endYear(y int) (shareLow float64) {
	m, met := w.m, w.met
	endS := m.yearB[y+1]
	end := time.Unix(endS, 0)
	cs, nG := w.cs, m.nG
	order := w.order[:len(cs)]
	factor := w.factor
	yt := w.trustYear()
	var trust int64
	own := 0
	mobility, hoodG, stay := met.Mobility[y], w.hoodG, w.stay
	copy(stay, hoodG)
	for _, i := range w.later {
		c := &cs[i]
		if c.reported > 0 || c.ownTrust {
			if !c.ownTrust {
				c.trust, c.ownTrust = w.trust, true
			}
			c.trust = yt.moved(c.trust, yt.factor(c.reported))
			trust += micro(c.trust)
			own++
			c.reported = 0
		}
		if !c.consent {
			continue
		}
		// Only a lock or a factor model (which recomputes without a
		// record) can change the grade without a record.
		if factor || c.st.LockGrade >= 0 {
			if factor {
				m.eng.Advance(&c.st, end)
			}
			if g := m.eng.GradeAt(&c.st, end); g != c.grade {
				w.transition(c, g, endS)
			}
		}
		if a, g := order[i], c.grade; g != a {
			mobility[a*nG+g]++
			stay[a]--
			hoodG[a]--
			hoodG[g]++
			order[i] = g
		}
	}
	w.trust = yt.moved(w.trust, yt.unreported)
	trust += int64(len(cs)-own) * micro(w.trust)
	counts := met.GradeCounts[y+1]
	var low, scored int64
	for g := range nG {
		mobility[g*nG+g] += stay[g]
		counts[g] += hoodG[g]
		scored += hoodG[g]
		if m.stigmaK[g] > 0 {
			low += hoodG[g]
		}
	}
	if scored > 0 {
		shareLow = float64(low) / float64(scored)
	}
	met.TrustMicro[y] += trust
	// Informants change only at the start of a year (startYear).
	if infs := len(w.infs); infs > 0 {
		met.Informants[y] += int64(infs)
		met.InformantHoods[y] += int64(len(cs))
	}
	return shareLow
}

// finish counts the citizens' final states and makes their rows.
func (w *worker) finish(h int) {
	m, met := w.m, w.met
	endS := m.yearB[m.cfg.Years]
	for i := range w.cs {
		c := &w.cs[i]
		if c.listedSince != never {
			met.ListedSeconds += endS - c.listedSince
		}
		if c.everLow {
			met.FellCount++
			met.FellIncome0 += int64(c.income0)
			met.FellIncome += int64(c.income)
		}
		if c.consent {
			// Episodes are open only up to the current grade (transition).
			for g, t := range c.entered[:c.grade+1] {
				if t != never {
					mo := months(endS - t)
					met.Survival[g][mo*2+1]++
				}
			}
			g := c.grade
			met.DecileCount[c.decile]++
			met.DecileScore[c.decile] += c.st.Score
			met.DecileGrade[c.decile*m.nG+g]++
			b := c.st.Score - m.scheme.Floor
			b = max(0, min(b, scoreHistLen-1))
			met.ScoreHist[b]++
			if m.lowGrade[g] {
				met.LowCount++
				met.LowIncome0 += int64(c.income0)
				met.LowIncome += int64(c.income)
			}
		}
		if c.jobLost {
			met.JobLosses++
		}
		if w.out != nil && m.cfg.Rows {
			w.out.Rows = append(w.out.Rows, w.row(h, c))
		}
	}
}

func months(d int64) int { return int(float64(d) / (secondsPerYear / 12)) }
