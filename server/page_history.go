package server

import (
	"context"
	"fmt"
	"time"
)

// historyTTL is how long a counted history is shown before it is counted again.
const historyTTL = 10 * time.Minute

type history struct {
	rows  []yearRow
	built time.Time
}

// cityHistory returns the citizens per grade at the end of each of the
// last cityYears years, or nil while it is being counted (in the
// background, from the first request) and when the server has no
// Deps.History.
func (s *Server) cityHistory(now time.Time) *history {
	if s.history == nil {
		return &history{}
	}
	w := s.web
	w.cityMu.Lock()
	defer w.cityMu.Unlock()
	h := w.history
	if (h == nil || s.now().Sub(h.built) > historyTTL) && !w.historyBusy {
		w.historyBusy = s.bg.run(func(ctx context.Context) {
			nh, err := s.countHistory(ctx, now)
			w.cityMu.Lock()
			defer w.cityMu.Unlock()
			w.historyBusy = false
			if err != nil {
				if ctx.Err() == nil {
					s.log.Error("counting the city's history", "err", err)
				}
				return
			}
			w.history = nh
		})
	}
	return h
}

// countHistory asks the registry for the citizens per grade at the end of
// each of the last cityYears years, in the scheme's time zone.
func (s *Server) countHistory(ctx context.Context, now time.Time) (*history, error) {
	zone := s.zone()
	y := now.In(zone).Year()
	var ends []time.Time
	for k := cityYears; k >= 1; k-- {
		ends = append(ends, time.Date(y-k+1, 1, 1, 0, 0, 0, 0, zone))
	}
	counts, err := s.history.GradesAt(ctx, ends)
	if err != nil {
		return nil, err
	}
	h := &history{built: s.now()}
	for k, end := range ends {
		row := yearRow{Label: fmt.Sprintf("end of %d", end.In(zone).Year()-1), Counts: counts[k]}
		for _, n := range counts[k] {
			row.Total += n
		}
		h.rows = append(h.rows, row)
	}
	return h, nil
}
