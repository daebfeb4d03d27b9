package report

import (
	"math"

	"scs/analyse"
	"scs/engine"
	"scs/sim"
)

// climbOutTable sets what the simulated population did beside what the
// scheme allows (scs scheme analyse): for each grade that citizens fell
// into during the run, the share who climbed above it before the end and
// the Kaplan-Meier median time in it, beside the earliest a person who fell
// into it at the run's start (at the middle of its band) could be in the
// grade above, with no money to spare, with 100,000 yuan a year, and with no
// money but informing on neighbours. The gap between the two is how far the
// population's behaviour, as modelled, is from the scheme's arithmetic.
func climbOutTable(r *sim.Result) *Table {
	s := r.Scheme
	t := &Table{Name: "climb_out", Title: "Climbing out: the simulation beside the scheme's arithmetic",
		Doc: "Per grade fallen into: episodes, share that climbed above the grade before the end, Kaplan-Meier median months in it (empty when over half are still in), " +
			"and the earliest months to the grade above by scs scheme analyse from the middle of the band at the run's start (empty when out of reach or not computed).",
		Keys: []string{"grade"}, Values: []string{"episodes", "climbed_out", "median_months", "earliest_months_no_money", "earliest_months_rich", "earliest_months_no_money_informing"}}
	earliest := map[[3]any]float64{}
	if eng, err := engine.New(s); err == nil {
		people := []analyse.Person{analyse.People[0], analyse.People[len(analyse.People)-1]}
		if routes, err := analyse.Analyse(eng, analyse.Options{At: r.Start, People: people}); err == nil {
			for _, rt := range routes {
				if rt.From.Position != "middle" || s.GradeIndex(rt.Target) != s.GradeIndex(rt.From.Grade)-1 {
					continue
				}
				v := math.NaN()
				if rt.Earliest != nil {
					v = rt.Years() * 12
				}
				earliest[[3]any{rt.From.Grade, rt.Person.Name, rt.Informing}] = v
			}
		}
	}
	get := func(g, person string, informing bool) float64 {
		if v, ok := earliest[[3]any{g, person, informing}]; ok {
			return v
		}
		return math.NaN()
	}
	for g := 1; g < len(s.Grades); g++ {
		curve, eps := r.Survival(g)
		if eps == 0 {
			continue
		}
		median := math.NaN()
		for m, v := range curve {
			if v <= 0.5 {
				median = float64(m)
				break
			}
		}
		out, _ := r.ClimbOut(g)
		name := s.Grades[g].Name
		t.add([]string{name}, float64(eps), out, median,
			get(name, analyse.People[0].Name, false), get(name, analyse.People[len(analyse.People)-1].Name, false), get(name, analyse.People[0].Name, true))
	}
	return t
}

// climbOut lays out the climb_out table: what the simulated population
// did beside what the scheme allows, a row of texts per grade.
func (r *Report) climbOut() [][]string {
	t := r.table("climb_out")
	if t == nil || len(t.Rows) == 0 {
		return nil
	}
	gk := t.key("grade")
	var out [][]string
	for _, rw := range t.Rows {
		out = append(out, []string{rw.Keys[gk], Count(rw.Vals[t.col("episodes")]), pct(rw.Vals[t.col("climbed_out")]), Num(rw.Vals[t.col("median_months")]),
			Num(rw.Vals[t.col("earliest_months_no_money")]), Num(rw.Vals[t.col("earliest_months_rich")]), Num(rw.Vals[t.col("earliest_months_no_money_informing")])})
	}
	return out
}
