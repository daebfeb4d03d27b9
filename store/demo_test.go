package store

import (
	"context"
	"testing"
	"time"

	"scs"
	"scs/sim"
)

// TestLoadDemoCity loads the simulator's demo city, as scs serve does on an
// empty database, and checks it with Verify and the engine.
func TestLoadDemoCity(t *testing.T) {
	ctx := context.Background()
	s := rongcheng(t)
	end := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	city, err := sim.Demo(ctx, s, sim.DemoOptions{Citizens: demoCitizens(), Years: 5, Seed: 1, End: end})
	if err != nil {
		t.Fatal(err)
	}
	db := openSQLite(t)
	db.SetClock(func() time.Time { return end })
	start := time.Now()
	if err := db.Load(ctx, city.Citizens, city.Events, Operator()); err != nil {
		t.Fatal(err)
	}
	t.Logf("loaded %d citizens and %d records in %v", len(city.Citizens), len(city.Events), time.Since(start))
	var probs []scs.VerifyProblem
	n, err := db.Verify(ctx, func(p scs.VerifyProblem) { probs = append(probs, p) })
	if err != nil || len(probs) > 0 || n != int64(len(city.Citizens)+len(city.Events)) {
		t.Fatalf("verify: %d entries, %v, %+v", n, err, probs)
	}
	res, err := db.eng.ScoreEvents(city.Events, end, false)
	if err != nil {
		t.Fatal(err)
	}
	stats, err := db.Stats(ctx, end)
	if err != nil {
		t.Fatal(err)
	}
	scored := map[string]bool{}
	for _, c := range city.Citizens {
		scored[c.ID] = c.Consent
	}
	perGrade := map[string]int{}
	for _, r := range res {
		if scored[r.Standing.Citizen] {
			perGrade[r.Standing.Grade]++
		}
		delete(scored, r.Standing.Citizen)
	}
	for id, ok := range scored { // scored citizens without records
		if ok {
			st := db.eng.NewState(id)
			perGrade[db.eng.Standing(&st, end).Grade]++
		}
	}
	for g, n := range perGrade {
		if stats.PerGrade[g] != n {
			t.Errorf("grade %s: the registry counts %d, the engine %d", g, stats.PerGrade[g], n)
		}
	}
	if stats.Records != int64(len(city.Events)) {
		t.Errorf("%d records, want %d", stats.Records, len(city.Events))
	}
	pub, _, err := db.PublicList(ctx, scs.Page{Limit: 1000}, end)
	if err != nil || len(pub) != perGrade["D"] {
		t.Fatalf("public list: %v, %d entries, engine has %d in D", err, len(pub), perGrade["D"])
	}
}

// demoCitizens is 2,000, or SCS_DEMO_CITIZENS when set (scs serve's
// default city is 20,000).
func demoCitizens() int {
	return benchN(2000, "SCS_DEMO_CITIZENS")
}
