package analyse

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"scs"
	"scs/internal/numfmt"
	"scs/jsonl"
)

// routeJSON is one line of WriteJSON.
type routeJSON struct {
	Scheme       string            `json:"scheme"`
	FromGrade    string            `json:"from_grade"`
	FromScore    int64             `json:"from_score"`
	FromPosition string            `json:"from_position"`
	Start        string            `json:"start"`
	LockedUntil  *string           `json:"locked_until"`
	TargetGrade  string            `json:"target_grade"`
	Person       string            `json:"person"`
	YuanPerYear  float64           `json:"yuan_per_year"`
	HoursPerWeek float64           `json:"hours_per_week"`
	Informing    bool              `json:"informing"`
	Earliest     *string           `json:"earliest"`
	Years        *float64          `json:"years"`
	CostYuan     float64           `json:"cost_yuan"`
	Hours        float64           `json:"hours"`
	Steps        []Step            `json:"steps"`
	SetupEvents  int               `json:"setup_events"`
	Plan         []json.RawMessage `json:"plan"`
}

// WriteJSON writes one JSON object a line per route. Times are RFC 3339 in
// the scheme's zone; earliest (and years) are null when the target is out
// of reach. plan holds the route's events in the scs score format: the
// first setup_events bring the synthetic citizen to the starting state,
// the rest carry out the plan, so that
//
//	jq -c '.plan[]' | scs score --at EARLIEST
//
// shows the citizen in the target grade.
func WriteJSON(w io.Writer, s *scs.Scheme, routes []Route) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for i := range routes {
		r := &routes[i]
		j := routeJSON{Scheme: r.Scheme, FromGrade: r.From.Grade, FromScore: r.From.Score, FromPosition: r.From.Position,
			Start: r.Start.In(s.Location).Format(time.RFC3339), TargetGrade: r.Target, Person: r.Person.Name,
			YuanPerYear: r.Person.YuanPerYear, HoursPerWeek: r.Person.HoursPerWeek, Informing: r.Informing,
			CostYuan: r.Yuan, Hours: r.Hours, Steps: r.Steps, SetupEvents: r.Setup, Plan: []json.RawMessage{}}
		if j.Steps == nil {
			j.Steps = []Step{}
		}
		if r.LockedUntil != nil {
			l := r.LockedUntil.In(s.Location).Format(time.RFC3339)
			j.LockedUntil = &l
		}
		if r.Earliest != nil {
			e := r.Earliest.In(s.Location).Format(time.RFC3339)
			y := math.Round(r.Years()*100) / 100
			j.Earliest, j.Years = &e, &y
		}
		for k := range r.Events {
			j.Plan = append(j.Plan, json.RawMessage(bytes.TrimSuffix(jsonl.Append(nil, &r.Events[k]), []byte("\n"))))
		}
		if err := enc.Encode(j); err != nil {
			return err
		}
	}
	return nil
}

// WriteTable writes the routes as a table, times in the scheme's zone,
// followed by Sentences.
func WriteTable(w io.Writer, s *scs.Scheme, routes []Route) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "FROM\tTARGET\tPERSON\tINFORMING\tEARLIEST\tAFTER\tYUAN\tHOURS\tPLAN")
	for i := range routes {
		r := &routes[i]
		inf := "no"
		if r.Informing {
			inf = "yes"
		}
		earliest, after := "out of reach", "-"
		if r.Earliest != nil {
			earliest = r.Earliest.In(s.Location).Format("2006-01-02 15:04")
			after = fmt.Sprintf("%.1f years", r.Years())
		}
		fmt.Fprintf(tw, "%s %d (%s)\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.From.Grade, r.From.Score, r.From.Position, r.Target, r.Person.Name, inf,
			earliest, after, Number(r.Yuan), Number(r.Hours), summary(r))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	for _, line := range Sentences(s, routes) {
		if _, err := fmt.Fprintln(w, line); err != nil {
			return err
		}
	}
	return nil
}

// summary totals a route's units by rule, in the order they first appear.
func summary(r *Route) string {
	if r.Earliest == nil {
		return "-"
	}
	var rules []string
	total := map[string]float64{}
	for _, st := range r.Steps {
		if _, ok := total[st.Rule]; !ok {
			rules = append(rules, st.Rule)
		}
		total[st.Rule] += st.Units
	}
	var parts []string
	for _, id := range rules {
		parts = append(parts, id+" "+Number(total[id]))
	}
	return strings.Join(parts, ", ")
}

// Headline is one line of the answer to the essay: from a starting grade
// (the middle of its band, or the score given) back to the nearest grade
// above it without a lock-in, for every person, without or with informing.
type Headline struct {
	From      Start
	Target    string
	Informing bool
	LockIn    scs.Period // the starting grade's
	Routes    []*Route   // one a person, in the order of the people
}

// Headlines picks the headline routes out of routes, in their order.
func Headlines(s *scs.Scheme, routes []Route) []Headline {
	var out []Headline
	index := map[[2]any]int{}
	for i := range routes {
		r := &routes[i]
		if r.From.Position != "middle" && r.From.Position != "given" || r.Target != backTo(s, r.From.grade) {
			continue
		}
		k := [2]any{r.From, r.Informing}
		j, ok := index[k]
		if !ok {
			j = len(out)
			index[k] = j
			out = append(out, Headline{From: r.From, Target: r.Target, Informing: r.Informing, LockIn: s.Grades[r.From.grade].LockIn})
		}
		out[j].Routes = append(out[j].Routes, r)
	}
	return out
}

// Sentences answers the essay in words, a sentence a Headline.
func Sentences(s *scs.Scheme, routes []Route) []string {
	var out []string
	for _, h := range Headlines(s, routes) {
		rs := h.Routes
		inf := "without informing"
		if h.Informing {
			inf = "informing on neighbours"
		}
		var parts []string
		sameHours := !slices.ContainsFunc(rs, func(r *Route) bool { return r.Person.HoursPerWeek != rs[0].Person.HoursPerWeek })
		for _, r := range rs {
			who := personWords(r.Person, !sameHours)
			if r.Earliest == nil {
				parts = append(parts, fmt.Sprintf("out of reach within the horizon %s", who))
				continue
			}
			parts = append(parts, fmt.Sprintf("%s %s (%s yuan, %s hours)", YearsWords(r.Years()), who, Number(r.Yuan), Number(r.Hours)))
		}
		line := fmt.Sprintf("From %s at %d, %s, back in %s at the earliest after %s.", h.From.Grade, h.From.Score, inf, h.Target, strings.Join(parts, "; "))
		if sameHours {
			line += fmt.Sprintf(" Each gives %s hours a week.", Number(rs[0].Person.HoursPerWeek))
		}
		if !h.LockIn.IsZero() {
			line += fmt.Sprintf(" %s's lock-in alone lasts %s.", h.From.Grade, h.LockIn.Words())
		}
		out = append(out, line)
	}
	return out
}

// backTo is the grade a person in grade g wants back: the nearest grade
// above g without a lock-in, or the grade just above when all have one.
func backTo(s *scs.Scheme, g int) string {
	for i := g - 1; i >= 0; i-- {
		if s.Grades[i].LockIn.IsZero() {
			return s.Grades[i].Name
		}
	}
	return s.Grades[max(g-1, 0)].Name
}

func personWords(p Person, hours bool) string {
	w := "with no money to spare"
	if p.YuanPerYear > 0 {
		w = fmt.Sprintf("with %s yuan a year", Number(p.YuanPerYear))
	}
	if hours {
		w += fmt.Sprintf(" and %s hours a week", Number(p.HoursPerWeek))
	}
	return w
}

// YearsWords renders a span of y years in words, such as "3.0 years" or
// "38 days".
func YearsWords(y float64) string {
	switch d := y * 365.2425; {
	case d < 1:
		return "less than a day"
	case d < 1.5:
		return "1 day"
	case y < 1:
		return fmt.Sprintf("%.0f days", d)
	}
	return fmt.Sprintf("%.1f years", y)
}

// Number renders f with thousands separators and at most two decimals,
// such as "25,800" or "624.5".
func Number(f float64) string { return numfmt.Round(f, 2) }
