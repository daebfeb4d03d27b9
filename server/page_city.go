package server

import (
	"context"
	"html/template"
	"net/http"
	"scs/internal/chart"
	"slices"
	"time"

	"scs"
)

// Settingser gives the simulation settings that made the city (seed,
// citizens, years), remembered by the registry (Deps.Settings); the city
// page shows them.
type Settingser interface {
	Settings(ctx context.Context) (map[string]string, error)
}

type cityPage struct {
	Stats        scs.Stats
	Grades       []gradeCount
	GradeChart   template.HTML
	YearsChart   template.HTML
	Years        []yearRow
	Rules        []ruleCount
	Public       []scs.ListEntry
	PublicMore   bool
	Visits       []scs.Visit
	VisitsTotal  int
	VisitsShown  bool
	VisitsPerDay float64
	Settings     []setting
	// HistoryPending is set while the years are being replayed; NoHistory
	// when the registry cannot export its ledger.
	HistoryPending bool
}

type gradeCount struct {
	Name  string
	Count int
	Share float64
}

type yearRow struct {
	Label  string
	Counts []int
	Total  int
}

type ruleCount struct {
	Rule  scs.Rule
	Count int
}

type setting struct{ Key, Value, Doc string }

// cityYears is how many past year-ends the city page charts.
const cityYears = 5

// pageCity is the city: citizens per grade now and over the years, records
// per rule, the public list, objections, visits due today and the
// settings that made the city.
func (s *Server) pageCity(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	now := s.now()
	sc := s.reg.Scheme()
	st, err := s.cityStats(ctx, now)
	if err != nil {
		return err
	}
	p := cityPage{Stats: st}
	for _, g := range sc.Grades {
		n := st.PerGrade[g.Name]
		gc := gradeCount{Name: g.Name, Count: n}
		if st.Scored > 0 {
			gc.Share = float64(n) / float64(st.Scored)
		}
		p.Grades = append(p.Grades, gc)
		p.VisitsPerDay += float64(n) * g.Visits.PerDay()
	}
	p.GradeChart = gradeBars(p.Grades)
	// Citizens per grade at the end of each past year (replayed by the
	// engine from the ledger, in the background), and now.
	h := s.cityHistory(now)
	if h == nil {
		p.HistoryPending = true
	} else {
		for _, row := range h.rows {
			p.Years = append(p.Years, row)
		}
	}
	p.Years = append(p.Years, yearRowOf(sc, "now", st))
	p.YearsChart = yearBars(sc, p.Years)
	for _, rule := range sc.Rules {
		p.Rules = append(p.Rules, ruleCount{Rule: rule, Count: st.RecordsPerRule[rule.ID]})
	}
	slices.SortStableFunc(p.Rules, func(a, b ruleCount) int { return b.Count - a.Count })
	lp, err := s.publicPage("")
	if err != nil {
		return err
	}
	p.Public, p.PublicMore = lp.entries, lp.next != ""
	if len(p.Public) > 10 {
		p.Public, p.PublicMore = p.Public[:10], true
	}
	if a := AccountFrom(ctx); a != nil && (a.Role == scs.RoleOfficial || a.Role == scs.RoleAdmin) {
		vs, err := s.todaysVisits(ctx, a, now, "")
		if err != nil {
			return err
		}
		p.VisitsShown = true
		for _, v := range vs {
			p.VisitsTotal += v.Count
		}
		if len(vs) > 10 {
			vs = vs[:10]
		}
		p.Visits = vs
	}
	s.web.mu.Lock()
	m := s.web.settings
	s.web.mu.Unlock()
	if s.settings != nil {
		rm, err := s.settings.Settings(ctx)
		if err != nil {
			return err
		}
		if len(rm) > 0 {
			m = rm
		}
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		st := setting{Key: k, Value: m[k]}
		if s.setDoc != nil {
			st.Doc = s.setDoc(k)
		}
		p.Settings = append(p.Settings, st)
	}
	return s.render(w, r, http.StatusOK, "city", "The city", "city", p)
}

// cityStatsTTL is how long the city page shows the registry's totals
// before reading them again in the background: counting a large city
// scans every citizen.
const cityStatsTTL = time.Minute

// cityStats returns the registry's totals (see staleCache).
func (s *Server) cityStats(ctx context.Context, now time.Time) (scs.Stats, error) {
	st, _, err := s.web.stats.get(s.bg, "", cityStatsTTL, func(ctx context.Context) (scs.Stats, error) {
		return s.reg.Stats(ctx, s.now())
	}, func(err error) { s.log.Error("reading the city's totals", "err", err) })
	return st, err
}

func yearRowOf(sc *scs.Scheme, label string, st scs.Stats) yearRow {
	row := yearRow{Label: label}
	for _, g := range sc.Grades {
		n := st.PerGrade[g.Name]
		row.Counts = append(row.Counts, n)
		row.Total += n
	}
	return row
}

// gradeBars draws citizens per grade as an inline SVG bar chart.
func gradeBars(gs []gradeCount) template.HTML {
	cs := make([]chart.Count, len(gs))
	for i, g := range gs {
		cs[i] = chart.Count{Name: g.Name, Count: g.Count, Share: g.Share}
	}
	return chart.GradeBars("gc-title", "Citizens per grade now", cs)
}

// yearBars draws the share of citizens per grade at each year's end as
// 100% stacked horizontal bars.
func yearBars(sc *scs.Scheme, rows []yearRow) template.HTML {
	names := make([]string, len(sc.Grades))
	for i, g := range sc.Grades {
		names[i] = g.Name
	}
	rs := make([]chart.ShareRow, len(rows))
	for i, r := range rows {
		rs[i] = chart.ShareRow{Label: r.Label, Counts: r.Counts, Total: r.Total}
	}
	return chart.ShareBars("yc-title", "Citizens per grade over the years", names, rs, "no scored citizens")
}
