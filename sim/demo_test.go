package sim

import (
	"context"
	"reflect"
	"testing"
	"time"

	"scs/engine"
	"scs/schemes"
)

func TestDemo(t *testing.T) {
	s, err := schemes.Load("rongcheng")
	if err != nil {
		t.Fatal(err)
	}
	end := time.Date(2026, 11, 27, 10, 30, 15, 0, time.UTC)
	o := DemoOptions{Citizens: 3000, Years: 5, Seed: 7, End: end}
	city, err := Demo(context.Background(), s, o)
	if err != nil {
		t.Fatal(err)
	}
	if len(city.Citizens) != o.Citizens {
		t.Fatalf("got %d citizens, want %d", len(city.Citizens), o.Citizens)
	}
	if !city.End.Equal(end) || !city.Start.Equal(end.AddDate(-5, 0, 0)) {
		t.Errorf("start %v end %v", city.Start, city.End)
	}
	eng, _ := engine.New(s)
	ids := map[string]bool{}
	known := map[string]bool{}
	consented := 0
	for _, c := range city.Citizens {
		if ids[c.ID] {
			t.Fatalf("duplicate citizen %s", c.ID)
		}
		ids[c.ID] = true
		known[c.ID] = true
		if c.Name == "" || c.Neighbourhood == "" || c.BirthYear < 1900 || !c.Registered.Equal(city.Start) {
			t.Fatalf("incomplete citizen %+v", c)
		}
		if c.Consent {
			consented++
		}
	}
	if consented == 0 || consented == len(city.Citizens) {
		t.Errorf("consented %d of %d: want some of each", consented, len(city.Citizens))
	}
	evIDs := map[string]bool{}
	for i := range city.Events {
		ev := &city.Events[i]
		if err := eng.Check(ev); err != nil {
			t.Fatalf("event %d: %v", i, err)
		}
		if evIDs[ev.ID] {
			t.Fatalf("duplicate event id %s", ev.ID)
		}
		evIDs[ev.ID] = true
		if !known[ev.Citizen] {
			t.Fatalf("event %s of unknown citizen %s", ev.ID, ev.Citizen)
		}
		r, _ := s.Rule(ev.Rule)
		if ev.Department != r.Department {
			t.Fatalf("event %s: department %q, want %q", ev.ID, ev.Department, r.Department)
		}
		if ev.At.Before(city.Start) || !ev.At.Before(city.End) {
			t.Fatalf("event %s at %v outside the run", ev.ID, ev.At)
		}
		if i > 0 && ev.At.Before(city.Events[i-1].At) {
			t.Fatalf("events not sorted at %d", i)
		}
	}
	if len(city.Events) < o.Citizens/2 {
		t.Errorf("only %d events for %d citizens over 5 years", len(city.Events), o.Citizens)
	}
	again, err := Demo(context.Background(), s, o)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(city, again) {
		t.Error("Demo is not deterministic for a seed")
	}
	o.Seed = 8
	other, _ := Demo(context.Background(), s, o)
	if reflect.DeepEqual(city.Events, other.Events) {
		t.Error("a different seed gave the same events")
	}
}

func BenchmarkDemo20k5y(b *testing.B) {
	s, _ := schemes.Load("rongcheng")
	o := DemoOptions{Citizens: 20000, Years: 5, Seed: 1, End: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	for b.Loop() {
		if _, err := Demo(context.Background(), s, o); err != nil {
			b.Fatal(err)
		}
	}
}

func TestDemoSize(t *testing.T) {
	s, _ := schemes.Load("rongcheng")
	city, err := Demo(context.Background(), s, DemoOptions{Citizens: 20000, Years: 5, Seed: 1, End: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d citizens, %d events", len(city.Citizens), len(city.Events))
}
