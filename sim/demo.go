package sim

import (
	"cmp"
	"context"
	"slices"
	"strconv"
	"time"

	"scs"
)

// DemoOptions sizes the demo city of the registry service.
type DemoOptions struct {
	Citizens int // e.g. 20000
	Years    int // e.g. 5
	Seed     uint64
	End      time.Time // the run ends here (the registry passes "now"); it starts Years before
}

// DemoCity is a synthetic city: its citizens and every record of their
// conduct over the run, ready to load into a registry.
type DemoCity struct {
	Citizens []scs.Citizen     // ID, Name (synthetic), Neighbourhood, BirthYear, Consent (opted in), Registered
	Events   []scs.Event       // every record of every citizen (opted in or not), sorted by time, unique IDs
	Settings map[string]string // the simulation settings that made this city
	// Grades counts the scored citizens in each grade of the scheme (in
	// its order) at End.
	Grades []int64
	Start  time.Time
	End    time.Time
}

// Demo simulates a city with the default model under scheme s and returns
// its citizens and records. It is deterministic for a seed and End. Every
// event passes engine.Check; Department is the rule's department.
func Demo(ctx context.Context, s *scs.Scheme, o DemoOptions) (*DemoCity, error) {
	city := &DemoCity{Citizens: make([]scs.Citizen, 0, max(o.Citizens, 0))}
	var chunks [][]scs.Event
	total := 0
	cfg := Config{Scheme: s, Citizens: o.Citizens, Years: o.Years, Seed: o.Seed, End: o.End.UTC(), Rows: true, Events: AllEvents}
	cfg.OnHood = func(h *HoodOutput) error {
		for i := range h.Rows {
			r := &h.Rows[i]
			city.Citizens = append(city.Citizens, scs.Citizen{ID: r.ID, Name: r.Name, Neighbourhood: r.Neighbourhood,
				BirthYear: int(r.BirthYear), Consent: r.Consent})
		}
		chunks = append(chunks, h.Events)
		total += len(h.Events)
		return nil
	}
	res, err := Simulate(ctx, cfg)
	if err != nil {
		return nil, err
	}
	for i := range city.Citizens {
		city.Citizens[i].Registered = res.Start
	}
	// Time order; equal times keep neighbourhood order and, within a
	// neighbourhood, the order in which the engine applied them.
	type key struct {
		at         int64
		chunk, pos int32
	}
	keys := make([]key, 0, total)
	for c, evs := range chunks {
		for i := range evs {
			keys = append(keys, key{evs[i].At.UnixNano(), int32(c), int32(i)})
		}
	}
	slices.SortFunc(keys, func(a, b key) int {
		if a.at != b.at {
			return cmp.Compare(a.at, b.at)
		}
		if a.chunk != b.chunk {
			return int(a.chunk - b.chunk)
		}
		return int(a.pos - b.pos)
	})
	city.Events = make([]scs.Event, len(keys))
	for i, k := range keys {
		city.Events[i] = chunks[k.chunk][k.pos]
	}
	city.Start, city.End = res.Start, res.End
	city.Grades = res.Metrics.GradeCounts[len(res.Metrics.GradeCounts)-1]
	city.Settings = map[string]string{
		"scheme":   s.Name,
		"citizens": strconv.Itoa(o.Citizens),
		"years":    strconv.Itoa(o.Years),
		"seed":     strconv.FormatUint(o.Seed, 10),
		"start":    s.In(res.Start).Format(time.RFC3339),
		"end":      s.In(res.End).Format(time.RFC3339),
		"model":    "scs simulate, default parameters and behaviour table (docs/model.md)",
	}
	for _, p := range Params {
		city.Settings[p.Name] = strconv.FormatFloat(p.Default, 'g', -1, 64)
	}
	return city, nil
}
