package server

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"scs"
	"scs/classroom"
	"scs/schemes"
	"scs/sim"
	"scs/store"
)

// storeTarget serves the pages over a real SQLite store holding a small
// city: c-1 with no records (1000, A), c-2 in grade D (on the public list), and one
// account of each role. The clock is fixed at pageNow (2026-12-20 20:00
// China time) for the server and the store, so the self-test's expected
// grade is the one worked out by hand in quiz's tests.
func storeTarget(t *testing.T) browserTarget {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "scs.db"), schemes.MustLoad("rongcheng"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	clock := func() time.Time { return pageNow }
	db.SetClock(clock)
	citizens := []scs.Citizen{
		{ID: "c-1", Name: "Wang Fang", Neighbourhood: "Shidao", BirthYear: 1980, Consent: true},
		{ID: "c-2", Name: "Li Wei", Neighbourhood: "Yatou", BirthYear: 1975, Consent: true},
	}
	// c-1 has no record: upholding the objection to their only record
	// leaves an empty trail (a case the store once failed on).
	var evs []scs.Event
	for i, rule := range []string{"tax-evasion", "tax-evasion", "tax-evasion", "tax-evasion", "utility-damage"} {
		evs = append(evs, scs.Event{ID: "seed-" + string(rune('a'+i)), Citizen: "c-2", Rule: rule, At: pageNow.AddDate(0, -6, i)})
	}
	if err := db.Load(ctx, citizens, evs, store.Operator()); err != nil {
		t.Fatal(err)
	}
	tokens := map[string]string{}
	for key, a := range map[string]scs.Account{
		"official": {Name: "Officer Sun", Role: scs.RoleOfficial, Department: "courts"},
		"credit":   {Name: "Officer Zhou", Role: scs.RoleOfficial, Department: "credit-office"},
		"reviewer": {Name: "Reviewer Qian", Role: scs.RoleReviewer},
		"citizen":  {Name: "Wang Fang", Role: scs.RoleCitizen, Citizen: "c-1"},
		"citizen2": {Name: "Li Wei", Role: scs.RoleCitizen, Citizen: "c-2"},
	} {
		_, tok, err := db.CreateAccount(ctx, store.Operator(), a)
		if err != nil {
			t.Fatal(err)
		}
		tokens[key] = tok
	}
	s, err := New(Deps{Registry: db, Pinger: db, Settings: db, History: db, Classes: classroom.New(db, clock), Checkpoints: db, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return browserTarget{base: srv.URL, official: tokens["official"], reviewer: tokens["reviewer"], citizen: tokens["citizen"], other: tokens["citizen2"],
		own: "c-1", onList: "c-2", listName: "Li Wei", rule: "debt-judgment", points: -30,
		rangeOfficial: tokens["credit"], rangeRule: "other-commercial"}
}

// TestBrowserDemoCity takes the screenshots of the pages that show a whole
// city over a small demo city from the simulator (2,000 citizens, 5
// years); it runs only with -screenshots.
func TestBrowserDemoCity(t *testing.T) {
	if *screenshots == "" {
		t.Skip("only takes screenshots: run with -screenshots DIR")
	}
	browser := newBrowser(t)
	ctx := context.Background()
	sc := schemes.MustLoad("rongcheng")
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "demo.db"), sc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	clock := func() time.Time { return pageNow }
	db.SetClock(clock)
	city, err := sim.Demo(ctx, sc, sim.DemoOptions{Citizens: 2000, Years: 5, Seed: 1, End: pageNow})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Load(ctx, city.Citizens, city.Events, store.Operator()); err != nil {
		t.Fatal(err)
	}
	_, tok, err := db.CreateAccount(ctx, store.Operator(), scs.Account{Name: "Officer Sun", Role: scs.RoleOfficial, Department: "courts"})
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Deps{Registry: db, Pinger: db, Settings: db, History: db, Classes: classroom.New(db, clock), Checkpoints: db, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	s.SetCitySettings(city.Settings)
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	p := newPerson(t, browser, srv.URL)
	p.Open("/")
	for i := 0; i < 200 && s.cityHistory(pageNow) == nil; i++ {
		time.Sleep(50 * time.Millisecond)
	}
	p.Open("/")
	p.Shot("demo-city")
	p.Open("/list")
	p.Shot("demo-public-list")
	p.SignIn(tok)
	p.Open("/desk")
	p.Shot("demo-desk")
	off, err := db.Authenticate(ctx, tok)
	if err != nil {
		t.Fatal(err)
	}
	if l, _, err := db.WatchList(ctx, off, scs.Page{Limit: 1}, pageNow); err == nil && len(l) > 0 {
		p.Open("/citizens/" + l[0].Citizen)
		p.Shot("demo-file")
	}
}
