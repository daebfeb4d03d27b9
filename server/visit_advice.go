package server

import (
	"context"
	"sync"
	"time"

	"scs"
	"scs/analyse"
)

// VisitAdvice is what the visiting officials advise, as the scheme
// declares it (rules, source, status), with the visited person's own
// fastest plan following it: from their score and lock-in on the day of the
// visit, for a person with no money to spare (analyse.People[0]).
type VisitAdvice struct {
	Rules  []string    `json:"rules"`
	Source string      `json:"source"`
	Status scs.Status  `json:"status"`
	Plan   *AdvicePlan `json:"plan"` // null when the analysis has none
}

// AdvicePlan is the fastest plan back to the nearest grade above without a
// lock-in (see docs/analyse.md); Earliest is null when out of reach.
type AdvicePlan struct {
	Person   string         `json:"person"`
	Target   string         `json:"target"`
	Earliest *time.Time     `json:"earliest"`
	CostYuan float64        `json:"cost_yuan"`
	Hours    float64        `json:"hours"`
	Steps    []analyse.Step `json:"steps"`
	// Summary is the plan in a line, such as "back in A on 2028-03-01
	// (0 yuan, 68 hours)", for the desk.
	Summary string `json:"-"`
}

// VisitWithAdvice is a visit of the schedule with the advice of the
// visited person's grade, when the scheme declares any.
type VisitWithAdvice struct {
	scs.Visit
	Advice *VisitAdvice `json:"advice,omitempty"`
}

// adviceCache keeps each citizen's advice for the day it was computed.
var adviceCache struct {
	sync.Mutex
	day string
	m   map[adviceKey]*VisitAdvice
}

type adviceKey struct {
	s       *Server
	citizen string
}

// adviseVisits adds to each visit the advice of the visited person's
// grade and their own fastest plan, computed at most once a day per
// citizen. A plan that cannot be computed is left out (and logged).
func (s *Server) adviseVisits(ctx context.Context, a *scs.Account, vs []scs.Visit, day time.Time) []VisitWithAdvice {
	sc, loc := s.eng.Scheme(), s.zone()
	d := day.In(loc)
	start := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc)
	key := start.Format(time.DateOnly)
	out := make([]VisitWithAdvice, len(vs))
	for i, v := range vs {
		out[i].Visit = v
		gi := sc.GradeIndex(v.Grade)
		if gi < 0 || sc.Grades[gi].Visits.Advice == nil {
			continue
		}
		adviceCache.Lock()
		if adviceCache.day != key {
			adviceCache.day, adviceCache.m = key, map[adviceKey]*VisitAdvice{}
		}
		va, ok := adviceCache.m[adviceKey{s, v.Citizen}]
		adviceCache.Unlock()
		if !ok {
			va = s.advise(ctx, a, v.Citizen, gi, start)
			adviceCache.Lock()
			if adviceCache.day == key {
				adviceCache.m[adviceKey{s, v.Citizen}] = va
			}
			adviceCache.Unlock()
		}
		out[i].Advice = va
	}
	return out
}

func (s *Server) advise(ctx context.Context, a *scs.Account, citizen string, gi int, start time.Time) *VisitAdvice {
	g := s.eng.Scheme().Grades[gi]
	adv := g.Visits.Advice
	va := &VisitAdvice{Rules: adv.Rules, Source: adv.Source, Status: adv.Status}
	f, err := s.reg.File(ctx, a, citizen, start, scs.TrailPage{Limit: 1})
	if err != nil || f.Standing == nil {
		return va
	}
	// The lock-in runs from the day the person fell into the grade; when
	// none holds, any day long enough ago that it has ended will do.
	lk, loc := g.LockIn, s.zone()
	fell := start.AddDate(-lk.Years, -lk.Months, -lk.Days-1)
	if until := f.Standing.LockedUntil; until != nil {
		fell = until.In(loc).AddDate(-lk.Years, -lk.Months, -lk.Days)
		if f.GradeSince != nil && lk.AddTo(f.GradeSince.In(loc)).Equal(*until) {
			fell = *f.GradeSince
		}
	}
	person := analyse.People[0]
	r, err := analyse.Advise(s.eng, f.Standing.Score, fell, start, person, adv.Rules)
	if err != nil {
		s.log.Warn("visit advice: no plan", "citizen", citizen, "err", err)
		return va
	}
	va.Plan = &AdvicePlan{Person: person.Name, Target: r.Target, Earliest: r.Earliest, CostYuan: r.Yuan, Hours: r.Hours, Steps: r.Steps}
	va.Plan.Summary = "out of reach of " + r.Target
	if r.Earliest != nil {
		va.Plan.Summary = "back in " + r.Target + " on " + r.Earliest.In(s.zone()).Format("2006-01-02") + " (" + analyse.Number(r.Yuan) + " yuan, " + analyse.Number(r.Hours) + " hours)"
	}
	if va.Plan.Steps == nil {
		va.Plan.Steps = []analyse.Step{}
	}
	return va
}
