package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"slices"
	"strings"
	"time"

	"scs"
)

// TokenPrefix starts every token, so a leaked one is easy to recognise.
const TokenPrefix = "scs_"

func hashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

func newToken() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", internal("token", err)
	}
	return TokenPrefix + base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// CreateAccount makes an account (admin) and returns it with its token,
// which is shown only now: the database keeps its SHA-256 hash. A citizen
// account names a registered citizen; an official account a department
// that owns at least one of the scheme's rules.
func (db *DB) CreateAccount(ctx context.Context, by *scs.Account, a scs.Account) (scs.Account, string, error) {
	if err := need(by, "creating accounts", scs.RoleAdmin); err != nil {
		return scs.Account{}, "", err
	}
	if err := a.Validate(); err != nil {
		return scs.Account{}, "", err
	}
	if a.Role == scs.RoleOfficial && !db.isDepartment(a.Department) {
		return scs.Account{}, "", scs.FieldErrorf(scs.EINVALID, "department", "no rule of scheme %s belongs to department %q (known: %s)",
			db.scheme.Name, a.Department, strings.Join(db.Departments(), ", "))
	}
	token, err := newToken()
	if err != nil {
		return scs.Account{}, "", err
	}
	out := scs.Account{Name: a.Name, Role: a.Role, Citizen: a.Citizen, Department: a.Department}
	err = db.write(ctx, func(w *wtx) error {
		if a.Role == scs.RoleCitizen {
			if _, err := db.citizen(w.ctx, w.tx, a.Citizen); err != nil {
				return err
			}
		}
		out.Created = w.now
		err := w.queryRow(`INSERT INTO accounts (name, role, citizen, department, token_hash, created, created_by) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			a.Name, a.Role, a.Citizen, a.Department, hashToken(token), nanos(w.now), by.ID).Scan(&out.ID)
		if err != nil {
			return internal("account", err)
		}
		return w.appendRef(scs.EntryAccount, a.Citizen, by.ID, accountRef{ID: out.ID, Name: a.Name, Role: a.Role, Citizen: a.Citizen,
			Department: a.Department, TokenHash: hex.EncodeToString(hashToken(token)), Created: nanos(w.now), CreatedBy: by.ID})
	})
	if err != nil {
		return scs.Account{}, "", err
	}
	return out, token, nil
}

// Departments lists the departments that own rules in the scheme, sorted.
func (db *DB) Departments() []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range db.scheme.Rules {
		if !seen[r.Department] {
			seen[r.Department] = true
			out = append(out, r.Department)
		}
	}
	slices.Sort(out)
	return out
}

func (db *DB) isDepartment(d string) bool {
	for _, r := range db.scheme.Rules {
		if r.Department == d {
			return true
		}
	}
	return false
}

const accountCols = "id, name, role, citizen, department, created, revoked"

func scanAccount(row interface{ Scan(...any) error }) (scs.Account, error) {
	var a scs.Account
	var created int64
	var revoked sql.NullInt64
	if err := row.Scan(&a.ID, &a.Name, &a.Role, &a.Citizen, &a.Department, &created, &revoked); err != nil {
		return a, err
	}
	a.Created = fromNanos(created)
	if revoked.Valid {
		t := fromNanos(revoked.Int64)
		a.Revoked = &t
	}
	return a, nil
}

// Authenticate returns the live account that token belongs to, or
// scs.EUNAUTHORIZED (missing, unknown or revoked token).
func (db *DB) Authenticate(ctx context.Context, token string) (*scs.Account, error) {
	if token == "" {
		return nil, scs.FieldErrorf(scs.EUNAUTHORIZED, "token", "missing")
	}
	if len(token) > 512 {
		return nil, scs.FieldErrorf(scs.EUNAUTHORIZED, "token", "not a token of this registry")
	}
	a, err := scanAccount(db.rc.QueryRowContext(ctx, db.q(`SELECT `+accountCols+` FROM accounts WHERE token_hash = ?`), hashToken(token)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, scs.FieldErrorf(scs.EUNAUTHORIZED, "token", "not a token of this registry")
	}
	if err != nil {
		return nil, internal("authenticate", err)
	}
	if a.Revoked != nil {
		return nil, scs.FieldErrorf(scs.EUNAUTHORIZED, "token", "account %d (%s) was revoked at %s", a.ID, a.Name, a.Revoked.Format(time.RFC3339))
	}
	return &a, nil
}

// Accounts lists every account, revoked ones too, by id (admin).
func (db *DB) Accounts(ctx context.Context, by *scs.Account) ([]scs.Account, error) {
	if err := need(by, "listing accounts", scs.RoleAdmin); err != nil {
		return nil, err
	}
	rows, err := db.r.QueryContext(ctx, `SELECT `+accountCols+` FROM accounts ORDER BY id`)
	if err != nil {
		return nil, internal("accounts", err)
	}
	defer rows.Close()
	out := []scs.Account{}
	for rows.Next() {
		a, err := scanAccount(rows)
		if err != nil {
			return nil, internal("accounts", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// RevokeAccount revokes an account (admin); its token stops working at
// once. Revoking a revoked account changes nothing; an unknown id is
// scs.ENOTFOUND.
func (db *DB) RevokeAccount(ctx context.Context, by *scs.Account, id int64) error {
	if err := need(by, "revoking accounts", scs.RoleAdmin); err != nil {
		return err
	}
	return db.write(ctx, func(w *wtx) error {
		var revoked sql.NullInt64
		err := w.queryRow(`SELECT revoked FROM accounts WHERE id = ?`, id).Scan(&revoked)
		if errors.Is(err, sql.ErrNoRows) {
			return scs.FieldErrorf(scs.ENOTFOUND, "account", "no account %d", id)
		}
		if err != nil {
			return internal("revoke", err)
		}
		if revoked.Valid {
			return nil
		}
		if _, err := w.exec(`UPDATE accounts SET revoked = ? WHERE id = ?`, nanos(w.now), id); err != nil {
			return err
		}
		return w.appendRef(scs.EntryRevocation, "", by.ID, revocationRef{ID: id, Revoked: nanos(w.now)})
	})
}
