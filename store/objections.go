package store

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"scs"
)

// Object files an objection to one of the citizen's records (the citizen,
// admin). The record must be the citizen's, not reversed, and without an
// open objection (scs.ECONFLICT otherwise). A reviewer has
// scs.ObjectionDeadline to decide it.
func (db *DB) Object(ctx context.Context, by *scs.Account, citizen, record, reason string) (scs.Objection, error) {
	if err := need(by, "objecting to a record", scs.RoleCitizen, scs.RoleAdmin); err != nil {
		return scs.Objection{}, err
	}
	if err := own(by, citizen, "object to records"); err != nil {
		return scs.Objection{}, err
	}
	if err := scs.CheckID("citizen", citizen, true); err != nil {
		return scs.Objection{}, err
	}
	if err := (&scs.Objection{Record: record, Reason: reason}).Validate(); err != nil {
		return scs.Objection{}, err
	}
	var o scs.Objection
	err := db.write(ctx, func(w *wtx) error {
		if _, err := db.citizen(w.ctx, w.tx, citizen); err != nil {
			return err
		}
		var seq int64
		var owner string
		err := w.queryRow(`SELECT seq, citizen FROM ledger WHERE rid = ?`, record).Scan(&seq, &owner)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && owner != citizen) {
			return scs.FieldErrorf(scs.ENOTFOUND, "record", "citizen %s has no record %q", citizen, record)
		}
		if err != nil {
			return internal("objection", err)
		}
		rev, err := db.isReversed(w.ctx, w.tx, seq, citizen)
		if err != nil {
			return err
		}
		if rev {
			return scs.FieldErrorf(scs.ECONFLICT, "record", "%q is already reversed", record)
		}
		var open int64
		err = w.queryRow(`SELECT id FROM objections WHERE seq = ? AND status = ?`, seq, scs.ObjectionOpen).Scan(&open)
		if err == nil {
			return scs.FieldErrorf(scs.ECONFLICT, "record", "objection %d to %q is still open", open, record)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return internal("objection", err)
		}
		o = scs.Objection{Citizen: citizen, Record: record, Reason: reason, Status: scs.ObjectionOpen,
			Filed: w.now, Due: w.now.Add(scs.ObjectionDeadline)}
		err = w.queryRow(`INSERT INTO objections (citizen, record, seq, reason, status, filed, due, decision, filed_by)
			VALUES (?, ?, ?, ?, ?, ?, ?, '', ?) RETURNING id`,
			citizen, record, seq, reason, o.Status, nanos(o.Filed), nanos(o.Due), by.ID).Scan(&o.ID)
		if err != nil {
			return internal("objection", err)
		}
		return w.appendRef(scs.EntryObjection, citizen, by.ID, objectionRef{ID: o.ID, Citizen: citizen, Record: record, Seq: seq,
			Reason: reason, Filed: nanos(o.Filed), Due: nanos(o.Due), FiledBy: by.ID})
	})
	return o, err
}

// DecideObjection upholds or rejects an open objection, with the
// reviewer's reason (reviewer, admin). Upholding appends a reversal to the
// ledger and recomputes the citizen's projection from their history
// without the record. Deciding twice is scs.ECONFLICT.
func (db *DB) DecideObjection(ctx context.Context, by *scs.Account, id int64, uphold bool, reason string) (scs.Objection, error) {
	if err := need(by, "deciding objections", scs.RoleReviewer, scs.RoleAdmin); err != nil {
		return scs.Objection{}, err
	}
	if err := scs.CheckReason("reason", reason); err != nil {
		return scs.Objection{}, err
	}
	var o scs.Objection
	err := db.write(ctx, func(w *wtx) error {
		os, err := db.objections(w.ctx, "id = ?", []any{id}, w.now, 0, w.tx)
		if err != nil {
			return err
		}
		if len(os) == 0 {
			return scs.FieldErrorf(scs.ENOTFOUND, "objection", "no objection %d", id)
		}
		o = os[0]
		if o.Status != scs.ObjectionOpen {
			return scs.FieldErrorf(scs.ECONFLICT, "objection", "%d was already %s on %s", id, o.Status, o.Decided.Format(time.RFC3339))
		}
		o.Status = scs.ObjectionRejected
		if uphold {
			o.Status = scs.ObjectionUpheld
			var e entry
			var h []byte
			row := w.queryRow(`SELECT `+ledgerCols+` FROM ledger WHERE rid = ?`, o.Record)
			if err := scanEntry(row, &e, &h); err != nil {
				return internal("objection record", err)
			}
			rev := entry{Kind: scs.EntryReversal, Citizen: o.Citizen, Rule: e.Rule, At: e.At,
				Target: e.Seq, Objection: id, Evidence: reason, Recorded: nanos(w.now), Account: by.ID}
			if err := w.appendEntries([]entry{rev}); err != nil {
				return err
			}
			if _, err := w.exec(`DELETE FROM trail WHERE seq = ?`, e.Seq); err != nil {
				return err
			}
			p, err := w.replayCitizen(o.Citizen)
			if err != nil {
				return err
			}
			if err := w.saveProjections([]*proj{p}); err != nil {
				return err
			}
		}
		now := w.now
		o.Decided, o.Reviewer, o.Decision, o.Overdue = &now, by.ID, reason, false
		o.Verdict = scs.VerdictOf(o.Status)
		if o.Entry != nil && uphold {
			o.Entry.Reversed = true
		}
		if _, err := w.exec(`UPDATE objections SET status = ?, decided = ?, reviewer = ?, decision = ? WHERE id = ?`,
			o.Status, nanos(now), by.ID, reason, id); err != nil {
			return err
		}
		return w.appendRef(scs.EntryDecision, o.Citizen, by.ID, decisionRef{ID: id, Status: o.Status, Decided: nanos(now), Reviewer: by.ID, Decision: reason})
	})
	return o, err
}

// Objections lists one page of the objections with the given status (""
// for all, "decided" for upheld and rejected), oldest due first, with
// Overdue set as of at (reviewer, admin; a citizen sees their own). The
// next page starts at the returned cursor; "" means this was the last.
func (db *DB) Objections(ctx context.Context, by *scs.Account, status string, p scs.Page, at time.Time) ([]scs.Objection, string, error) {
	if err := need(by, "listing objections", scs.RoleReviewer, scs.RoleAdmin, scs.RoleCitizen); err != nil {
		return nil, "", err
	}
	p, err := normPage(p)
	if err != nil {
		return nil, "", err
	}
	var where []string
	var args []any
	switch status {
	case "":
	case scs.ObjectionOpen, scs.ObjectionUpheld, scs.ObjectionRejected:
		where = append(where, "status = ?")
		args = append(args, status)
	case "decided":
		where = append(where, "status IN (?, ?)")
		args = append(args, scs.ObjectionUpheld, scs.ObjectionRejected)
	default:
		return nil, "", scs.FieldErrorf(scs.EINVALID, "status", "%q is not one of open, upheld, rejected, decided", status)
	}
	if p.Cursor != "" {
		d, id, ok := strings.Cut(p.Cursor, ".")
		due, err1 := strconv.ParseInt(d, 10, 64)
		oid, err2 := strconv.ParseInt(id, 10, 64)
		if !ok || err1 != nil || err2 != nil {
			return nil, "", scs.FieldErrorf(scs.EINVALID, "cursor", "%q is not a cursor this list gave", p.Cursor)
		}
		where = append(where, "(due > ? OR (due = ? AND id > ?))")
		args = append(args, due, due, oid)
	}
	if by.Role == scs.RoleCitizen {
		where = append(where, "citizen = ?")
		args = append(args, by.Citizen)
	}
	cond := "1 = 1"
	if len(where) > 0 {
		cond = strings.Join(where, " AND ")
	}
	os, err := db.objections(ctx, cond, args, at.UTC(), p.Limit+1)
	if err != nil || len(os) <= p.Limit {
		return os, "", err
	}
	os = os[:p.Limit]
	last := os[len(os)-1]
	return os, strconv.FormatInt(nanos(last.Due), 10) + "." + strconv.FormatInt(last.ID, 10), nil
}

// objections reads the objections matching cond, at most limit of them (0:
// all), with their records.
func (db *DB) objections(ctx context.Context, cond string, args []any, at time.Time, limit int, qs ...querier) ([]scs.Objection, error) {
	var q querier = db.rc
	if len(qs) > 0 {
		q = qs[0]
	}
	lim := ""
	if limit > 0 {
		lim = " LIMIT " + strconv.Itoa(limit)
	}
	rows, err := q.QueryContext(ctx, db.q(`SELECT id, citizen, record, reason, status, filed, due, decided, reviewer, decision
		FROM objections WHERE `+cond+` ORDER BY due, id`+lim), args...)
	if err != nil {
		return nil, internal("objections", err)
	}
	defer rows.Close()
	out := []scs.Objection{}
	for rows.Next() {
		var o scs.Objection
		var filed, due int64
		var decided, reviewer sql.NullInt64
		if err := rows.Scan(&o.ID, &o.Citizen, &o.Record, &o.Reason, &o.Status, &filed, &due, &decided, &reviewer, &o.Decision); err != nil {
			return nil, internal("objections", err)
		}
		o.Filed, o.Due = fromNanos(filed), fromNanos(due)
		if decided.Valid {
			d := fromNanos(decided.Int64)
			o.Decided = &d
		}
		o.Reviewer = reviewer.Int64
		o.Overdue = o.Status == scs.ObjectionOpen && at.After(o.Due)
		o.Verdict = scs.VerdictOf(o.Status)
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		return nil, internal("objections", err)
	}
	rows.Close()
	for i := range out {
		if err := db.objectionEntry(ctx, q, &out[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// objectionEntry fills o.Entry with the record objected to and, while it
// counts, its points and the score before and after it.
func (db *DB) objectionEntry(ctx context.Context, q querier, o *scs.Objection) error {
	var e entry
	var h []byte
	row := q.QueryRowContext(ctx, db.q(`SELECT `+ledgerCols+` FROM ledger WHERE rid = ? AND kind = 'record'`), o.Record)
	if err := scanEntry(row, &e, &h); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		return internal("objection record", err)
	}
	te := scs.TrailEntry{Event: e.Rid, Rule: e.Rule, At: fromNanos(e.At), Quantity: e.Quantity}
	var b []byte
	err := q.QueryRowContext(ctx, db.q(`SELECT item FROM trail WHERE seq = ?`), e.Seq).Scan(&b)
	switch {
	case err == nil:
		t, err := db.decodeTrailItem(e.Seq, b)
		if err != nil {
			return internal("objection trail", err)
		}
		ts := []trailItem{t}
		if err := db.currentTrail(ctx, q, e.Citizen, nil, ts); err != nil {
			return err
		}
		te = ts[0].TrailEntry
		if !te.NotScored {
			before := te.Score - te.Applied
			o.ScoreBefore = &before
		}
	case errors.Is(err, sql.ErrNoRows):
	default:
		return internal("objection trail", err)
	}
	fe := db.fileEntry(&te, &e, o.Status == scs.ObjectionUpheld)
	o.Entry = &fe
	return nil
}
