// Package report writes the outputs of a simulation run: CSV tables, the
// per-citizen Parquet file, the JSON summary and a self-contained HTML
// report whose charts are inline SVG.
package report

import (
	"math"
	"strconv"
	"strings"

	"scs/sim"
)

// Table is a tidy table: key columns (text) and value columns (numbers).
type Table struct {
	Name   string // file name without .csv
	Title  string
	Doc    string
	Keys   []string
	Values []string
	Rows   []Row
}

// Row is one row of a Table.
type Row struct {
	Keys []string
	Vals []float64
}

func (t *Table) add(keys []string, vals ...float64) {
	t.Rows = append(t.Rows, Row{Keys: keys, Vals: vals})
}

func itoa(i int) string { return strconv.Itoa(i) }

// Tables builds every table of one run. claims may be nil (--no-claims).
func Tables(r *sim.Result, claims []sim.ClaimRow) []*Table {
	m := r.Metrics
	s := r.Scheme
	var out []*Table

	grades := &Table{Name: "grades_by_year", Title: "Citizens per grade",
		Doc:  "Scored citizens in each grade at the start (year 0) and at the end of each year.",
		Keys: []string{"year", "grade"}, Values: []string{"citizens", "share"}}
	for y := 0; y <= r.Years; y++ {
		tot := float64(sum(m.GradeCounts[y]))
		for g, n := range m.GradeCounts[y] {
			grades.add([]string{itoa(y), s.Grades[g].Name}, float64(n), div(float64(n), tot))
		}
	}
	out = append(out, grades)

	mob := &Table{Name: "mobility", Title: "Grade-to-grade mobility",
		Doc:  "Scored citizens by grade at the start and at the end of each year.",
		Keys: []string{"year", "from", "to"}, Values: []string{"citizens", "share_of_from"}}
	G := len(s.Grades)
	for y := 0; y < r.Years; y++ {
		for a := 0; a < G; a++ {
			var rowTot int64
			for b := 0; b < G; b++ {
				rowTot += m.Mobility[y][a*G+b]
			}
			for b := 0; b < G; b++ {
				n := m.Mobility[y][a*G+b]
				mob.add([]string{itoa(y + 1), s.Grades[a].Name, s.Grades[b].Name}, float64(n), div(float64(n), float64(rowTot)))
			}
		}
	}
	out = append(out, mob)

	rec := &Table{Name: "records_by_rule", Title: "Records per rule",
		Doc:  "Records made each year per rule; acts done (detected or not) for misconduct and speech; records that came through an informant.",
		Keys: []string{"year", "rule"}, Values: []string{"records", "acts", "via_informant"}}
	for y := 0; y < r.Years; y++ {
		for i, rule := range s.Rules {
			rec.add([]string{itoa(y + 1), rule.ID}, float64(m.Records[y][i]), float64(m.Acts[y][i]), float64(m.ViaInformant[y][i]))
		}
	}
	out = append(out, rec)

	yr := &Table{Name: "yearly", Title: "The city year by year",
		Doc:  "Per year: records, misconduct and speech acts, the share of scored citizens on the watch list and on the public list, officials' visits needed per day, informants and the share of citizens with an informant in their neighbourhood.",
		Keys: []string{"year"}, Values: []string{"records", "positive_records", "negative_records", "misconduct_acts", "speech_acts",
			"watch_list_share", "public_list_share", "visits_per_day", "informants", "informant_neighbourhood_share"}}
	for y := 0; y < r.Years; y++ {
		yr.add([]string{itoa(y + 1)}, float64(sum(m.Records[y])), float64(m.PositiveRecords[y]), float64(m.NegativeRecords[y]),
			float64(m.MisconductActs[y]), float64(m.SpeechActs[y]), r.WatchListShare(y+1), r.PublicListShare(y+1), r.VisitsPerDay(y+1),
			float64(m.Informants[y]), float64(m.InformantHoods[y])/float64(r.Citizens))
	}
	out = append(out, yr)

	dec := &Table{Name: "wealth_deciles", Title: "Grade and score by wealth decile",
		Doc:  "Scored citizens by wealth decile (1 poorest, 10 richest) at the end: count, mean score and share in each grade.",
		Keys: []string{"decile"}, Values: []string{"citizens", "mean_score"}}
	for _, g := range s.Grades {
		dec.Values = append(dec.Values, "share_"+g.Name)
	}
	for d := 0; d < 10; d++ {
		vals := []float64{float64(m.DecileCount[d]), r.DecileMeanScore(d)}
		for g := range s.Grades {
			vals = append(vals, div(float64(m.DecileGrade[d*G+g]), float64(m.DecileCount[d])))
		}
		dec.add([]string{itoa(d + 1)}, vals...)
	}
	out = append(out, dec)

	surv := &Table{Name: "survival", Title: "Time to climb out",
		Doc:  "Kaplan-Meier share still in the grade (or below) m months after falling into it, per grade with falls.",
		Keys: []string{"grade", "months"}, Values: []string{"still_in", "climbed_out", "censored"}}
	for g := range s.Grades {
		curve, eps := r.Survival(g)
		if eps == 0 {
			continue
		}
		h := m.Survival[g]
		for mo := 0; mo <= r.Years*12; mo++ {
			surv.add([]string{s.Grades[g].Name, itoa(mo)}, curve[mo], float64(h[2*mo]), float64(h[2*mo+1]))
		}
	}
	out = append(out, surv)

	bunch := &Table{Name: "bunching", Title: "Scores around the grade boundaries",
		Doc:  "Scored citizens by final score relative to the bottom of each grade (offset 0 = exactly the grade's minimum).",
		Keys: []string{"boundary", "offset"}, Values: []string{"citizens"}}
	for g := 0; g+1 < G; g++ {
		base := int(s.Grades[g].Min - m.Floor)
		for off := -20; off < 20; off++ {
			i := base + off
			v := 0.0
			if i >= 0 && i < len(m.ScoreHist) {
				v = float64(m.ScoreHist[i])
			}
			bunch.add([]string{s.Grades[g].Name, itoa(off)}, v)
		}
	}
	out = append(out, bunch)

	dist := &Table{Name: "score_distribution", Title: "Final scores",
		Doc:  "Scored citizens by final score, in bins of 10 points (the last bin holds every higher score).",
		Keys: []string{"from"}, Values: []string{"citizens"}}
	top := int(s.Grades[0].Min-m.Floor) + 300
	for b := 0; b < top; b += 10 {
		var n int64
		for i := b; i < b+10 && i < len(m.ScoreHist); i++ {
			n += m.ScoreHist[i]
		}
		if b+10 >= top {
			for i := b + 10; i < len(m.ScoreHist); i++ {
				n += m.ScoreHist[i]
			}
		}
		dist.add([]string{strconv.FormatInt(int64(b)+m.Floor, 10)}, float64(n))
	}
	out = append(out, dist)

	if claims != nil {
		ct := &Table{Name: "claims", Title: "The essay's claims",
			Doc:  "Each claim, the metric that tests it, its value in this run and in a run with the mechanism switched off (same population and seed).",
			Keys: []string{"id", "claim", "metric", "counterfactual", "expect"}, Values: []string{"value", "counterfactual_value", "holds"}}
		for _, c := range claims {
			h := 0.0
			if c.Holds {
				h = 1
			}
			ct.add([]string{c.ID, c.Claim, c.Metric, c.Mechanism, c.Expect}, c.Value, c.Counterfactual, h)
		}
		out = append(out, ct)
	}
	return out
}

func sum(xs []int64) int64 {
	var n int64
	for _, x := range xs {
		n += x
	}
	return n
}

func div(a, b float64) float64 {
	if b == 0 {
		return math.NaN()
	}
	return a / b
}

// Aggregate combines the same table from several replications into one with
// the mean of every value and its 95% confidence interval (columns v,
// v_ci95_low, v_ci95_high). prefix, when not empty, is a key column added
// in front (the sweep), with value label. Rows are matched by their keys.
func Aggregate(reps []*Table, prefix, label string) *Table {
	first := reps[0]
	t := &Table{Name: first.Name, Title: first.Title, Doc: first.Doc}
	if prefix != "" {
		t.Keys = append(t.Keys, prefix)
	}
	t.Keys = append(t.Keys, first.Keys...)
	multi := len(reps) > 1
	for _, v := range first.Values {
		t.Values = append(t.Values, v)
		if multi {
			t.Values = append(t.Values, v+"_ci95_low", v+"_ci95_high")
		}
	}
	index := make([]map[string]int, len(reps))
	for i, r := range reps {
		index[i] = map[string]int{}
		for j, row := range r.Rows {
			index[i][strings.Join(row.Keys, "\x00")] = j
		}
	}
	for _, row := range first.Rows {
		key := strings.Join(row.Keys, "\x00")
		var keys []string
		if prefix != "" {
			keys = append(keys, label)
		}
		keys = append(keys, row.Keys...)
		var vals []float64
		for c := range first.Values {
			var xs []float64
			for i, r := range reps {
				if j, ok := index[i][key]; ok && !math.IsNaN(r.Rows[j].Vals[c]) {
					xs = append(xs, r.Rows[j].Vals[c])
				}
			}
			mean, lo, hi := MeanCI(xs)
			vals = append(vals, mean)
			if multi {
				vals = append(vals, lo, hi)
			}
		}
		t.Rows = append(t.Rows, Row{Keys: keys, Vals: vals})
	}
	return t
}

// MeanCI returns the mean of xs and its 95% confidence interval (Student's
// t); NaN for an empty sample, the mean itself as both bounds for one value.
func MeanCI(xs []float64) (mean, lo, hi float64) {
	n := len(xs)
	if n == 0 {
		return math.NaN(), math.NaN(), math.NaN()
	}
	for _, x := range xs {
		mean += x
	}
	mean /= float64(n)
	if n == 1 {
		return mean, mean, mean
	}
	var ss float64
	for _, x := range xs {
		ss += (x - mean) * (x - mean)
	}
	se := math.Sqrt(ss/float64(n-1)) / math.Sqrt(float64(n))
	h := tQuantile(n-1) * se
	return mean, mean - h, mean + h
}

// tQuantile returns the 0.975 quantile of Student's t with df degrees of freedom.
func tQuantile(df int) float64 {
	table := []float64{0, 12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
		2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
		2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042}
	if df < len(table) {
		return table[df]
	}
	if df < 60 {
		return 2.00
	}
	if df < 120 {
		return 1.98
	}
	return 1.96
}

// formatValue renders a number for CSV and HTML: integers without a
// decimal point, others with up to 6 significant digits, NaN as empty.
func formatValue(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return ""
	}
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return strconv.FormatInt(int64(v), 10)
	}
	return strconv.FormatFloat(v, 'g', 6, 64)
}
