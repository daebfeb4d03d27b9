package store

import (
	"context"
	"database/sql"
	"errors"
	"math"
)

// staleFrom returns the time from which the citizen's stored trail rows
// are out of date (see trail_stale): the rows of records dated at or after
// it are not read as stored. ok is false when every row is up to date.
func (db *DB) staleFrom(ctx context.Context, q querier, citizen string) (at int64, ok bool, err error) {
	err = q.QueryRowContext(ctx, db.q(`SELECT at FROM trail_stale WHERE citizen = ?`), citizen).Scan(&at)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return 0, false, nil
	case err != nil:
		return 0, false, internal("trail", err)
	}
	return at, true, nil
}

// replayedTrail returns the trail entries, by sequence number, of p's
// citizen's live records dated from from to to, computed by the engine
// from the newest snapshot before from: what the trail rows of a citizen
// marked stale would hold. p gives when the citizen was registered and
// when their records are scored.
func (db *DB) replayedTrail(ctx context.Context, q querier, p *proj, from, to int64) (map[int64]trailItem, error) {
	np, err := db.replayRange(ctx, q, p, from, to, nil, nil)
	if err != nil {
		return nil, internal("trail", err)
	}
	out := make(map[int64]trailItem, len(np.out))
	for _, t := range np.out {
		if nanos(t.At) >= from {
			out[t.Seq] = t
		}
	}
	return out, nil
}

// currentTrail returns the entries of items (a citizen's trail rows, read
// as stored, in any order) as they are: the rows the citizen's stale mark
// covers replaced by the engine's replay. p is the citizen's projection
// (for when their records are scored), or nil to read it.
func (db *DB) currentTrail(ctx context.Context, q querier, citizen string, p *proj, items []trailItem) error {
	ats := make([]int64, len(items))
	for i := range items {
		ats[i] = nanos(items[i].At)
	}
	fresh, err := db.staleEntries(ctx, q, citizen, p, ats)
	if err != nil {
		return err
	}
	for i := range items {
		if t, ok := fresh[items[i].Seq]; ok {
			// As a row holds it.
			if items[i], err = db.decodeTrailItem(t.Seq, db.encodeTrailItem(nil, &t)); err != nil {
				return internal("trail", err)
			}
		}
	}
	return nil
}

// staleEntries returns, for the citizen's records dated ats, the trail
// entries their stale mark covers, computed by the engine (nil when the
// mark covers none of them). p is the citizen's projection, or nil to
// read it.
func (db *DB) staleEntries(ctx context.Context, q querier, citizen string, p *proj, ats []int64) (map[int64]trailItem, error) {
	s, ok, err := db.staleFrom(ctx, q, citizen)
	if err != nil || !ok {
		return nil, err
	}
	from, to := int64(math.MaxInt64), int64(math.MinInt64)
	for _, at := range ats {
		if at >= s {
			from, to = min(from, at), max(to, at)
		}
	}
	if from > to {
		return nil, nil
	}
	if p == nil {
		ps, err := db.loadProjections(ctx, func(query string, args ...any) (*sql.Rows, error) {
			return q.QueryContext(ctx, db.q(query), args...)
		}, []string{citizen})
		if err != nil {
			return nil, err
		}
		if p = ps[citizen]; p == nil {
			return nil, internal("trail", errors.New("citizen "+citizen+" has no projection"))
		}
	}
	return db.replayedTrail(ctx, q, p, from, to)
}
