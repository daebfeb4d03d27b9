// Package report writes the outputs of a simulation run: CSV tables, the
// per-citizen Parquet file, the JSON summary and a self-contained HTML
// report whose charts are inline SVG.
package report

import (
	"math"
	"strconv"
	"strings"

	"scs/internal/arith"
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

// Tables builds every table of one run (the claims table, which spans the
// replications, is ClaimsTable).
func Tables(r *sim.Result) []*Table {
	return []*Table{gradesTable(r), mobilityTable(r), recordsTable(r), yearlyTable(r), decilesTable(r),
		survivalTable(r), climbOutTable(r), bunchingTable(r), scoresTable(r)}
}

func gradesTable(r *sim.Result) *Table {
	m, s := r.Metrics, r.Scheme
	grades := &Table{Name: "grades_by_year", Title: "Citizens per grade",
		Doc:  "Scored citizens in each grade at the start (year 0) and at the end of each year.",
		Keys: []string{"year", "grade"}, Values: []string{"citizens", "share"}}
	for y := 0; y <= r.Years; y++ {
		tot := float64(arith.Sum(m.GradeCounts[y]))
		for g, n := range m.GradeCounts[y] {
			grades.add([]string{itoa(y), s.Grades[g].Name}, float64(n), arith.Div(float64(n), tot))
		}
	}
	return grades
}

func mobilityTable(r *sim.Result) *Table {
	m, s := r.Metrics, r.Scheme
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
				mob.add([]string{itoa(y + 1), s.Grades[a].Name, s.Grades[b].Name}, float64(n), arith.Div(float64(n), float64(rowTot)))
			}
		}
	}
	return mob
}

func recordsTable(r *sim.Result) *Table {
	m, s := r.Metrics, r.Scheme
	rec := &Table{Name: "records_by_rule", Title: "Records per rule",
		Doc:  "Records made each year per rule; acts done (detected or not) for misconduct and speech; records that came through an informant.",
		Keys: []string{"year", "rule"}, Values: []string{"records", "acts", "via_informant"}}
	for y := 0; y < r.Years; y++ {
		for i, rule := range s.Rules {
			rec.add([]string{itoa(y + 1), rule.ID}, float64(m.Records[y][i]), float64(m.Acts[y][i]), float64(m.ViaInformant[y][i]))
		}
	}
	return rec
}

func yearlyTable(r *sim.Result) *Table {
	m := r.Metrics
	yr := &Table{Name: "yearly", Title: "The city year by year",
		Doc:  "Per year: records, misconduct and speech acts (of everyone and of the scored citizens), officials' visits needed per day, informants, the share of citizens with an informant in their neighbourhood, mean trust in neighbours (0 to 1), and the share of scored citizens on each list the scheme declares (share_on_CAPABILITY).",
		Keys: []string{"year"}, Values: []string{"records", "positive_records", "negative_records", "misconduct_acts", "speech_acts",
			"scored_misconduct_acts", "scored_speech_acts", "visits_per_day", "informants", "informant_neighbourhood_share", "mean_trust"}}
	for _, l := range r.Lists {
		yr.Values = append(yr.Values, "share_on_"+l.Capability)
	}
	for y := 0; y < r.Years; y++ {
		vals := []float64{float64(arith.Sum(m.Records[y])), float64(m.PositiveRecords[y]), float64(m.NegativeRecords[y]),
			float64(m.MisconductActs[y]), float64(m.SpeechActs[y]), float64(m.ScoredMisconductActs[y]), float64(m.ScoredSpeechActs[y]), r.VisitsPerDay(y + 1),
			float64(m.Informants[y]), float64(m.InformantHoods[y]) / float64(r.Citizens), float64(m.TrustMicro[y]) / 1e6 / float64(r.Citizens)}
		for _, l := range r.Lists {
			vals = append(vals, r.ListShare(l, y+1))
		}
		yr.add([]string{itoa(y + 1)}, vals...)
	}
	return yr
}

func decilesTable(r *sim.Result) *Table {
	m, s := r.Metrics, r.Scheme
	G := len(s.Grades)
	dec := &Table{Name: "wealth_deciles", Title: "Grade and score by wealth decile",
		Doc:  "Scored citizens by wealth decile (1 poorest, 10 richest) at the end: count, mean score and share in each grade.",
		Keys: []string{"decile"}, Values: []string{"citizens", "mean_score"}}
	for _, g := range s.Grades {
		dec.Values = append(dec.Values, "share_"+g.Name)
	}
	for d := 0; d < 10; d++ {
		vals := []float64{float64(m.DecileCount[d]), r.DecileMeanScore(d)}
		for g := range s.Grades {
			vals = append(vals, arith.Div(float64(m.DecileGrade[d*G+g]), float64(m.DecileCount[d])))
		}
		dec.add([]string{itoa(d + 1)}, vals...)
	}
	return dec
}

func survivalTable(r *sim.Result) *Table {
	m, s := r.Metrics, r.Scheme
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
	return surv
}

func bunchingTable(r *sim.Result) *Table {
	m, s := r.Metrics, r.Scheme
	G := len(s.Grades)
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
	return bunch
}

func scoresTable(r *sim.Result) *Table {
	m, s := r.Metrics, r.Scheme
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
	return dist
}

// ClaimsColumns are the value columns of claims.csv.
var ClaimsColumns = []string{"value", "ci_low", "ci_high", "n", "counterfactual_value", "counterfactual_ci_low", "counterfactual_ci_high",
	"counterfactual_n", "difference", "difference_ci_low", "difference_ci_high", "replications", "sample"}

// ClaimsTable is claims.csv: every claim with its mechanism, verdict,
// figures, n and 95% intervals over the replications. prefix and label add
// a key column in front (the sweep) when prefix is not empty.
func ClaimsTable(rows []sim.ClaimRow, prefix, label string) *Table {
	t := &Table{Name: "claims", Title: "The essay's claims",
		Doc: "Each claim: the metric that tests it (its denominator is the population the claim is about); whether the mechanism is assumed (the parameters in because) or emergent; " +
			"the value and what it is compared with (a run with the mechanism switched off, same population and seeds), each with the people, person-years or records behind it (n, summed over the replications) and a 95% interval over the replications; " +
			"the difference with its interval; the verdict (supported, not supported, not measurable, not applicable) and the reading in words.",
		Keys:   []string{"id", "claim", "metric", "mechanism", "because", "counterfactual", "expect", "verdict", "reading"},
		Values: ClaimsColumns}
	if prefix != "" {
		t.Keys = append([]string{prefix}, t.Keys...)
	}
	for _, c := range rows {
		keys := []string{c.ID, c.Claim, c.Metric, c.Mechanism, c.Because, c.Compare, c.Expect, c.Verdict, c.Reading}
		if prefix != "" {
			keys = append([]string{label}, keys...)
		}
		t.add(keys, c.Value, c.CILow, c.CIHigh, c.N, c.CF, c.CFLow, c.CFHigh, c.CFN, c.Diff, c.DiffLow, c.DiffHigh, float64(c.Replications), c.Sample)
	}
	return t
}

// SensitivityTable is sensitivity.csv: the Morris screening of every
// assumed parameter against every claim's metric.
func SensitivityTable(es []sim.Effect) *Table {
	t := &Table{Name: "sensitivity", Title: "What drives each claim",
		Doc: "Morris elementary effects (the method of SALib's morris) of every assumed parameter over its documented range on each claim's metric: " +
			"mu_star, the mean absolute effect of moving the parameter across its whole range, in the metric's units; sigma, the effects' standard deviation (interactions, non-linearity); mu, their mean (the sign); n, the effects behind them.",
		Keys: []string{"claim", "parameter"}, Values: []string{"mu_star", "sigma", "mu", "n"}}
	for _, e := range es {
		t.add([]string{e.Claim, e.Parameter}, e.MuStar, e.Sigma, e.Mu, float64(e.N))
	}
	return t
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
// t): sim.MeanCI, the one place it is computed.
func MeanCI(xs []float64) (mean, lo, hi float64) { return sim.MeanCI(xs) }

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
