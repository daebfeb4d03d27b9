package server

import (
	"sync"
	"time"

	"scs"
	"scs/analyse"
	"scs/engine"
)

// wayOut is the scheme page's summary of scs scheme analyse: for each
// grade but the highest, from the middle of its band, just fallen today,
// the earliest date back in the nearest grade above without a lock-in, for
// the three people, without and with informing.
type wayOut struct {
	At      time.Time
	People  []wayOutPerson
	Rows    []wayOutRow
	Problem string // why there is no analysis, when there is none
}

type wayOutPerson struct{ Name, Budget string }

type wayOutRow struct {
	From      string
	Score     int64
	Target    string
	Informing bool
	LockIn    string
	Cells     []wayOutCell // one a person
}

type wayOutCell struct {
	Reach                   bool
	After, Date, Yuan, Hour string
}

// maxPageActs is the most plannable acts for which the scheme page runs
// the analysis itself.
const maxPageActs = 12

// wayOutCache holds the last analysis: it depends only on the engine and
// the day, and takes a tenth of a second.
var wayOutCache struct {
	sync.Mutex
	eng *engine.Engine
	day time.Time
	w   *wayOut
}

// wayOut returns the analysis for today (in the scheme's zone), computed
// at most once a day.
func (s *Server) wayOut() *wayOut {
	sc, loc := s.eng.Scheme(), s.zone()
	now := s.now().In(loc)
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	wayOutCache.Lock()
	defer wayOutCache.Unlock()
	if wayOutCache.eng == s.eng && wayOutCache.day.Equal(day) {
		return wayOutCache.w
	}
	w := &wayOut{At: day}
	for _, p := range analyse.People {
		b := "no money to spare"
		if p.YuanPerYear > 0 {
			b = analyse.Number(p.YuanPerYear) + " yuan a year"
		}
		w.People = append(w.People, wayOutPerson{Name: p.Name, Budget: b})
	}
	acts := 0
	for _, r := range sc.Rules {
		if r.Act != nil && r.Act.Plannable {
			acts++
		}
	}
	var routes []analyse.Route
	var err error
	if acts > maxPageActs {
		// The analysis grows quickly with the acts (docs/benchmarks.md);
		// the page does not make a reader wait for it.
		err = scs.Errorf(scs.EINVALID, "the scheme has %d acts a person can plan; run scs scheme analyse for it", acts)
	} else {
		routes, err = analyse.Analyse(s.eng, analyse.Options{At: day})
	}
	if err != nil {
		w.Problem = scs.ErrorMessage(err)
		if scs.ErrorCode(err) == scs.EINTERNAL {
			s.log.Error("scheme page: analyse", "err", err)
			w.Problem = "the analysis failed; see the server's log"
		}
	}
	for _, h := range analyse.Headlines(sc, routes) {
		row := wayOutRow{From: h.From.Grade, Score: h.From.Score, Target: h.Target, Informing: h.Informing}
		if !h.LockIn.IsZero() {
			row.LockIn = h.LockIn.Words()
		}
		for _, r := range h.Routes {
			c := wayOutCell{Reach: r.Earliest != nil}
			if c.Reach {
				c.After = analyse.YearsWords(r.Years())
				c.Date = r.Earliest.In(loc).Format("2 January 2006")
				c.Yuan, c.Hour = analyse.Number(r.Yuan), analyse.Number(r.Hours)
			}
			row.Cells = append(row.Cells, c)
		}
		w.Rows = append(w.Rows, row)
	}
	wayOutCache.eng, wayOutCache.day, wayOutCache.w = s.eng, day, w
	return w
}
