package store

import (
	"context"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	"scs"
)

// The ledger entries of the tables that decide something besides the
// records: objections and their decisions, accounts (roles) and
// revocations. Each carries the row as JSON in its ref, so that Verify can
// rebuild those tables from the chain and name any row edited since.

type objectionRef struct {
	ID      int64  `json:"id"`
	Citizen string `json:"citizen"`
	Record  string `json:"record"`
	Seq     int64  `json:"seq"`
	Reason  string `json:"reason"`
	Filed   int64  `json:"filed"`
	Due     int64  `json:"due"`
	FiledBy int64  `json:"filed_by"`
}

type decisionRef struct {
	ID       int64  `json:"id"`
	Status   string `json:"status"`
	Decided  int64  `json:"decided"`
	Reviewer int64  `json:"reviewer"`
	Decision string `json:"decision"`
}

type accountRef struct {
	ID         int64  `json:"id"`
	Name       string `json:"name"`
	Role       string `json:"role"`
	Citizen    string `json:"citizen"`
	Department string `json:"department"`
	TokenHash  string `json:"token_hash"`
	Created    int64  `json:"created"`
	CreatedBy  int64  `json:"created_by"`
}

type revocationRef struct {
	ID      int64 `json:"id"`
	Revoked int64 `json:"revoked"`
}

// appendRef appends one entry of kind whose ref is v as JSON.
func (w *wtx) appendRef(kind, citizen string, by int64, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return internal(kind, err)
	}
	return w.appendEntries([]entry{{Kind: kind, Citizen: citizen, Ref: string(b), Recorded: nanos(w.now), Account: by}})
}

// vdecisions is what Verify gathers from the ledger about objections and
// accounts, with the sequence number of the entry that last set each.
type vdecisions struct {
	objections map[int64]*vobjection
	accounts   map[int64]*vaccount
}

type vobjection struct {
	filed    objectionRef
	decision *decisionRef
	seq      int64
}

type vaccount struct {
	acc     accountRef
	revoked int64
	seq     int64
}

// add takes one ledger entry of the kinds above; it reports false for
// other kinds.
func (v *vdecisions) add(e *entry, problem func(int64, string, string, ...any)) bool {
	unreadable := func(err error) {
		problem(e.Seq, e.Citizen, "%s entry: unreadable: %v", e.Kind, err)
	}
	switch e.Kind {
	case scs.EntryObjection:
		var r objectionRef
		if err := json.Unmarshal([]byte(e.Ref), &r); err != nil {
			unreadable(err)
			return true
		}
		if _, dup := v.objections[r.ID]; dup {
			problem(e.Seq, e.Citizen, "objection %d is filed twice in the ledger", r.ID)
		}
		v.objections[r.ID] = &vobjection{filed: r, seq: e.Seq}
	case scs.EntryDecision:
		var r decisionRef
		if err := json.Unmarshal([]byte(e.Ref), &r); err != nil {
			unreadable(err)
			return true
		}
		o := v.objections[r.ID]
		if o == nil {
			problem(e.Seq, e.Citizen, "decision on objection %d, which is not filed before it", r.ID)
			return true
		}
		o.decision, o.seq = &r, e.Seq
	case scs.EntryAccount:
		var r accountRef
		if err := json.Unmarshal([]byte(e.Ref), &r); err != nil {
			unreadable(err)
			return true
		}
		v.accounts[r.ID] = &vaccount{acc: r, seq: e.Seq}
	case scs.EntryRevocation:
		var r revocationRef
		if err := json.Unmarshal([]byte(e.Ref), &r); err != nil {
			unreadable(err)
			return true
		}
		a := v.accounts[r.ID]
		if a == nil {
			problem(e.Seq, "", "revocation of account %d, which is not created before it", r.ID)
			return true
		}
		a.revoked, a.seq = r.Revoked, e.Seq
	default:
		return false
	}
	return true
}

// fields renders name=value pairs for comparing a row with the ledger.
type fields [][2]string

func (f fields) diff(want fields) string {
	var out []string
	for i := range f {
		if f[i][1] != want[i][1] {
			out = append(out, fmt.Sprintf("%s is %s, the ledger says %s", f[i][0], f[i][1], want[i][1]))
		}
	}
	return strings.Join(out, "; ")
}

func objectionFields(r *objectionRef, d *decisionRef) fields {
	status, decided, reviewer, decision := scs.ObjectionOpen, "none", "none", ""
	if d != nil {
		status, decided, reviewer, decision = d.Status, fmt.Sprint(d.Decided), fmt.Sprint(d.Reviewer), d.Decision
	}
	return fields{{"citizen", r.Citizen}, {"record", r.Record}, {"seq", fmt.Sprint(r.Seq)}, {"reason", fmt.Sprintf("%q", r.Reason)},
		{"status", status}, {"filed", fmt.Sprint(r.Filed)}, {"due", fmt.Sprint(r.Due)}, {"decided", decided},
		{"reviewer", reviewer}, {"decision", fmt.Sprintf("%q", decision)}, {"filed_by", fmt.Sprint(r.FiledBy)}}
}

func accountFields(r *accountRef, revoked int64) fields {
	rev := "none"
	if revoked != 0 {
		rev = fmt.Sprint(revoked)
	}
	return fields{{"name", fmt.Sprintf("%q", r.Name)}, {"role", r.Role}, {"citizen", r.Citizen}, {"department", r.Department},
		{"token_hash", r.TokenHash}, {"created", fmt.Sprint(r.Created)}, {"revoked", rev}, {"created_by", fmt.Sprint(r.CreatedBy)}}
}

// verifyDecisions compares the objections and accounts tables with what
// the ledger says of them.
func (db *DB) verifyDecisions(ctx context.Context, v *vdecisions, problem func(int64, string, string, ...any)) error {
	rows, err := db.r.QueryContext(ctx, `SELECT id, citizen, record, seq, reason, status, filed, due, decided, reviewer, decision, filed_by FROM objections`)
	if err != nil {
		return internal("verify", err)
	}
	seen := map[int64]bool{}
	for rows.Next() {
		var r objectionRef
		var d decisionRef
		var decided, reviewer sql.NullInt64
		if err := rows.Scan(&r.ID, &r.Citizen, &r.Record, &r.Seq, &r.Reason, &d.Status, &r.Filed, &r.Due, &decided, &reviewer, &d.Decision, &r.FiledBy); err != nil {
			rows.Close()
			return internal("verify", err)
		}
		seen[r.ID] = true
		d.ID, d.Decided, d.Reviewer = r.ID, decided.Int64, reviewer.Int64
		got := objectionFields(&r, &d)
		if d.Status == scs.ObjectionOpen && !decided.Valid {
			got = objectionFields(&r, nil)
		}
		w := v.objections[r.ID]
		if w == nil {
			problem(0, r.Citizen, "objections table: objection %d has no entry in the ledger", r.ID)
			continue
		}
		if diff := got.diff(objectionFields(&w.filed, w.decision)); diff != "" {
			problem(w.seq, r.Citizen, "objections table: objection %d was changed after it was written: %s", r.ID, diff)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return internal("verify", err)
	}
	for id, w := range v.objections {
		if !seen[id] {
			problem(w.seq, w.filed.Citizen, "objections table: objection %d in the ledger is missing", id)
		}
	}
	rows, err = db.r.QueryContext(ctx, `SELECT id, name, role, citizen, department, token_hash, created, revoked, created_by FROM accounts`)
	if err != nil {
		return internal("verify", err)
	}
	seenAcc := map[int64]bool{}
	for rows.Next() {
		var r accountRef
		var hash []byte
		var revoked sql.NullInt64
		if err := rows.Scan(&r.ID, &r.Name, &r.Role, &r.Citizen, &r.Department, &hash, &r.Created, &revoked, &r.CreatedBy); err != nil {
			rows.Close()
			return internal("verify", err)
		}
		r.TokenHash = hex.EncodeToString(hash)
		seenAcc[r.ID] = true
		w := v.accounts[r.ID]
		if w == nil {
			problem(0, "", "accounts table: account %d (%s, %s) has no entry in the ledger", r.ID, r.Name, r.Role)
			continue
		}
		if diff := accountFields(&r, revoked.Int64).diff(accountFields(&w.acc, w.revoked)); diff != "" {
			problem(w.seq, "", "accounts table: account %d was changed after it was written: %s", r.ID, diff)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return internal("verify", err)
	}
	for id, w := range v.accounts {
		if !seenAcc[id] {
			problem(w.seq, "", "accounts table: account %d in the ledger is missing", id)
		}
	}
	return nil
}
