package main

import (
	"strconv"
	"time"

	"scs/analyse"
	"scs/jsonl"
)

const analyseUsage = `scs scheme analyse [NAME|FILE] [--from GRADE|SCORE] [--at TIME] [--budget-yuan N] [--hours-per-week H] [--no-informing] [--format table|json]

For each starting state (every grade but the highest, at its floor, middle
and top, just fallen into so that its lock-in starts at --at), the earliest
time a person can stand in each higher grade using only the acts a person
can plan, and the cheapest plan for that time in yuan and hours. By default
three people (no money to spare, a middle budget, rich; 4 hours a week each),
each without and with informing on neighbours; --budget-yuan and
--hours-per-week give one person instead. The table ends with the answer in
sentences. --format json prints one JSON object a line per route, whose
"plan" replays with scs score --at EARLIEST (see docs/analyse.md).`

func cmdSchemeAnalyse(e *env, args []string) error {
	fs := newFlags(e, "scheme analyse", analyseUsage)
	from := fs.String("from", "", "analyse only this `GRADE` (floor, middle and top) or SCORE")
	atFlag := fs.String("at", "", "the start, an RFC 3339 `time` (default now)")
	budget := fs.Float64("budget-yuan", -1, "one person who can spare `N` yuan a calendar year (instead of the three people)")
	hours := fs.Float64("hours-per-week", -1, "one person who can give `H` hours a week (instead of the three people; default 4)")
	noInforming := fs.Bool("no-informing", false, "leave out acts that harm others (informing on neighbours)")
	horizon := fs.Int("horizon", analyse.DefaultHorizon, "give up on a route after `Y` calendar years")
	format := newChoice("table", "table", "json")
	fs.Var(format, "format", "output `format`: table or json")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 1 {
		return usagef("scheme analyse: want at most one scheme NAME or FILE, got %d", len(pos))
	}
	name := "rongcheng"
	if len(pos) == 1 {
		name = pos[0]
	}
	opt := analyse.Options{At: time.Now().UTC(), NoInforming: *noInforming, Horizon: *horizon}
	if *atFlag != "" {
		if opt.At, err = jsonl.ParseTime(*atFlag); err != nil {
			return usagef("scheme analyse: --at: %v", err)
		}
	}
	if n, err := strconv.ParseInt(*from, 10, 64); err == nil {
		opt.FromScore, opt.HasFromScore = n, true
	} else {
		opt.FromGrade = *from
	}
	if *budget != -1 || *hours != -1 {
		p := analyse.Person{Name: "custom", YuanPerYear: max(*budget, 0), HoursPerWeek: 4}
		if *hours != -1 {
			p.HoursPerWeek = *hours
		}
		if *budget < -1 || *hours < -1 {
			return usagef("scheme analyse: --budget-yuan and --hours-per-week must not be negative")
		}
		opt.People = []analyse.Person{p}
	}
	if *horizon < 1 {
		return usagef("scheme analyse: --horizon must be at least 1 year")
	}
	eng, err := loadEngine(name)
	if err != nil {
		return err
	}
	routes, err := analyse.Analyse(eng, opt)
	if err != nil {
		return err
	}
	if format.val == "json" {
		return analyse.WriteJSON(e.stdout, eng.Scheme(), routes)
	}
	return analyse.WriteTable(e.stdout, eng.Scheme(), routes)
}
