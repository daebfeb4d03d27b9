package store

import (
	"context"
	"database/sql"
	"encoding/hex"

	"scs"
)

// MaxBatch is the most records one ReportRecords call may carry.
const MaxBatch = 10000

// ledgerCols are the ledger's columns in the order scanEntry reads them
// and appendEntries writes them; ledgerWidth is how many there are.
const (
	ledgerCols  = "seq, kind, rid, citizen, rule, at, quantity, points, department, evidence, ref, target, objection, consent, recorded, account, hash"
	ledgerWidth = 17
)

// scanEntry scans a row of ledgerCols into e and the stored hash into
// hash (a *[]byte, or a *sql.RawBytes when the caller is done with it
// before the next row).
func scanEntry(rows interface{ Scan(...any) error }, e *entry, hash any) error {
	var rid sql.NullString
	var q sql.NullFloat64
	var p, target, objection, consent sql.NullInt64
	if err := rows.Scan(&e.Seq, &e.Kind, &rid, &e.Citizen, &e.Rule, &e.At, &q, &p, &e.Department, &e.Evidence, &e.Ref,
		&target, &objection, &consent, &e.Recorded, &e.Account, hash); err != nil {
		return err
	}
	e.Target, e.Objection, e.Consent = target.Int64, objection.Int64, consent.Int64 == 1
	e.Rid = rid.String
	e.Quantity, e.HasQ = q.Float64, q.Valid
	e.Points, e.HasP = p.Int64, p.Valid
	return nil
}

// history returns a citizen's records and reversals in ledger order, and
// the set of reversed record sequence numbers.
func (db *DB) history(ctx context.Context, q querier, citizen string) (recs []entry, reversed map[int64]bool, err error) {
	rows, err := q.QueryContext(ctx, db.q(`SELECT `+ledgerCols+` FROM ledger WHERE citizen = ? AND kind IN ('record', 'reversal') ORDER BY seq`), citizen)
	if err != nil {
		return nil, nil, internal("history", err)
	}
	defer rows.Close()
	reversed = map[int64]bool{}
	var hash []byte
	for rows.Next() {
		var e entry
		if err := scanEntry(rows, &e, &hash); err != nil {
			return nil, nil, internal("history", err)
		}
		if e.Kind == scs.EntryReversal {
			reversed[e.Target] = true
			continue
		}
		recs = append(recs, e)
	}
	return recs, reversed, rows.Err()
}

func liveRecords(recs []entry, reversed map[int64]bool) []entry {
	if len(reversed) == 0 {
		return recs
	}
	out := recs[:0:0]
	for _, e := range recs {
		if !reversed[e.Seq] {
			out = append(out, e)
		}
	}
	return out
}

// appendEntries assigns sequence numbers and hashes to es and inserts them.
func (w *wtx) appendEntries(es []entry) error {
	const chunk = 64
	var buf []byte
	args := make([]any, 0, chunk*ledgerWidth)
	for start := 0; start < len(es); start += chunk {
		end := min(start+chunk, len(es))
		args = args[:0]
		for i := start; i < end; i++ {
			e := &es[i]
			w.seq++
			e.Seq = w.seq
			var h [32]byte
			h, buf = e.chain(w.prev, buf)
			w.prev = h
			e.hash = h
			var rid, q, p, target, objection, consent any
			if e.Rid != "" {
				rid = e.Rid
			}
			if e.HasQ {
				q = e.Quantity
			}
			if e.HasP {
				p = e.Points
			}
			switch e.Kind {
			case scs.EntryReversal:
				target, objection = e.Target, e.Objection
			case scs.EntryConsent:
				consent = boolInt(e.Consent)
			}
			args = append(args, e.Seq, e.Kind, rid, e.Citizen, e.Rule, e.At, q, p, e.Department, e.Evidence, e.Ref,
				target, objection, consent, e.Recorded, e.Account, h[:])
		}
		if _, err := w.exec(`INSERT INTO ledger (`+ledgerCols+`) VALUES `+values(end-start, ledgerWidth), args...); err != nil {
			return err
		}
	}
	w.entries += len(es)
	return w.addRuleTotals(es)
}

// addRuleTotals adds es's records, less its reversals, to the running
// totals per rule.
func (w *wtx) addRuleTotals(es []entry) error {
	var rules []string
	var delta map[string]int64
	for i := range es {
		d := int64(1)
		switch es[i].Kind {
		case scs.EntryRecord:
		case scs.EntryReversal:
			d = -1
		default:
			continue
		}
		if delta == nil {
			delta = map[string]int64{}
		}
		if _, ok := delta[es[i].Rule]; !ok {
			rules = append(rules, es[i].Rule)
		}
		delta[es[i].Rule] += d
	}
	if len(rules) == 0 {
		return nil
	}
	args := make([]any, 0, 2*len(rules))
	for _, r := range rules {
		args = append(args, r, delta[r])
	}
	_, err := w.exec(`INSERT INTO rule_totals (rule, records) VALUES `+values(len(rules), 2)+
		` ON CONFLICT (rule) DO UPDATE SET records = rule_totals.records + excluded.records`, args...)
	return err
}

func (e *entry) record(hash []byte, reversed bool) scs.Record {
	return scs.Record{Seq: e.Seq, Event: e.event(), RecordedAt: fromNanos(e.Recorded), Account: e.Account,
		Reversed: reversed, Hash: hex.EncodeToString(hash)}
}

// existingRecords returns the stored records with the given client ids,
// with their hashes.
func existingRecords(run runQuery, ids []string) (map[string]*entry, error) {
	out := map[string]*entry{}
	err := queryIn(run, `SELECT `+ledgerCols+` FROM ledger WHERE rid IN `, ids, func(rows *sql.Rows) error {
		e := &entry{}
		var h []byte
		if err := scanEntry(rows, e, &h); err != nil {
			return err
		}
		copy(e.hash[:], h)
		out[e.Rid] = e
		return nil
	})
	if err != nil {
		return nil, internal("records", err)
	}
	return out, nil
}

// appendRecords is the write path of records: validation, idempotency by
// client id, the ledger entries and the projections, in w's transaction.
// evs have passed validate.
func (w *wtx) appendRecords(by *scs.Account, evs []scs.Event) ([]scs.Record, error) {
	db := w.db
	n := len(evs)
	ids := make([]string, 0, n)
	citizens := make([]string, 0, n)
	seenCitizen := map[string]bool{}
	first := make(map[string]int, n)
	for i := range evs {
		if j, ok := first[evs[i].ID]; ok {
			if !sameEvent(&evs[i], &evs[j]) {
				return nil, &scs.BatchError{Index: i, ID: evs[i].ID, Err: scs.FieldErrorf(scs.ECONFLICT, "id",
					"the batch has id %q twice with different content (records[%d] and records[%d])", evs[i].ID, j, i)}
			}
			continue
		}
		first[evs[i].ID] = i
		ids = append(ids, evs[i].ID)
		if !seenCitizen[evs[i].Citizen] {
			seenCitizen[evs[i].Citizen] = true
			citizens = append(citizens, evs[i].Citizen)
		}
	}
	// Every registered citizen has a projection: loading them both checks
	// the citizens and readies their projections for project.
	ps, err := w.projections(citizens)
	if err != nil {
		return nil, err
	}
	for i := range evs {
		if ps[evs[i].Citizen] == nil {
			return nil, &scs.BatchError{Index: i, ID: evs[i].ID, Err: scs.FieldErrorf(scs.EINVALID, "citizen", "no citizen %q is registered", evs[i].Citizen)}
		}
	}
	existing, err := existingRecords(w.queryStmt, ids)
	if err != nil {
		return nil, err
	}
	out := make([]scs.Record, n)
	var fresh []entry
	freshIdx := make([]int, 0, n)
	for i := range evs {
		ev := &evs[i]
		if j := first[ev.ID]; j != i {
			continue // filled in from records[j] below
		}
		if e, ok := existing[ev.ID]; ok {
			if !sameRecord(e, ev) {
				return nil, &scs.BatchError{Index: i, ID: ev.ID, Err: scs.FieldErrorf(scs.ECONFLICT, "id",
					"%q is already recorded (seq %d) with different content", ev.ID, e.Seq)}
			}
			out[i] = e.record(e.hash[:], false)
			continue
		}
		fresh = append(fresh, recordEntry(by, ev, nanos(w.now)))
		freshIdx = append(freshIdx, i)
	}
	if len(fresh) > 0 {
		if err := w.appendEntries(fresh); err != nil {
			return nil, err
		}
		if err := w.project(fresh, ps); err != nil {
			return nil, err
		}
	}
	for k := range fresh {
		out[freshIdx[k]] = fresh[k].record(fresh[k].hash[:], false)
	}
	for i := range evs {
		if j := first[evs[i].ID]; j != i {
			out[i] = out[j]
		}
	}
	if len(existing) > 0 {
		// Reversal state of records returned from the ledger.
		for i := range out {
			if _, ok := existing[evs[i].ID]; ok {
				rev, err := db.isReversed(w.ctx, w.tx, out[i].Seq, out[i].Event.Citizen)
				if err != nil {
					return nil, err
				}
				out[i].Reversed = rev
			}
		}
	}
	return out, nil
}

// recordEntry is the ledger entry of a validated record reported by by and
// recorded at recorded.
func recordEntry(by *scs.Account, ev *scs.Event, recorded int64) entry {
	e := entry{Kind: scs.EntryRecord, Rid: ev.ID, Citizen: ev.Citizen, Rule: ev.Rule, At: nanos(ev.At),
		Quantity: ev.Quantity, HasQ: ev.HasQuantity, Points: ev.Points, HasP: ev.HasPoints,
		Department: ev.Department, Evidence: ev.Evidence, Recorded: recorded, Account: by.ID}
	if !e.HasQ {
		e.Quantity = 0
	}
	if !e.HasP {
		e.Points = 0
	}
	return e
}

func (db *DB) isReversed(ctx context.Context, q querier, seq int64, citizen string) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, db.q(`SELECT COUNT(*) FROM ledger WHERE citizen = ? AND kind = 'reversal' AND target = ?`),
		citizen, seq).Scan(&n)
	if err != nil {
		return false, internal("reversal", err)
	}
	return n > 0, nil
}
