// Package bench measures the registry's performance goals, each beside a
// baseline measured in the same run, for `scs bench` and the testing.B
// benchmarks. It drives the store through its exported API against a
// temporary SQLite database; the baselines are plain SQL on the same
// table, SQLite settings and disk, and the engine alone in memory.
package bench

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"scs"
	"scs/engine"
	"scs/schemes"
	"scs/store"

	"golang.org/x/sync/errgroup"
)

// City returns a synthetic city of citizens and n records for the
// benchmarks: records over the year before end, about 20 a citizen, from
// rules of every effect kind, in time order, from a fixed seed.
func City(n int, end time.Time) ([]scs.Citizen, []scs.Event) {
	nc := max(n/20, 1)
	rng := rand.New(rand.NewPCG(7, 11))
	cs := make([]scs.Citizen, nc)
	for i := range cs {
		cs[i] = scs.Citizen{ID: fmt.Sprintf("bench-%07d", i), Name: fmt.Sprintf("Citizen %d", i),
			Neighbourhood: fmt.Sprintf("hood-%d", i%12), BirthYear: 1940 + i%70, Consent: true,
			Registered: end.AddDate(-1, 0, -1)}
	}
	rules := []string{"returned-lost-money", "tax-evasion", "speeding-ticket", "charitable-donation",
		"volunteer-service", "other-commercial", "blood-donation", "late-utility-fees", "informant-report"}
	evs := make([]scs.Event, n)
	span := int64(365 * 24 * time.Hour)
	for i := range evs {
		e := scs.Event{ID: fmt.Sprintf("rec-%09d", i), Citizen: cs[rng.IntN(nc)].ID, Rule: rules[rng.IntN(len(rules))],
			At: end.Add(-time.Duration(span - span/int64(n)*int64(i)))}
		switch e.Rule {
		case "charitable-donation":
			e.Quantity, e.HasQuantity = float64(rng.IntN(5000)), true
		case "volunteer-service":
			e.Quantity, e.HasQuantity = float64(rng.IntN(40))/2, true
		case "other-commercial":
			e.Points, e.HasPoints = -int64(5+rng.IntN(46)), true
		}
		evs[i] = e
	}
	return cs, evs
}

func benchOpen(ctx context.Context, dir, name string) (*store.DB, error) {
	s, err := schemes.Load("rongcheng")
	if err != nil {
		return nil, err
	}
	path := filepath.Join(dir, name)
	for _, suffix := range []string{"", "-wal", "-shm"} {
		os.Remove(path + suffix)
	}
	return store.Open(ctx, path, s)
}

// Ingest reports n records through ReportRecords in batches of 1,000
// from 4 concurrent clients into a new, durable SQLite database in dir
// (WAL, synchronous=FULL) and returns the records stored per second. Like
// a bulk loader, the clients split the records by citizen, each sending
// its citizens' records in time order (so no record arrives late; late
// records replay the citizen and are covered by the tests). The
// baseline is the rate of inserting the same ledger rows straight into a
// SQLite table of the same shape and indexes, with the same durability
// settings and 1,000 rows a transaction, through multi-row INSERT
// statements of 250 rows prepared once (the fastest plain insert).
func Ingest(ctx context.Context, dir string, n int) (rate, baseline float64, err error) {
	end := time.Now().UTC().Add(-time.Hour)
	cs, evs := City(n, end)
	baseline, err = StraightInsert(ctx, filepath.Join(dir, "bench-raw.db"), evs, 1000)
	if err != nil {
		return 0, 0, err
	}
	db, err := benchOpen(ctx, dir, "bench-ingest.db")
	if err != nil {
		return 0, 0, err
	}
	defer db.Close()
	if err := db.Load(ctx, cs, nil, store.Operator()); err != nil {
		return 0, 0, err
	}
	const batch, clients = 1000, 4
	parts := make([][]scs.Event, clients)
	for i := range evs {
		k := int(evs[i].Citizen[len(evs[i].Citizen)-1]) % clients
		parts[k] = append(parts[k], evs[i])
	}
	g, gctx := errgroup.WithContext(ctx)
	start := time.Now()
	for _, part := range parts {
		g.Go(func() error {
			for i := 0; i < len(part); i += batch {
				if _, err := db.ReportRecords(gctx, store.Operator(), part[i:min(i+batch, len(part))]); err != nil {
					return err
				}
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return 0, 0, err
	}
	d := time.Since(start)
	return float64(n) / d.Seconds(), baseline, nil
}

// Limits measures what SQLite through database/sql allows on this
// machine for the store's throughput figures, with no scs code in the way.
// appendRate is the rate of appending n record rows, durably and 1,000 a
// transaction, to a ledger table with none of its indexes: the ceiling of
// any ingest that stores a row per record. readRate is the rate of reading
// every column of those rows back in sequence order, in one range per
// core as Verify does: the ceiling of any verify that reads a row per
// entry.
func Limits(ctx context.Context, dir string, n int) (appendRate, readRate float64, err error) {
	_, evs := City(n, time.Now().UTC().Add(-time.Hour))
	path := filepath.Join(dir, "bench-limits.db")
	if appendRate, err = straightInsert(ctx, path, evs, 1000, false); err != nil {
		return 0, 0, err
	}
	db, err := sql.Open("sqlite", "file:"+path+"?"+store.SQLiteSettings()+"&_pragma=query_only(1)")
	if err != nil {
		return 0, 0, err
	}
	defer db.Close()
	parts := runtime.GOMAXPROCS(0)
	g, gctx := errgroup.WithContext(ctx)
	start := time.Now()
	for k := range parts {
		lo, hi := int64(n)*int64(k)/int64(parts)+1, int64(n)*int64(k+1)/int64(parts)
		g.Go(func() error {
			rows, err := db.QueryContext(gctx, `SELECT `+strings.Join(ledgerCols, ", ")+` FROM ledger WHERE seq >= ? AND seq <= ? ORDER BY seq`, lo, hi)
			if err != nil {
				return err
			}
			defer rows.Close()
			var r row
			for rows.Next() {
				if err := r.scan(rows); err != nil {
					return err
				}
			}
			return rows.Err()
		})
	}
	err = g.Wait()
	return appendRate, float64(n) / time.Since(start).Seconds(), err
}

// SyncFloor measures the floor under a durable commit's latency on
// the disk holding dir: n times, it writes 6 pages (24 KiB, about what a
// one-record commit adds to SQLite's WAL) to a file there and waits for
// fsync, as SQLite does at every commit with synchronous=FULL. It
// returns the 50th and 99th percentiles.
func SyncFloor(dir string, n int) (p50, p99 time.Duration, err error) {
	f, err := os.CreateTemp(dir, "bench-sync-")
	if err != nil {
		return 0, 0, err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	page := make([]byte, 6*4096)
	ds := make([]time.Duration, n)
	for i := range ds {
		t0 := time.Now()
		if _, err := f.WriteAt(page, int64(i%256)*int64(len(page))); err != nil {
			return 0, 0, err
		}
		if err := f.Sync(); err != nil {
			return 0, 0, err
		}
		ds[i] = time.Since(t0)
	}
	return percentile(ds, 0.50), percentile(ds, 0.99), nil
}

// StraightInsert is the baseline of the ingest figures: it inserts
// evs as record entries straight into the ledger table of a new store
// database at path (the table and indexes made by the store's migrations,
// the store's SQLite settings and durability), perTx rows a transaction,
// through multi-row INSERT statements of up to 250 rows prepared once (the
// fastest plain insert), with no hash chain, engine or projections. It
// returns rows inserted per second.
func StraightInsert(ctx context.Context, path string, evs []scs.Event, perTx int) (float64, error) {
	return straightInsert(ctx, path, evs, perTx, true)
}

// straightInsert is StraightInsert, into a ledger table without its
// indexes when indexes is false.
func straightInsert(ctx context.Context, path string, evs []scs.Event, perTx int, indexes bool) (float64, error) {
	s, err := benchOpen(ctx, filepath.Dir(path), filepath.Base(path))
	if err != nil {
		return 0, err
	}
	s.Close()
	db, err := sql.Open("sqlite", "file:"+path+"?"+store.SQLiteSettings()+"&_txlock=immediate")
	if err != nil {
		return 0, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if !indexes {
		if _, err := db.ExecContext(ctx, `DROP INDEX ledger_rid`); err != nil {
			return 0, err
		}
		if _, err := db.ExecContext(ctx, `DROP INDEX ledger_citizen`); err != nil {
			return 0, err
		}
	}
	rawRows := min(250, perTx)
	full, err := db.PrepareContext(ctx, `INSERT INTO ledger (`+strings.Join(ledgerCols, ", ")+`) VALUES `+values(rawRows, len(ledgerCols)))
	if err != nil {
		return 0, err
	}
	defer full.Close()
	hash := make([]byte, 32)
	args := make([]any, 0, rawRows*len(ledgerCols))
	start := time.Now()
	for i := 0; i < len(evs); i += perTx {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return 0, err
		}
		now := time.Now().UnixNano()
		end := min(i+perTx, len(evs))
		for lo := i; lo < end; lo += rawRows {
			hi := min(lo+rawRows, end)
			args = args[:0]
			for j := lo; j < hi; j++ {
				e := &evs[j]
				var q, p any
				if e.HasQuantity {
					q = e.Quantity
				}
				if e.HasPoints {
					p = e.Points
				}
				args = append(args, j+1, scs.EntryRecord, e.ID, e.Citizen, e.Rule, e.At.UnixNano(), q, p, "dept", "", "", nil, nil, nil, now, 0, hash)
			}
			if hi-lo == rawRows {
				_, err = tx.StmtContext(ctx, full).ExecContext(ctx, args...)
			} else {
				_, err = tx.ExecContext(ctx, `INSERT INTO ledger (`+strings.Join(ledgerCols, ", ")+`) VALUES `+values(hi-lo, len(ledgerCols)), args...)
			}
			if err != nil {
				tx.Rollback()
				return 0, err
			}
		}
		if err := tx.Commit(); err != nil {
			return 0, err
		}
	}
	return float64(len(evs)) / time.Since(start).Seconds(), nil
}

// Verify loads a city of n records into a new SQLite database in dir
// and returns Verify's rate in ledger entries per second (reading the
// ledger, checking the hash chain, replaying every citizen through the
// engine and comparing with the stored projections). The baseline is the
// engine alone scoring the same records in memory (engine.ScoreEvents).
func Verify(ctx context.Context, dir string, n int) (rate, baseline float64, err error) {
	end := time.Now().UTC().Add(-time.Hour)
	db, eng, evs, err := loadedCity(ctx, dir, "bench-verify.db", n, end)
	if err != nil {
		return 0, 0, err
	}
	defer db.Close()
	start := time.Now()
	if _, err := eng.ScoreEvents(evs, end, true); err != nil {
		return 0, 0, err
	}
	baseline = float64(n) / time.Since(start).Seconds()
	problems := 0
	start = time.Now()
	checked, err := db.Verify(ctx, func(scs.VerifyProblem) { problems++ })
	if err != nil {
		return 0, 0, err
	}
	if problems > 0 {
		return 0, 0, fmt.Errorf("verify found %d problems in the benchmark database", problems)
	}
	return float64(checked) / time.Since(start).Seconds(), baseline, nil
}

// loadedCity loads a city of n records ending at end into a new SQLite
// database file in dir and returns it, an engine of its scheme and the
// records (the set-up of Verify and Decide).
func loadedCity(ctx context.Context, dir, file string, n int, end time.Time) (*store.DB, *engine.Engine, []scs.Event, error) {
	cs, evs := City(n, end)
	db, err := benchOpen(ctx, dir, file)
	if err != nil {
		return nil, nil, nil, err
	}
	eng, err := engine.New(db.Scheme())
	if err == nil {
		err = db.Load(ctx, cs, evs, store.Operator())
	}
	if err != nil {
		db.Close()
		return nil, nil, nil, err
	}
	return db, eng, evs, nil
}

// Decide loads a city of n records into a new SQLite database in dir
// and asks 5,000 capability decisions of random citizens through Decide,
// one after another; it returns their 99th percentile latency. The
// baseline is the 99th percentile of the engine's Decide alone on the
// same citizens' states already in memory.
func Decide(ctx context.Context, dir string, n int) (p99, baseline time.Duration, err error) {
	end := time.Now().UTC().Add(-time.Hour)
	db, eng, evs, err := loadedCity(ctx, dir, "bench-decide.db", n, end)
	if err != nil {
		return 0, 0, err
	}
	defer db.Close()
	res, err := eng.ScoreEvents(evs, end, false)
	if err != nil {
		return 0, 0, err
	}
	const asks = 5000
	rng := rand.New(rand.NewPCG(3, 5))
	caps := db.Scheme().Capabilities
	official := &scs.Account{ID: 1, Name: "bench", Role: scs.RoleOfficial, Department: "public-security"}
	at := time.Now().UTC()
	store := make([]time.Duration, asks)
	pure := make([]time.Duration, asks)
	for i := range asks {
		r := &res[rng.IntN(len(res))]
		c := caps[rng.IntN(len(caps))].Name
		t0 := time.Now()
		if _, err := db.Decide(ctx, official, r.State.Citizen, c, at); err != nil {
			return 0, 0, err
		}
		store[i] = time.Since(t0)
		t0 = time.Now()
		if _, err := eng.Decide(&r.State, c, at); err != nil {
			return 0, 0, err
		}
		pure[i] = time.Since(t0)
	}
	return percentile(store, 0.99), percentile(pure, 0.99), nil
}

func percentile(ds []time.Duration, p float64) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[min(int(float64(len(s))*p), len(s)-1)]
}

// ledgerCols are the ledger table's columns, as the store's migrations
// make them: the baselines write and read every one.
var ledgerCols = []string{"seq", "kind", "rid", "citizen", "rule", "at", "quantity", "points", "department", "evidence",
	"ref", "target", "objection", "consent", "recorded", "account", "hash"}

// row is a ledger row read into the types the store reads it into.
type row struct {
	seq, at, recorded, account            int64
	kind, citizen, rule, department, evid string
	ref                                   string
	rid                                   sql.NullString
	quantity                              sql.NullFloat64
	points, target, objection, consent    sql.NullInt64
	hash                                  sql.RawBytes
}

func (r *row) scan(rows *sql.Rows) error {
	return rows.Scan(&r.seq, &r.kind, &r.rid, &r.citizen, &r.rule, &r.at, &r.quantity, &r.points, &r.department, &r.evid,
		&r.ref, &r.target, &r.objection, &r.consent, &r.recorded, &r.account, &r.hash)
}

// values returns "(?, ...), ..." for rows rows of cols columns.
func values(rows, cols int) string {
	one := "(" + strings.TrimSuffix(strings.Repeat("?,", cols), ",") + ")"
	return strings.TrimSuffix(strings.Repeat(one+",", rows), ",")
}
