package main

import (
	"context"
	"testing"
	"time"

	"scs/sim"
)

// TestDemoCityShowsEveryPart: the demo city scs serve makes (its default
// size and seed, the default model) has someone on the public list and
// several on the watch list whatever day it is made; its official can
// report a deduction and its citizen has a mixed history.
func TestDemoCityShowsEveryPart(t *testing.T) {
	sc := loadScheme(t)
	d := sc.GradeIndex("D")
	c := sc.GradeIndex("C")
	if d < 0 || c < 0 {
		t.Fatal("rongcheng has no grade C or D")
	}
	for _, end := range []time.Time{
		time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC),
		time.Date(2027, 3, 17, 12, 0, 0, 0, time.UTC),
		time.Date(2027, 7, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2027, 10, 9, 6, 0, 0, 0, time.UTC),
	} {
		city, err := sim.Demo(context.Background(), sc, sim.DemoOptions{Citizens: 20000, Years: 5, Seed: demoSeed, End: end})
		if err != nil {
			t.Fatal(err)
		}
		if city.Grades[d] < 1 || city.Grades[c]+city.Grades[d] < 5 {
			t.Errorf("made on %s: %d in D, %d in C; want someone on the public list and several on the watch list", end.Format(time.DateOnly), city.Grades[d], city.Grades[c])
		}
		id := pickDemoCitizen(sc, city.Citizens, city.Events)
		var plus, minus bool
		for i := range city.Events {
			if city.Events[i].Citizen != id {
				continue
			}
			r, _ := sc.Rule(city.Events[i].Rule)
			minus = minus || r.Deducts()
			plus = plus || !r.Deducts()
		}
		if !plus || !minus {
			t.Errorf("made on %s: demo citizen %s has no mixed history (added %v, taken away %v)", end.Format(time.DateOnly), id, plus, minus)
		}
	}
	dept := demoDepartment(sc)
	found := false
	for i := range sc.Rules {
		found = found || sc.Rules[i].Department == dept && sc.Rules[i].Deducts()
	}
	if !found {
		t.Errorf("the demo official's department %s takes no points away", dept)
	}
}
