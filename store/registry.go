package store

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"time"

	"scs"
)

var _ scs.Registry = (*DB)(nil)

// Operator returns the account the local command line acts as (scs
// accounts, scs import): an admin with id 0, which is what the ledger
// records as the reporting account of its writes.
func Operator() *scs.Account {
	return &scs.Account{ID: 0, Name: "operator", Role: scs.RoleAdmin}
}

// need checks that by is a live account with one of roles.
func need(by *scs.Account, what string, roles ...string) error {
	if by == nil {
		return scs.Errorf(scs.EUNAUTHORIZED, "%s needs an account: send a bearer token", what)
	}
	if by.Revoked != nil {
		return scs.Errorf(scs.EUNAUTHORIZED, "account %d (%s) was revoked at %s", by.ID, by.Name, by.Revoked.UTC().Format(time.RFC3339))
	}
	if slices.Contains(roles, by.Role) {
		return nil
	}
	return scs.Errorf(scs.EFORBIDDEN, "%s needs a%s %s account; account %d (%s) is a%s %s",
		what, article(roles[0]), strings.Join(roles, " or "), by.ID, by.Name, article(by.Role), by.Role)
}

func article(word string) string {
	if word != "" && strings.ContainsRune("aeiou", rune(word[0])) {
		return "n"
	}
	return ""
}

// own checks that a citizen account acts only on its own citizen.
func own(by *scs.Account, citizen, what string) error {
	if by.Role == scs.RoleCitizen && by.Citizen != citizen {
		return scs.Errorf(scs.EFORBIDDEN, "account %d (%s) is bound to citizen %s; it may not %s of citizen %s",
			by.ID, by.Name, by.Citizen, what, citizen)
	}
	return nil
}

// ReportRecords appends records, all or nothing (officials for their
// department's rules, admin). A record whose client id is stored with the
// same content returns the stored record; with other content, or twice in
// one batch with different content, it is scs.ECONFLICT. A record dated
// before the citizen's latest record is allowed: their projection is
// recomputed by the engine from their newest snapshot before it, before
// the write is queued (see replayLate). Errors name the record
// (records[i] and its id) and the field.
func (db *DB) ReportRecords(ctx context.Context, by *scs.Account, evs []scs.Event) ([]scs.Record, error) {
	if err := need(by, "reporting records", scs.RoleOfficial, scs.RoleAdmin); err != nil {
		return nil, err
	}
	if len(evs) == 0 {
		return nil, scs.FieldErrorf(scs.EINVALID, "records", "the batch is empty")
	}
	if len(evs) > MaxBatch {
		return nil, scs.FieldErrorf(scs.EINVALID, "records", "%d records; a batch holds at most %d", len(evs), MaxBatch)
	}
	evs = slices.Clone(evs)
	now := db.now()
	for i := range evs {
		if err := db.validate(by, &evs[i], now, true); err != nil {
			return nil, &scs.BatchError{Index: i, ID: evs[i].ID, Err: err}
		}
	}
	// A record dated before the citizen's newest snapshot would make the
	// writer replay more than a snapshot interval: the writer declines
	// (errReplayFirst) and the replay is done here, outside it, after
	// which the writer only checks that the citizen's ledger did not
	// change meanwhile.
	var out []scs.Record
	var late map[string]*lateReplay
	for attempt := 0; ; attempt++ {
		var deferred []string
		err := db.write(ctx, func(w *wtx) error {
			var err error
			w.late, w.deferLate = late, attempt == 0
			out, err = w.appendRecords(by, evs)
			deferred = w.deferred
			w.late, w.deferLate, w.deferred = nil, false, nil
			return err
		})
		if attempt > 0 || !errors.Is(err, errReplayFirst) {
			return out, err
		}
		late = db.replayLate(ctx, by, evs, deferred)
		if db.beforeLateWrite != nil {
			db.beforeLateWrite()
		}
	}
}

// RegisterCitizen adds a citizen (admin). The registration time is now;
// c.Consent says whether they opt in to scoring from the start. An id
// already registered is scs.ECONFLICT.
func (db *DB) RegisterCitizen(ctx context.Context, by *scs.Account, c scs.Citizen) (scs.Citizen, error) {
	if err := need(by, "registering citizens", scs.RoleAdmin); err != nil {
		return scs.Citizen{}, err
	}
	now := db.now()
	if err := c.Validate(now); err != nil {
		return scs.Citizen{}, err
	}
	c.Registered = now
	err := db.write(ctx, func(w *wtx) error {
		var n int
		if err := w.queryRow(`SELECT COUNT(*) FROM citizens WHERE id = ?`, c.ID).Scan(&n); err != nil {
			return internal("citizen", err)
		}
		if n > 0 {
			return scs.FieldErrorf(scs.ECONFLICT, "id", "citizen %q is already registered", c.ID)
		}
		c.Registered = w.now
		return w.registerCitizens(by, []scs.Citizen{c}, true)
	})
	if err != nil {
		return scs.Citizen{}, err
	}
	return c, nil
}

// SetConsent opts a citizen in or out of scoring (the citizen, admin). A
// change is a new ledger entry; setting the consent the citizen already
// has changes nothing. Scoring is not retroactive unless the scheme says
// so: records dated before an opt-in are kept but not scored, and a
// withdrawal stops scoring from its time.
func (db *DB) SetConsent(ctx context.Context, by *scs.Account, citizen string, consent bool) (scs.Citizen, error) {
	if err := need(by, "changing consent", scs.RoleCitizen, scs.RoleAdmin); err != nil {
		return scs.Citizen{}, err
	}
	if err := own(by, citizen, "change the consent"); err != nil {
		return scs.Citizen{}, err
	}
	var c scs.Citizen
	err := db.write(ctx, func(w *wtx) error {
		var err error
		c, err = db.citizen(w.ctx, w.tx, citizen)
		if err != nil {
			return err
		}
		if c.Consent == consent {
			return nil
		}
		if err := w.appendEntries([]entry{{Kind: scs.EntryConsent, Citizen: citizen, Consent: consent, Recorded: nanos(w.now), Account: by.ID}}); err != nil {
			return err
		}
		if _, err := w.exec(`UPDATE citizens SET consent = ?, consent_log = CASE WHEN consent_log = '' THEN ? ELSE consent_log || ' ' || ? END WHERE id = ?`,
			boolInt(consent), consentLogItem(consent, nanos(w.now)), consentLogItem(consent, nanos(w.now)), citizen); err != nil {
			return err
		}
		c.Consent = consent
		// The change counts from now. The citizen's trail is replayed:
		// the reasons of records not scored name the consent, and a
		// record dated now or later (a department's clock ahead) may
		// change.
		delete(w.db.cache, citizen)
		w.untouch(citizen)
		p, err := w.replayCitizen(citizen)
		if err != nil {
			return err
		}
		return w.saveProjections([]*proj{p})
	})
	return c, err
}

func (db *DB) citizen(ctx context.Context, q querier, id string) (scs.Citizen, error) {
	c := scs.Citizen{ID: id}
	if err := scs.CheckID("citizen", id, true); err != nil {
		return c, err
	}
	var consent int
	var reg, res int64
	err := q.QueryRowContext(ctx, db.q(`SELECT name, neighbourhood, birth_year, consent, registered, resident_since FROM citizens WHERE id = ?`), id).
		Scan(&c.Name, &c.Neighbourhood, &c.BirthYear, &consent, &reg, &res)
	if errors.Is(err, sql.ErrNoRows) {
		return c, errNoCitizen("citizen", id)
	}
	if err != nil {
		return c, internal("citizen", err)
	}
	c.Consent = consent == 1
	c.Registered = fromNanos(reg)
	if res != 0 {
		t := fromNanos(res)
		c.ResidentSince = &t
	}
	return c, nil
}

func (db *DB) fileEntry(t *scs.TrailEntry, e *entry, reversed bool) scs.FileEntry {
	fe := scs.FileEntry{TrailEntry: *t, Reversed: reversed}
	if r, ok := db.scheme.Rule(t.Rule); ok {
		fe.Description = r.Description
		fe.Department = r.Department
		fe.Provenance = r.Provenance
	}
	if e != nil {
		fe.Evidence = e.Evidence
		if e.Department != "" {
			fe.Department = e.Department
		}
	}
	return fe
}

// Decide answers "may this citizen get capability?" as of at (officials,
// admin, and a citizen about themself). An unknown capability is
// scs.ENOTFOUND. A citizen who is not scored as of at (no consent where the
// scheme needs it, or not eligible) keeps every entitlement and has no privilege and no sanction:
// the engine answers from the capability's kind, with the reason.
func (db *DB) Decide(ctx context.Context, by *scs.Account, citizen, capability string, at time.Time) (scs.Decision, error) {
	if err := need(by, "asking for a decision", scs.RoleOfficial, scs.RoleAdmin, scs.RoleCitizen); err != nil {
		return scs.Decision{}, err
	}
	if err := own(by, citizen, "ask for decisions"); err != nil {
		return scs.Decision{}, err
	}
	if err := scs.CheckID("citizen", citizen, true); err != nil {
		return scs.Decision{}, err
	}
	if _, ok := db.scheme.Capability(capability); !ok {
		return scs.Decision{}, scs.FieldErrorf(scs.ENOTFOUND, "capability", "%q is not in scheme %s", capability, db.scheme.Name)
	}
	at = at.UTC()
	var state []byte
	var reg int64
	var pa participation
	err := db.rc.QueryRowContext(ctx, db.q(`SELECT p.state, c.registered, c.birth_year, c.resident_since, c.consent, c.consent_log FROM projections p JOIN citizens c ON c.id = p.citizen WHERE p.citizen = ?`), citizen).
		Scan(&state, &reg, &pa.birthYear, &pa.residentSince, &pa.consent, &pa.log)
	if errors.Is(err, sql.ErrNoRows) {
		return scs.Decision{}, errNoCitizen("citizen", citizen)
	}
	if err != nil {
		return scs.Decision{}, internal("decide", err)
	}
	sc, err := db.scoring(&pa)
	if err != nil {
		return scs.Decision{}, internal("decide", err)
	}
	c := scs.Citizen{ID: citizen, Registered: fromNanos(reg), Consent: pa.consent == 1}
	if ok, why := db.scoredAt(&c, sc, at); !ok {
		return db.eng.DecideUnscored(capability, why)
	}
	st, err := decodeState(state, citizen)
	if err != nil {
		return scs.Decision{}, internal("decide", err)
	}
	if st.Events > 0 && at.Before(st.LastAt) {
		p, err := db.projection(ctx, &c, at)
		if err != nil {
			return scs.Decision{}, err
		}
		st = p.st
	}
	return db.eng.Decide(&st, capability, at)
}
