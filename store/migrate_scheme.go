package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"scs"
	"scs/engine"
)

// SchemeMigration is what MigrateScheme did, or on a dry run would do.
type SchemeMigration struct {
	From, To                       string // the schemes' names
	FromFingerprint, ToFingerprint string
	// Changes are the scoring terms that differ ("rules[x].points: -100,
	// now -90").
	Changes []string
	// Citizens replayed, and the live records replayed for them.
	Citizens int
	Records  int
	// Rescored are the citizens whose score, grade or lock changed, with
	// their standing before and after, in citizen order.
	Rescored []Rescore
	// Seq is the sequence number of the ledger's scheme entry (0 on a dry
	// run).
	Seq int64
}

// Rescore is a citizen's standing under the old scheme and the new one, as
// of the migration.
type Rescore struct {
	Citizen string        `json:"citizen"`
	Scheme  string        `json:"scheme"` // the new scheme's fingerprint
	Before  standingInRef `json:"before"`
	After   standingInRef `json:"after"`
}

// standingInRef is a standing as a rescore entry keeps it.
type standingInRef struct {
	Scored      bool   `json:"scored"`
	Score       int64  `json:"score,omitempty"`
	Grade       string `json:"grade,omitempty"`
	LockedUntil int64  `json:"locked_until,omitempty"`
}

// schemeRef is a scheme entry: the registry moved from one scheme to
// another, whose scoring terms it carries.
type schemeRef struct {
	From            string   `json:"from"`
	FromFingerprint string   `json:"from_fingerprint"`
	To              string   `json:"to"`
	ToFingerprint   string   `json:"to_fingerprint"`
	Terms           []string `json:"terms"`
	Changes         []string `json:"changes"`
}

var errDryRun = errors.New("dry run")

// MigrateScheme moves the registry from the scheme it was opened with to
// `to`, which scores differently (admin): every record stored is checked
// against the new scheme first (a rule it lacks, or points or a quantity
// it does not take, refuses the whole migration, naming the records);
// then, in one transaction, the ledger gets a scheme entry (the new
// scheme's name, fingerprint, scoring terms and the list of what changed)
// and, for every citizen whose score, grade or lock changes, a rescore
// entry keeping their standing under the old scheme beside the new one;
// every citizen's projection, trail and snapshots are replayed under the
// new rules, and the database is marked as made with the new scheme. On a
// dry run nothing is written. After it, db scores with `to`: open the
// database with `to` from then on.
func (db *DB) MigrateScheme(ctx context.Context, by *scs.Account, to *scs.Scheme, dryRun bool) (*SchemeMigration, error) {
	if err := need(by, "moving the registry to another scheme", scs.RoleAdmin); err != nil {
		return nil, err
	}
	eng, err := engine.New(to)
	if err != nil {
		return nil, err
	}
	m := &SchemeMigration{From: db.scheme.Name, To: to.Name, FromFingerprint: db.scheme.Fingerprint(), ToFingerprint: to.Fingerprint()}
	m.Changes = scs.DiffTerms(db.scheme.ScoringTerms(), to.ScoringTerms())
	if m.FromFingerprint == m.ToFingerprint {
		return nil, scs.FieldErrorf(scs.EINVALID, "scheme", "scheme %s scores as scheme %s does (fingerprint %s): there is nothing to migrate", to.Name, db.scheme.Name, m.ToFingerprint)
	}
	if err := db.checkRecordsUnder(ctx, eng); err != nil {
		return nil, err
	}
	oldScheme, oldEng := db.scheme, db.eng
	err = db.write(ctx, func(w *wtx) error {
		rows, err := w.query(`SELECT id, consent FROM citizens ORDER BY id`)
		if err != nil {
			return internal("citizens", err)
		}
		var ids []string
		consent := map[string]bool{}
		for rows.Next() {
			var id string
			var c int
			if err := rows.Scan(&id, &c); err != nil {
				rows.Close()
				return internal("citizens", err)
			}
			ids = append(ids, id)
			consent[id] = c == 1
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return internal("citizens", err)
		}
		before := map[string]standingInRef{}
		for start := 0; start < len(ids); start += 256 {
			ps, err := w.projections(ids[start:min(start+256, len(ids))])
			if err != nil {
				return err
			}
			for id, p := range ps {
				before[id] = db.standingOf(p, consent[id], w.now)
			}
		}
		ref := schemeRef{From: m.From, FromFingerprint: m.FromFingerprint, To: m.To, ToFingerprint: m.ToFingerprint, Terms: to.ScoringTerms(), Changes: m.Changes}
		if err := w.appendRef(scs.EntryScheme, "", by.ID, ref); err != nil {
			return err
		}
		m.Seq = w.seq
		// From here the writer scores with the new scheme; on any error
		// (a dry run included) it goes back to the old one.
		db.scheme, db.eng = to, eng
		clear(db.cache)
		for _, id := range ids {
			w.untouch(id)
			p, err := w.replayCitizen(id)
			if err != nil {
				return err
			}
			m.Citizens++
			m.Records += len(p.out)
			after := db.standingOf(p, consent[id], w.now)
			if after != before[id] {
				r := Rescore{Citizen: id, Scheme: m.ToFingerprint, Before: before[id], After: after}
				m.Rescored = append(m.Rescored, r)
				if err := w.appendRef(scs.EntryRescore, id, by.ID, r); err != nil {
					return err
				}
			}
			if err := w.saveProjections([]*proj{p}); err != nil {
				return err
			}
		}
		for _, kv := range [][2]string{{"scheme", to.Name}, {"scheme_fingerprint", m.ToFingerprint}, {"scheme_terms", strings.Join(to.ScoringTerms(), "\n")}} {
			if _, err := w.exec(`INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, kv[0], kv[1]); err != nil {
				return err
			}
		}
		if dryRun {
			return errDryRun
		}
		return nil
	})
	if err != nil {
		db.scheme, db.eng = oldScheme, oldEng
		clear(db.cache)
		if errors.Is(err, errDryRun) {
			m.Seq = 0
			return m, nil
		}
		return nil, err
	}
	return m, nil
}

// standingOf is a projection's standing as of now under db's scheme, as
// a rescore entry keeps it; consent is the citizen's current consent.
func (db *DB) standingOf(p *proj, consent bool, now time.Time) standingInRef {
	if ok, _ := db.scoredAt(&scs.Citizen{ID: p.citizen, Consent: consent}, p.sc, now); !ok {
		return standingInRef{}
	}
	st := db.eng.Standing(&p.st, now)
	s := standingInRef{Scored: true, Score: st.Score, Grade: st.Grade}
	if st.LockedUntil != nil {
		s.LockedUntil = nanos(*st.LockedUntil)
	}
	return s
}

// checkRecordsUnder checks every stored record against eng's scheme and
// names the first ten it would refuse.
func (db *DB) checkRecordsUnder(ctx context.Context, eng *engine.Engine) error {
	rows, err := db.r.QueryContext(ctx, `SELECT `+ledgerCols+` FROM ledger WHERE kind = 'record' ORDER BY seq`)
	if err != nil {
		return internal("records", err)
	}
	defer rows.Close()
	var bad []string
	n := 0
	var hash []byte
	for rows.Next() {
		var e entry
		if err := scanEntry(rows, &e, &hash); err != nil {
			return internal("records", err)
		}
		ev := e.event()
		err := eng.Check(&ev)
		if err == nil && eng.Ignores(ev.Rule) && !db.eng.Ignores(ev.Rule) {
			// A conduct the new scheme ignores would stop counting silently.
			err = scs.FieldErrorf(scs.EINVALID, "rule", "scheme %s does not score the conduct %s, which the registry's scheme scores", eng.Scheme().Name, ev.Rule)
		}
		if err != nil {
			n++
			if len(bad) < 10 {
				bad = append(bad, fmt.Sprintf("record %s (seq %d): %s", e.Rid, e.Seq, scs.ErrorMessage(err)))
			}
		}
	}
	if err := rows.Err(); err != nil {
		return internal("records", err)
	}
	if n > 0 {
		more := ""
		if n > len(bad) {
			more = fmt.Sprintf("; and %d more", n-len(bad))
		}
		return scs.Errorf(scs.EINVALID, "scheme %s cannot score %d of the records stored: %s%s", eng.Scheme().Name, n, strings.Join(bad, "; "), more)
	}
	return nil
}
