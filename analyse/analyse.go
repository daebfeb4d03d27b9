// Package analyse finds, for a scheme, the fastest legal way out of each
// grade and what it costs: for a person who has just fallen into a grade
// (so that its lock-in starts now), the earliest time they can stand in each
// higher grade using only the acts a person can plan (the rules whose Act is
// plannable), and the cheapest plan that gets there by then, in yuan first
// and hours second. People differ by the yuan they can spare a calendar year
// and the hours they can give a week; acts that harm others (informing on
// neighbours) are allowed or not.
//
// # Method
//
// Time is cut into segments: from the start to the end of its calendar year
// in the scheme's zone, then whole calendar years. Within a segment a person
// has Person.YuanPerYear to spend (from the segment's first instant; unspent
// money does not carry over) and Person.HoursPerWeek hours a week, accrued
// evenly (an act that takes hours is reported when those hours are done).
//
//  1. Acts (acts.go). For each plannable act, the engine itself gives the
//     points that n units in one calendar year are worth: fresh citizen,
//     one event of n units (or n events for a rule with fixed points). For
//     every number of points the act can give in a year we keep the fewest
//     units that give it; more units cost more yuan and hours and give no
//     more, so no plan needs them. The list stops at the yearly cap, at
//     max_per_year, at the person's yearly yuan and hours, or when the
//     points reach the most any route needs.
//  2. A year (solve.go). The points of a calendar year are the sum over acts
//     of each act's yearly points: the engine keeps each rule's cap and tier
//     total apart, only adds points here (the floor never binds) and a
//     ceiling above the target cannot stop a score from reaching it. So a
//     year is a multiple-choice knapsack: one option per act, two resources
//     (yuan, hours). For every number of points p (capped at the most any
//     route needs) we keep the Pareto set of (yuan, hours) over all
//     combinations of options, dropping only combinations that another
//     combination beats or equals in both yuan and hours. Any plan that is
//     cheapest in (yuan, hours) order under limits "yuan ≤ Y, hours ≤ H" is
//     on that set: a combination dominating it would meet the same limits
//     and be at least as cheap.
//  3. The earliest time. Let L be the end of the lock-in. Gaining points
//     before L is allowed (the score rises, the grade is held). Because the
//     points reachable by time t only grow with t (more hours accrue, more
//     years open), the earliest time the score can reach the target is the
//     first segment k whose whole earlier segments at their maximum plus
//     segment k can give the points needed, at the first instant of k at
//     which the hours accrued in k suffice (the least hours over the Pareto
//     sets of enough points). The grade is the band of the score from L on
//     and positive points never start a lock-in, so the earliest time in
//     the target grade is max(L, that instant). No plan can be earlier: at
//     any earlier t, even the most points every segment allows is short.
//  4. The cheapest plan for that time is a dynamic programme over segments:
//     D[k][p] is the cheapest (yuan, hours) for at least p points from the
//     first k segments. Yearly caps and tiers restart each calendar year, so
//     segments share nothing but the running points and the lexicographic
//     order is kept by addition; D[k+1][p] = min over q of D[k][p-q] plus
//     the cheapest way to get at least q in segment k (with that segment's
//     hours). The last segment's hours end at the earliest time.
//
// Every plan is turned into events for one synthetic citizen (setup.go
// first brings that citizen to the starting state with the scheme's own
// negative rules) and replayed through the engine; a plan whose replay does
// not put the citizen in the target grade at the claimed time is an
// internal error, never a printed answer.
package analyse

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"

	"scs"
	"scs/engine"
)

// Person is a budget profile: the yuan a person can spare each calendar
// year and the hours a week they can give.
type Person struct {
	Name         string  `json:"name"`
	YuanPerYear  float64 `json:"yuan_per_year"`
	HoursPerWeek float64 `json:"hours_per_week"`
}

// People are the three default profiles. The figures are assumed (see
// docs/analyse.md): no money to spare; 3,000 yuan a year, a few percent of
// a typical urban disposable income in Shandong; 100,000 yuan a year. All
// three give the same 4 hours a week, so that money is the only difference.
var People = []Person{
	{Name: "no-money", YuanPerYear: 0, HoursPerWeek: 4},
	{Name: "middle", YuanPerYear: 3000, HoursPerWeek: 4},
	{Name: "rich", YuanPerYear: 100000, HoursPerWeek: 4},
}

// DefaultHorizon is how many calendar years after the start's a route may
// take before it is reported out of reach.
const DefaultHorizon = 30

// MaxNeed bounds the points a route may need, so that the tables stay
// small; a scheme whose grades are further apart is refused.
const MaxNeed = 100_000

// Options selects what Analyse computes.
type Options struct {
	At time.Time // the start: the instant the person has just fallen
	// FromGrade, when set, analyses only that grade (at its floor, middle
	// and top); FromScore, when HasFromScore, only that score.
	FromGrade    string
	FromScore    int64
	HasFromScore bool
	People       []Person // default People
	// NoInforming leaves out the acts that harm others; otherwise routes
	// are given both without and (when the scheme has such an act) with.
	NoInforming bool
	Horizon     int // years; default DefaultHorizon
	// Fell, when set and before At, is when the person fell into their
	// grade: its lock-in runs from then (and may have ended by At).
	Fell time.Time
	// Rules, when set, are the only rules a plan may use (an official's
	// advice); otherwise every plannable act.
	Rules []string
}

// Start is a starting state: a grade, a score in it and where in the band
// the score is (floor, middle, top, or given).
type Start struct {
	Grade    string `json:"grade"`
	Score    int64  `json:"score"`
	Position string `json:"position"`
	grade    int
}

// Step is one act of a plan: units of a rule in one calendar year.
type Step struct {
	Year  int     `json:"year"`
	Rule  string  `json:"rule"`
	Units float64 `json:"units"`
	Yuan  float64 `json:"yuan"`
	Hours float64 `json:"hours"`
}

// Route is the answer for one starting state, target grade, person and
// choice about informing.
type Route struct {
	Scheme      string
	From        Start
	Start       time.Time
	LockedUntil *time.Time // the end of the starting grade's lock-in, nil when none
	Target      string
	Person      Person
	Informing   bool
	// Earliest is nil when the target is out of reach within the horizon.
	Earliest *time.Time
	Yuan     float64
	Hours    float64
	Steps    []Step
	// Events first bring the synthetic citizen to the starting state
	// (the first Setup of them), then carry out the plan.
	Events []scs.Event
	Setup  int
}

// Years returns the time from the start to the earliest time in years of
// 365.2425 days, or NaN when out of reach.
func (r *Route) Years() float64 {
	if r.Earliest == nil {
		return math.NaN()
	}
	return r.Earliest.Sub(r.Start).Hours() / 24 / 365.2425
}

// Advise returns one person's fastest plan out of their grade: from score
// at at, fallen into the grade at fell (its lock-in running from then),
// back to the nearest grade above without a lock-in, using only rules.
// The route's Earliest is nil when that is out of reach.
func Advise(eng *engine.Engine, score int64, fell, at time.Time, person Person, rules []string) (*Route, error) {
	routes, err := Analyse(eng, Options{At: at, Fell: fell, FromScore: score, HasFromScore: true, People: []Person{person}, NoInforming: true, Rules: rules})
	if err != nil {
		return nil, err
	}
	s := eng.Scheme()
	for i := range routes {
		if routes[i].Target == backTo(s, routes[i].From.grade) {
			return &routes[i], nil
		}
	}
	return nil, scs.Errorf(scs.EINVALID, "score %d is in the highest grade", score)
}

// Citizen is the id of the synthetic citizen in every plan.
const Citizen = "synthetic"

// Starts returns the starting states Analyse considers under opt: every
// grade but the highest at its floor, middle and top, lowest grade first;
// or the grade or score opt names. Errors are scs.EINVALID.
func Starts(s *scs.Scheme, opt Options) ([]Start, error) {
	if opt.HasFromScore {
		if opt.FromScore < s.Floor || (s.Ceiling != scs.Unbounded && s.Ceiling != 0 && opt.FromScore > s.Ceiling) {
			return nil, scs.FieldErrorf(scs.EINVALID, "from", "score %d is outside the scheme's floor %d and ceiling", opt.FromScore, s.Floor)
		}
		g := s.GradeOf(opt.FromScore)
		if g == 0 {
			return nil, scs.FieldErrorf(scs.EINVALID, "from", "score %d is in %s, the highest grade: there is no higher grade to reach", opt.FromScore, s.Grades[0].Name)
		}
		return []Start{{Grade: s.Grades[g].Name, Score: opt.FromScore, Position: "given", grade: g}}, nil
	}
	var out []Start
	for g := len(s.Grades) - 1; g >= 1; g-- {
		gr := s.Grades[g]
		if opt.FromGrade != "" && gr.Name != opt.FromGrade {
			continue
		}
		out = append(out,
			Start{Grade: gr.Name, Score: gr.Min, Position: "floor", grade: g},
			Start{Grade: gr.Name, Score: gr.Min + (gr.Max-gr.Min)/2, Position: "middle", grade: g},
			Start{Grade: gr.Name, Score: gr.Max, Position: "top", grade: g})
		if gr.Min == gr.Max {
			out = out[:len(out)-2]
		}
	}
	if opt.FromGrade != "" && len(out) == 0 {
		gi := s.GradeIndex(opt.FromGrade)
		if gi == 0 {
			return nil, scs.FieldErrorf(scs.EINVALID, "from", "%s is the highest grade: there is no higher grade to reach", opt.FromGrade)
		}
		var names []string
		for _, g := range s.Grades {
			names = append(names, g.Name)
		}
		return nil, scs.FieldErrorf(scs.EINVALID, "from", "%q is neither a grade of scheme %s (%v) nor a score", opt.FromGrade, s.Name, names)
	}
	return out, nil
}

// Analyse computes every route under opt: each starting state, each higher
// grade, each person, without and with informing. Routes come in that
// order. Errors are scs.EINVALID for bad options and scs.EINTERNAL when a
// plan's replay disagrees with the analysis (a bug, never a user error).
func Analyse(eng *engine.Engine, opt Options) ([]Route, error) {
	if eng.IsFactorModel() {
		s := eng.Scheme()
		return nil, scs.Errorf(scs.EINVALID, "scheme %s is a factor model: its score is recomputed %s from factors over windows of the past, not added up from points an act gives, so the analysis of the fastest way up by acts and their costs does not apply to it (scs score --explain shows what each factor contributes)",
			s.Name, s.Recompute.Every.Every())
	}
	s := eng.Scheme()
	if opt.At.IsZero() {
		return nil, scs.FieldErrorf(scs.EINVALID, "at", "missing")
	}
	if opt.Horizon <= 0 {
		opt.Horizon = DefaultHorizon
	}
	if opt.Horizon > 200 {
		return nil, scs.FieldErrorf(scs.EINVALID, "horizon", "%d years is more than 200", opt.Horizon)
	}
	people := opt.People
	if len(people) == 0 {
		people = People
	}
	for _, p := range people {
		if !(p.YuanPerYear >= 0 && p.YuanPerYear <= 1e12) || !(p.HoursPerWeek >= 0 && p.HoursPerWeek <= 168) {
			return nil, scs.FieldErrorf(scs.EINVALID, "person", "%s: want yuan a year from 0 to 1e12 and hours a week from 0 to 168, got %v and %v", p.Name, p.YuanPerYear, p.HoursPerWeek)
		}
	}
	starts, err := Starts(s, opt)
	if err != nil {
		return nil, err
	}
	informing := []bool{false}
	if !opt.NoInforming && slices.ContainsFunc(s.Rules, func(r scs.Rule) bool { return r.Act != nil && r.Act.Plannable && r.Act.HarmsOthers }) {
		informing = append(informing, true)
	}
	at := opt.At.Truncate(time.Second)
	fell := at
	if !opt.Fell.IsZero() && opt.Fell.Before(at) {
		fell = opt.Fell.Truncate(time.Second)
	}
	segs := segments(s.Location, at, opt.Horizon)
	var maxNeed int64
	for _, st := range starts {
		maxNeed = max(maxNeed, s.Grades[0].Min-st.Score)
	}
	if maxNeed > MaxNeed {
		return nil, scs.Errorf(scs.EINVALID, "scheme %s: a route needs %d points; the analysis handles at most %d", s.Name, maxNeed, MaxNeed)
	}
	setups := make([][]scs.Event, len(starts))
	for i, st := range starts {
		evs, err := setupEvents(eng, st, fell, at)
		if err != nil {
			return nil, err
		}
		setups[i] = evs
	}
	var out []Route
	type key struct{ person, inf int }
	solvers := map[key]*solver{}
	for pi, person := range people {
		for ii, inf := range informing {
			acts, err := actOptions(eng, person, inf, opt.Rules, int(maxNeed), segs)
			if err != nil {
				return nil, err
			}
			solvers[key{pi, ii}] = newSolver(acts, person, segs, int(maxNeed))
		}
	}
	for si, st := range starts {
		var lockEnd *time.Time
		if lk := s.Grades[st.grade].LockIn; !lk.IsZero() {
			if t := lk.AddTo(fell.In(s.Location)).UTC(); t.After(at) {
				lockEnd = &t
			}
		}
		for tg := st.grade - 1; tg >= 0; tg-- {
			for pi, person := range people {
				for ii, inf := range informing {
					r := Route{Scheme: s.Name, From: st, Start: at, LockedUntil: lockEnd, Target: s.Grades[tg].Name, Person: person, Informing: inf}
					need := int(s.Grades[tg].Min - st.Score)
					plan := solvers[key{pi, ii}].solve(need, lockEnd)
					if plan != nil {
						r.Earliest = &plan.at
						r.Yuan, r.Hours, r.Steps = plan.yuan, plan.hours, plan.steps
						r.Events = append(slices.Clip(setups[si]), plan.events...)
						r.Setup = len(setups[si])
						if err := verify(eng, &r, tg); err != nil {
							return nil, err
						}
					}
					out = append(out, r)
				}
			}
		}
	}
	return out, nil
}

// segment is a stretch of one calendar year: from is its first instant,
// end the first instant of the next year.
type segment struct {
	year      int
	from, end time.Time
}

func segments(loc *time.Location, at time.Time, horizon int) []segment {
	if loc == nil {
		loc = time.UTC
	}
	y := at.In(loc).Year()
	out := make([]segment, 0, horizon+1)
	from := at
	for k := 0; k <= horizon; k++ {
		end := time.Date(y+k+1, 1, 1, 0, 0, 0, 0, loc).UTC()
		out = append(out, segment{year: y + k, from: from, end: end})
		from = end
	}
	return out
}

// hoursBetween is the hours a person who gives perWeek hours a week has
// accrued from a to b.
func hoursBetween(perWeek float64, a, b time.Time) float64 {
	if !b.After(a) {
		return 0
	}
	return perWeek * b.Sub(a).Seconds() / (7 * 24 * 3600)
}

// after returns the instant, in whole seconds, at which h hours accrue from a.
func after(a time.Time, perWeek, h float64) time.Time {
	if h <= 0 {
		return a
	}
	return a.Add(time.Duration(math.Ceil(h/perWeek*7*24*3600-1e-6)) * time.Second)
}

// verify replays r's events through the engine and checks that the citizen
// stands in the target grade (or higher) at r.Earliest, and that the plan
// costs what r says.
func verify(eng *engine.Engine, r *Route, target int) error {
	st := eng.NewState(Citizen)
	for i := range r.Events {
		ev := &r.Events[i]
		if ev.At.After(*r.Earliest) {
			return scs.Errorf(scs.EINTERNAL, "analyse: plan event %s at %s is after the earliest time %s", ev.ID, ev.At.Format(time.RFC3339), r.Earliest.Format(time.RFC3339))
		}
		if _, err := eng.Step(&st, ev); err != nil {
			return scs.Errorf(scs.EINTERNAL, "analyse: replaying plan event %s: %v", ev.ID, err)
		}
		if i == r.Setup-1 {
			if st.Score != r.From.Score || eng.GradeAt(&st, r.Start) != r.From.grade {
				return scs.Errorf(scs.EINTERNAL, "analyse: the setup leaves the citizen at %d, want %d in %s", st.Score, r.From.Score, r.From.Grade)
			}
		}
	}
	if g := eng.GradeAt(&st, *r.Earliest); g > target {
		return scs.Errorf(scs.EINTERNAL, "analyse: replaying the plan from %s at %d to %s (%s) leaves the citizen in %s at %d",
			r.From.Grade, r.From.Score, r.Target, r.Person.Name, eng.Scheme().Grades[g].Name, st.Score)
	}
	return nil
}

// formatUnits renders a number of units without a needless fraction.
func formatUnits(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// String renders a step, such as "2027: volunteer-service 202".
func (s Step) String() string { return fmt.Sprintf("%d: %s %s", s.Year, s.Rule, formatUnits(s.Units)) }
