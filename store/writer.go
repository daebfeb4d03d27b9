package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"scs"
)

// op is one write waiting for the writer: fn runs inside the group's
// transaction, in a savepoint of its own, so that a failing op leaves no
// trace while the others in its group commit.
type op struct {
	ctx  context.Context
	fn   func(w *wtx) error
	done chan error
}

// wtx is the writer's transaction: the ledger's tail (last sequence number
// and hash) and the time the group is recorded at.
type wtx struct {
	db      *DB
	tx      *sql.Tx
	ctx     context.Context
	seq     int64
	prev    [32]byte
	now     time.Time
	entries int
	stmts   map[string]*sql.Stmt
	touched map[string]*proj
	// late holds the replays of late records done before the writer by
	// the op running (see replayLate).
	late map[string]*lateReplay
	// deferLate, set by the op running, makes project decline a long
	// replay (errReplayFirst), naming the citizens in deferred.
	deferLate bool
	deferred  []string
	// undo holds, while an op of a group runs, the entries of touched it
	// replaced or deleted (nil: there was none), to restore if it fails.
	undo map[string]*proj
}

// touch records p as the projection the transaction wrote for its citizen.
func (w *wtx) touch(p *proj) {
	if w.touched == nil {
		w.touched = map[string]*proj{}
	}
	w.remember(p.citizen)
	w.touched[p.citizen] = p
}

// untouch forgets the projection the transaction wrote for citizen.
func (w *wtx) untouch(citizen string) {
	w.remember(citizen)
	delete(w.touched, citizen)
}

func (w *wtx) remember(citizen string) {
	if w.undo == nil {
		return
	}
	if _, ok := w.undo[citizen]; !ok {
		w.undo[citizen] = w.touched[citizen]
	}
}

// restore puts back the entries of touched the failed op changed.
func (w *wtx) restore() {
	for id, p := range w.undo {
		if p == nil {
			delete(w.touched, id)
		} else {
			w.touched[id] = p
		}
	}
}

var errClosed = errors.New("store: database is closed")

// errReplayFirst is an op's answer when a late record needs a long replay
// that its caller should do outside the writer first (see ReportRecords).
var errReplayFirst = errors.New("store: replay the late records before the writer")

// write queues fn and waits until the group holding it has committed (nil)
// or fn or the commit failed.
func (db *DB) write(ctx context.Context, fn func(w *wtx) error) error {
	o := &op{ctx: ctx, fn: fn, done: make(chan error, 1)}
	select {
	case <-db.stop:
		return errClosed
	default:
	}
	select {
	case db.ops <- o:
	case <-db.stop:
		return errClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	// Once queued, the op may commit whatever the caller's context does, so
	// wait for the answer: a write is never acknowledged before it is durable.
	return <-o.done
}

func (db *DB) writer() {
	defer close(db.stopped)
	for {
		var first *op
		select {
		case first = <-db.ops:
		case <-db.stop:
			// Drain what was queued before Close.
			for {
				select {
				case o := <-db.ops:
					db.commitGroup([]*op{o})
				default:
					return
				}
			}
		}
		group := []*op{first}
	fill:
		for len(group) < maxGroup {
			select {
			case o := <-db.ops:
				group = append(group, o)
			default:
				break fill
			}
		}
		db.commitGroup(group)
	}
}

// commitGroup runs the ops of a group in one transaction. If the
// transaction itself fails (not one op), each op is retried alone so that
// one op's trouble does not fail the others.
func (db *DB) commitGroup(group []*op) {
	live := group[:0:0]
	for _, o := range group {
		if err := o.ctx.Err(); err != nil {
			o.done <- err
			db.stats.failed.Add(1)
			continue
		}
		live = append(live, o)
	}
	if len(live) == 0 {
		return
	}
	errs, err := db.runGroup(live)
	if err != nil && len(live) > 1 {
		for _, o := range live {
			db.commitGroup([]*op{o})
		}
		return
	}
	for i, o := range live {
		e := err
		if e == nil {
			e = errs[i]
		}
		if e != nil && !errors.Is(e, errReplayFirst) {
			db.stats.failed.Add(1)
		}
		o.done <- e
	}
}

func (db *DB) runGroup(group []*op) (errs []error, err error) {
	start := time.Now()
	ctx := context.Background()
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return nil, internal("begin", err)
	}
	w := &wtx{db: db, tx: tx, ctx: ctx, now: db.now(), stmts: map[string]*sql.Stmt{}}
	defer func() {
		for _, s := range w.stmts {
			s.Close()
		}
		if err != nil {
			tx.Rollback()
		}
	}()
	if db.d.lockTail != "" {
		if _, err := tx.ExecContext(ctx, db.d.lockTail); err != nil {
			return nil, internal("lock", err)
		}
	}
	var hash []byte
	err = w.queryRow(`SELECT seq, hash FROM ledger ORDER BY seq DESC LIMIT 1`).Scan(&w.seq, &hash)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, internal("read tail", err)
	}
	copy(w.prev[:], hash)
	if w.seq != db.cacheSeq {
		// Another process wrote since our last commit: what the cache
		// holds may be stale.
		clear(db.cache)
	}
	errs = make([]error, len(group))
	ok := 0
	// Each op of a group runs inside a savepoint: one that fails, whether
	// in a check, a read the database refuses or after writing, is rolled
	// back alone (on PostgreSQL any failed statement aborts the whole
	// transaction until then) and the others go on. A group of one needs
	// none: its failure rolls back the transaction.
	savepoints := len(group) > 1
	if savepoints {
		w.undo = map[string]*proj{}
	}
	for i, o := range group {
		seq, prev, entries := w.seq, w.prev, w.entries
		if savepoints {
			clear(w.undo)
			if _, err := tx.ExecContext(ctx, `SAVEPOINT op`); err != nil {
				return nil, internal("savepoint", err)
			}
		}
		e := o.fn(w)
		if e == nil {
			ok++
			if savepoints {
				if _, err := tx.ExecContext(ctx, `RELEASE SAVEPOINT op`); err != nil {
					return nil, internal("release savepoint", err)
				}
			}
			continue
		}
		errs[i] = e
		w.seq, w.prev, w.entries = seq, prev, entries
		if savepoints {
			if _, err := tx.ExecContext(ctx, `ROLLBACK TO SAVEPOINT op`); err != nil {
				return nil, internal("rollback to savepoint", err)
			}
			w.restore()
		}
	}
	w.undo = nil
	if ok == 0 {
		tx.Rollback()
		return errs, nil
	}
	for _, s := range w.stmts {
		s.Close()
	}
	w.stmts = nil
	if err := tx.Commit(); err != nil {
		clear(db.cache)
		db.cacheSeq = -1
		return nil, internal("commit", err)
	}
	db.committed(w, ok, start)
	return errs, nil
}

// committed keeps a committed group's projections in the writer's cache,
// counts the group and calls the group-commit hook.
func (db *DB) committed(w *wtx, ok int, start time.Time) {
	if len(db.cache)+len(w.touched) > maxCache {
		clear(db.cache)
	}
	if len(w.touched) <= maxCache {
		for id, p := range w.touched {
			db.cache[id] = p
		}
	}
	db.cacheSeq = w.seq
	db.stats.groups.Add(1)
	db.stats.writes.Add(int64(ok))
	db.stats.entries.Add(int64(w.entries))
	db.hookMu.RLock()
	hook := db.onGroup
	db.hookMu.RUnlock()
	if hook != nil {
		hook(GroupCommit{Writes: ok, Entries: w.entries, Duration: time.Since(start)})
	}
}

// internal wraps a database failure as an error users see only as
// "internal error".
func internal(what string, err error) error {
	return fmt.Errorf("store: %s: %w", what, err)
}

// stmt returns query prepared for the writer's transaction. Statements are
// prepared once on the writer's database handle and cached for its life.
func (w *wtx) stmt(query string) (*sql.Stmt, error) {
	q := w.db.q(query)
	if st, ok := w.stmts[q]; ok {
		return st, nil
	}
	db := w.db
	if db.d.dollar {
		// PostgreSQL: prepare on the transaction's connection (pgx keeps
		// its own per-connection statement cache). Preparing on another
		// connection could wait on a lock this transaction holds.
		st, err := w.tx.PrepareContext(w.ctx, q)
		if err != nil {
			return nil, internal("prepare", err)
		}
		w.stmts[q] = st
		return st, nil
	}
	db.wstmtMu.Lock()
	base, ok := db.wstmts[q]
	if !ok {
		var err error
		base, err = db.w.PrepareContext(w.ctx, q)
		if err != nil {
			db.wstmtMu.Unlock()
			return nil, internal("prepare", err)
		}
		db.wstmts[q] = base
	}
	db.wstmtMu.Unlock()
	st := w.tx.StmtContext(w.ctx, base)
	w.stmts[q] = st
	return st, nil
}

// queryStmt runs a query in the writer's transaction through stmt.
func (w *wtx) queryStmt(query string, args ...any) (*sql.Rows, error) {
	st, err := w.stmt(query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(w.ctx, args...)
}

// execDirect runs a statement that writes without preparing it (DDL).
func (w *wtx) execDirect(query string) error {
	if _, err := w.tx.ExecContext(w.ctx, query); err != nil {
		return internal("exec", err)
	}
	return nil
}

// exec runs a statement that writes in the writer's transaction through
// stmt.
func (w *wtx) exec(query string, args ...any) (sql.Result, error) {
	st, err := w.stmt(query)
	if err != nil {
		return nil, err
	}
	res, err := st.ExecContext(w.ctx, args...)
	if err != nil {
		return nil, internal("exec", err)
	}
	return res, nil
}

// queryRow runs a query in the writer's transaction through stmt; when
// the statement cannot be prepared it runs unprepared, so that the
// *sql.Row carries the error.
func (w *wtx) queryRow(query string, args ...any) *sql.Row {
	st, err := w.stmt(query)
	if err != nil {
		return w.tx.QueryRowContext(w.ctx, w.db.q(query), args...)
	}
	return st.QueryRowContext(w.ctx, args...)
}

func (w *wtx) query(query string, args ...any) (*sql.Rows, error) {
	rows, err := w.queryStmt(query, args...)
	if err != nil {
		return nil, internal("query", err)
	}
	return rows, nil
}

var valuesCache sync.Map

// values returns "(?,?,?),(?,?,?)" for rows rows of cols columns.
func values(rows, cols int) string {
	key := rows<<8 | cols
	if v, ok := valuesCache.Load(key); ok {
		return v.(string)
	}
	one := "(" + strings.TrimSuffix(strings.Repeat("?,", cols), ",") + ")"
	s := strings.TrimSuffix(strings.Repeat(one+",", rows), ",")
	valuesCache.Store(key, s)
	return s
}

// notScored is the reason given when consent is required and missing.
const notScored = "not scored: the scheme needs the citizen's consent and the citizen has not given it"

// noConsent is why a citizen without consent is not scored, as decisions
// give it.
const noConsent = "the scheme needs the citizen's consent and the citizen has not given it"

func errNoCitizen(field, id string) error {
	return scs.Errorf(scs.ENOTFOUND, "%s: no citizen %q", field, id)
}
