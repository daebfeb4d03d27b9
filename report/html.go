package report

import (
	"fmt"
	"io"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"scs/internal/numfmt"
	"scs/sim"
)

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

// gradeColour gives each grade the same colour in every chart, from the
// best (green) to the worst (red).
func (r *Report) gradeColour(name string) string {
	cols := []string{"#1a9850", "#66bd63", "#a6d96a", "#fee08b", "#f46d43", "#d73027", "#a50026", "#67001f"}
	for i, g := range r.Grades {
		if g == name {
			if len(r.Grades) <= len(cols) {
				return cols[i*(len(cols)-1)/max(len(r.Grades)-1, 1)]
			}
			return palette[i%len(palette)]
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
func Num(v float64) string {
	switch a := math.Abs(v); {
	case math.IsNaN(v) || math.IsInf(v, 0):
		return "-"
	case a >= 100:
		return groupDigitsF(math.Round(v))
	case a >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	case a >= 1 || v == 0:
		return strconv.FormatFloat(v, 'f', 2, 64)
	default:
		return strconv.FormatFloat(v, 'g', 3, 64)
	}
}

// Count renders a count with thousands separators.
func Count(v float64) string {
	if math.IsNaN(v) {
		return "-"
	}
	return groupDigitsF(math.Round(v))
}

func groupDigitsF(v float64) string {
	if math.Abs(v) < 1e15 {
		return groupDigits(int(v))
	}
	return strconv.FormatFloat(v, 'g', 3, 64)
}

const css = `body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.6em}h2{margin-top:2em;border-bottom:1px solid #ccc}table{border-collapse:collapse;margin:1em 0;font-size:.9em}
td,th{border:1px solid #ddd;padding:3px 7px;text-align:right}th{background:#f4f4f4}td.l,th.l{text-align:left}
.note{color:#555;font-size:.92em}.box{border:1px solid #bbb;background:#f7f7f2;padding:.6em 1em;margin:1em 0}.na{color:#777;font-style:italic}.assumed{color:#6a7f3a;font-weight:bold}table.claims td{vertical-align:top}.yes{color:#1b7e37;font-weight:bold}.no{color:#b22;font-weight:bold}svg{max-width:100%;height:auto}`

// WriteHTML writes the self-contained report: no script, no external
// resource; every chart is inline SVG.
func WriteHTML(w io.Writer, r *Report) error {
	var b strings.Builder
	s := r.Summary
	fmt.Fprintf(&b, "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>scs simulate: %s</title><style>%s</style></head><body>", esc(s.Scheme), css)
	fmt.Fprintf(&b, "<h1>%s: %s citizens over %d years</h1>", esc(r.Scheme), esc(groupDigits(s.Citizens)), s.Years)
	fmt.Fprintf(&b, `<p class="note">A synthetic population simulated by <code>scs simulate</code>. Every point was decided by the scs engine from the scheme file; the people are invented. The model is described in docs/model.md.</p>`)
	b.WriteString("<table>")
	row := func(k, v string) { fmt.Fprintf(&b, "<tr><th class=l>%s</th><td class=l>%s</td></tr>", esc(k), esc(v)) }
	row("scheme", s.Scheme)
	row("citizens", groupDigits(s.Citizens))
	row("neighbourhoods", groupDigits(s.Neighbourhoods))
	row("years", fmt.Sprintf("%d (%s)", s.Years, r.period()))
	row("seed", strconv.FormatUint(s.Seed, 10))
	row("replications", strconv.Itoa(r.Reps))
	row("records", groupDigits(int(s.Records)))
	row("scored (opted in)", groupDigits(int(s.Scored)))
	if len(r.Settings) > 0 {
		row("settings", r.Settings.String())
	}
	if s.Sweep != "" {
		row("sweep", s.Sweep)
	}
	row("run time", fmt.Sprintf("%.1f s (%.0f citizen-years/s, %d workers)", s.ElapsedSeconds, s.CitizenYearsSec, s.Workers))
	b.WriteString("</table>")
	if r.Reps > 1 {
		fmt.Fprintf(&b, `<p class="note">Figures are means over %d replications (seeds %d to %d); shaded bands and bracketed ranges are 95%% confidence intervals.</p>`, r.Reps, s.Seed, s.Seed+uint64(r.Reps)-1)
	}

	if len(s.Claims) > 0 {
		writeClaims(&b, r)
	}

	years := make([]string, 0, r.Years+1)
	for y := 0; y <= r.Years; y++ {
		years = append(years, strconv.Itoa(y))
	}
	if t := r.table("grades_by_year"); t != nil {
		b.WriteString("<h2>Citizens per grade</h2><p class=note>Share of the scored citizens in each grade at the start (year 0) and at the end of each year.</p>")
		var ss []Series
		for _, g := range r.Grades {
			ss = append(ss, r.graded(t.series(g, "grade", g, "share")))
		}
		b.WriteString(StackedBars("Citizens per grade", years, ss, "year"))
		b.WriteString("<table><tr><th>year</th>")
		for _, g := range r.Grades {
			fmt.Fprintf(&b, "<th>%s</th>", esc(g))
		}
		b.WriteString("</tr>")
		for y := range years {
			fmt.Fprintf(&b, "<tr><td>%d</td>", y)
			for _, s := range ss {
				fmt.Fprintf(&b, "<td>%s</td>", pct(s.Y[y]))
			}
			b.WriteString("</tr>")
		}
		b.WriteString("</table>")
	}

	if t := r.table("mobility"); t != nil {
		last := strconv.Itoa(r.Years)
		fmt.Fprintf(&b, "<h2>Mobility</h2><p class=note>Where the citizens of each grade at the start of year %s were at its end (share of the row). mobility.csv has every year.</p><table><tr><th>from \\ to</th>", last)
		for _, g := range r.Grades {
			fmt.Fprintf(&b, "<th>%s</th>", esc(g))
		}
		b.WriteString("</tr>")
		si := t.col("share_of_from")
		for _, from := range r.Grades {
			fmt.Fprintf(&b, "<tr><th>%s</th>", esc(from))
			for _, rw := range t.Rows {
				if rw.Keys[t.key("year")] == last && rw.Keys[t.key("from")] == from {
					v := rw.Vals[si]
					shade := 255 - int(180*nz(v))
					fmt.Fprintf(&b, `<td style="background:rgb(%d,%d,255)">%s</td>`, shade, shade, pct(v))
				}
			}
			b.WriteString("</tr>")
		}
		b.WriteString("</table>")
	}

	if t := r.table("yearly"); t != nil {
		ys := years[1:]
		var lists []string
		for _, v := range t.Values {
			if l, ok := strings.CutPrefix(v, "share_on_"); ok && !strings.HasSuffix(v, "_ci95_low") && !strings.HasSuffix(v, "_ci95_high") {
				lists = append(lists, l)
			}
		}
		b.WriteString("<h2>Lists, visits, informants and trust</h2><p class=note>")
		if len(lists) > 0 {
			fmt.Fprintf(&b, "Share of the scored citizens on each list the scheme declares (%s); ", esc(strings.Join(lists, ", ")))
		} else {
			b.WriteString("The scheme declares no list. ")
		}
		b.WriteString("share of all citizens who live in a neighbourhood with at least one informant; mean trust in neighbours (0 to 1).</p>")
		ss := []Series{t.series("informant nearby", "", "", "informant_neighbourhood_share"), t.series("trust in neighbours", "", "", "mean_trust")}
		for _, l := range lists {
			ss = append(ss, t.series("on "+l, "", "", "share_on_"+l))
		}
		b.WriteString(LineChart("Lists, informants and trust", ys, ss, "year"))
		b.WriteString("<p class=note>Officials' visits needed per day, from the visit frequencies of the scheme's grades.</p>")
		b.WriteString(LineChart("Visits per day", ys, []Series{t.series("visits per day", "", "", "visits_per_day")}, "year"))
		b.WriteString("<p class=note>Records per year: positive (good deeds, donations, volunteering) and negative (misconduct and speech); acts of misconduct and speech done, whether recorded or not.</p>")
		b.WriteString(LineChart("Records and acts", ys, []Series{t.series("positive records", "", "", "positive_records"), t.series("negative records", "", "", "negative_records"), t.series("misconduct acts", "", "", "misconduct_acts"), t.series("speech acts", "", "", "speech_acts")}, "year"))
	}

	if t := r.table("records_by_rule"); t != nil {
		b.WriteString("<h2>Records per rule</h2><p class=note>Over the whole run. records_by_rule.csv has them per year.</p><table><tr><th class=l>rule</th><th>records</th><th>acts (misconduct, speech)</th><th>via informants</th></tr>")
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
		for _, id := range order {
			x := sums[id]
			fmt.Fprintf(&b, "<tr><td class=l>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>", esc(id), num(x.rec), num(x.acts), num(x.inf))
		}
		b.WriteString("</table>")
	}

	if t := r.table("wealth_deciles"); t != nil {
		b.WriteString("<h2>Wealth and standing</h2><p class=note>By wealth decile at the end (1 poorest, 10 richest): share of the scored citizens in each grade, and the mean score.</p>")
		ds := []string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10"}
		var ss []Series
		for _, g := range r.Grades {
			ss = append(ss, r.graded(t.series(g, "", "", "share_"+g)))
		}
		b.WriteString(StackedBars("Grades by wealth decile", ds, ss, "wealth decile"))
		b.WriteString(LineChart("Mean score by wealth decile", ds, []Series{t.series("mean score", "", "", "mean_score")}, "wealth decile"))
	}

	if t := r.table("survival"); t != nil && len(t.Rows) > 0 {
		b.WriteString("<h2>Time to climb out</h2><p class=note>Kaplan-Meier share of the citizens who fell into a grade and are still in it (or lower) after the given months; the lock-ins show as flat starts.</p>")
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
		b.WriteString(LineChart("Still in the grade", ms, ss, "months after falling in"))
	}
	writeClimbOut(&b, r)

	if t := r.table("bunching"); t != nil {
		b.WriteString("<h2>Bunching at the boundaries</h2><p class=note>Scored citizens by final score relative to the bottom of each grade (0 = the grade's minimum). Farming shows as a pile just right of 0.</p>")
		var ss []Series
		var offs []string
		for off := -20; off < 20; off++ {
			offs = append(offs, strconv.Itoa(off))
		}
		for _, g := range r.Grades[:len(r.Grades)-1] {
			ss = append(ss, r.graded(t.series(g, "boundary", g, "citizens")))
		}
		b.WriteString(LineChart("Scores near the boundaries", offs, ss, "points from the bottom of the grade"))
	}
	if t := r.table("score_distribution"); t != nil {
		var xs []string
		for _, rw := range t.Rows {
			xs = append(xs, rw.Keys[0])
		}
		b.WriteString("<h2>Final scores</h2>")
		b.WriteString(StackedBars("Final scores", xs, []Series{t.series("citizens", "", "", "citizens")}, "score (bins of 10)"))
	}

	if r.Sweep != nil {
		writeSweep(&b, r.Sweep)
	}
	if len(r.Sensitivity) > 0 {
		writeSensitivity(&b, r)
	}
	writeNotModelled(&b)

	b.WriteString("<h2>Rules and behaviours</h2><p class=note>Which behaviour of the model drives each rule of the scheme (by rule id, else by category); a rule without one gets no events.</p><table><tr><th class=l>rule</th><th class=l>behaviour</th><th class=l>kind</th></tr>")
	for _, m := range s.Mapping {
		fmt.Fprintf(&b, "<tr><td class=l>%s</td><td class=l>%s</td><td class=l>%s</td></tr>", esc(m.Rule), esc(m.Behaviour), esc(m.Kind))
	}
	b.WriteString("</table><h2>Parameters</h2><table><tr><th class=l>name</th><th>value</th><th class=l>meaning</th><th class=l>source of the default</th></tr>")
	for _, p := range sim.Params {
		v := r.Settings.Get(p.Name)
		fmt.Fprintf(&b, "<tr><td class=l>%s</td><td>%s</td><td class=l>%s</td><td class=l>%s</td></tr>", esc(p.Name), esc(strconv.FormatFloat(v, 'g', -1, 64)), esc(p.Doc), esc(p.Source))
	}
	var extra []string
	for _, n := range r.Settings.Names() {
		if strings.HasPrefix(n, "rate.") {
			extra = append(extra, n)
		}
	}
	sort.Strings(extra)
	for _, n := range extra {
		fmt.Fprintf(&b, "<tr><td class=l>%s</td><td>%s</td><td class=l>rate multiplier</td><td class=l>--set</td></tr>", esc(n), esc(strconv.FormatFloat(r.Settings[n], 'g', -1, 64)))
	}
	b.WriteString("</table></body></html>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func withCI(t *Table, rw Row, vi int) string {
	s := num(rw.Vals[vi])
	if lo := t.col(t.Values[vi] + "_ci95_low"); lo >= 0 {
		s += fmt.Sprintf(" [%s, %s]", num(rw.Vals[lo]), num(rw.Vals[lo+1]))
	}
	return esc(s)
}

func writeSweep(b *strings.Builder, t *Table) {
	b.WriteString("<h2>Sweep</h2><p class=note>Key metrics for each value of the swept parameter (mean and 95% interval over the replications).</p>")
	metrics := []string{}
	seen := map[string]bool{}
	var values []string
	vseen := map[string]bool{}
	for _, rw := range t.Rows {
		if !seen[rw.Keys[1]] {
			seen[rw.Keys[1]] = true
			metrics = append(metrics, rw.Keys[1])
		}
		if !vseen[rw.Keys[0]] {
			vseen[rw.Keys[0]] = true
			values = append(values, rw.Keys[0])
		}
	}
	b.WriteString("<table><tr><th class=l>metric</th>")
	for _, v := range values {
		fmt.Fprintf(b, "<th>%s</th>", esc(v))
	}
	b.WriteString("</tr>")
	for _, m := range metrics {
		fmt.Fprintf(b, "<tr><td class=l>%s</td>", esc(m))
		for _, v := range values {
			for _, rw := range t.Rows {
				if rw.Keys[0] == v && rw.Keys[1] == m {
					fmt.Fprintf(b, "<td>%s</td>", withCI(t, rw, 0))
				}
			}
		}
		b.WriteString("</tr>")
	}
	b.WriteString("</table>")
	for _, m := range metrics {
		s := t.series(m, "metric", m, "value")
		b.WriteString(LineChart(m, values, []Series{s}, "swept value"))
	}
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

const howToRead = `<div class="box"><b>How to read this.</b> This is a model, not a forecast: invented people whose conduct follows assumed rates, scored by the real engine from the scheme file. ` +
	`Each claim is measured twice on the same population and seeds: as simulated, and with the claim's mechanism switched off (or, for visits, at the end of the first year). ` +
	`<b>Assumed</b> means the effect exists because a parameter of the model was written to produce it (named beside it): switching it off removes the effect, which shows the assumption was coded, not that the essay is right. ` +
	`<b>Emergent</b> means the effect arises from the scheme's rules and the differences between people, with no parameter written for it. ` +
	`Figures are means over the replications with 95%% intervals; n is the people, person-years or records behind a figure, summed over the replications. ` +
	`A verdict is <i>supported</i> or <i>not supported</i> only when the interval of the difference excludes zero and n is at least %d; otherwise <i>not measurable</i>. <i>Not applicable</i>: the scheme has no such mechanism.</div>`

// writeClaims writes the claims: each in plain words with its verdict,
// value, comparison, n and intervals side by side.
func writeClaims(b *strings.Builder, r *Report) {
	s := r.Summary
	b.WriteString("<h2>The essay's claims</h2>")
	fmt.Fprintf(b, howToRead, sim.MinN)
	if len(s.Claims) > 0 && s.Claims[0].Sample < 1 {
		fmt.Fprintf(b, `<p class=note>The comparisons were made on a random sample of the neighbourhoods holding %.1f%% of the citizens, the same in every run of a seed: n and the intervals are the sample's.</p>`, 100*s.Claims[0].Sample)
	}
	b.WriteString(`<table class=claims><tr><th class=l>claim and metric</th><th class=l>verdict</th><th>value<br><span class=note>95% interval</span></th><th>n</th><th class=l>compared with</th><th>value there<br><span class=note>95% interval</span></th><th>n</th><th>difference<br><span class=note>95% interval</span></th><th class=l>mechanism</th></tr>`)
	for _, c := range s.Claims {
		cls := map[string]string{sim.Supported: "yes", sim.NotSupported: "no"}[c.Verdict]
		mech := c.Mechanism
		if c.Because != "" {
			mech += " (" + c.Because + ")"
		}
		if c.Verdict == sim.NotApplicable {
			fmt.Fprintf(b, `<tr><td class=l>%s</td><td class=l><span class="na">not applicable</span></td><td colspan=6 class=l>%s</td><td class=l>%s</td></tr>`,
				esc(c.Claim), esc(strings.TrimPrefix(c.Reading, "not applicable: ")), esc(mech))
			continue
		}
		verdict := fmt.Sprintf(`<span class="%s">%s</span>`, cls, esc(c.Verdict))
		if c.Verdict == sim.Supported && c.Mechanism == sim.Assumed {
			verdict = fmt.Sprintf(`<span class="assumed">%s</span><br><span class=note>by assumption</span>`, esc(c.Verdict))
		}
		fmt.Fprintf(b, `<tr><td class=l>%s<br><span class=note>%s</span></td><td class=l>%s</td><td>%s</td><td>%s</td><td class=l>%s</td><td>%s</td><td>%s</td><td>%s</td><td class=l>%s</td></tr>`,
			esc(c.Claim), esc(c.Metric), verdict, ciHTML(c.Value, c.CILow, c.CIHigh), esc(Count(c.N)), esc(c.Compare),
			ciHTML(c.CF, c.CFLow, c.CFHigh), esc(Count(c.CFN)), ciHTML(c.Diff, c.DiffLow, c.DiffHigh), esc(mech))
	}
	b.WriteString("</table><ul class=note>")
	for _, c := range s.Claims {
		fmt.Fprintf(b, "<li><b>%s</b>: %s.</li>", esc(c.ID), esc(c.Reading))
	}
	b.WriteString("</ul>")
}

// ciHTML renders a figure with its interval on a second line.
func ciHTML(v, lo, hi float64) string {
	if math.IsNaN(v) {
		return "-"
	}
	if math.IsNaN(lo) || lo == hi {
		return esc(Num(v))
	}
	return fmt.Sprintf(`%s<br><span class=note>%s to %s</span>`, esc(Num(v)), esc(Num(lo)), esc(Num(hi)))
}

// writeSensitivity shows, for each claim, which assumptions drive its
// metric: a bar of mu_star per parameter, largest first.
func writeSensitivity(b *strings.Builder, r *Report) {
	fmt.Fprintf(b, `<h2>What drives each claim</h2><p class=note>A Morris screening (the elementary-effects method of SALib's morris; %d trajectories, %d levels) of every assumed parameter over the range docs/model.md gives it. `+
		`A bar is mu_star: how far, on average, moving that one parameter across its whole range moves the claim's metric, in the metric's own units. `+
		`A claim driven by the parameter its mechanism assumes restates the assumption; one driven by many is sensitive to what nobody has measured. The eight largest are shown; sensitivity.csv has all, with sigma (interactions, non-linearity).</p>`,
		r.Trajectories, sim.MorrisLevels)
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
		fmt.Fprintf(b, "<h3>%s</h3>", esc(title))
		b.WriteString(HBars(id, labels, vals, "mu_star (change of the metric over a parameter's range)"))
	}
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

func writeNotModelled(b *strings.Builder) {
	b.WriteString("<h2>Not modelled</h2><p class=note>What the essay says that this model does not represent, and why. Nothing here is measured, in either direction.</p><table><tr><th class=l>the essay's claim or concern</th><th class=l>why it is not modelled</th></tr>")
	for _, n := range notModelled {
		fmt.Fprintf(b, "<tr><td class=l>%s</td><td class=l>%s</td></tr>", esc(n[0]), esc(n[1]))
	}
	b.WriteString("</table>")
}
