package server

import (
	"context"
	"fmt"
	"slices"
	"time"

	"scs"
)

// Exporter is implemented by a registry that can list its citizens and
// the records that stand (not reversed); the city page replays them
// through the engine to chart citizens per grade at past year-ends.
type Exporter interface {
	Export(ctx context.Context, fn func(ev *scs.Event) error) error
	ExportCitizens(ctx context.Context, fn func(c *scs.Citizen) error) error
}

// historyTTL is how long a replayed history is shown before it is replayed again.
const historyTTL = 10 * time.Minute

type history struct {
	rows  []yearRow
	built time.Time
}

// cityHistory returns the citizens per grade at the end of each of the
// last cityYears years, or nil while it is being computed (in the
// background, from the first request) or when the registry cannot export.
func (s *Server) cityHistory(now time.Time) *history {
	ex, ok := s.reg.(Exporter)
	if !ok {
		return &history{}
	}
	w := s.web
	w.cityMu.Lock()
	defer w.cityMu.Unlock()
	h := w.history
	if (h == nil || time.Since(h.built) > historyTTL) && !w.historyBusy {
		w.historyBusy = true
		go func() {
			nh, err := s.replayHistory(context.Background(), ex, now)
			w.cityMu.Lock()
			defer w.cityMu.Unlock()
			w.historyBusy = false
			if err != nil {
				s.log.Error("replaying the city's history", "err", err)
				return
			}
			w.history = nh
		}()
	}
	return h
}

// compactEvent is one record in the replay, in 40 bytes.
type compactEvent struct {
	at       int64 // unix nanoseconds
	quantity float64
	points   int64
	citizen  int32
	rule     int32
	flags    uint8 // 1: quantity, 2: points
}

// replayHistory replays every standing record through the engine, one
// citizen at a time, and counts each scored citizen's grade at the end of
// each of the last cityYears years.
func (s *Server) replayHistory(ctx context.Context, ex Exporter, now time.Time) (*history, error) {
	sc := s.reg.Scheme()
	zone := s.zone()
	y := now.In(zone).Year()
	var ends []time.Time
	for k := cityYears; k >= 1; k-- {
		ends = append(ends, time.Date(y-k+1, 1, 1, 0, 0, 0, 0, zone))
	}
	index := map[string]int32{}
	var ids []string
	var registered []time.Time
	var scored []bool
	err := ex.ExportCitizens(ctx, func(c *scs.Citizen) error {
		index[c.ID] = int32(len(ids))
		ids = append(ids, c.ID)
		registered = append(registered, c.Registered)
		scored = append(scored, c.Consent || !sc.ConsentRequired)
		return nil
	})
	if err != nil {
		return nil, err
	}
	var evs []compactEvent
	err = ex.Export(ctx, func(ev *scs.Event) error {
		ci, ok := index[ev.Citizen]
		ri := sc.RuleIndex(ev.Rule)
		if !ok || ri < 0 || !scored[ci] {
			return nil
		}
		ce := compactEvent{at: ev.At.UnixNano(), citizen: ci, rule: int32(ri), quantity: ev.Quantity, points: ev.Points}
		if ev.HasQuantity {
			ce.flags |= 1
		}
		if ev.HasPoints {
			ce.flags |= 2
		}
		evs = append(evs, ce)
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(evs, func(a, b compactEvent) int {
		if a.citizen != b.citizen {
			return int(a.citizen - b.citizen)
		}
		switch {
		case a.at < b.at:
			return -1
		case a.at > b.at:
			return 1
		}
		return 0
	})
	counts := make([][]int, len(ends))
	for i := range counts {
		counts[i] = make([]int, len(sc.Grades))
	}
	countAt := func(ci int32, st *scs.State, k int) {
		if !registered[ci].IsZero() && registered[ci].After(ends[k]) {
			return
		}
		counts[k][s.eng.GradeAt(st, ends[k])]++
	}
	hasEvents := make([]bool, len(ids))
	for i := 0; i < len(evs); {
		ci := evs[i].citizen
		hasEvents[ci] = true
		st := s.eng.NewState(ids[ci])
		k := 0 // the next year-end to count
		for ; i < len(evs) && evs[i].citizen == ci; i++ {
			ce := &evs[i]
			for ; k < len(ends) && ce.at >= ends[k].UnixNano(); k++ {
				countAt(ci, &st, k)
			}
			ev := scs.Event{ID: "h", Citizen: ids[ci], Rule: sc.Rules[ce.rule].ID, At: time.Unix(0, ce.at).UTC(),
				Quantity: ce.quantity, HasQuantity: ce.flags&1 != 0, Points: ce.points, HasPoints: ce.flags&2 != 0}
			if _, err := s.eng.Apply(&st, &ev); err != nil {
				return nil, fmt.Errorf("replaying citizen %s: %w", ids[ci], err)
			}
		}
		for ; k < len(ends); k++ {
			countAt(ci, &st, k)
		}
	}
	for ci := range ids {
		if scored[ci] && !hasEvents[ci] {
			st := s.eng.NewState(ids[ci])
			for k := range ends {
				countAt(int32(ci), &st, k)
			}
		}
	}
	h := &history{built: time.Now()}
	for k, end := range ends {
		row := yearRow{Label: fmt.Sprintf("end of %d", end.In(zone).Year()-1), Counts: counts[k]}
		for _, n := range counts[k] {
			row.Total += n
		}
		h.rows = append(h.rows, row)
	}
	return h, nil
}
