package store

import (
	"context"
	"fmt"
	"slices"
	"time"

	"scs"
)

var _ scs.GradeHistory = (*DB)(nil)

// compactEvent is one standing record in GradesAt's replay, in 40 bytes.
type compactEvent struct {
	at       int64 // unix nanoseconds
	quantity float64
	points   int64
	citizen  int32
	rule     int32
	flags    uint8 // 1: quantity, 2: points
}

// GradesAt counts the scored citizens per grade at each of ends by
// replaying every standing record through the engine, one citizen at a
// time (engine.GradeCounts). It holds every record in memory, 40 bytes
// each, for the time of the call.
func (db *DB) GradesAt(ctx context.Context, ends []time.Time) ([][]int, error) {
	sc := db.scheme
	rows, err := db.r.QueryContext(ctx, `SELECT id, consent, registered FROM citizens ORDER BY id`)
	if err != nil {
		return nil, internal("grades at", err)
	}
	index := map[string]int32{}
	var ids []string
	var registered []time.Time
	var scored []bool
	for rows.Next() {
		var id string
		var consent int
		var reg int64
		if err := rows.Scan(&id, &consent, &reg); err != nil {
			rows.Close()
			return nil, internal("grades at", err)
		}
		index[id] = int32(len(ids))
		ids = append(ids, id)
		registered = append(registered, fromNanos(reg))
		scored = append(scored, consent == 1 || !sc.ConsentRequired)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, internal("grades at", err)
	}
	var evs []compactEvent
	err = db.Export(ctx, func(ev *scs.Event) error {
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
	// By citizen, keeping ledger order; GradeCounts orders each citizen's
	// records by time.
	slices.SortStableFunc(evs, func(a, b compactEvent) int { return int(a.citizen - b.citizen) })
	g := db.eng.NewGradeCounts(ends)
	var buf []scs.Event
	i := 0
	for ci := range ids {
		if !scored[ci] {
			continue
		}
		buf = buf[:0]
		for ; i < len(evs) && evs[i].citizen == int32(ci); i++ {
			ce := &evs[i]
			buf = append(buf, scs.Event{ID: "h", Citizen: ids[ci], Rule: sc.Rules[ce.rule].ID, At: time.Unix(0, ce.at).UTC(),
				Quantity: ce.quantity, HasQuantity: ce.flags&1 != 0, Points: ce.points, HasPoints: ce.flags&2 != 0})
		}
		if err := g.Add(ids[ci], registered[ci], buf); err != nil {
			return nil, fmt.Errorf("replaying citizen %s: %w", ids[ci], err)
		}
	}
	return g.Counts(), nil
}

// PreviewRecord says what reporting ev would do to its citizen as of at,
// storing nothing (engine.Preview on the citizen's whole file). The
// account must be allowed to read the file.
func (db *DB) PreviewRecord(ctx context.Context, by *scs.Account, ev scs.Event, at time.Time) (scs.RecordPreview, error) {
	f, err := db.File(ctx, by, ev.Citizen, at, scs.TrailPage{All: true})
	if err != nil {
		return scs.RecordPreview{}, err
	}
	return db.eng.Preview(f, ev, at)
}
