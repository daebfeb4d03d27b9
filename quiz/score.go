package quiz

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"scs"
)

// Answers maps a rule id to the answer to its question: a count, an amount,
// or 1/0 for yes/no. A missing rule is answered 0 (or no).
type Answers map[string]float64

// Profile is what the person said besides the answers: whether the scheme
// would score them at all (asked first), and the questions that do not
// apply to them (a foreigner has no local tax or utility account, for
// instance). A question that does not apply gives no points, as 0 would,
// and is reported as not applying.
type Profile struct {
	// Eligible is nil when not asked, else whether the person says they
	// meet the scheme's eligibility (age, residence).
	Eligible *bool
	// NotApplicable holds the rules whose question does not apply.
	NotApplicable map[string]bool
}

// Placement is the documented rule by which answers are placed in time.
// It does not depend on the order of the scheme file's rules.
const Placement = "Each answer about the last 12 months becomes records placed evenly over them: n times at the middles of n equal parts, " +
	"a yes at the middle, an amount in 12 monthly parts at each month's middle. Records at the same moment are applied additions first, " +
	"then deductions, each group in the order of the rules' ids: the order most favourable to you, so that no deduction locks you into " +
	"a grade that an addition at the same moment would have kept you out of. Yearly caps apply to each calendar year of the scheme's " +
	"time zone that the 12 months touch."

// Caveat is what the self-test is and is not, in the essay's words about
// the online test it follows.
const Caveat = "This test is for understanding a scheme, not a record of you: like the online test the essay describes, which \"was created just for fun\" " +
	"and \"is not linked to the Chinese government\", it is linked to no government and to no registry. Many questions cannot be answered " +
	"if you are from another country; answer \"does not apply to me\" to those."

// Answer is what one answer gave: the points the engine applied to the
// events made from it, and the rule's source and status.
type Answer struct {
	Rule     string  `json:"rule"`
	Question string  `json:"question"`
	Kind     Kind    `json:"kind"`
	Unit     string  `json:"unit,omitempty"`
	Value    float64 `json:"value"`
	// NotApplicable is set when the person said the question does not
	// apply to them; it gave no points.
	NotApplicable bool     `json:"not_applicable,omitempty"`
	Display       string   `json:"display"` // the answer in words: "3 times", "yes", "250 yuan"
	Effect        string   `json:"effect"`
	Events        int      `json:"events"` // synthetic events made from the answer
	Asked         int64    `json:"asked"`  // the points the rule asked for, before caps and the floor
	Points        int64    `json:"points"` // the points applied
	WorstPoints   *int64   `json:"worst_points,omitempty"`
	Notes         []string `json:"notes,omitempty"` // the engine's reasons: caps reached, lock-ins
	scs.Provenance
}

// Capability is whether the resulting grade has a capability, and why.
type Capability struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	Allowed     bool   `json:"allowed"`
	Reason      string `json:"reason"`
}

// Outcome is a score and grade, with the lock if one holds.
type Outcome struct {
	Score       int64      `json:"score"`
	Grade       string     `json:"grade"`
	LockedUntil *time.Time `json:"locked_until"`
}

// Result is the self-test's answer: the score and grade the answers lead
// to, what the grade means, and what each answer gave.
type Result struct {
	Scheme string    `json:"scheme"`
	Title  string    `json:"title"`
	From   time.Time `json:"from"`
	AsOf   time.Time `json:"as_of"`
	Outcome
	GradeDescription string       `json:"grade_description"`
	Band             string       `json:"band"`       // the grade's score band
	ScoreBand        string       `json:"score_band"` // the grade the score alone would have (differs under a lock)
	LockIn           string       `json:"lock_in"`    // the grade's lock-in in words
	Visits           string       `json:"visits"`     // officials' visits in this grade
	Capabilities     []Capability `json:"capabilities"`
	Answers          []Answer     `json:"answers"`
	// Worst is the outcome with the official choosing the bottom of every
	// range rule; nil when no range rule was answered above 0.
	Worst  *Outcome `json:"worst,omitempty"`
	Events int      `json:"events"`
	Start  int64    `json:"start"`
	// CalendarYears are the calendar years of the scheme's zone the 12
	// months touch; each has its own yearly caps.
	CalendarYears []int `json:"calendar_years"`
	// Placement is how the answers were placed in time (the Placement rule).
	Placement string `json:"placement"`
	// Eligible is the person's answer to the eligibility question (nil when
	// not asked); Eligibility says who the scheme scores.
	Eligible    *bool  `json:"eligible,omitempty"`
	Eligibility string `json:"eligibility,omitempty"`
	// Caveat says what the test is for.
	Caveat string `json:"caveat"`
}

const you = "self-test"

// Score checks the answers, makes synthetic events over the 12 months
// before now, and scores them through the engine as of now. A bad answer is
// an *AnswerError naming the rule and the value; nothing is kept.
func (t *Test) Score(answers Answers, now time.Time) (*Result, error) {
	return t.ScoreProfile(answers, Profile{}, now)
}

// ScoreProfile is Score with what the person said besides the answers:
// their eligibility and the questions that do not apply to them.
func (t *Test) ScoreProfile(answers Answers, prof Profile, now time.Time) (*Result, error) {
	if len(prof.NotApplicable) > 0 {
		kept := make(Answers, len(answers))
		for id, v := range answers {
			if !prof.NotApplicable[id] {
				kept[id] = v
			}
		}
		answers = kept
	}
	rules := make([]string, 0, len(answers))
	for id := range answers {
		rules = append(rules, id)
	}
	slices.Sort(rules)
	for _, id := range rules {
		if err := t.Check(id, answers[id]); err != nil {
			return nil, err
		}
	}
	loc := t.scheme.Location
	if loc == nil {
		loc = time.UTC
	}
	now = now.In(loc)
	from := now.AddDate(0, -WindowMonths, 0)
	best, spans, hasRange := t.events(answers, from, now, false)
	st, trail, err := t.eng.Replay(you, best, now, true)
	if err != nil {
		return nil, err
	}
	standing := t.eng.Standing(&st, now)
	gi := t.scheme.GradeIndex(standing.Grade)
	g := t.scheme.Grades[gi]
	res := &Result{
		Scheme: t.scheme.Name, Title: t.scheme.Title, From: from.UTC(), AsOf: now.UTC(),
		Outcome:          Outcome{Score: standing.Score, Grade: standing.Grade, LockedUntil: standing.LockedUntil},
		GradeDescription: g.Description, Band: g.Band(),
		ScoreBand: t.scheme.Grades[t.scheme.GradeOf(standing.Score)].Name,
		LockIn:    g.LockIn.Words(), Visits: g.Visits.String(), Events: len(best), Start: t.scheme.Start,
		Placement: Placement, Caveat: Caveat, Eligible: prof.Eligible, Eligibility: t.Eligibility(),
	}
	for y := from.Year(); y <= now.Year(); y++ {
		res.CalendarYears = append(res.CalendarYears, y)
	}
	for _, d := range t.eng.Decisions(&st, now) {
		c, _ := t.scheme.Capability(d.Capability)
		res.Capabilities = append(res.Capabilities, Capability{Name: d.Capability, Description: c.Description, Allowed: d.Allowed, Reason: d.Reason})
	}
	byRule := make(map[string][]scs.TrailEntry)
	for _, te := range trail {
		byRule[te.Rule] = append(byRule[te.Rule], te)
	}
	var worstTrail map[string]int64
	if hasRange {
		worst, _, _ := t.events(answers, from, now, true)
		wst, wtrail, err := t.eng.Replay(you, worst, now, true)
		if err != nil {
			return nil, err
		}
		ws := t.eng.Standing(&wst, now)
		res.Worst = &Outcome{Score: ws.Score, Grade: ws.Grade, LockedUntil: ws.LockedUntil}
		worstTrail = make(map[string]int64)
		for _, te := range wtrail {
			worstTrail[te.Rule] += te.Applied
		}
	}
	for i := range t.questions {
		q := &t.questions[i]
		v := answers[q.Rule]
		a := Answer{Rule: q.Rule, Question: q.Text, Kind: q.Kind, Unit: q.Unit, Value: v, Display: display(q, v), Effect: q.Effect, Events: spans[q.Rule], Provenance: q.Provenance}
		if prof.NotApplicable[q.Rule] {
			a.NotApplicable, a.Display = true, "does not apply to me"
		}
		for _, te := range byRule[q.Rule] {
			a.Asked += te.Asked
			a.Points += te.Applied
			if te.Reason != "" && !slices.Contains(a.Notes, te.Reason) {
				a.Notes = append(a.Notes, te.Reason)
			}
		}
		if q.RangeMin != 0 || q.RangeMax != 0 {
			if w, ok := worstTrail[q.Rule]; ok {
				a.WorstPoints = &w
			}
		}
		res.Answers = append(res.Answers, a)
	}
	return res, nil
}

func display(q *Question, v float64) string {
	switch q.Kind {
	case KindYesNo:
		if v != 0 {
			return "yes"
		}
		return "no"
	case KindCount:
		if v == 1 {
			return "1 time"
		}
		return strconv.FormatFloat(v, 'f', -1, 64) + " times"
	}
	return strconv.FormatFloat(v, 'f', -1, 64) + " " + q.Unit
}

// events makes the synthetic events of the answers in the order of the
// Placement rule: by time; at the same instant additions before deductions,
// each group by rule id, then in the order made (Replay keeps that order
// for events at the same instant). Counts are spread evenly over the window, a
// yes at its middle, amounts over its 12 months (whole units of a per-unit
// rule, so no unit is lost to splitting). worst chooses the bottom of every
// range rule, otherwise its top. It returns the events, the number made per
// rule, and whether a range rule was answered above 0.
func (t *Test) events(answers Answers, from, to time.Time, worst bool) ([]scs.Event, map[string]int, bool) {
	var evs []scs.Event
	made := make(map[string]int)
	hasRange := false
	span := to.Sub(from)
	for i := range t.questions {
		q := &t.questions[i]
		v := answers[q.Rule]
		if v == 0 {
			continue
		}
		r, _ := t.scheme.Rule(q.Rule)
		add := func(at time.Time) *scs.Event {
			evs = append(evs, scs.Event{ID: fmt.Sprintf("%s-%d", q.Rule, made[q.Rule]+1), Citizen: you, Rule: q.Rule, At: at.UTC(), Department: r.Department})
			made[q.Rule]++
			return &evs[len(evs)-1]
		}
		switch q.Kind {
		case KindYesNo:
			add(from.Add(span / 2))
		case KindCount:
			n := int64(v)
			for k := int64(0); k < n; k++ {
				ev := add(from.Add(time.Duration(float64(span) * (float64(2*k+1) / float64(2*n)))))
				if r.Effect.Kind == scs.EffectRange {
					hasRange = true
					ev.HasPoints = true
					ev.Points = r.Effect.Max
					if worst {
						ev.Points = r.Effect.Min
					}
				}
			}
		case KindAmount:
			for k, qty := range split(v, r) {
				if qty == 0 {
					continue
				}
				m0 := from.AddDate(0, k, 0)
				m1 := from.AddDate(0, k+1, 0)
				ev := add(m0.Add(m1.Sub(m0) / 2))
				ev.Quantity, ev.HasQuantity = qty, true
			}
		}
	}
	slices.SortStableFunc(evs, func(a, b scs.Event) int {
		if c := a.At.Compare(b.At); c != 0 {
			return c
		}
		if da, db := t.deducts(&a), t.deducts(&b); da != db {
			if da {
				return 1
			}
			return -1
		}
		return strings.Compare(a.Rule, b.Rule)
	})
	return evs, made, hasRange
}

// deducts reports whether an event takes points away: a range rule's by
// the points chosen, any other by its rule.
func (t *Test) deducts(ev *scs.Event) bool {
	r, _ := t.scheme.Rule(ev.Rule)
	if r.Effect.Kind == scs.EffectRange && ev.HasPoints {
		return ev.Points < 0
	}
	return r.Deducts()
}

// Eligibility says in words who the scheme scores, "" when it scores
// everyone; the self-test asks it first.
func (t *Test) Eligibility() string {
	el := t.scheme.Eligibility
	if el == nil {
		return ""
	}
	var parts []string
	if el.MinAge > 0 {
		parts = append(parts, fmt.Sprintf("aged %d or over", el.MinAge))
	}
	if !el.MinResidence.IsZero() {
		parts = append(parts, "resident for at least "+el.MinResidence.Words())
	}
	if len(parts) == 0 {
		return ""
	}
	return "people " + strings.Join(parts, " and ")
}

// split divides an amount over the window's months in millionths, the
// engine's precision: whole units of a per-unit rule spread evenly, with
// any fraction of a unit in the last month.
func split(v float64, r *scs.Rule) [WindowMonths]float64 {
	var out [WindowMonths]float64
	total := int64(math.Round(v * 1e6))
	unit := int64(1)
	if r.Effect.Kind == scs.EffectPerUnit {
		unit = max(int64(math.Round(r.Effect.Unit*1e6)), 1)
	}
	units, rest := total/unit, total%unit
	const n = WindowMonths
	for k := int64(0); k < n; k++ {
		share := (k+1)*(units/n) + (k+1)*(units%n)/n - (k*(units/n) + k*(units%n)/n)
		out[k] = float64(share*unit) / 1e6
	}
	out[n-1] += float64(rest) / 1e6
	return out
}
