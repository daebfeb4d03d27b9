package report

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"scs/internal/chart"
	"scs/internal/numfmt"
	"scs/sim"
)

// Series is one line or bar group of a chart.
type Series = chart.Series

// Report is everything the HTML report shows.
type Report struct {
	Summary  *Summary
	Tables   []*Table // the run's tables (means and intervals over replications)
	Sweep    *Table   // key metrics per sweep value, or nil
	Scheme   string   // the scheme's title
	Grades   []string
	Years    int
	Reps     int
	Settings sim.Settings
	// The run's start and end, shown in the scheme's time zone.
	Start, End time.Time
	Location   *time.Location
	// The Morris screening (--sensitivity), nil when not run.
	Sensitivity  []sim.Effect
	Trajectories int
	// Comparison is the same lives under a second scheme, nil when none.
	Comparison *Comparison
}

func (r *Report) table(name string) *Table {
	for _, t := range r.Tables {
		if t.Name == name {
			return t
		}
	}
	return nil
}

// col returns the index of value column name, or -1.
func (t *Table) col(name string) int {
	for i, v := range t.Values {
		if v == name {
			return i
		}
	}
	return -1
}

// key returns the index of key column name, or -1.
func (t *Table) key(name string) int {
	for i, k := range t.Keys {
		if k == name {
			return i
		}
	}
	return -1
}

// series extracts value column v of the rows whose key column k equals
// match (all rows when k is ""), with its interval when the table has one.
func (t *Table) series(name, k, match, v string) Series {
	s := Series{Name: name}
	ki, vi := t.key(k), t.col(v)
	lo, hi := t.col(v+"_ci95_low"), t.col(v+"_ci95_high")
	for _, r := range t.Rows {
		if k != "" && r.Keys[ki] != match {
			continue
		}
		s.Y = append(s.Y, r.Vals[vi])
		if lo >= 0 {
			s.Lo = append(s.Lo, r.Vals[lo])
			s.Hi = append(s.Hi, r.Vals[hi])
		}
	}
	return s
}

// gradeColour gives each grade the same colour in every chart
// (chart.GradeColor), from the best (green) to the worst (red).
func (r *Report) gradeColour(name string) string {
	for i, g := range r.Grades {
		if g == name {
			return chart.GradeColor(i, len(r.Grades))
		}
	}
	return ""
}

func (r *Report) graded(s Series) Series {
	s.Color = r.gradeColour(s.Name)
	return s
}

func pct(v float64) string {
	if math.IsNaN(v) {
		return "–"
	}
	return strconv.FormatFloat(100*v, 'f', 1, 64) + "%"
}

func num(v float64) string {
	if math.IsNaN(v) {
		return "–"
	}
	if math.Abs(v) >= 100 || v == math.Trunc(v) {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'g', 4, 64)
}

// Num renders a figure for people to read: thousands separators, about
// three significant digits, "-" for a figure that could not be measured.
func Num(v float64) string { return numfmt.Figure(v) }

// Count renders a count with thousands separators.
func Count(v float64) string {
	if math.IsNaN(v) {
		return "-"
	}
	return numfmt.Whole(math.Round(v))
}

const css = `body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.6em}h2{margin-top:2em;border-bottom:1px solid #ccc}table{border-collapse:collapse;margin:1em 0;font-size:.9em}
td,th{border:1px solid #ddd;padding:3px 7px;text-align:right}th{background:#f4f4f4}td.l,th.l{text-align:left}
.note{color:#555;font-size:.92em}.box{border:1px solid #bbb;background:#f7f7f2;padding:.6em 1em;margin:1em 0}.na{color:#777;font-style:italic}.assumed{color:#6a7f3a;font-weight:bold}table.claims td{vertical-align:top}.yes{color:#1b7e37;font-weight:bold}.no{color:#b22;font-weight:bold}svg{max-width:100%;height:auto}`

//go:embed templates/report.html
var reportTemplate string

// reportPage is the report's template, parsed once.
var reportPage = template.Must(template.New("report").Parse(reportTemplate))

// reportView is what the report's template shows; a section is nil (or
// empty) when the run has no table for it.
type reportView struct {
	CSS                        template.CSS
	Title, Heading, Citizens   string
	Years, Reps                int
	Facts                      [][2]string
	Replicated                 bool
	SeedFrom, SeedTo           uint64
	Claims                     *claimsView
	Grades                     *gradesView
	Mobility                   *mobilityView
	Yearly                     *yearlyView
	Rules                      []ruleTotals
	Wealth                     *wealthView
	Survival, Bunching, Scores template.HTML
	ClimbOut                   [][]string
	Sweep                      *sweepView
	Sensitivity                *sensitivityView
	Comparison                 *comparisonView
	NotModelled                [][2]string
	Mapping                    []sim.Mapping
	Params                     [][4]string
}

type gradesView struct {
	Chart template.HTML
	Names []string
	Rows  []struct {
		Year  int
		Cells []string
	}
}

type mobilityView struct {
	Year  string
	Names []string
	Rows  []mobilityRow
}

type mobilityRow struct {
	From  string
	Cells []struct {
		Shade template.CSS
		Text  string
	}
}

type yearlyView struct {
	ListNames           string
	Chart, Visits, Acts template.HTML
}

type ruleTotals struct{ Rule, Records, Acts, Informants string }

type wealthView struct{ Grades, Score template.HTML }

type sweepView struct {
	Values []string
	Rows   []struct {
		Metric string
		Cells  []string
	}
	Charts []template.HTML
}

type sensitivityView struct {
	Trajectories, Levels int
	Claims               []struct {
		Title string
		Chart template.HTML
	}
}

type claimsView struct {
	MinN   int
	Sample string // the sampled share of the citizens in percent, "" for all
	Rows   []claimView
}

type claimView struct {
	ID, Claim, Metric, Reading, FullReading, Mechanism, Compare string
	NotApplicable, ByAssumption                                 bool
	Verdict, Class                                              string
	Value, CF, Diff                                             ciView
	N, CFN                                                      string
}

// ciView is a figure with its 95% interval.
type ciView struct {
	Missing, Range bool
	V, Lo, Hi      string
}

func ci(v, lo, hi float64) ciView {
	return ciView{Missing: math.IsNaN(v), Range: !math.IsNaN(lo) && lo != hi, V: Num(v), Lo: Num(lo), Hi: Num(hi)}
}

// WriteHTML writes the self-contained report: no script, no external
// resource; every chart is inline SVG (package internal/chart). The page is
// templates/report.html; nothing in it is particular to one scheme.
func WriteHTML(w io.Writer, r *Report) error {
	s := r.Summary
	v := reportView{CSS: template.CSS(css), Title: s.Scheme, Heading: r.Scheme, Citizens: groupDigits(s.Citizens), Years: s.Years, Reps: r.Reps,
		Replicated: r.Reps > 1, SeedFrom: s.Seed, SeedTo: s.Seed + uint64(r.Reps) - 1, Mapping: s.Mapping}
	fact := func(k, val string) { v.Facts = append(v.Facts, [2]string{k, val}) }
	fact("scheme", s.Scheme)
	fact("citizens", groupDigits(s.Citizens))
	fact("neighbourhoods", groupDigits(s.Neighbourhoods))
	fact("years", fmt.Sprintf("%d (%s)", s.Years, r.period()))
	fact("seed", strconv.FormatUint(s.Seed, 10))
	fact("replications", strconv.Itoa(r.Reps))
	fact("records", groupDigits(int(s.Records)))
	fact("scored (opted in)", groupDigits(int(s.Scored)))
	if len(r.Settings) > 0 {
		fact("settings", r.Settings.String())
	}
	if s.Sweep != "" {
		fact("sweep", s.Sweep)
	}
	fact("run time", fmt.Sprintf("%.1f s (%.0f citizen-years/s, %d workers)", s.ElapsedSeconds, s.CitizenYearsSec, s.Workers))
	if len(s.Claims) > 0 {
		v.Claims = claimsOf(r)
	}
	years := make([]string, 0, r.Years+1)
	for y := 0; y <= r.Years; y++ {
		years = append(years, strconv.Itoa(y))
	}
	v.Grades = r.gradesByYear(years)
	v.Mobility = r.mobility()
	v.Yearly = r.yearly(years[1:])
	v.Rules = r.recordsByRule()
	v.Wealth = r.wealth()
	v.Survival = r.survival()
	v.ClimbOut = r.climbOut()
	v.Bunching = r.bunching()
	if t := r.table("score_distribution"); t != nil {
		var xs []string
		for _, rw := range t.Rows {
			xs = append(xs, rw.Keys[0])
		}
		v.Scores = chart.StackedBars("Final scores", xs, []Series{t.series("citizens", "", "", "citizens")}, "score (bins of 10)")
	}
	if r.Sweep != nil {
		v.Sweep = sweepOf(r.Sweep)
	}
	if r.Comparison != nil && len(r.Comparison.Years) > 0 {
		v.Comparison = comparisonOf(r.Comparison)
	}
	if len(r.Sensitivity) > 0 {
		v.Sensitivity = r.sensitivity()
	}
	v.NotModelled = notModelled
	v.Params = r.params()
	var b bytes.Buffer
	if err := reportPage.Execute(&b, v); err != nil {
		return err
	}
	_, err := w.Write(b.Bytes())
	return err
}

func (r *Report) gradesByYear(years []string) *gradesView {
	t := r.table("grades_by_year")
	if t == nil {
		return nil
	}
	var ss []Series
	for _, g := range r.Grades {
		ss = append(ss, r.graded(t.series(g, "grade", g, "share")))
	}
	gv := &gradesView{Chart: chart.StackedBars("Citizens per grade", years, ss, "year"), Names: r.Grades}
	for y := range years {
		row := struct {
			Year  int
			Cells []string
		}{Year: y}
		for _, s := range ss {
			row.Cells = append(row.Cells, pct(s.Y[y]))
		}
		gv.Rows = append(gv.Rows, row)
	}
	return gv
}

func (r *Report) mobility() *mobilityView {
	t := r.table("mobility")
	if t == nil {
		return nil
	}
	mv := &mobilityView{Year: strconv.Itoa(r.Years), Names: r.Grades}
	si := t.col("share_of_from")
	for _, from := range r.Grades {
		row := mobilityRow{From: from}
		for _, rw := range t.Rows {
			if rw.Keys[t.key("year")] == mv.Year && rw.Keys[t.key("from")] == from {
				v := rw.Vals[si]
				shade := 255 - int(180*nz(v))
				row.Cells = append(row.Cells, struct {
					Shade template.CSS
					Text  string
				}{template.CSS(fmt.Sprintf("rgb(%d,%d,255)", shade, shade)), pct(v)})
			}
		}
		mv.Rows = append(mv.Rows, row)
	}
	return mv
}

func (r *Report) yearly(ys []string) *yearlyView {
	t := r.table("yearly")
	if t == nil {
		return nil
	}
	var lists []string
	for _, v := range t.Values {
		if l, ok := strings.CutPrefix(v, "share_on_"); ok && !strings.HasSuffix(v, "_ci95_low") && !strings.HasSuffix(v, "_ci95_high") {
			lists = append(lists, l)
		}
	}
	ss := []Series{t.series("informant nearby", "", "", "informant_neighbourhood_share"), t.series("trust in neighbours", "", "", "mean_trust")}
	for _, l := range lists {
		ss = append(ss, t.series("on "+l, "", "", "share_on_"+l))
	}
	return &yearlyView{ListNames: strings.Join(lists, ", "),
		Chart:  chart.LineChart("Lists, informants and trust", ys, ss, "year"),
		Visits: chart.LineChart("Visits per day", ys, []Series{t.series("visits per day", "", "", "visits_per_day")}, "year"),
		Acts: chart.LineChart("Records and acts", ys, []Series{t.series("positive records", "", "", "positive_records"), t.series("negative records", "", "", "negative_records"),
			t.series("misconduct acts", "", "", "misconduct_acts"), t.series("speech acts", "", "", "speech_acts")}, "year")}
}

func (r *Report) recordsByRule() []ruleTotals {
	t := r.table("records_by_rule")
	if t == nil {
		return nil
	}
	type tot struct{ rec, acts, inf float64 }
	sums := map[string]*tot{}
	var order []string
	for _, rw := range t.Rows {
		id := rw.Keys[t.key("rule")]
		x, ok := sums[id]
		if !ok {
			x = &tot{}
			sums[id] = x
			order = append(order, id)
		}
		x.rec += rw.Vals[t.col("records")]
		x.acts += rw.Vals[t.col("acts")]
		x.inf += rw.Vals[t.col("via_informant")]
	}
	out := []ruleTotals{}
	for _, id := range order {
		x := sums[id]
		out = append(out, ruleTotals{id, num(x.rec), num(x.acts), num(x.inf)})
	}
	return out
}

func (r *Report) wealth() *wealthView {
	t := r.table("wealth_deciles")
	if t == nil {
		return nil
	}
	ds := []string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10"}
	var ss []Series
	for _, g := range r.Grades {
		ss = append(ss, r.graded(t.series(g, "", "", "share_"+g)))
	}
	return &wealthView{Grades: chart.StackedBars("Grades by wealth decile", ds, ss, "wealth decile"),
		Score: chart.LineChart("Mean score by wealth decile", ds, []Series{t.series("mean score", "", "", "mean_score")}, "wealth decile")}
}

func (r *Report) survival() template.HTML {
	t := r.table("survival")
	if t == nil || len(t.Rows) == 0 {
		return ""
	}
	var ss []Series
	var ms []string
	seen := map[string]bool{}
	gk := t.key("grade")
	for _, rw := range t.Rows {
		if g := rw.Keys[gk]; !seen[g] {
			seen[g] = true
			ss = append(ss, r.graded(t.series(g, "grade", g, "still_in")))
		}
	}
	for m := 0; m <= r.Years*12; m++ {
		ms = append(ms, strconv.Itoa(m))
	}
	return chart.LineChart("Still in the grade", ms, ss, "months after falling in")
}

func (r *Report) bunching() template.HTML {
	t := r.table("bunching")
	if t == nil {
		return ""
	}
	var ss []Series
	var offs []string
	for off := -20; off < 20; off++ {
		offs = append(offs, strconv.Itoa(off))
	}
	for _, g := range r.Grades[:len(r.Grades)-1] {
		ss = append(ss, r.graded(t.series(g, "boundary", g, "citizens")))
	}
	return chart.LineChart("Scores near the boundaries", offs, ss, "points from the bottom of the grade")
}

func (r *Report) params() [][4]string {
	var out [][4]string
	for _, p := range sim.Params {
		v := r.Settings.Get(p.Name)
		out = append(out, [4]string{p.Name, strconv.FormatFloat(v, 'g', -1, 64), p.Doc, p.Source})
	}
	var extra []string
	for _, n := range r.Settings.Names() {
		if strings.HasPrefix(n, "rate.") {
			extra = append(extra, n)
		}
	}
	sort.Strings(extra)
	for _, n := range extra {
		out = append(out, [4]string{n, strconv.FormatFloat(r.Settings[n], 'g', -1, 64), "rate multiplier", "--set"})
	}
	return out
}

func withCI(t *Table, rw Row, vi int) string {
	s := num(rw.Vals[vi])
	if lo := t.col(t.Values[vi] + "_ci95_low"); lo >= 0 {
		s += fmt.Sprintf(" [%s, %s]", num(rw.Vals[lo]), num(rw.Vals[lo+1]))
	}
	return s
}

func sweepOf(t *Table) *sweepView {
	sv := &sweepView{}
	var metrics []string
	seen := map[string]bool{}
	vseen := map[string]bool{}
	for _, rw := range t.Rows {
		if !seen[rw.Keys[1]] {
			seen[rw.Keys[1]] = true
			metrics = append(metrics, rw.Keys[1])
		}
		if !vseen[rw.Keys[0]] {
			vseen[rw.Keys[0]] = true
			sv.Values = append(sv.Values, rw.Keys[0])
		}
	}
	for _, m := range metrics {
		row := struct {
			Metric string
			Cells  []string
		}{Metric: m}
		for _, v := range sv.Values {
			for _, rw := range t.Rows {
				if rw.Keys[0] == v && rw.Keys[1] == m {
					row.Cells = append(row.Cells, withCI(t, rw, 0))
				}
			}
		}
		sv.Rows = append(sv.Rows, row)
	}
	for _, m := range metrics {
		sv.Charts = append(sv.Charts, chart.LineChart(m, sv.Values, []Series{t.series(m, "metric", m, "value")}, "swept value"))
	}
	return sv
}

func groupDigits(n int) string { return numfmt.Int(int64(n)) }

// period renders the run's dates in the scheme's time zone.
func (r *Report) period() string {
	loc := r.Location
	if loc == nil {
		loc = time.UTC
	}
	start, end := r.Start.In(loc), r.End.In(loc)
	f := "2 January 2006"
	if start.Hour() != 0 || start.Minute() != 0 || end.Hour() != 0 || end.Minute() != 0 {
		f = "2 January 2006 15:04"
	}
	return fmt.Sprintf("%s to %s, %s time", start.Format(f), end.Format(f), loc.String())
}

// claimsOf lays out the claims: each in plain words with its verdict,
// value, comparison, n and intervals side by side.
func claimsOf(r *Report) *claimsView {
	s := r.Summary
	cv := &claimsView{MinN: sim.MinN}
	if s.Claims[0].Sample < 1 {
		cv.Sample = fmt.Sprintf("%.1f", 100*s.Claims[0].Sample)
	}
	for _, c := range s.Claims {
		mech := c.Mechanism
		if c.Because != "" {
			mech += " (" + c.Because + ")"
		}
		cv.Rows = append(cv.Rows, claimView{ID: c.ID, Claim: c.Claim, Metric: c.Metric, FullReading: c.Reading,
			Reading: strings.TrimPrefix(c.Reading, "not applicable: "), Mechanism: mech, Compare: c.Compare,
			NotApplicable: c.Verdict == sim.NotApplicable, ByAssumption: c.Verdict == sim.Supported && c.Mechanism == sim.Assumed,
			Verdict: c.Verdict, Class: map[string]string{sim.Supported: "yes", sim.NotSupported: "no"}[c.Verdict],
			Value: ci(c.Value, c.CILow, c.CIHigh), CF: ci(c.CF, c.CFLow, c.CFHigh), Diff: ci(c.Diff, c.DiffLow, c.DiffHigh),
			N: Count(c.N), CFN: Count(c.CFN)})
	}
	return cv
}

// sensitivity shows, for each claim, which assumptions drive its metric: a
// bar of mu_star per parameter, largest first, the eight largest.
func (r *Report) sensitivity() *sensitivityView {
	sv := &sensitivityView{Trajectories: r.Trajectories, Levels: sim.MorrisLevels}
	var order []string
	by := map[string][]sim.Effect{}
	for _, e := range r.Sensitivity {
		if _, ok := by[e.Claim]; !ok {
			order = append(order, e.Claim)
		}
		by[e.Claim] = append(by[e.Claim], e)
	}
	for _, id := range order {
		es := slices.Clone(by[id])
		es = slices.DeleteFunc(es, func(e sim.Effect) bool { return math.IsNaN(e.MuStar) })
		slices.SortStableFunc(es, func(a, b sim.Effect) int { return cmpFloat(b.MuStar, a.MuStar) })
		if len(es) > 8 {
			es = es[:8]
		}
		var labels []string
		var vals []float64
		for _, e := range es {
			labels = append(labels, e.Parameter)
			vals = append(vals, e.MuStar)
		}
		title := id
		if c, ok := sim.LookupClaim(id); ok {
			title = id + ": " + c.Metric
		}
		sv.Claims = append(sv.Claims, struct {
			Title string
			Chart template.HTML
		}{title, chart.HBars(id, labels, vals, "mu_star (change of the metric over a parameter's range)")})
	}
	return sv
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// notModelled lists what of the essay the model leaves out, and why.
var notModelled = [][2]string{
	{"Exhaustion from always pretending, and the stress released at home (\"dysfunctional family environments\")",
		"the model has no households and no inner state beyond trust; pretence is measured (the pretence claim), its cost to people is not"},
	{"Silencing of political dissidents and independent journalists",
		"the model has online criticism by ordinary citizens (chilled speech), not targeted persecution, which no scheme file describes"},
	{"Surveillance itself: cameras, monitoring of where people go and what they buy",
		"detection is a probability per act; being watched has no effect of its own on conduct beyond deterrence"},
	{"Loss of titles, subsidies, loans, processing of requests and other capabilities",
		"only lists (stigma) and job security act on conduct; other capabilities are read from the scheme but change nothing in the model"},
	{"Knowing what kind of person someone is before meeting them (the supporters' argument)",
		"there are no encounters between citizens beyond informants' reports"},
	{"Withdrawing from the scheme, or resisting it",
		"opting in is decided once at the start; nobody leaves, protests or games the records"},
	{"Trust changing what people do",
		"trust in neighbours falls with informants' reports but feeds back into nothing"},
	{"The scheme's place in the party's wider aims, censorship of history, comparisons with the GDR, 1984, Japan, South Korea and Taiwan",
		"outside a model of one city's population under a points scheme"},
}

func nz(v float64) float64 {
	if math.IsNaN(v) {
		return 0
	}
	return v
}
