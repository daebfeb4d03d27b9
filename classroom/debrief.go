package classroom

import (
	"context"
	"math"
	"sync"
	"time"

	"scs"
	"scs/sim"
)

// Claims the debrief sets the class's figures beside, by the id of the
// simulator's claim (sim.Claims) that measures the same thing.
var debriefClaims = []string{"chilled-speech", "informants", "rich-pay", "lock-in"}

// ClassFigures are the class's own figures at the end of the game.
type ClassFigures struct {
	Students       int          `json:"students"`
	Scored         int          `json:"scored"`
	Declined       int          `json:"declined"`
	Rounds         int          `json:"rounds"`
	CriticismFirst int          `json:"criticism_first"` // posts in round 1
	CriticismLast  int          `json:"criticism_last"`  // posts in the last round played
	PlayedFirst    int          `json:"played_first"`
	PlayedLast     int          `json:"played_last"`
	Reports        int          `json:"reports"`
	Informants     int          `json:"informants"` // students who reported at least once
	Objections     int          `json:"objections"`
	Upheld         int          `json:"upheld"`
	Rich           int          `json:"rich"`
	Poor           int          `json:"poor"`
	RichMeanScore  *float64     `json:"rich_mean_score"`
	PoorMeanScore  *float64     `json:"poor_mean_score"`
	Donated        int64        `json:"donated"`
	Locked         int          `json:"locked"`      // scored students held in a grade by a lock-in at the end
	PublicList     int          `json:"public_list"` // on the public list at the end
	Grades         []GradeCount `json:"grades"`
}

// SimFigure is the simulator's figure for one claim under the same scheme:
// the value, the value with the claim's mechanism switched off, and
// whether the difference goes the way the essay says. Nil values could
// not be measured.
type SimFigure struct {
	ID             string   `json:"id"`
	Value          *float64 `json:"value"`
	Counterfactual *float64 `json:"counterfactual"`
	Holds          bool     `json:"holds"`     // the verdict is "supported"
	Verdict        string   `json:"verdict"`   // supported, not supported, not measurable, not applicable
	Mechanism      string   `json:"mechanism"` // assumed (a parameter written to produce it) or emergent
	Reading        string   `json:"reading"`   // the verdict in words
}

// SimRun says which simulation gave the figures.
type SimRun struct {
	Citizens int  `json:"citizens"`
	Years    int  `json:"years"`
	Seed     int  `json:"seed"`
	Ready    bool `json:"ready"` // false while the simulation is still running
}

// Debrief is the end of the lesson: the class's figures beside the
// essay's claims and the simulator's figures for the same scheme.
type Debrief struct {
	Code        string         `json:"code"`
	Scheme      string         `json:"scheme"`
	SchemeTitle string         `json:"scheme_title"`
	Class       ClassFigures   `json:"class"`
	Claims      []string       `json:"claims"`
	Sim         []SimFigure    `json:"sim"`
	SimRun      SimRun         `json:"sim_run"`
	Rounds      []RoundFigures `json:"rounds"`
}

// The simulation behind the debrief: small enough to take a second or two,
// run once per scheme and kept.
const (
	debriefCitizens = 2000
	debriefYears    = 10
	debriefSeed     = 1
	// replications (seeds 1, 2, 3) so that each claim has an interval
	debriefReplications = 3
)

type simEntry struct {
	once sync.Once
	done chan struct{}
	figs []SimFigure
}

var simCache sync.Map // scheme name -> *simEntry

// simFigures starts the scheme's debrief simulation (once) and returns
// its figures, or nil while it runs.
func simFigures(g *rules, wait time.Duration) []SimFigure {
	v, _ := simCache.LoadOrStore(g.scheme.Name, &simEntry{done: make(chan struct{})})
	e := v.(*simEntry)
	e.once.Do(func() {
		go func() {
			defer close(e.done)
			e.figs = runSim(g.scheme)
		}()
	})
	select {
	case <-e.done:
		return e.figs
	case <-time.After(wait):
		return nil
	}
}

func runSim(sc *scs.Scheme) []SimFigure {
	cfg := sim.Config{Scheme: sc, Citizens: debriefCitizens, Years: debriefYears, Seed: debriefSeed,
		End: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Workers: 1}
	ctx := context.Background()
	var bases []*sim.Result
	for rep := range debriefReplications {
		c := cfg
		c.Seed += uint64(rep)
		base, err := sim.Simulate(ctx, c)
		if err != nil {
			return []SimFigure{}
		}
		bases = append(bases, base)
	}
	rows, err := sim.RunClaims(ctx, cfg, bases)
	if err != nil {
		return []SimFigure{}
	}
	var out []SimFigure
	for _, id := range debriefClaims {
		f := SimFigure{ID: id}
		for _, r := range rows {
			if r.ID == id {
				f.Value, f.Counterfactual, f.Holds = finite(r.Value), finite(r.CF), r.Verdict == sim.Supported
				f.Verdict, f.Mechanism, f.Reading = r.Verdict, r.Mechanism, r.Reading
			}
		}
		out = append(out, f)
	}
	return out
}

func finite(f float64) *float64 {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil
	}
	return &f
}

// WarmDebrief starts the debrief simulation of a scheme in the background,
// so that the debrief at the end of the lesson need not wait for it.
func (s *Service) WarmDebrief(scheme string) {
	if g, err := s.rulesFor(scheme); err == nil {
		simFigures(g, 0)
	}
}

// Debrief returns the class's debrief (its teacher). It waits up to a few
// seconds for the simulator's figures; SimRun.Ready says whether they came.
func (s *Service) Debrief(ctx context.Context, by *scs.Account, code string) (*Debrief, error) {
	sn, err := s.load(ctx, code)
	if err != nil {
		return nil, err
	}
	if err := teacherOf(by, &sn.class); err != nil {
		return nil, err
	}
	if sn.class.Status == StatusClosed {
		return nil, scs.Errorf(scs.ENOTFOUND, "class %s is closed: only its summary is kept", sn.class.Code)
	}
	b := sn.board()
	d := &Debrief{Code: sn.class.Code, Scheme: sn.class.Scheme, SchemeTitle: sn.rules.scheme.Title, Claims: debriefClaims, Rounds: b.Rounds,
		SimRun: SimRun{Citizens: debriefCitizens, Years: debriefYears, Seed: debriefSeed}}
	cf := ClassFigures{Students: b.Students, Scored: b.Scored, Declined: b.Declined, Rounds: len(b.Rounds), Grades: b.Grades, PublicList: len(b.PublicList)}
	informants := map[int64]bool{}
	for _, rp := range sn.reports {
		cf.Reports++
		informants[rp.Reporter] = true
		if rp.Status != ReportStanding {
			cf.Objections++
		}
		if rp.Status == ReportUpheld {
			cf.Upheld++
		}
	}
	cf.Informants = len(informants)
	if n := len(b.Rounds); n > 0 {
		first, last := b.Rounds[0], b.Rounds[n-1]
		cf.CriticismFirst, cf.PlayedFirst = first.Criticism, first.Played
		cf.CriticismLast, cf.PlayedLast = last.Criticism, last.Played
		cf.Rich, cf.Poor, cf.RichMeanScore, cf.PoorMeanScore = last.Rich, last.Poor, last.RichMeanScore, last.PoorMeanScore
		cf.Locked = last.Locked
		for _, r := range b.Rounds {
			cf.Donated += r.Donated
		}
	}
	d.Class = cf
	if sn.rules.speech == "" && sn.rules.inform == "" {
		d.Claims = []string{"rich-pay", "lock-in"}
	}
	if figs := simFigures(sn.rules, 3*time.Second); figs != nil {
		d.Sim, d.SimRun.Ready = figs, true
	} else {
		d.Sim = []SimFigure{}
	}
	return d, nil
}
