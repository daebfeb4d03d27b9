package store

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"time"

	"scs"
)

// Empty reports whether the ledger has no entries (a new database).
func (db *DB) Empty(ctx context.Context) (bool, error) {
	var n int
	err := db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT seq FROM ledger LIMIT 1) t`).Scan(&n)
	if err != nil {
		return false, internal("empty", err)
	}
	return n == 0, nil
}

// Load is the fast path that fills an empty registry (admin), for example
// with a synthetic city from the simulator: it registers citizens and
// appends evs in one transaction, writing the hash chain and every
// citizen's projection as the ordinary write path does. A citizen's zero
// Registered time becomes the time of their first record (or now). Records
// are appended in time order. Load checks everything before writing and
// stores nothing on any error; a database that is not empty is
// scs.ECONFLICT.
func (db *DB) Load(ctx context.Context, citizens []scs.Citizen, evs []scs.Event, by *scs.Account) error {
	if err := need(by, "loading a city", scs.RoleAdmin); err != nil {
		return err
	}
	cs, recs, err := db.loadEntries(by, citizens, evs)
	if err != nil {
		return err
	}
	return db.write(ctx, func(w *wtx) error {
		var n int
		// Accounts may exist already (their entries are in the ledger);
		// citizens and records may not.
		if err := w.queryRow(`SELECT COUNT(*) FROM (SELECT seq FROM ledger WHERE kind IN ('citizen', 'record') LIMIT 1) t`).Scan(&n); err != nil {
			return internal("load", err)
		}
		if n > 0 {
			return scs.Errorf(scs.ECONFLICT, "load: the database already holds a registry; Load fills only an empty one")
		}
		// The ledger is empty: build its indexes once after the rows
		// rather than row by row (both dialects have transactional DDL).
		for _, stmt := range []string{`DROP INDEX ledger_rid`, `DROP INDEX ledger_citizen`, `DROP INDEX ledger_citizen_at`} {
			if err := w.execDirect(stmt); err != nil {
				return err
			}
		}
		if err := w.registerCitizens(by, cs, false); err != nil {
			return err
		}
		for i := range recs {
			recs[i].Recorded = nanos(w.now)
		}
		if err := w.appendEntries(recs); err != nil {
			return err
		}
		for _, stmt := range []string{`CREATE UNIQUE INDEX ledger_rid ON ledger (rid)`, `CREATE INDEX ledger_citizen ON ledger (citizen, seq)`, `CREATE INDEX ledger_citizen_at ON ledger (citizen, at)`} {
			if err := w.execDirect(stmt); err != nil {
				return err
			}
		}
		byCitizen := make(map[string][]entry, len(cs))
		for _, e := range recs {
			byCitizen[e.Citizen] = append(byCitizen[e.Citizen], e)
		}
		ps := make([]*proj, 0, len(cs))
		for _, c := range cs {
			sc, err := db.scoring(citizenParticipation(&c))
			if err != nil {
				return err
			}
			p, err := db.rebuild(c.ID, nanos(c.Registered), sc, byCitizen[c.ID])
			if err != nil {
				return scs.Errorf(scs.EINVALID, "load: %v", err)
			}
			p.packFresh = true // the database held no records
			ps = append(ps, &p)
		}
		return w.saveProjections(ps)
	})
}

// CheckRecord validates one record as ReportRecords would for by, without
// storing it, and fills in its department: the rule, quantity, points,
// time and department checks, and the reporting account's right to report
// it. It does not look up the citizen or the record id.
func (db *DB) CheckRecord(by *scs.Account, ev *scs.Event) error {
	if err := need(by, "reporting records", scs.RoleOfficial, scs.RoleAdmin); err != nil {
		return err
	}
	return db.validate(by, ev, db.now(), true)
}

// Import stores citizens and records in one transaction (admin): citizens
// not yet registered are registered (one already registered with other
// details is scs.ECONFLICT; with the same details it is kept as it is), and
// records go through the ordinary write path, so a record already stored
// with the same content is kept once and one with other content is
// scs.ECONFLICT. Any error stores nothing. An error about one citizen or
// record is a *scs.BatchError with its index in citizens or evs. added is
// how many records were new.
func (db *DB) Import(ctx context.Context, by *scs.Account, citizens []scs.Citizen, evs []scs.Event) (added int, err error) {
	if err := need(by, "importing", scs.RoleAdmin); err != nil {
		return 0, err
	}
	now := db.now()
	cs := slices.Clone(citizens)
	for i := range cs {
		if err := cs[i].Validate(now); err != nil {
			return 0, &scs.BatchError{List: "citizens", Index: i, ID: cs[i].ID, Err: err}
		}
		if cs[i].Registered.IsZero() {
			cs[i].Registered = now
		}
		cs[i].Registered = cs[i].Registered.UTC()
	}
	evs = slices.Clone(evs)
	for i := range evs {
		if err := db.validate(by, &evs[i], now, true); err != nil {
			return 0, &scs.BatchError{Index: i, ID: evs[i].ID, Err: err}
		}
	}
	err = db.write(ctx, func(w *wtx) error {
		var fresh []scs.Citizen
		for i, c := range cs {
			have, err := db.citizen(w.ctx, w.tx, c.ID)
			if scs.ErrorCode(err) == scs.ENOTFOUND {
				fresh = append(fresh, c)
				continue
			}
			if err != nil {
				return err
			}
			if have.Name != c.Name || have.Neighbourhood != c.Neighbourhood || have.BirthYear != c.BirthYear {
				return &scs.BatchError{List: "citizens", Index: i, ID: c.ID, Err: scs.FieldErrorf(scs.ECONFLICT, "id", "citizen %q is registered with other details", c.ID)}
			}
		}
		if len(fresh) > 0 {
			if err := w.registerCitizens(by, fresh, true); err != nil {
				return err
			}
		}
		before := w.entries
		for start := 0; start < len(evs); start += MaxBatch {
			end := min(start+MaxBatch, len(evs))
			if _, err := w.appendRecords(by, evs[start:end]); err != nil {
				var be *scs.BatchError
				if errors.As(err, &be) {
					be.Index += start // appendRecords counts from the chunk's start
				}
				return err
			}
		}
		added = w.entries - before
		return nil
	})
	if err != nil {
		return 0, err
	}
	return added, nil
}

// Export calls fn for every record that stands (not reversed), in ledger
// order, as an event in the format of scs score.
func (db *DB) Export(ctx context.Context, fn func(ev *scs.Event) error) error {
	reversed := map[int64]bool{}
	rows, err := db.r.QueryContext(ctx, `SELECT target FROM ledger WHERE kind = 'reversal'`)
	if err != nil {
		return internal("export", err)
	}
	for rows.Next() {
		var target int64
		if err := rows.Scan(&target); err != nil {
			rows.Close()
			return internal("export", err)
		}
		reversed[target] = true
	}
	rows.Close()
	rows, err = db.r.QueryContext(ctx, `SELECT `+ledgerCols+` FROM ledger WHERE kind = 'record' ORDER BY seq`)
	if err != nil {
		return internal("export", err)
	}
	defer rows.Close()
	var hash []byte
	for rows.Next() {
		var e entry
		if err := scanEntry(rows, &e, &hash); err != nil {
			return internal("export", err)
		}
		if reversed[e.Seq] {
			continue
		}
		ev := e.event()
		if err := fn(&ev); err != nil {
			return err
		}
	}
	return rows.Err()
}

// ExportCitizens calls fn for every registered citizen, by id.
func (db *DB) ExportCitizens(ctx context.Context, fn func(c *scs.Citizen) error) error {
	rows, err := db.r.QueryContext(ctx, `SELECT id FROM citizens ORDER BY id`)
	ids, err := column(rows, err, "export")
	if err != nil {
		return err
	}
	for _, id := range ids {
		c, err := db.citizen(ctx, db.r, id)
		if err != nil {
			return err
		}
		if err := fn(&c); err != nil {
			return err
		}
	}
	return nil
}

// loadEntries checks Load's citizens and records and returns the citizens
// with their registration times filled in and the record entries in time
// order.
func (db *DB) loadEntries(by *scs.Account, citizens []scs.Citizen, evs []scs.Event) ([]scs.Citizen, []entry, error) {
	now := db.now()
	cs := slices.Clone(citizens)
	first := make(map[string]time.Time, len(cs))
	known := make(map[string]int, len(cs))
	for i := range cs {
		if err := cs[i].Validate(now); err != nil {
			return nil, nil, &scs.BatchError{List: "citizens", Index: i, ID: cs[i].ID, Err: err}
		}
		if j, dup := known[cs[i].ID]; dup {
			return nil, nil, &scs.BatchError{List: "citizens", Index: i, ID: cs[i].ID, Err: scs.FieldErrorf(scs.EINVALID, "id", "also citizens[%d]", j)}
		}
		known[cs[i].ID] = i
	}
	recs := make([]entry, len(evs))
	ids := make(map[string]int, len(evs))
	for i := range evs {
		ev := evs[i]
		if err := db.validate(by, &ev, now, false); err != nil {
			return nil, nil, &scs.BatchError{Index: i, ID: ev.ID, Err: err}
		}
		if _, ok := known[ev.Citizen]; !ok {
			return nil, nil, &scs.BatchError{Index: i, ID: ev.ID, Err: scs.FieldErrorf(scs.EINVALID, "citizen", "%q is not among the citizens loaded", ev.Citizen)}
		}
		if j, dup := ids[ev.ID]; dup {
			return nil, nil, &scs.BatchError{Index: i, ID: ev.ID, Err: scs.FieldErrorf(scs.ECONFLICT, "id", "also records[%d]", j)}
		}
		ids[ev.ID] = i
		if f, ok := first[ev.Citizen]; !ok || ev.At.Before(f) {
			first[ev.Citizen] = ev.At
		}
		recs[i] = entry{Kind: scs.EntryRecord, Rid: ev.ID, Citizen: ev.Citizen, Rule: ev.Rule, At: nanos(ev.At),
			HasQ: ev.HasQuantity, HasP: ev.HasPoints, Department: ev.Department, Evidence: ev.Evidence, Account: by.ID}
		if ev.HasQuantity {
			recs[i].Quantity = ev.Quantity
		}
		if ev.HasPoints {
			recs[i].Points = ev.Points
		}
	}
	for i := range cs {
		if cs[i].Registered.IsZero() {
			if f, ok := first[cs[i].ID]; ok {
				cs[i].Registered = f
			} else {
				cs[i].Registered = now
			}
		}
		cs[i].Registered = cs[i].Registered.UTC()
	}
	slices.SortStableFunc(recs, func(a, b entry) int { return cmp.Compare(a.At, b.At) })
	return cs, recs, nil
}
