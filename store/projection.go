package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"math"
	"scs"
	"scs/engine"
	"slices"
	"time"
)

// proj is one citizen's projection: the engine's state after their
// history and the time they entered their grade. Its trail entries live in
// the trail table, one row per standing record keyed by the record's
// sequence number (so that appending a record appends a row); out holds
// the entries computed and not yet written.
type proj struct {
	citizen string
	st      scs.State
	since   int64
	out     []trailItem
	seq     int64
	// registered is when the citizen was registered: their grade-since
	// before any record changed their grade.
	registered int64
	// sc is when the citizen's records are scored (eligibility, consent).
	sc *engine.Scoring
	// snaps are snapshots computed and not yet written; when dropSnaps,
	// the citizen's stored snapshots dated after snapsAfter are deleted
	// first (they were taken before records now in their past).
	snaps      []snapshot
	dropSnaps  bool
	snapsAfter int64
	// stale marks, when the projection is saved, the citizen's trail
	// rows of records dated at or after staleFrom as out of date (they
	// were not rewritten; see trail_stale); rewrote says that every row
	// of a record dated at or after rewroteFrom was rewritten, so a mark
	// at or after it goes.
	stale, rewrote         bool
	staleFrom, rewroteFrom int64
	// keepNew, when set, are the new records of a late replay: once out
	// holds more than outMax entries, only theirs are kept (trimmed), since
	// the others will be marked out of date rather than written.
	keepNew map[int64]bool
	outMax  int
	trimmed bool
	// What saving the projection does to the citizen's record packs (see
	// savePacks): repack replaces them with packs of packAll (their
	// standing records, from a replay of their whole history; packFresh:
	// none are stored yet); packAdd are new records to insert into the
	// packs holding their times; packSeal seals the records after the
	// packs into them.
	repack, packFresh, packSeal bool
	packAll, packAdd            []entry
}

// snapshotEvery is how many records apart a citizen's snapshots are (at
// least): a late record replays at most about this many records before
// its own time.
const snapshotEvery = 1024

func (db *DB) snapshotEvery() int {
	if db.snapEvery > 0 {
		return db.snapEvery
	}
	return snapshotEvery
}

// scoredTo returns the time of the citizen's last scored record (ok false
// when none is). Their snapshots and record packs never reach past it:
// a record dated after it is applied in order to the state (inOrder),
// without a replay, so no snapshot or pack may have been made that ought
// to hold it, even when the citizen has records dated after it that were
// not scored (after they withdrew consent, say).
func (p *proj) scoredTo() (int64, bool) {
	if p.st.Events == 0 {
		return 0, false
	}
	return nanos(p.st.LastAt), true
}

// snapshot is the engine's state after every live record of a citizen
// dated at or before at, and when they entered their grade.
type snapshot struct {
	at    int64
	state []byte
	since int64
}

// step applies one record to the projection through the engine, tracking
// when the citizen entered their grade, and appends its trail entry. In a
// replay, q notes when the order of simultaneous records mattered; nil
// applies the record alone (it has no other record at its instant).
func (db *DB) step(p *proj, ev *scs.Event, seq int64, q *engine.Sequence) error {
	before := db.eng.GradeAt(&p.st, ev.At)
	if p.st.Events > 0 && before != db.eng.GradeAt(&p.st, p.st.LastAt) {
		p.since = nanos(p.st.LockedUntil) // a lock ran out between the last record and this one
	}
	var te scs.TrailEntry
	var err error
	if q != nil {
		te, err = q.Apply(&p.st, ev)
	} else {
		te, err = db.eng.ApplyFor(&p.st, ev, p.sc)
	}
	if err != nil {
		return err
	}
	if !te.NotScored && te.Grade != db.scheme.Grades[before].Name {
		p.since = nanos(ev.At)
	}
	if !p.trimmed || p.keepNew[seq] {
		p.out = append(p.out, trailItem{Seq: seq, TrailEntry: te})
	}
	if p.keepNew != nil && !p.trimmed && len(p.out) > p.outMax {
		p.out, p.trimmed = keepOnly(p.out, p.keepNew), true
	}
	if seq > p.seq {
		p.seq = seq
	}
	return nil
}

// keepOnly returns the entries of out whose records are in keep, in out's
// storage.
func keepOnly(out []trailItem, keep map[int64]bool) []trailItem {
	kept := out[:0]
	for _, t := range out {
		if keep[t.Seq] {
			kept = append(kept, t)
		}
	}
	clear(out[len(kept):])
	return kept
}

// rebuild replays a citizen's whole history (records not reversed) through
// the engine, in the engine's order: conduct time, then ledger order, under
// sc (when the citizen's records are scored).
func (db *DB) rebuild(citizen string, registered int64, sc *engine.Scoring, recs []entry) (proj, error) {
	byTime := func(a, b entry) int {
		if c := cmp.Compare(a.At, b.At); c != 0 {
			return c
		}
		return cmp.Compare(a.Seq, b.Seq)
	}
	if !slices.IsSortedFunc(recs, byTime) { // records mostly arrive in time order
		slices.SortFunc(recs, byTime)
	}
	p := proj{citizen: citizen, st: db.eng.NewState(citizen), since: registered, registered: registered, sc: sc, repack: true, packAll: recs}
	return p, db.replay(&p, recs)
}

// replay applies recs (sorted in the engine's order, each dated after
// every record already in p's state) to p, and takes a snapshot at the end
// of an instant every snapshotEvery records, never inside a group of
// records sharing one instant, nor after a record that was not scored
// (see scoredTo).
func (db *DB) replay(p *proj, recs []entry) error {
	return db.replayFrom(p, &sliceSource{recs: recs})
}

// recSource yields a citizen's records in the engine's order: next
// returns the next one (nil after the last), which stays as it is until
// the call after the next (a replay reads one ahead) and is not changed by
// the caller.
type recSource interface {
	next() (*entry, error)
}

// sliceSource is a recSource over recs.
type sliceSource struct {
	recs []entry
	i    int
}

func (s *sliceSource) next() (*entry, error) {
	if s.i == len(s.recs) {
		return nil, nil
	}
	s.i++
	return &s.recs[s.i-1], nil
}

// replayFrom is replay for the records src yields, read one ahead: the
// engine explains each record (its trail entry) unless p keeps only the new
// records' entries by now and this one is not new and is alone at its
// instant, when only the state is stepped.
func (db *DB) replayFrom(p *proj, src recSource) error {
	q := db.eng.NewSequence(p.sc)
	n := 0
	cur, err := src.next()
	prevAt, first := int64(0), true
	var ev scs.Event
	for cur != nil && err == nil {
		var nxt *entry
		if nxt, err = src.next(); err != nil {
			break
		}
		more := nxt != nil
		cur.fillEvent(&ev)
		alone := (first || prevAt != cur.At) && (!more || nxt.At != cur.At)
		if alone && p.trimmed && !p.keepNew[cur.Seq] {
			err = db.stepState(p, &ev, cur.Seq, cur.ruleNo)
		} else {
			err = db.step(p, &ev, cur.Seq, q)
		}
		if err != nil {
			return fmt.Errorf("citizen %s: record %s (seq %d): %w", p.citizen, cur.Rid, cur.Seq, err)
		}
		n++
		if last, ok := p.scoredTo(); n >= db.snapshotEvery() && (!more || nxt.At != cur.At) && ok && last == cur.At {
			p.snaps = append(p.snaps, snapshot{at: cur.At, state: encodeState(nil, &p.st), since: p.since})
			n = 0
		}
		prevAt, first = cur.At, false
		cur = nxt
	}
	if err != nil {
		return fmt.Errorf("citizen %s: %w", p.citizen, err)
	}
	return nil
}

// stepState is step without the trail entry, for a record whose entry is
// not kept and that shares its instant with no other record (so the
// engine has no order to explain). ruleNo is the engine's number of its
// rule plus one, or 0 when not known.
func (db *DB) stepState(p *proj, ev *scs.Event, seq int64, ruleNo int) error {
	before := db.eng.GradeAt(&p.st, ev.At)
	if p.st.Events > 0 && before != db.eng.GradeAt(&p.st, p.st.LastAt) {
		p.since = nanos(p.st.LockedUntil) // a lock ran out between the last record and this one
	}
	var scored bool
	var err error
	after := before
	if ruleNo > 0 {
		scored, after, err = db.eng.StepRuleFor(&p.st, ruleNo-1, ev, p.sc)
	} else if _, scored, err = db.eng.StepFor(&p.st, ev, p.sc); scored {
		after = db.eng.GradeAt(&p.st, ev.At)
	}
	if err != nil {
		return err
	}
	if scored && after != before {
		p.since = nanos(ev.At)
	}
	if seq > p.seq {
		p.seq = seq
	}
	return nil
}

// gradeSince returns when the citizen entered the grade they have at t.
func (db *DB) gradeSince(p *proj, t time.Time) time.Time {
	if p.st.Events > 0 && db.eng.GradeAt(&p.st, t) != db.eng.GradeAt(&p.st, p.st.LastAt) {
		return p.st.LockedUntil
	}
	return fromNanos(p.since)
}

const projCols = "citizen, state, score, band, lock_grade, locked_until, grade_since, seq, registered"

// saveProjections writes ps (insert or replace) and remembers them for the
// writer's cache.
func (w *wtx) saveProjections(ps []*proj) error {
	for _, p := range ps {
		w.touch(p)
	}
	const chunk = 64
	args := make([]any, 0, chunk*9)
	var items []trailItem
	for start := 0; start < len(ps); start += chunk {
		end := min(start+chunk, len(ps))
		args = args[:0]
		for _, p := range ps[start:end] {
			args = append(args, p.citizen, encodeState(nil, &p.st), p.st.Score, w.db.scheme.GradeOf(p.st.Score),
				p.st.LockGrade, nanos(p.st.LockedUntil), p.since, p.seq, p.registered)
			items = append(items, p.out...)
			p.out = nil
		}
		if _, err := w.exec(`INSERT INTO projections (`+projCols+`) VALUES `+values(end-start, 9)+
			` ON CONFLICT (citizen) DO UPDATE SET state = excluded.state, score = excluded.score,
			band = excluded.band, lock_grade = excluded.lock_grade, locked_until = excluded.locked_until,
			grade_since = excluded.grade_since, seq = excluded.seq, registered = excluded.registered`, args...); err != nil {
			return err
		}
	}
	if err := w.saveSnapshots(ps); err != nil {
		return err
	}
	if err := w.saveStaleMarks(ps); err != nil {
		return err
	}
	if err := w.savePacks(ps); err != nil {
		return err
	}
	var buf []byte
	for start := 0; start < len(items); start += chunk {
		end := min(start+chunk, len(items))
		args = args[:0]
		buf = buf[:0]
		for i := range items[start:end] {
			t := &items[start+i]
			n := len(buf)
			buf = w.db.encodeTrailItem(buf, t)
			args = append(args, t.Seq, buf[n:len(buf):len(buf)])
		}
		if _, err := w.exec(`INSERT INTO trail (seq, item) VALUES `+values(end-start, 2)+
			` ON CONFLICT (seq) DO UPDATE SET item = excluded.item`, args...); err != nil {
			return err
		}
	}
	return nil
}

// saveSnapshots deletes the snapshots that replays made stale and writes
// the new ones.
func (w *wtx) saveSnapshots(ps []*proj) error {
	for _, p := range ps {
		if p.dropSnaps {
			if _, err := w.exec(`DELETE FROM snapshots WHERE citizen = ? AND at > ?`, p.citizen, p.snapsAfter); err != nil {
				return err
			}
		}
		for _, sn := range p.snaps {
			if _, err := w.exec(`INSERT INTO snapshots (citizen, at, state, since) VALUES (?, ?, ?, ?)
				ON CONFLICT (citizen, at) DO UPDATE SET state = excluded.state, since = excluded.since`, p.citizen, sn.at, sn.state, sn.since); err != nil {
				return err
			}
		}
		p.snaps, p.dropSnaps = nil, false
	}
	return nil
}

// saveStaleMarks sets or removes the citizen's mark of out-of-date trail
// rows, as the replays that computed ps left them.
func (w *wtx) saveStaleMarks(ps []*proj) error {
	for _, p := range ps {
		switch {
		case p.stale:
			if _, err := w.exec(`INSERT INTO trail_stale (citizen, at) VALUES (?, ?)
				ON CONFLICT (citizen) DO UPDATE SET at = CASE WHEN excluded.at < trail_stale.at THEN excluded.at ELSE trail_stale.at END`, p.citizen, p.staleFrom); err != nil {
				return err
			}
		case p.rewrote:
			if _, err := w.exec(`DELETE FROM trail_stale WHERE citizen = ? AND at >= ?`, p.citizen, p.rewroteFrom); err != nil {
				return err
			}
		}
		p.stale, p.rewrote = false, false
	}
	return nil
}

// trailOf reads a citizen's stored trail in the engine's order.
func (db *DB) trailOf(run runQuery, citizen string) ([]trailItem, error) {
	rows, err := run(`SELECT l.seq, t.item FROM ledger l JOIN trail t ON t.seq = l.seq WHERE l.citizen = ? AND l.kind = 'record'`, citizen)
	if err != nil {
		return nil, internal("trail", err)
	}
	defer rows.Close()
	var out []trailItem
	for rows.Next() {
		var seq int64
		var b []byte
		if err := rows.Scan(&seq, &b); err != nil {
			return nil, internal("trail", err)
		}
		t, err := db.decodeTrailItem(seq, b)
		if err != nil {
			return nil, internal("trail", fmt.Errorf("seq %d: %w", seq, err))
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, internal("trail", err)
	}
	slices.SortFunc(out, func(a, b trailItem) int {
		if c := a.At.Compare(b.At); c != 0 {
			return c
		}
		return cmp.Compare(a.Seq, b.Seq)
	})
	return out, nil
}

// loadProjections reads the projections of the given citizens, with when
// their records are scored.
func (db *DB) loadProjections(ctx context.Context, run runQuery, ids []string) (map[string]*proj, error) {
	out := make(map[string]*proj, len(ids))
	err := queryIn(run, `SELECT p.citizen, p.state, p.score, p.band, p.lock_grade, p.locked_until, p.grade_since, p.seq, p.registered,
		c.birth_year, c.resident_since, c.consent, c.consent_log FROM projections p JOIN citizens c ON c.id = p.citizen WHERE p.citizen IN `, ids, func(rows *sql.Rows) error {
		p := &proj{}
		var state []byte
		var score, band, lockGrade, lockedUntil int64
		var pa participation
		if err := rows.Scan(&p.citizen, &state, &score, &band, &lockGrade, &lockedUntil, &p.since, &p.seq, &p.registered,
			&pa.birthYear, &pa.residentSince, &pa.consent, &pa.log); err != nil {
			return err
		}
		st, err := decodeState(state, p.citizen)
		if err != nil {
			return fmt.Errorf("citizen %s: state: %w", p.citizen, err)
		}
		p.st = st
		if p.sc, err = db.scoring(&pa); err != nil {
			return fmt.Errorf("citizen %s: %w", p.citizen, err)
		}
		out[p.citizen] = p
		return nil
	})
	if err != nil {
		return nil, internal("projections", err)
	}
	return out, nil
}

// projections returns the projections of ids as the writer's transaction
// sees them: written earlier in it, in the writer's cache, or in the
// database. Citizens without one are not registered and absent from the
// map. The projections returned are copies the caller may change.
func (w *wtx) projections(ids []string) (map[string]*proj, error) {
	db := w.db
	out := make(map[string]*proj, len(ids))
	var missing []string
	for _, id := range ids {
		if p, ok := w.touched[id]; ok {
			out[id] = p.clone()
		} else if p, ok := db.cache[id]; ok {
			out[id] = p.clone()
		} else {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		loaded, err := db.loadProjections(w.ctx, w.queryStmt, missing)
		if err != nil {
			return nil, err
		}
		for id, p := range loaded {
			out[id] = p
		}
	}
	return out, nil
}

// clone returns a copy of p that shares nothing mutable with it.
func (p *proj) clone() *proj {
	c := *p
	c.out = nil
	c.st.Yearly = slices.Clone(p.st.Yearly)
	return &c
}

// project updates the projections of the citizens of freshly appended
// records: by applying them to the stored state when they come after the
// citizen's last record, or by replaying the citizen's history from a
// snapshot when a record arrives late (projectLate). When the op defers
// long replays and one is needed, nothing is written and the answer is
// errReplayFirst, with the citizens in w.deferred.
func (w *wtx) project(fresh []entry, ps map[string]*proj) error {
	db := w.db
	byCitizen := map[string][]int{}
	var order []string
	for i := range fresh {
		c := fresh[i].Citizen
		if _, ok := byCitizen[c]; !ok {
			order = append(order, c)
		}
		byCitizen[c] = append(byCitizen[c], i)
	}
	out := make([]*proj, 0, len(order))
	for _, c := range order {
		p, ok := ps[c]
		if !ok {
			return internal("project", fmt.Errorf("citizen %s has no projection", c))
		}
		appended := byCitizen[c]
		idx := slices.Clone(appended)
		slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(fresh[a].At, fresh[b].At) })
		ats := make([]int64, len(idx))
		for k, i := range idx {
			ats[k] = fresh[i].At
		}
		// Records after the citizen's last one, each at its own instant,
		// are applied to the stored state; a record sharing an instant with
		// another is replayed with them (the engine notes when their order
		// mattered), and so is a late one.
		if inOrder(p, ats) {
			for _, i := range idx {
				ev := fresh[i].event()
				n := p.st.Events
				if err := db.step(p, &ev, fresh[i].Seq, nil); err != nil {
					return fmt.Errorf("record %q: %w", fresh[i].Rid, err)
				}
				if p.st.Events != n && p.st.Events%db.snapshotEvery() == 0 {
					p.snaps = append(p.snaps, snapshot{at: fresh[i].At, state: encodeState(nil, &p.st), since: p.since})
				}
				if p.st.Events != n && p.st.Events%db.packEvery() == 0 {
					p.packSeal = true
				}
			}
		} else {
			np, err := w.projectLate(c, p, fresh, appended, idx)
			if err != nil {
				return err
			}
			if np == nil { // declined: replayed before the writer
				w.deferred = append(w.deferred, c)
				continue
			}
			p = np
		}
		out = append(out, p)
	}
	if len(w.deferred) > 0 {
		return errReplayFirst
	}
	return w.saveProjections(out)
}

// projectLate replays the history of citizen c (projection p) from their
// newest snapshot dated before the earliest of their new records
// fresh[idx] (sorted by time; appended is the same in ledger order), which
// the history holds: as replayed before the writer when that still holds,
// or here. It returns nil when the op defers long replays and this is one.
func (w *wtx) projectLate(c string, p *proj, fresh []entry, appended, idx []int) (*proj, error) {
	db := w.db
	np, err := w.useLate(c, fresh, appended)
	if err != nil {
		return nil, err
	}
	if np == nil && w.deferLate {
		long, err := w.longReplay(c, fresh[idx[0]].At)
		if err != nil || long {
			return nil, err
		}
	}
	if np == nil {
		keep := make(map[int64]bool, len(idx))
		mine := make([]entry, len(idx))
		for k, i := range idx {
			keep[fresh[i].Seq] = true
			mine[k] = fresh[i]
		}
		// The new records are in the ledger and not yet in the packs.
		np, err = db.replayAfterSnapshot(w.ctx, w.tx, p, fresh[idx[0]].At, mine, keep)
		if err != nil {
			return nil, err
		}
	}
	// A trail entry depends only on the records before it: those
	// before the earliest new record are unchanged and stay as
	// they are stored.
	first := fromNanos(fresh[idx[0]].At)
	k := 0
	for k < len(np.out) && np.out[k].At.Before(first) {
		k++
	}
	np.out = np.out[k:]
	if np.trimmed || len(np.out) > len(idx)+db.snapshotEvery() {
		// Those after it change, but rewriting more rows than a reader
		// replays from a snapshot would hold the writer: the new
		// records' rows are written and the others marked out of date
		// (see trail_stale).
		isNew := make(map[int64]bool, len(idx))
		for _, i := range idx {
			isNew[fresh[i].Seq] = true
		}
		np.out = keepOnly(np.out, isNew)
		np.stale, np.staleFrom = true, fresh[idx[0]].At
	} else {
		np.rewrote, np.rewroteFrom = true, fresh[idx[0]].At
	}
	np.keepNew, np.trimmed = nil, false // later records keep their entries
	np.packAdd = nil
	for _, i := range idx {
		np.packAdd = append(np.packAdd, fresh[i])
	}
	return np, nil
}

// longReplay reports whether a record of citizen c dated t would replay
// more than a snapshot interval: whether the citizen has a snapshot dated
// at or after t.
func (w *wtx) longReplay(c string, t int64) (bool, error) {
	var n int
	if err := w.queryRow(`SELECT COUNT(*) FROM (SELECT at FROM snapshots WHERE citizen = ? AND at >= ? LIMIT 1) s`, c, t).Scan(&n); err != nil {
		return false, internal("snapshots", err)
	}
	return n > 0, nil
}

// replayCitizen recomputes a citizen's projection from their whole history
// as seen in the writer's transaction.
func (w *wtx) replayCitizen(citizen string) (*proj, error) {
	db := w.db
	var registered int64
	var pa participation
	if err := w.queryRow(`SELECT registered, birth_year, resident_since, consent, consent_log FROM citizens WHERE id = ?`, citizen).
		Scan(&registered, &pa.birthYear, &pa.residentSince, &pa.consent, &pa.log); err != nil {
		return nil, internal("citizen", err)
	}
	sc, err := db.scoring(&pa)
	if err != nil {
		return nil, internal("citizen", err)
	}
	recs, reversed, err := db.history(w.ctx, w.tx, citizen)
	if err != nil {
		return nil, err
	}
	p, err := db.rebuild(citizen, registered, sc, liveRecords(recs, reversed))
	if err != nil {
		return nil, err
	}
	p.dropSnaps, p.snapsAfter = true, math.MinInt64
	p.rewrote, p.rewroteFrom = true, math.MinInt64
	return &p, nil
}

// replayAfterSnapshot recomputes the projection of p's citizen after a
// record dated t arrived late: from their newest snapshot dated before t
// (or from the start), replaying only the live records dated after it, read
// through q (the writer's transaction, or a read transaction before the
// writer), and the records of extra (new records, after every record at
// their instant: not yet in the ledger, with sequence numbers after every
// entry q sees, or appended in the writer's transaction and not yet in the
// record packs).
//
// keep are the new records (by sequence number; those of extra for
// these): once the replay has more trail entries than a rewrite is worth
// (two snapshot intervals), it keeps theirs only (see proj.keepNew).
func (db *DB) replayAfterSnapshot(ctx context.Context, q querier, p *proj, t int64, extra []entry, keep map[int64]bool) (*proj, error) {
	return db.replayRange(ctx, q, p, t, math.MaxInt64, extra, keep)
}

// replayRange is replayAfterSnapshot for the records up to the time to
// only (the state it leaves is the citizen's as of to).
func (db *DB) replayRange(ctx context.Context, q querier, p *proj, t, to int64, extra []entry, keep map[int64]bool) (*proj, error) {
	np := &proj{citizen: p.citizen, st: db.eng.NewState(p.citizen), since: p.registered, registered: p.registered, sc: p.sc, seq: p.seq,
		dropSnaps: true, snapsAfter: math.MinInt64, keepNew: keep, outMax: len(keep) + 2*db.snapshotEvery()}
	var state []byte
	err := q.QueryRowContext(ctx, db.q(`SELECT at, state, since FROM snapshots WHERE citizen = ? AND at < ? ORDER BY at DESC LIMIT 1`), p.citizen, t).
		Scan(&np.snapsAfter, &state, &np.since)
	switch {
	case err == sql.ErrNoRows:
	case err != nil:
		return nil, internal("snapshot", err)
	default:
		if np.st, err = decodeState(state, p.citizen); err != nil {
			return nil, internal("snapshot", err)
		}
	}
	// The records sealed in packs, then the ledger's after them.
	packs, sealed, err := db.readPacks(ctx, q, p.citizen, np.snapsAfter, to)
	if err != nil {
		return nil, err
	}
	tail, err := db.ledgerTail(ctx, q, p.citizen, max(np.snapsAfter, sealed), to)
	if err != nil {
		return nil, err
	}
	if len(extra) > 0 && len(tail) > 0 {
		// Records of extra the ledger holds already (new in the
		// writer's transaction) are replayed as extra.
		seqs := make(map[int64]bool, len(extra))
		for i := range extra {
			seqs[extra[i].Seq] = true
		}
		tail = slices.DeleteFunc(tail, func(e entry) bool { return seqs[e.Seq] })
	}
	if len(extra) > 1 {
		extra = slices.Clone(extra)
		slices.SortStableFunc(extra, func(a, b entry) int { return cmp.Compare(a.At, b.At) })
	}
	if keep != nil {
		// A replay sure to be long keeps only the new records' entries
		// from the start (see proj.keepNew).
		n := len(tail) + len(extra)
		for i := range packs {
			n += packLen(packs[i].body)
		}
		np.trimmed = n > np.outMax
	}
	src := &histSource{eng: db.eng, citizen: p.citizen, from: np.snapsAfter, to: to, packs: packs, tail: tail, extra: extra}
	if err := db.replayFrom(np, src); err != nil {
		return nil, err
	}
	return np, nil
}

// ledgerTail reads the citizen's standing records dated after from and at
// or before to from the ledger, in the engine's order: only what the
// engine reads of a record.
func (db *DB) ledgerTail(ctx context.Context, q querier, citizen string, from, to int64) ([]entry, error) {
	if from >= to {
		return nil, nil
	}
	// A reversal is dated at its record's time; one of a record before
	// from cannot be new (a reversal replays the whole history, deleting
	// the citizen's snapshots and packing their records anew).
	rows, err := q.QueryContext(ctx, db.q(`SELECT seq, kind, rid, rule, at, quantity, points, target FROM ledger
		WHERE citizen = ? AND at > ? AND at <= ? AND kind IN ('record', 'reversal') ORDER BY at, seq`), citizen, from, to)
	if err != nil {
		return nil, internal("history", err)
	}
	defer rows.Close()
	var recs []entry
	reversed := map[int64]bool{}
	rules := map[string]string{}
	var kind, rule sql.RawBytes
	for rows.Next() {
		e := entry{Kind: scs.EntryRecord, Citizen: citizen}
		var rid sql.NullString
		var qty sql.NullFloat64
		var pts, target sql.NullInt64
		if err := rows.Scan(&e.Seq, &kind, &rid, &rule, &e.At, &qty, &pts, &target); err != nil {
			return nil, internal("history", err)
		}
		if string(kind) == scs.EntryReversal {
			reversed[target.Int64] = true
			continue
		}
		r, ok := rules[string(rule)]
		if !ok {
			r = string(rule)
			rules[r] = r
		}
		e.Rid, e.Rule = rid.String, r
		e.Quantity, e.HasQ = qty.Float64, qty.Valid
		e.Points, e.HasP = pts.Int64, pts.Valid
		recs = append(recs, e)
	}
	if err := rows.Err(); err != nil {
		return nil, internal("history", err)
	}
	return liveRecords(recs, reversed), nil
}

// inOrder reports whether records dated ats (sorted) can be applied to p's
// stored state one by one: each after the citizen's last record, at an
// instant of its own. Otherwise they are replayed with the records around
// them (the engine notes when the order of a shared instant mattered).
func inOrder(p *proj, ats []int64) bool {
	ok := p.st.Events == 0 || ats[0] > nanos(p.st.LastAt)
	for j := 1; ok && j < len(ats); j++ {
		ok = ats[j] != ats[j-1]
	}
	return ok
}

// lateReplay is a citizen's late records replayed before the writer, on a
// read transaction that saw the ledger up to head: the projection after
// their history and the new records (fresh, in the order their entries
// will be appended, given the sequence numbers head+1, head+2, ...).
type lateReplay struct {
	head  int64
	fresh []entry
	p     *proj
}

// replayLate replays, before the writer, the histories of citizens (those
// for whom the writer declined a long replay of evs, validated), so that
// the writer need not:
// the replay reads the citizen's records after their snapshot, which for a
// record early in a long history is most of the work, and other writers
// would wait for it. What the writer cannot use (the citizen's ledger
// changed meanwhile, a record was already stored) it replays itself, so a
// failure here only costs time and is not reported.
func (db *DB) replayLate(ctx context.Context, by *scs.Account, evs []scs.Event, citizens []string) map[string]*lateReplay {
	want := make(map[string]bool, len(citizens))
	for _, c := range citizens {
		want[c] = true
	}
	seen := make(map[string]bool, len(evs))
	byCitizen := map[string][]entry{}
	var order []string
	for i := range evs {
		if seen[evs[i].ID] {
			continue
		}
		seen[evs[i].ID] = true
		c := evs[i].Citizen
		if !want[c] {
			continue
		}
		if _, ok := byCitizen[c]; !ok {
			order = append(order, c)
		}
		byCitizen[c] = append(byCitizen[c], recordEntry(by, &evs[i], 0))
	}
	var opts *sql.TxOptions
	if db.d.dollar {
		// One snapshot for the head, the projections and the records.
		opts = &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true}
	}
	tx, err := db.r.BeginTx(ctx, opts)
	if err != nil {
		return nil
	}
	defer tx.Rollback()
	var head int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) FROM ledger`).Scan(&head); err != nil {
		return nil
	}
	ps, err := db.loadProjections(ctx, func(query string, args ...any) (*sql.Rows, error) {
		return tx.QueryContext(ctx, db.q(query), args...)
	}, order)
	if err != nil {
		return nil
	}
	var out map[string]*lateReplay
	for _, c := range order {
		p, es := ps[c], byCitizen[c]
		if p == nil {
			continue
		}
		ats := make([]int64, len(es))
		for k := range es {
			es[k].Seq = head + 1 + int64(k)
			ats[k] = es[k].At
		}
		slices.Sort(ats)
		if inOrder(p, ats) {
			continue
		}
		keep := make(map[int64]bool, len(es))
		for k := range es {
			keep[es[k].Seq] = true
		}
		np, err := db.replayAfterSnapshot(ctx, tx, p, ats[0], es, keep)
		if err != nil {
			continue
		}
		if out == nil {
			out = map[string]*lateReplay{}
		}
		out[c] = &lateReplay{head: head, fresh: es, p: np}
	}
	return out
}

// useLate returns the replay done before the writer for citizen c, whose
// records fresh[idx] (in the order appended) were just appended, with the
// trail entries of the new records under their sequence numbers; nil when
// there is none or it is stale: the records appended are not the ones
// replayed, or the ledger holds an entry about the citizen (or a new
// scheme) after the replay's head and before them.
func (w *wtx) useLate(c string, fresh []entry, idx []int) (*proj, error) {
	lr := w.late[c]
	if lr == nil {
		return nil, nil
	}
	delete(w.late, c)
	stale := func() (*proj, error) {
		w.db.lateStats.redone.Add(1)
		return nil, nil
	}
	if len(lr.fresh) != len(idx) {
		return stale()
	}
	seqs := make(map[int64]int64, len(idx))
	for k, i := range idx {
		e := &fresh[i]
		if e.Rid != lr.fresh[k].Rid || e.At != lr.fresh[k].At {
			return stale()
		}
		seqs[lr.fresh[k].Seq] = e.Seq
	}
	var n int
	if err := w.queryRow(`SELECT COUNT(*) FROM ledger WHERE seq > ? AND seq < ? AND (citizen = ? OR kind = ?)`,
		lr.head, fresh[idx[0]].Seq, c, scs.EntryScheme).Scan(&n); err != nil {
		return nil, internal("late replay", err)
	}
	if n > 0 {
		return stale()
	}
	w.db.lateStats.used.Add(1)
	np := lr.p
	for k := range np.out {
		if s, ok := seqs[np.out[k].Seq]; ok {
			np.out[k].Seq = s
		}
	}
	np.seq = fresh[idx[len(idx)-1]].Seq // after every record the replay saw
	return np, nil
}
