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
	cw                [4]float64             // the current citizen's total rate of each class
	cm                [4]float64             // and each class's multiplier on the static rates
	fac               [4][maxFactors]float64 // per trait: the current citizen's factors (traits.go)
	total             float64
	perSec, secPer    float64 // total per second and its inverse
	dirty             bool
	reports           []report
	order             []int
	infs              []int
	events            int64
	out               *HoodOutput
	seq               int
	hi                int
	year              int
	// neighbourhood aggregates for the current year
	pInf, risk, speechMult float64
	misTab, misBuf         []float64 // deterrence by index in model.fallTab at this year's risk (nil: computed)
	cost                   float64   // the speech cost citizens perceive (damped)
	speechRecs             int
	posMult                float64 // the positive-act multiplier of the citizen whose rates are current
	pretMult               float64 // the posMult of pretence
	pretence               int64   // a positive record's pretence at pretMult, in millionths
	ev                     scs.Event
	// live's state for the current citizen-year: the cuts still ahead, the
	// reports still to make and the time of the next (MaxInt64: none).
	cuts []int64
	reps []report
	rat  int64
}

func newWorker(m *model) *worker {
	w := &worker{m: m, metAll: newMetrics(m.cfg.Years, m.nG, len(m.scheme.Rules), m.scheme.Floor),
		metSample: newMetrics(m.cfg.Years, m.nG, len(m.scheme.Rules), m.scheme.Floor)}
	w.met = w.metAll
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
		w.year = y
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
	for i := range w.cs {
		c := &w.cs[i]
		if c.consent {
			met.Scored++
			met.GradeCounts[0][c.grade]++
		}
	}
}

// liveYear lives year y of every citizen of the neighbourhood.
func (w *worker) liveYear(y int) error {
	w.reports = w.reports[:0]
	// Non-informants first: their acts can be reported by informants,
	// whose reports are applied after, in time order.
	for i := range w.cs {
		if !w.cs[i].informant {
			if err := w.live(&w.cs[i], y, nil); err != nil {
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
	return nil
}

// endYear counts the neighbourhood at the end of year y, updates every
// citizen's trust in neighbours (trustYear), and returns the
// share of its scored citizens in listed grades.
func (w *worker) endYear(y int) (shareLow float64) {
	m, met := w.m, w.met
	end := time.Unix(m.yearB[y+1], 0)
	low := 0
	scored := 0
	infs := 0
	var trust int64
	exposure, unreported := w.trustYear()
	factor := m.eng.IsFactorModel()
	counts, mobility, order, nG := met.GradeCounts[y+1], met.Mobility[y], w.order[:len(w.cs)], m.nG
	for i := range w.cs {
		c := &w.cs[i]
		trust += w.trust(c, exposure, unreported)
		if c.informant {
			infs++
		}
		if !c.consent {
			continue
		}
		scored++
		g := c.grade
		if factor {
			// A factor model recomputes without a record.
			m.eng.Advance(&c.st, end)
			g = m.eng.GradeAt(&c.st, end)
		} else if c.st.LockGrade >= 0 {
			// Only a lock can change the grade without a record.
			g = m.eng.GradeAt(&c.st, end)
		}
		if g != c.grade {
			w.transition(c, g, m.yearB[y+1])
		}
		counts[g]++
		mobility[order[i]*nG+g]++
		if m.stigmaK[g] > 0 {
			low++
		}
	}
	if scored > 0 {
		shareLow = float64(low) / float64(scored)
	}
	met.TrustMicro[y] += trust
	met.Informants[y] += int64(infs)
	if infs > 0 {
		met.InformantHoods[y] += int64(len(w.cs))
	}
	return shareLow
}

// finish counts the citizens' final states and makes their rows.
func (w *worker) finish(h int) {
	m, met := w.m, w.met
	endS := m.yearB[m.cfg.Years]
	for i := range w.cs {
		c := &w.cs[i]
		if c.listedSince >= 0 {
			met.ListedSeconds += endS - c.listedSince
		}
		if c.everLow {
			met.FellCount++
			met.FellIncome0 += int64(c.income0)
			met.FellIncome += int64(c.income)
		}
		if c.consent {
			for g := range m.nG {
				if t := c.entered[g]; t >= 0 {
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
