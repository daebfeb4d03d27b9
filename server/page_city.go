package server

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strings"
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
	p.GradeChart = gradeBars(sc, p.Grades)
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

// gradeColors are the grade colours of the style sheet, highest grade first.
var gradeColors = []string{"#1b5e20", "#2e7d32", "#33691e", "#7a5300", "#a33a00", "#8b0000", "#444", "#666"}

func gradeColor(i int) string { return gradeColors[min(i, len(gradeColors)-1)] }

// gradeBars draws citizens per grade as an inline SVG bar chart.
func gradeBars(sc *scs.Scheme, gs []gradeCount) template.HTML {
	const w, barH, gap, left = 640, 28, 8, 48
	h := len(gs)*(barH+gap) + gap
	maxN := 1
	for _, g := range gs {
		maxN = max(maxN, g.Count)
	}
	var b strings.Builder
	var desc []string
	for _, g := range gs {
		desc = append(desc, fmt.Sprintf("%s %d", g.Name, g.Count))
	}
	fmt.Fprintf(&b, `<svg viewBox="0 0 %d %d" role="img" aria-labelledby="gc-title" xmlns="http://www.w3.org/2000/svg"><title id="gc-title">Citizens per grade now: %s</title>`, w, h, template.HTMLEscapeString(strings.Join(desc, ", ")))
	for i, g := range gs {
		y := gap + i*(barH+gap)
		bw := int(float64(w-left-150) * float64(g.Count) / float64(maxN))
		fmt.Fprintf(&b, `<text x="0" y="%d" font-size="16" font-weight="700" fill="#1b1b1b">%s</text>`, y+barH-8, template.HTMLEscapeString(g.Name))
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="%s"></rect>`, left, y, max(bw, 1), barH, gradeColor(i))
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="15" fill="#1b1b1b">%d (%.1f%%)</text>`, left+max(bw, 1)+6, y+barH-8, g.Count, 100*g.Share)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// yearBars draws the share of citizens per grade at each year's end as
// 100% stacked horizontal bars.
func yearBars(sc *scs.Scheme, rows []yearRow) template.HTML {
	const w, barH, gap, left = 640, 26, 10, 96
	h := len(rows)*(barH+gap) + gap
	var b strings.Builder
	var desc []string
	for _, r := range rows {
		var parts []string
		for i, g := range sc.Grades {
			parts = append(parts, fmt.Sprintf("%s %d", g.Name, r.Counts[i]))
		}
		desc = append(desc, r.Label+": "+strings.Join(parts, ", "))
	}
	fmt.Fprintf(&b, `<svg viewBox="0 0 %d %d" role="img" aria-labelledby="yc-title" xmlns="http://www.w3.org/2000/svg"><title id="yc-title">Citizens per grade over the years. %s</title>`, w, h, template.HTMLEscapeString(strings.Join(desc, "; ")))
	for k, r := range rows {
		y := gap + k*(barH+gap)
		fmt.Fprintf(&b, `<text x="0" y="%d" font-size="14" fill="#1b1b1b">%s</text>`, y+barH-8, template.HTMLEscapeString(r.Label))
		if r.Total == 0 {
			fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="14" fill="#4a4a4a">no scored citizens</text>`, left, y+barH-8)
			continue
		}
		x := float64(left)
		for i, n := range r.Counts {
			bw := float64(w-left) * float64(n) / float64(r.Total)
			if bw > 0 {
				fmt.Fprintf(&b, `<rect x="%.1f" y="%d" width="%.1f" height="%d" fill="%s"><title>%s: %d</title></rect>`, x, y, bw, barH, gradeColor(i), template.HTMLEscapeString(sc.Grades[i].Name), n)
			}
			x += bw
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}
