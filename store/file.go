package store

import (
	"context"
	"database/sql"
	"errors"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"scs"
)

// File returns a citizen's file as of at (the citizen, officials, admin,
// and a reviewer while the citizen has an open objection): standing,
// capabilities, one page of the records with their rules' words and
// sources (reversed records marked), objections and visits. A citizen who
// has not given the consent the scheme needs has records but no score,
// grade or privilege: Scored is false and Standing nil.
//
// The work is bounded by the page, not by the citizen's history: the
// standing is the stored projection (or, for a time before the citizen's
// last record, their newest snapshot at or before it with the records
// after it replayed), and the page is read from the stored trail through
// the index on (citizen, at). A bad cursor or limit is scs.EINVALID naming
// the field.
func (db *DB) File(ctx context.Context, by *scs.Account, citizen string, at time.Time, tp scs.TrailPage) (*scs.File, error) {
	if err := need(by, "reading a citizen's file", scs.RoleCitizen, scs.RoleOfficial, scs.RoleAdmin, scs.RoleReviewer); err != nil {
		return nil, err
	}
	if err := own(by, citizen, "read the file"); err != nil {
		return nil, err
	}
	if err := scs.CheckID("citizen", citizen, true); err != nil {
		return nil, err
	}
	if by.Role == scs.RoleReviewer {
		// A reviewer judges objections: they may read the file of a
		// citizen with one open, and no other.
		var id int64
		err := db.rc.QueryRowContext(ctx, db.q(`SELECT id FROM objections WHERE citizen = ? AND status = ? LIMIT 1`), citizen, scs.ObjectionOpen).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, scs.Errorf(scs.EFORBIDDEN, "a reviewer may read the file of a citizen with an open objection; citizen %s has none", citizen)
		}
		if err != nil {
			return nil, internal("file", err)
		}
	}
	cur, err := parseTrailCursor(tp.Cursor)
	if err != nil {
		return nil, err
	}
	if !tp.All && (tp.Limit < 0 || tp.Limit > MaxPage) {
		return nil, scs.FieldErrorf(scs.EINVALID, "limit", "%d is not from 1 to %d", tp.Limit, MaxPage)
	}
	at = at.UTC()
	c, err := db.citizen(ctx, db.rc, citizen)
	if err != nil {
		return nil, err
	}
	p, err := db.projection(ctx, &c, at)
	if err != nil {
		return nil, err
	}
	f := &scs.File{Citizen: c, AsOf: at, Trail: []scs.FileEntry{}, Capabilities: []scs.Decision{}}
	f.Scored, f.NotScored = db.scoredAt(&c, p.sc, at)
	keys, err := db.trailPage(ctx, f, p, tp, cur)
	if err != nil {
		return nil, err
	}
	if f.Scored {
		if err := db.fileRecomputations(ctx, f, p, keys, tp); err != nil {
			return nil, err
		}
		st := db.eng.Standing(&p.st, at)
		f.Standing = &st
		f.Capabilities = db.eng.Decisions(&p.st, at)
		since := db.gradeSince(p, at)
		if !since.IsZero() {
			f.GradeSince = &since
		}
		f.Visits = db.scheme.Grades[db.eng.GradeAt(&p.st, at)].Visits
	} else {
		f.Capabilities = db.eng.DecisionsUnscored(f.NotScored)
	}
	f.Objections, err = db.objections(ctx, "citizen = ?", []any{citizen}, at, 0)
	if err != nil {
		return nil, err
	}
	return f, nil
}

// trailKey is a record's place in a file's trail: conduct time, then
// ledger order.
type trailKey struct{ at, seq int64 }

func (k trailKey) String() string {
	return strconv.FormatInt(k.at, 10) + "." + strconv.FormatInt(k.seq, 10)
}

// trailCursor is a parsed trail cursor: the entries after key in the
// page's order ("n", a TrailNext) or before it ("p", a TrailPrev).
type trailCursor struct {
	set  bool
	prev bool
	key  trailKey
}

// parseTrailCursor reads a cursor File gave: "n" or "p", then the record's
// conduct time in unix nanoseconds, ".", and its sequence number.
func parseTrailCursor(s string) (trailCursor, error) {
	var c trailCursor
	if s == "" {
		return c, nil
	}
	bad := func() (trailCursor, error) {
		if err := scs.CheckText("cursor", s, scs.MaxCursor, false, false); err != nil {
			return c, err
		}
		return c, scs.FieldErrorf(scs.EINVALID, "cursor", "%q is not a cursor of a file's trail", s)
	}
	switch s[0] {
	case 'n':
	case 'p':
		c.prev = true
	default:
		return bad()
	}
	a, q, ok := strings.Cut(s[1:], ".")
	if !ok {
		return bad()
	}
	var err1, err2 error
	c.key.at, err1 = strconv.ParseInt(a, 10, 64)
	c.key.seq, err2 = strconv.ParseInt(q, 10, 64)
	if err1 != nil || err2 != nil || c.key.seq < 1 {
		return bad()
	}
	c.set = true
	return c, nil
}

const trailCols = `l.seq, l.at, l.rid, l.rule, l.quantity, l.department, l.evidence, t.item`

// trailPage fills f's trail with the page tp asks for, as of f.AsOf, and
// returns the page's records' places in the page's order.
func (db *DB) trailPage(ctx context.Context, f *scs.File, p *proj, tp scs.TrailPage, cur trailCursor) ([]trailKey, error) {
	citizen, asOf := f.Citizen.ID, nanos(f.AsOf)
	reversed, err := db.upheldSeqs(ctx, citizen)
	if err != nil {
		return nil, err
	}
	if err := db.rc.QueryRowContext(ctx, db.q(`SELECT COUNT(*) FROM ledger WHERE citizen = ? AND kind = 'record' AND at <= ?`), citizen, asOf).Scan(&f.TrailTotal); err != nil {
		return nil, internal("trail", err)
	}
	limit := tp.Limit
	if tp.All {
		limit = max(f.TrailTotal, 1)
		cur = trailCursor{}
	} else if limit == 0 {
		limit = MaxPage
	}
	// The page's order, and the query's: a previous page is read in the
	// other order from its cursor and turned round.
	desc := tp.Newest
	qdesc := desc != cur.prev
	cond, order := "", " ORDER BY l.at, l.seq"
	if qdesc {
		order = " ORDER BY l.at DESC, l.seq DESC"
	}
	args := []any{citizen, asOf}
	if cur.set {
		if qdesc {
			cond = ` AND (l.at < ? OR (l.at = ? AND l.seq < ?))`
		} else {
			cond = ` AND (l.at > ? OR (l.at = ? AND l.seq > ?))`
		}
		args = append(args, cur.key.at, cur.key.at, cur.key.seq)
	}
	args = append(args, limit)
	rows, err := db.rc.QueryContext(ctx, db.q(`SELECT `+trailCols+` FROM ledger l LEFT JOIN trail t ON t.seq = l.seq
		WHERE l.citizen = ? AND l.kind = 'record' AND l.at <= ?`+cond+order+` LIMIT ?`), args...)
	if err != nil {
		return nil, internal("trail", err)
	}
	var keys []trailKey
	type row struct {
		e    entry
		item []byte
	}
	var page []row
	var ats []int64
	for rows.Next() {
		var r row
		var q sql.NullFloat64
		var rid sql.NullString
		if err := rows.Scan(&r.e.Seq, &r.e.At, &rid, &r.e.Rule, &q, &r.e.Department, &r.e.Evidence, &r.item); err != nil {
			rows.Close()
			return nil, internal("trail", err)
		}
		r.e.Rid, r.e.Quantity = rid.String, q.Float64
		page = append(page, r)
		ats = append(ats, r.e.At)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, internal("trail", err)
	}
	// Rows a late record left out of date are replayed (see trail_stale).
	fresh, err := db.staleEntries(ctx, db.rc, citizen, p, ats)
	if err != nil {
		return nil, err
	}
	for i := range page {
		e := &page[i].e
		if t, ok := fresh[e.Seq]; ok {
			page[i].item = db.encodeTrailItem(nil, &t)
		}
		fe, err := db.trailRow(e, page[i].item, reversed[e.Seq])
		if err != nil {
			return nil, err
		}
		f.Trail = append(f.Trail, fe)
		keys = append(keys, trailKey{e.At, e.Seq})
	}
	if qdesc != desc {
		slices.Reverse(f.Trail)
		slices.Reverse(keys)
	}
	if err := db.trailBefore(ctx, f, tp, cur, keys, desc); err != nil {
		return nil, err
	}
	if len(keys) > 0 {
		if f.TrailBefore > 0 {
			f.TrailPrev = "p" + keys[0].String()
		}
		if f.TrailBefore+len(keys) < f.TrailTotal {
			f.TrailNext = "n" + keys[len(keys)-1].String()
		}
	}
	if !f.Scored {
		blankUnscored(f)
		return keys, nil
	}
	return keys, db.reversedScores(ctx, f, p, keys, desc)
}

// fileRecomputations sets, under a factor-model scheme, the recomputation
// the file's standing comes from and the recomputations at which the
// citizen's factors changed within the span of the trail's page: after its
// oldest record up to the record after the page (the file's time on the
// newest page), so that the pages together show each recomputation once.
func (db *DB) fileRecomputations(ctx context.Context, f *scs.File, p *proj, keys []trailKey, tp scs.TrailPage) error {
	if !db.eng.IsFactorModel() {
		return nil
	}
	f.Recomputation = db.eng.RecomputationAt(&p.st, f.AsOf)
	if len(keys) == 0 {
		return nil
	}
	oldest, newest := keys[0], keys[len(keys)-1]
	newer := f.TrailBefore+len(keys) < f.TrailTotal
	if tp.Newest {
		oldest, newest = newest, oldest
		newer = f.TrailBefore > 0
	}
	from, to := fromNanos(oldest.at), f.AsOf
	if newer {
		var next int64
		if err := db.rc.QueryRowContext(ctx, db.q(`SELECT at FROM ledger WHERE citizen = ? AND kind = 'record' AND at <= ?
			AND (at > ? OR (at = ? AND seq > ?)) ORDER BY at, seq LIMIT 1`), f.Citizen.ID, nanos(f.AsOf), newest.at, newest.at, newest.seq).Scan(&next); err != nil {
			return internal("trail", err)
		}
		to = fromNanos(next)
	}
	f.Recomputations = db.eng.Recomputations(&p.st, from, to)
	return nil
}

// trailRow is the file's entry of one record: its stored trail entry, or,
// for a reversed record (whose trail row was deleted), the record itself.
func (db *DB) trailRow(e *entry, item []byte, reversed bool) (scs.FileEntry, error) {
	if reversed || item == nil {
		if !reversed {
			return scs.FileEntry{}, internal("trail", errors.New("record "+e.Rid+" (seq "+strconv.FormatInt(e.Seq, 10)+") has no trail entry"))
		}
		te := scs.TrailEntry{Event: e.Rid, Rule: e.Rule, At: fromNanos(e.At), Quantity: e.Quantity, Reason: "reversed: an objection to this record was upheld; it does not count"}
		return db.fileEntry(&te, e, true), nil
	}
	t, err := db.decodeTrailItem(e.Seq, item)
	if err != nil {
		return scs.FileEntry{}, internal("trail", errors.New("seq "+strconv.FormatInt(e.Seq, 10)+": "+err.Error()))
	}
	return db.fileEntry(&t.TrailEntry, e, false), nil
}

// reversedScores sets beside each reversed record of the page the score
// and grade the citizen had then: those of the standing record before it.
func (db *DB) reversedScores(ctx context.Context, f *scs.File, p *proj, keys []trailKey, desc bool) error {
	idx := make([]int, len(f.Trail))
	for i := range idx {
		idx[i] = i
	}
	if desc {
		slices.Reverse(idx)
	}
	if len(idx) == 0 || !f.Trail[idx[0]].Reversed {
		return setReversedScores(f, idx, 0, "")
	}
	// The page starts with a reversed record: the standing before it is
	// the newest standing record before the page.
	k := keys[idx[0]]
	var item []byte
	var seq int64
	score, grade := db.scheme.Start, db.scheme.Grades[db.scheme.GradeOf(db.scheme.Start)].Name
	err := db.rc.QueryRowContext(ctx, db.q(`SELECT l.seq, t.item FROM ledger l JOIN trail t ON t.seq = l.seq
		WHERE l.citizen = ? AND l.kind = 'record' AND (l.at < ? OR (l.at = ? AND l.seq < ?)) ORDER BY l.at DESC, l.seq DESC LIMIT 1`),
		f.Citizen.ID, k.at, k.at, k.seq).Scan(&seq, &item)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return internal("trail", err)
	default:
		t, err := db.decodeTrailItem(seq, item)
		if err != nil {
			return internal("trail", err)
		}
		ts := []trailItem{t}
		if err := db.currentTrail(ctx, db.rc, f.Citizen.ID, p, ts); err != nil {
			return err
		}
		score, grade = ts[0].Score, ts[0].Grade
	}
	return setReversedScores(f, idx, score, grade)
}

func setReversedScores(f *scs.File, idx []int, score int64, grade string) error {
	for _, i := range idx {
		fe := &f.Trail[i]
		if fe.Reversed {
			if grade != "" {
				fe.Score, fe.Grade = score, grade
			}
			continue
		}
		score, grade = fe.Score, fe.Grade
	}
	return nil
}

// upheldSeqs returns the sequence numbers of the citizen's reversed
// records: those of their upheld objections.
func (db *DB) upheldSeqs(ctx context.Context, citizen string) (map[int64]bool, error) {
	rows, err := db.rc.QueryContext(ctx, db.q(`SELECT seq FROM objections WHERE citizen = ? AND status = ?`), citizen, scs.ObjectionUpheld)
	if err != nil {
		return nil, internal("objections", err)
	}
	defer rows.Close()
	out := map[int64]bool{}
	for rows.Next() {
		var s int64
		if err := rows.Scan(&s); err != nil {
			return nil, internal("objections", err)
		}
		out[s] = true
	}
	return out, rows.Err()
}

// projection reads a citizen's projection as of at: the stored one when at
// is not before their last record, otherwise their newest snapshot dated
// at or before at with the live records after it, up to at, replayed.
// Reversed records never count, whatever at.
func (db *DB) projection(ctx context.Context, c *scs.Citizen, at time.Time) (*proj, error) {
	ps, err := db.loadProjections(ctx, db.read(ctx), []string{c.ID})
	if err != nil {
		return nil, err
	}
	p, ok := ps[c.ID]
	if !ok {
		return nil, internal("projection", errors.New("citizen "+c.ID+" has no projection"))
	}
	if p.st.Events == 0 || !at.Before(p.st.LastAt) {
		return p, nil
	}
	np := &proj{citizen: p.citizen, st: db.eng.NewState(p.citizen), since: p.registered, registered: p.registered, sc: p.sc}
	from := int64(math.MinInt64)
	var state []byte
	err = db.rc.QueryRowContext(ctx, db.q(`SELECT at, state, since FROM snapshots WHERE citizen = ? AND at <= ? ORDER BY at DESC LIMIT 1`), c.ID, nanos(at)).
		Scan(&from, &state, &np.since)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return nil, internal("snapshot", err)
	default:
		if np.st, err = decodeState(state, c.ID); err != nil {
			return nil, internal("snapshot", err)
		}
	}
	reversed, err := db.upheldSeqs(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	rows, err := db.rc.QueryContext(ctx, db.q(`SELECT `+ledgerCols+` FROM ledger WHERE citizen = ? AND kind = 'record' AND at > ? AND at <= ? ORDER BY at, seq`), c.ID, from, nanos(at))
	if err != nil {
		return nil, internal("history", err)
	}
	var recs []entry
	var hash []byte
	for rows.Next() {
		var e entry
		if err := scanEntry(rows, &e, &hash); err != nil {
			rows.Close()
			return nil, internal("history", err)
		}
		if !reversed[e.Seq] {
			recs = append(recs, e)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, internal("history", err)
	}
	if err := db.replay(np, recs); err != nil {
		return nil, internal("replay", err)
	}
	np.out, np.snaps = nil, nil
	return np, nil
}

// trailBefore sets f.TrailBefore: how many entries come before the first
// of the page, whose keys are keys (in the page's order, desc when newest
// first).
func (db *DB) trailBefore(ctx context.Context, f *scs.File, tp scs.TrailPage, cur trailCursor, keys []trailKey, desc bool) error {
	citizen, asOf := f.Citizen.ID, nanos(f.AsOf)
	switch {
	case tp.All || !cur.set:
		f.TrailBefore = 0
	case len(keys) == 0:
		f.TrailBefore = f.TrailTotal
		if cur.prev {
			f.TrailBefore = 0
		}
	default:
		k := keys[0]
		cmpq := `(at < ? OR (at = ? AND seq < ?))`
		if desc {
			cmpq = `at <= ? AND (at > ? OR (at = ? AND seq > ?))`
		}
		cargs := []any{citizen, k.at, k.at, k.seq}
		if desc {
			cargs = []any{citizen, asOf, k.at, k.at, k.seq}
		} else {
			cmpq += ` AND at <= ?`
			cargs = append(cargs, asOf)
		}
		if err := db.rc.QueryRowContext(ctx, db.q(`SELECT COUNT(*) FROM ledger WHERE citizen = ? AND kind = 'record' AND `+cmpq), cargs...).Scan(&f.TrailBefore); err != nil {
			return internal("trail", err)
		}
	}
	return nil
}

// blankUnscored shows every record of an unscored citizen's page as not
// scored, without points, score or grade.
func blankUnscored(f *scs.File) {
	for i := range f.Trail {
		fe := &f.Trail[i]
		if !fe.NotScored && !fe.Reversed {
			fe.Applied, fe.Score, fe.Grade = 0, 0, ""
			fe.Reason = "not scored: " + f.NotScored
			fe.NotScored = true
		}
	}
}
