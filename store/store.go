// Package store is the registry's storage: an append-only, hash-chained
// ledger of records, reversals, consent changes and citizen registrations,
// with the projections the engine computes from it (each citizen's state,
// score, grade, lock and trail) kept in the same transaction. It implements
// scs.Registry on SQLite (modernc.org/sqlite, the default) and PostgreSQL
// (pgx through database/sql), behind one dialect seam.
//
// Writes go through one writer goroutine that groups concurrent writers
// into shared transactions (group commit): each caller gets its answer only
// after the transaction holding its write has committed durably (SQLite in
// WAL mode with synchronous=FULL; PostgreSQL's default synchronous commit).
package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver

	"scs"
	"scs/engine"
)

//go:embed migrations/*.sql
var migrations embed.FS

// DefaultDSN is the database used when none is given: a SQLite file in the
// working directory.
const DefaultDSN = "./scs.db"

// maxGroup bounds how many queued writes share one transaction.
const maxGroup = 256

// maxCache bounds how many citizens' projections the writer keeps in memory.
const maxCache = 200_000

// dialect is the seam between SQLite and PostgreSQL: placeholders, which
// migration files apply (NNN_name.<name>.sql), and how a writer takes the
// ledger's append lock.
type dialect struct {
	name     string
	dollar   bool   // $1, $2 placeholders instead of ?
	lockTail string // run first in every write transaction
}

var (
	sqliteDialect = &dialect{
		name: "sqlite",
	}
	postgresDialect = &dialect{
		name:     "postgres",
		dollar:   true,
		lockTail: "SELECT pg_advisory_xact_lock(7265001)",
	}
)

// sqlitePragmas are the SQLite connections' settings: WAL with a sync at
// every commit (an acknowledged write survives a crash), and a WAL
// checkpoint every 16,384 pages (64 MiB) rather than SQLite's 1,000: a
// group commit dirties index and projection pages all over the file, and
// checkpointing them after nearly every commit more than halved the
// ingest rate. The store's own writer does not checkpoint at all (see
// checkpointer); the setting is for other programs writing to the file.
const (
	sqliteCommonPragmas = "_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=busy_timeout(20000)" +
		"&_pragma=cache_size(-65536)&_pragma=temp_store(memory)&_pragma=foreign_keys(0)"
	sqlitePragmas = sqliteCommonPragmas + "&_pragma=wal_autocheckpoint(16384)"
	// The driver runs _pragma settings sorted by their text, so a second
	// wal_autocheckpoint could not override the first: the writer's
	// settings are built from the common ones.
	sqliteWriterPragmas = sqliteCommonPragmas + "&_pragma=wal_autocheckpoint(0)&_txlock=immediate"
)

// Ping checks that the database answers a read (for /healthz).
func (db *DB) Ping(ctx context.Context) error {
	if err := db.r.PingContext(ctx); err != nil {
		return internal("ping", err)
	}
	return nil
}

// SQLiteSettings returns the settings, as a query string of the SQLite
// driver, that the store opens a SQLite file with (WAL, a sync at every
// commit, the checkpoint interval): a tool that measures plain SQL beside
// the store (internal/bench) opens the file with the same.
func SQLiteSettings() string { return sqlitePragmas }

// DB is a registry database. It is safe for concurrent use. Close it when
// done.
type DB struct {
	d      *dialect
	w      *sql.DB // the writer's connection (SQLite: one connection, BEGIN IMMEDIATE)
	r      *sql.DB // readers
	dsn    string
	scheme *scs.Scheme
	eng    *engine.Engine
	// snapEvery is how many records apart snapshots are taken
	// (snapshotEvery; tests set fewer).
	snapEvery int
	// packSize is how many records a record pack holds (packMax; tests
	// set fewer).
	packSize int

	queries sync.Map // query text -> rebound text

	// cache holds projections the writer committed, so that a citizen's
	// next record needs no read; it is used and changed by the writer
	// goroutine only, and cleared when the ledger's tail shows that another
	// process wrote (cacheSeq is the tail after the writer's last commit).
	cache    map[string]*proj
	cacheSeq int64

	wstmtMu sync.Mutex
	wstmts  map[string]*sql.Stmt // the writer's prepared statements

	ops     chan *op
	stop    chan struct{}
	stopped chan struct{}
	closeMu sync.Once

	clockMu sync.RWMutex
	clock   func() time.Time

	// rc runs the readers' queries on statements prepared once.
	rc *stmtCache

	// ckpt is SQLite's checkpoint connection (nil on PostgreSQL), used by
	// the checkpointer goroutine only.
	ckpt     *sql.DB
	ckptDone chan struct{}

	stats   commitCounters
	hookMu  sync.RWMutex
	onGroup func(GroupCommit)

	// lateStats counts the replays of late records done before the writer
	// that it used, and those it found stale and redid (for tests).
	lateStats struct{ used, redone atomic.Int64 }
	// beforeLateWrite, when set (tests), runs after ReportRecords replayed
	// late records and before it queues the write.
	beforeLateWrite func()
}

func isPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// sqlitePath is the file of a SQLite dsn (a path or a "file:" URI).
func sqlitePath(dsn string) string {
	path := strings.TrimPrefix(dsn, "file:")
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	return path
}

// Exists reports whether the database dsn names is there to be opened: a
// SQLite file that exists (DefaultDSN when dsn is empty). A PostgreSQL URL
// always exists as far as scs can tell: the server refuses a database it
// lacks when it is opened.
func Exists(dsn string) bool {
	if dsn == "" {
		dsn = DefaultDSN
	}
	if isPostgres(dsn) {
		return true
	}
	_, err := os.Stat(sqlitePath(dsn))
	return err == nil
}

// Open opens (creating if needed) the database named by dsn and applies the
// embedded migrations. It creates a SQLite database that does not exist
// (see Exists). dsn is a SQLite file path (DefaultDSN when empty, a
// "file:" URI also works) or a postgres:// or postgresql:// URL. The
// database remembers the scheme it was first opened with; opening it with a
// different scheme is an scs.EINVALID error, because its projections were
// computed under the first.
func Open(ctx context.Context, dsn string, scheme *scs.Scheme) (*DB, error) {
	if scheme == nil {
		return nil, scs.Errorf(scs.EINVALID, "store: no scheme")
	}
	eng, err := engine.New(scheme)
	if err != nil {
		return nil, err
	}
	if dsn == "" {
		dsn = DefaultDSN
	}
	db := &DB{dsn: dsn, scheme: scheme, eng: eng, clock: time.Now, wstmts: map[string]*sql.Stmt{}, cache: map[string]*proj{}, cacheSeq: -1,
		ops: make(chan *op, 4096), stop: make(chan struct{}), stopped: make(chan struct{})}
	if isPostgres(dsn) {
		db.d = postgresDialect
		pg, err := sql.Open("pgx", dsn)
		if err != nil {
			return nil, scs.Errorf(scs.EINVALID, "database %s: %v", redact(dsn), err)
		}
		pg.SetMaxOpenConns(16)
		pg.SetMaxIdleConns(16)
		db.w, db.r = pg, pg
	} else {
		db.d = sqliteDialect
		path := sqlitePath(dsn)
		if dir := filepath.Dir(path); dir != "" {
			if _, err := os.Stat(dir); err != nil {
				return nil, scs.Errorf(scs.EINVALID, "database %s: directory %s: %v", dsn, dir, errors.Unwrap(err))
			}
		}
		base := "file:" + path + "?" + sqlitePragmas
		wbase := "file:" + path + "?" + sqliteWriterPragmas
		// The writer never checkpoints at commit: a checkpoint copies
		// every page changed since the last one into the database file and
		// syncs it, which held up the commit it ran in (and every write
		// waiting behind it) for tens of milliseconds. The checkpointer
		// goroutine does it on its own connection instead.
		w, err := sql.Open("sqlite", wbase)
		if err != nil {
			return nil, scs.Errorf(scs.EINVALID, "database %s: %v", dsn, err)
		}
		// Two connections: the writer's transactions run on one; the other
		// prepares statements while a transaction holds the first (see
		// wtx.stmt), and each statement is then prepared once more on the
		// transaction's connection and reused from there.
		w.SetMaxOpenConns(2)
		w.SetMaxIdleConns(2)
		w.SetConnMaxLifetime(0)
		r, err := sql.Open("sqlite", base+"&_pragma=query_only(1)")
		if err != nil {
			w.Close()
			return nil, scs.Errorf(scs.EINVALID, "database %s: %v", dsn, err)
		}
		r.SetMaxOpenConns(8)
		r.SetMaxIdleConns(8)
		c, err := sql.Open("sqlite", base)
		if err != nil {
			w.Close()
			r.Close()
			return nil, scs.Errorf(scs.EINVALID, "database %s: %v", dsn, err)
		}
		c.SetMaxOpenConns(1)
		db.w, db.r, db.ckpt = w, r, c
	}
	db.rc = &stmtCache{db: db.r}
	if err := db.migrate(ctx); err != nil {
		db.closeConns()
		return nil, err
	}
	if err := db.checkScheme(ctx); err != nil {
		db.closeConns()
		return nil, err
	}
	go db.writer()
	if db.ckpt != nil {
		db.ckptDone = make(chan struct{})
		go db.checkpointer()
	}
	if err := db.adoptTables(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := db.trimSnapshots(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}

// checkpointInterval is how often the checkpointer copies the WAL's
// committed pages into the database file while there are new commits.
const checkpointInterval = 250 * time.Millisecond

// checkpointer runs SQLite's WAL checkpoints off the writer's path: a
// PASSIVE checkpoint waits for no reader or writer, so commits go on while
// it copies pages, and once it has caught up the next write transaction
// starts the WAL file again from its beginning. On Close it truncates the
// WAL, so a closed database is one file.
func (db *DB) checkpointer() {
	defer close(db.ckptDone)
	ctx := context.Background()
	conn, err := db.ckpt.Conn(ctx)
	if err != nil {
		<-db.stop // no checkpoints: the WAL grows until a later open checkpoints it
		return
	}
	defer conn.Close()
	// The final TRUNCATE waits for readers on an older snapshot; a second
	// is enough at Close, and a busy checkpoint is not an error.
	conn.ExecContext(ctx, `PRAGMA busy_timeout = 1000`)
	t := time.NewTicker(checkpointInterval)
	defer t.Stop()
	// The writer's group count tells whether there is anything new to
	// copy; the first tick copies whatever opening wrote (migrations).
	done := int64(-1)
	for {
		select {
		case <-db.stop:
			<-db.stopped
			conn.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
			return
		case <-t.C:
			if n := db.stats.groups.Load(); n != done {
				done = n
				// A failure (SQLITE_BUSY, say) is not an error: the pages stay
				// in the WAL, which readers use, and the next tick tries again.
				conn.ExecContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`)
			}
		}
	}
}

func (db *DB) closeConns() {
	if db.ckpt != nil {
		db.ckpt.Close()
	}
	db.w.Close()
	if db.r != db.w {
		db.r.Close()
	}
}

// Close stops the writer after the writes already queued and closes the
// database. Writes submitted after Close fail.
func (db *DB) Close() error {
	db.closeMu.Do(func() {
		close(db.stop)
		<-db.stopped
		if db.ckptDone != nil {
			<-db.ckptDone
		}
		db.wstmtMu.Lock()
		for _, st := range db.wstmts {
			st.Close()
		}
		db.wstmtMu.Unlock()
		db.rc.close()
		db.closeConns()
	})
	return nil
}

// Dialect returns "sqlite" or "postgres".
func (db *DB) Dialect() string { return db.d.name }

// Scheme returns the scheme the registry scores with.
func (db *DB) Scheme() *scs.Scheme { return db.scheme }

// Engine returns the engine the registry scores with.
func (db *DB) Engine() *engine.Engine { return db.eng }

// SetClock replaces the clock that stamps recorded times and objection
// dates (tests use it). It is safe to call at any time.
func (db *DB) SetClock(now func() time.Time) {
	db.clockMu.Lock()
	db.clock = now
	db.clockMu.Unlock()
}

func (db *DB) now() time.Time {
	db.clockMu.RLock()
	defer db.clockMu.RUnlock()
	return db.clock().UTC()
}

// q returns query rewritten for the dialect: ? placeholders become $n on
// PostgreSQL.
func (db *DB) q(query string) string {
	if !db.d.dollar {
		return query
	}
	if v, ok := db.queries.Load(query); ok {
		return v.(string)
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(query[i])
	}
	s := b.String()
	db.queries.Store(query, s)
	return s
}

func (db *DB) migrate(ctx context.Context) error {
	if _, err := db.w.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY)`); err != nil {
		return fmt.Errorf("store: open %s: %w", redact(db.dsn), err)
	}
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	for _, name := range names {
		base := strings.TrimSuffix(filepath.Base(name), ".sql")
		v, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil {
			return fmt.Errorf("store: migration %s: bad version", name)
		}
		// NNN_name.sqlite.sql applies to SQLite only and NNN_name.postgres.sql
		// to PostgreSQL only (column types, storage layout); NNN_name.sql is
		// plain SQL both accept. Each file is run as it is written.
		if i := strings.LastIndexByte(base, '.'); i >= 0 && base[i+1:] != db.d.name {
			continue
		}
		body, _ := migrations.ReadFile(name)
		text := string(body)
		if err := db.inTx(ctx, func(tx *sql.Tx) error {
			if db.d.lockTail != "" {
				if _, err := tx.ExecContext(ctx, db.d.lockTail); err != nil {
					return err
				}
			}
			var done int
			if err := tx.QueryRowContext(ctx, db.q(`SELECT COUNT(*) FROM schema_migrations WHERE version = ?`), v).Scan(&done); err != nil {
				return err
			}
			if done > 0 {
				return nil
			}
			for _, stmt := range splitSQL(text) {
				if _, err := tx.ExecContext(ctx, stmt); err != nil {
					return fmt.Errorf("%s: %w", name, err)
				}
			}
			_, err := tx.ExecContext(ctx, db.q(`INSERT INTO schema_migrations (version) VALUES (?)`), v)
			return err
		}); err != nil {
			return fmt.Errorf("store: migrate %s: %w", redact(db.dsn), err)
		}
	}
	return nil
}

// splitSQL splits a migration into statements at semicolons that end a
// line, dropping -- comments.
func splitSQL(text string) []string {
	var out []string
	var cur strings.Builder
	for _, line := range strings.Split(text, "\n") {
		t := strings.TrimSpace(line)
		if t == "" || strings.HasPrefix(t, "--") {
			continue
		}
		cur.WriteString(line)
		cur.WriteByte('\n')
		if strings.HasSuffix(t, ";") {
			out = append(out, strings.TrimSuffix(strings.TrimSpace(cur.String()), ";"))
			cur.Reset()
		}
	}
	if s := strings.TrimSpace(cur.String()); s != "" {
		out = append(out, s)
	}
	return out
}

func (db *DB) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// legacyFingerprint is the fingerprint databases stored before the
// scheme's own (scs.Scheme.Fingerprint): a hash of the whole scheme as
// JSON, prose included. A database that holds it is moved to the new
// fingerprint when the scheme it was made with opens it.
func legacyFingerprint(s *scs.Scheme) string {
	b, _ := json.Marshal(s)
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:8])
}

// checkScheme makes sure the database's projections were computed under
// what scores in db.scheme: the scheme's fingerprint covers the figures
// (start, floor, grades, lock-ins, capabilities, rules' effects and caps,
// consent, eligibility) and not the prose, so a mended title or source
// opens the database and a changed figure is refused with the list of
// what changed.
func (db *DB) checkScheme(ctx context.Context) error {
	fp := db.scheme.Fingerprint()
	terms := strings.Join(db.scheme.ScoringTerms(), "\n")
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if db.d.lockTail != "" {
			if _, err := tx.ExecContext(ctx, db.d.lockTail); err != nil {
				return err
			}
		}
		get := func(key string) (string, bool, error) {
			var v string
			err := tx.QueryRowContext(ctx, db.q(`SELECT value FROM meta WHERE key = ?`), key).Scan(&v)
			if errors.Is(err, sql.ErrNoRows) {
				return "", false, nil
			}
			return v, err == nil, err
		}
		put := func(kv ...string) error {
			for i := 0; i < len(kv); i += 2 {
				if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`), kv[i], kv[i+1]); err != nil {
					return err
				}
			}
			return nil
		}
		name, ok, err := get("scheme")
		if err != nil {
			return err
		}
		if !ok {
			return put("scheme", db.scheme.Name, "scheme_fingerprint", fp, "scheme_terms", terms)
		}
		have, _, err := get("scheme_fingerprint")
		if err != nil {
			return err
		}
		haveTerms, hasTerms, err := get("scheme_terms")
		if err != nil {
			return err
		}
		switch {
		case have == fp && hasTerms:
			return nil
		case have == fp || (!hasTerms && have == legacyFingerprint(db.scheme)):
			return put("scheme_fingerprint", fp, "scheme_terms", terms)
		case !hasTerms:
			return scs.Errorf(scs.EINVALID, "database %s was made with scheme %s by an earlier scs (fingerprint %s); scheme %s (fingerprint %s) may score differently and cannot open it",
				redact(db.dsn), name, have, db.scheme.Name, fp)
		}
		changes := scs.DiffTerms(strings.Split(haveTerms, "\n"), db.scheme.ScoringTerms())
		if name != db.scheme.Name {
			// Another scheme altogether: its differences would fill a
			// screen; name the scheme to open it with instead.
			return scs.Errorf(scs.EINVALID, "database %s was made with scheme %s (fingerprint %s); scheme %s (fingerprint %s) scores differently (%d differences) and cannot open it: open it with --scheme %s",
				redact(db.dsn), name, have, db.scheme.Name, fp, len(changes), name)
		}
		return scs.Errorf(scs.EINVALID, "database %s was made with scheme %s (fingerprint %s); scheme %s (fingerprint %s) scores differently and cannot open it: %s",
			redact(db.dsn), name, have, db.scheme.Name, fp, strings.Join(changes, "; "))
	})
}

// GroupCommit describes one committed group: how many writes (calls such as
// ReportRecords) and ledger entries shared the transaction, and how long
// the transaction took from begin to durable commit.
type GroupCommit struct {
	Writes   int
	Entries  int
	Duration time.Duration
}

// CommitStats are the writer's running totals since Open.
type CommitStats struct {
	Groups  int64 // committed transactions
	Writes  int64 // writes committed
	Entries int64 // ledger entries committed
	Failed  int64 // writes that returned an error
}

type commitCounters struct {
	groups, writes, entries, failed atomic.Int64
}

// CommitStats returns the group-commit totals since Open. Writes/Groups is
// the mean group size.
func (db *DB) CommitStats() CommitStats {
	return CommitStats{Groups: db.stats.groups.Load(), Writes: db.stats.writes.Load(),
		Entries: db.stats.entries.Load(), Failed: db.stats.failed.Load()}
}

// OnGroupCommit sets a function called after every committed group (for
// example to feed a metrics histogram of group sizes). It runs on the
// writer goroutine and must return quickly; nil removes it.
func (db *DB) OnGroupCommit(fn func(GroupCommit)) {
	db.hookMu.Lock()
	db.onGroup = fn
	db.hookMu.Unlock()
}

// SetSettings stores the simulation settings that made the database's
// city, so that the city page can show them after a restart.
func (db *DB) SetSettings(ctx context.Context, m map[string]string) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	_, err = db.w.ExecContext(ctx, db.q(`INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`), "city_settings", string(b))
	return err
}

// Settings returns the settings stored by SetSettings, or nil.
func (db *DB) Settings(ctx context.Context) (map[string]string, error) {
	var v string
	err := db.r.QueryRowContext(ctx, db.q(`SELECT value FROM meta WHERE key = ?`), "city_settings").Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var m map[string]string
	if err := json.Unmarshal([]byte(v), &m); err != nil {
		return nil, fmt.Errorf("stored city settings: %w", err)
	}
	return m, nil
}

// SchemeOf returns the name of the scheme the database dsn names was made
// with (or last moved to by scs migrate-scheme), as it remembers it, or ""
// when it has none on record: a new or empty database, or one that cannot
// be read (Open then says what is wrong). It reads without migrating or
// writing anything.
func SchemeOf(ctx context.Context, dsn string) string {
	if dsn == "" {
		dsn = DefaultDSN
	}
	var conn *sql.DB
	var err error
	if isPostgres(dsn) {
		conn, err = sql.Open("pgx", dsn)
	} else {
		if !Exists(dsn) {
			return ""
		}
		conn, err = sql.Open("sqlite", "file:"+sqlitePath(dsn)+"?mode=ro&_pragma=busy_timeout(5000)")
	}
	if err != nil {
		return ""
	}
	defer conn.Close()
	var name string
	if conn.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'scheme'`).Scan(&name) != nil {
		return ""
	}
	return name
}
