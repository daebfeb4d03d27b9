package store

import (
	"context"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math"
	"strings"

	"scs"
)

// ranOnce reports whether the once-only step that sets meta key has run
// on this database (markRan).
func (db *DB) ranOnce(ctx context.Context, key string) (bool, error) {
	var v string
	err := db.r.QueryRowContext(ctx, db.q(`SELECT value FROM meta WHERE key = ?`), key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, internal("meta", err)
	}
	return true, nil
}

// markRan records in the op's transaction that the once-only step of meta
// key has run.
func (w *wtx) markRan(key string) error {
	_, err := w.exec(`INSERT INTO meta (key, value) VALUES (?, '1') ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key)
	return err
}

// eachRow calls scan (which reads rows' current row) for every row of a
// query's result, rows and err as the query returned them, and closes
// rows; an error of the query, of a scan or of the rows is returned as
// internal(what, ...).
func eachRow(rows *sql.Rows, err error, what string, scan func() error) error {
	if err != nil {
		return internal(what, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(); err != nil {
			return internal(what, err)
		}
	}
	if err := rows.Err(); err != nil {
		return internal(what, err)
	}
	return nil
}

// column returns the strings of a query's one column, rows and err as the
// query returned them (errors as eachRow's).
func column(rows *sql.Rows, err error, what string) ([]string, error) {
	var out []string
	err = eachRow(rows, err, what, func() error {
		var v string
		err := rows.Scan(&v)
		out = append(out, v)
		return err
	})
	return out, err
}

// adoptedKey is the meta key set once a database's tables are all in the
// chain (adoptTables ran).
const adoptedKey = "tables_in_chain"

// adoptTables brings into the chain, once, what a database written by an
// earlier scs keeps outside it: objections and accounts without ledger
// entries get them now (an objection entry and, when decided, a decision
// entry; an account entry and, when revoked, a revocation entry), as the
// rows stand at the upgrade, each recorded by the row's own actor; and a
// citizen whose consent_log is not what the ledger's consent entries say
// gets it rebuilt from them, with their projection replayed. From then on
// scs verify names any edit of those rows. An edit made before the
// upgrade cannot be told from the row as it was written. It runs on the
// writer and marks the database (meta tables_in_chain) so that it runs
// once; a new database is marked at once.
func (db *DB) adoptTables(ctx context.Context) error {
	if done, err := db.ranOnce(ctx, adoptedKey); done || err != nil {
		return err
	}
	return db.write(ctx, func(w *wtx) error {
		filed, decided, accounts, revoked := map[int64]bool{}, map[int64]bool{}, map[int64]bool{}, map[int64]bool{}
		logs := map[string][]string{}
		rows, err := w.query(`SELECT kind, citizen, ref, consent, recorded FROM ledger WHERE kind IN ('objection', 'objection-decision', 'account', 'revocation', 'consent') ORDER BY seq`)
		if err != nil {
			return internal("ledger", err)
		}
		for rows.Next() {
			var kind, citizen, ref string
			var consent sql.NullInt64
			var recorded int64
			if err := rows.Scan(&kind, &citizen, &ref, &consent, &recorded); err != nil {
				rows.Close()
				return internal("ledger", err)
			}
			if kind == scs.EntryConsent {
				logs[citizen] = append(logs[citizen], consentLogItem(consent.Int64 == 1, recorded))
				continue
			}
			var id struct {
				ID int64 `json:"id"`
			}
			if err := json.Unmarshal([]byte(ref), &id); err != nil {
				continue // scs verify names an unreadable entry
			}
			map[string]map[int64]bool{scs.EntryObjection: filed, scs.EntryDecision: decided, scs.EntryAccount: accounts, scs.EntryRevocation: revoked}[kind][id.ID] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return internal("ledger", err)
		}
		if err := w.adoptObjections(filed); err != nil {
			return err
		}
		if err := w.adoptAccounts(accounts); err != nil {
			return err
		}
		if err := w.adoptConsentLogs(logs); err != nil {
			return err
		}
		err = w.markRan(adoptedKey)
		return err
	})
}

func (w *wtx) adoptObjections(filed map[int64]bool) error {
	rows, err := w.query(`SELECT id, citizen, record, seq, reason, status, filed, due, decided, reviewer, decision, filed_by FROM objections ORDER BY id`)
	if err != nil {
		return internal("objections", err)
	}
	type row struct {
		r        objectionRef
		d        decisionRef
		decided  bool
		reviewer int64
	}
	var out []row
	for rows.Next() {
		var x row
		var decided, reviewer sql.NullInt64
		if err := rows.Scan(&x.r.ID, &x.r.Citizen, &x.r.Record, &x.r.Seq, &x.r.Reason, &x.d.Status, &x.r.Filed, &x.r.Due, &decided, &reviewer, &x.d.Decision, &x.r.FiledBy); err != nil {
			rows.Close()
			return internal("objections", err)
		}
		if filed[x.r.ID] {
			continue
		}
		x.d.ID, x.d.Decided, x.d.Reviewer = x.r.ID, decided.Int64, reviewer.Int64
		x.decided = x.d.Status != scs.ObjectionOpen || decided.Valid
		out = append(out, x)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return internal("objections", err)
	}
	for _, x := range out {
		if err := w.appendRef(scs.EntryObjection, x.r.Citizen, x.r.FiledBy, x.r); err != nil {
			return err
		}
		if x.decided {
			if err := w.appendRef(scs.EntryDecision, x.r.Citizen, x.d.Reviewer, x.d); err != nil {
				return err
			}
		}
	}
	return nil
}

func (w *wtx) adoptAccounts(created map[int64]bool) error {
	rows, err := w.query(`SELECT id, name, role, citizen, department, token_hash, created, revoked, created_by FROM accounts ORDER BY id`)
	if err != nil {
		return internal("accounts", err)
	}
	type row struct {
		r       accountRef
		revoked int64
	}
	var out []row
	for rows.Next() {
		var x row
		var hash []byte
		var revoked sql.NullInt64
		if err := rows.Scan(&x.r.ID, &x.r.Name, &x.r.Role, &x.r.Citizen, &x.r.Department, &hash, &x.r.Created, &revoked, &x.r.CreatedBy); err != nil {
			rows.Close()
			return internal("accounts", err)
		}
		if created[x.r.ID] {
			continue
		}
		x.r.TokenHash, x.revoked = hex.EncodeToString(hash), revoked.Int64
		out = append(out, x)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return internal("accounts", err)
	}
	for _, x := range out {
		if err := w.appendRef(scs.EntryAccount, x.r.Citizen, x.r.CreatedBy, x.r); err != nil {
			return err
		}
		if x.revoked != 0 {
			if err := w.appendRef(scs.EntryRevocation, "", 0, revocationRef{ID: x.r.ID, Revoked: x.revoked}); err != nil {
				return err
			}
		}
	}
	return nil
}

// adoptConsentLogs sets the consent_log of every citizen whose consent
// changes in the ledger are not what it holds, and replays them.
func (w *wtx) adoptConsentLogs(logs map[string][]string) error {
	for _, id := range sortedKeys(logs) {
		want := strings.Join(logs[id], " ")
		var have string
		if err := w.queryRow(`SELECT consent_log FROM citizens WHERE id = ?`, id).Scan(&have); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				continue // scs verify names a consent entry of no citizen
			}
			return internal("citizens", err)
		}
		if have == want {
			continue
		}
		if _, err := w.exec(`UPDATE citizens SET consent_log = ? WHERE id = ?`, want, id); err != nil {
			return err
		}
		delete(w.db.cache, id)
		w.untouch(id)
		p, err := w.replayCitizen(id)
		if err != nil {
			return err
		}
		if err := w.saveProjections([]*proj{p}); err != nil {
			return err
		}
	}
	return nil
}

// snapsScoredKey is the meta key set once no snapshot of a citizen lies
// after their last scored record (trimSnapshots ran).
const snapsScoredKey = "snapshots_scored"

// trimSnapshots deletes, once, the snapshots that a database written
// before snapshots stopped at the citizen's last scored record (see
// proj.scoredTo) holds after it: a record dated after that record is
// applied to the stored state in order, without a replay, so it would be
// missing from them. Fewer snapshots only make replays longer. A database
// without snapshots needs nothing; otherwise it runs on the writer and
// marks the database (meta snapshots_scored).
func (db *DB) trimSnapshots(ctx context.Context) error {
	if done, err := db.ranOnce(ctx, snapsScoredKey); done || err != nil {
		return err
	}
	var one string
	err := db.r.QueryRowContext(ctx, `SELECT citizen FROM snapshots LIMIT 1`).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return internal("snapshots", err)
	}
	return db.write(ctx, func(w *wtx) error {
		rows, err := w.query(`SELECT DISTINCT citizen FROM snapshots ORDER BY citizen`)
		ids, err := column(rows, err, "snapshots")
		if err != nil {
			return err
		}
		for start := 0; start < len(ids); start += 256 {
			ps, err := db.loadProjections(w.ctx, w.queryStmt, ids[start:min(start+256, len(ids))])
			if err != nil {
				return err
			}
			for _, p := range ps {
				to, ok := p.scoredTo()
				if !ok {
					to = math.MinInt64
				}
				if _, err := w.exec(`DELETE FROM snapshots WHERE citizen = ? AND at > ?`, p.citizen, to); err != nil {
					return err
				}
			}
		}
		return w.markRan(snapsScoredKey)
	})
}
