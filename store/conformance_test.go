package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"scs"
	"scs/engine"
	"scs/schemes"
)

// The conformance suite runs every registry behaviour against a fresh
// database of each backend: SQLite always, PostgreSQL when
// SCS_TEST_POSTGRES names a server (.ci/run starts one).

func rongcheng(t testing.TB) *scs.Scheme {
	t.Helper()
	s, err := schemes.Load("rongcheng")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func openSQLite(t testing.TB) *DB {
	t.Helper()
	return openSQLiteWith(t, rongcheng(t))
}

func openSQLiteWith(t testing.TB, sc *scs.Scheme) *DB {
	t.Helper()
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "scs.db"), sc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

var pgSeq atomic.Int64

// openPostgres creates a new database on the server named by
// SCS_TEST_POSTGRES and opens it; the database is dropped afterwards.
func openPostgres(t testing.TB) *DB {
	t.Helper()
	return openPostgresWith(t, rongcheng(t))
}

func openPostgresWith(t testing.TB, sc *scs.Scheme) *DB {
	t.Helper()
	base := os.Getenv("SCS_TEST_POSTGRES")
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	name := fmt.Sprintf("scs_test_%d_%d", os.Getpid(), pgSeq.Add(1))
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatalf("create database: %v", err)
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	db, err := Open(context.Background(), u.String(), sc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		db.Close()
		if a, err := sql.Open("pgx", base); err == nil {
			a.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
			a.Close()
		}
	})
	return db
}

func TestConformanceSQLite(t *testing.T) { conformance(t, openSQLite) }

func TestConformancePostgres(t *testing.T) {
	if os.Getenv("SCS_TEST_POSTGRES") == "" {
		t.Skip("SCS_TEST_POSTGRES is not set: set it to a postgres:// URL of a server where the test may create databases (.ci/run starts one and sets it)")
	}
	conformance(t, openPostgres)
}

// fixture is a registry with a fixed clock and one account of each role.
type fixture struct {
	t        *testing.T
	db       *DB
	ctx      context.Context
	now      time.Time
	admin    *scs.Account
	official *scs.Account // public-security
	traffic  *scs.Account // traffic-police
	tax      *scs.Account // tax-bureau
	reviewer *scs.Account
	citizen  *scs.Account // bound to c1
	other    *scs.Account // bound to c2
}

var t0 = time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)

func newFixture(t *testing.T, open func(testing.TB) *DB) *fixture {
	f := &fixture{t: t, db: open(t), ctx: context.Background(), now: t0}
	var mu sync.Mutex
	f.db.SetClock(func() time.Time { mu.Lock(); defer mu.Unlock(); return f.now })
	f.admin = Operator()
	for _, id := range []string{"c1", "c2", "c3", "c4"} {
		f.register(id, "hood-"+id[1:], true)
	}
	f.official = f.account(scs.Account{Name: "ps", Role: scs.RoleOfficial, Department: "public-security"})
	f.traffic = f.account(scs.Account{Name: "tp", Role: scs.RoleOfficial, Department: "traffic-police"})
	f.tax = f.account(scs.Account{Name: "tax", Role: scs.RoleOfficial, Department: "tax-bureau"})
	f.reviewer = f.account(scs.Account{Name: "rev", Role: scs.RoleReviewer})
	f.citizen = f.account(scs.Account{Name: "c1", Role: scs.RoleCitizen, Citizen: "c1"})
	f.other = f.account(scs.Account{Name: "c2", Role: scs.RoleCitizen, Citizen: "c2"})
	return f
}

func (f *fixture) register(id, hood string, consent bool) {
	f.t.Helper()
	if _, err := f.db.RegisterCitizen(f.ctx, f.admin, scs.Citizen{ID: id, Name: "Name " + id, Neighbourhood: hood, BirthYear: 1980, Consent: consent}); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) account(a scs.Account) *scs.Account {
	f.t.Helper()
	acc, token, err := f.db.CreateAccount(f.ctx, f.admin, a)
	if err != nil {
		f.t.Fatal(err)
	}
	got, err := f.db.Authenticate(f.ctx, token)
	if err != nil || got.ID != acc.ID {
		f.t.Fatalf("authenticate new account: %v %+v", err, got)
	}
	return got
}

func ev(id, citizen, rule string, at time.Time) scs.Event {
	return scs.Event{ID: id, Citizen: citizen, Rule: rule, At: at}
}

func (f *fixture) report(by *scs.Account, evs ...scs.Event) []scs.Record {
	f.t.Helper()
	recs, err := f.db.ReportRecords(f.ctx, by, evs)
	if err != nil {
		f.t.Fatal(err)
	}
	return recs
}

func (f *fixture) file(id string) *scs.File {
	f.t.Helper()
	file, err := f.db.File(f.ctx, f.admin, id, f.now, scs.TrailPage{All: true})
	if err != nil {
		f.t.Fatal(err)
	}
	return file
}

func (f *fixture) verifyClean() {
	f.t.Helper()
	var probs []scs.VerifyProblem
	if _, err := f.db.Verify(f.ctx, func(p scs.VerifyProblem) { probs = append(probs, p) }); err != nil {
		f.t.Fatal(err)
	}
	for _, p := range probs {
		f.t.Errorf("verify: seq %d citizen %s: %s", p.Seq, p.Citizen, p.Message)
	}
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if scs.ErrorCode(err) != code {
		t.Fatalf("error %v: code %q, want %q", err, scs.ErrorCode(err), code)
	}
	if code != "" && scs.ErrorMessage(err) == "" {
		t.Fatalf("error %v has no message", err)
	}
}

// oracle scores evs with the engine directly.
func oracle(t *testing.T, db *DB, citizen string, evs []scs.Event, at time.Time) scs.Standing {
	t.Helper()
	st, _, err := db.eng.Replay(citizen, evs, at, false)
	if err != nil {
		t.Fatal(err)
	}
	return db.eng.Standing(&st, at)
}

func conformance(t *testing.T, open func(testing.TB) *DB) {
	t.Run("HostileInput", func(t *testing.T) { hostileInput(t, open) })
	t.Run("FailingWriteFailsAlone", func(t *testing.T) { failingWriteFailsAlone(t, open) })
	t.Run("ObjectionPages", func(t *testing.T) { objectionPages(t, open) })
	t.Run("Settings", func(t *testing.T) {
		db := open(t)
		ctx := context.Background()
		if m, err := db.Settings(ctx); err != nil || m != nil {
			t.Fatalf("new database: %v %v", m, err)
		}
		for _, want := range []map[string]string{{"seed": "1"}, {"seed": "7", "demo citizens": "300"}} {
			if err := db.SetSettings(ctx, want); err != nil {
				t.Fatal(err)
			}
			if got, err := db.Settings(ctx); err != nil || !reflect.DeepEqual(got, want) {
				t.Fatalf("got %v %v, want %v", got, err, want)
			}
		}
	})
	t.Run("Accounts", func(t *testing.T) {
		f := newFixture(t, open)
		acc, token, err := f.db.CreateAccount(f.ctx, f.admin, scs.Account{Name: "x", Role: scs.RoleAdmin})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(token, TokenPrefix) || len(token) < 40 {
			t.Fatalf("token %q", token)
		}
		var n int
		if err := f.db.r.QueryRow(f.db.q(`SELECT COUNT(*) FROM accounts WHERE token_hash = ?`), []byte(token)).Scan(&n); err != nil || n != 0 {
			t.Fatalf("plain token stored: %d %v", n, err)
		}
		_, token2, _ := f.db.CreateAccount(f.ctx, f.admin, scs.Account{Name: "y", Role: scs.RoleAdmin})
		if token2 == token {
			t.Fatal("two accounts got the same token")
		}
		if err := f.db.RevokeAccount(f.ctx, f.admin, acc.ID); err != nil {
			t.Fatal(err)
		}
		_, err = f.db.Authenticate(f.ctx, token)
		wantCode(t, err, scs.EUNAUTHORIZED)
		_, err = f.db.Authenticate(f.ctx, "scs_nope")
		wantCode(t, err, scs.EUNAUTHORIZED)
		_, err = f.db.Authenticate(f.ctx, "")
		wantCode(t, err, scs.EUNAUTHORIZED)
		wantCode(t, f.db.RevokeAccount(f.ctx, f.admin, 9999), scs.ENOTFOUND)
		accs, err := f.db.Accounts(f.ctx, f.admin)
		if err != nil || len(accs) != 8 || accs[6].Revoked == nil {
			t.Fatalf("accounts: %v %+v", err, accs)
		}
		for _, bad := range []scs.Account{
			{Name: "", Role: scs.RoleAdmin},
			{Name: "z", Role: "king"},
			{Name: "z", Role: scs.RoleOfficial},
			{Name: "z", Role: scs.RoleOfficial, Department: "ministry-of-truth"},
			{Name: "z", Role: scs.RoleCitizen},
			{Name: "z", Role: scs.RoleReviewer, Citizen: "c1"},
		} {
			_, _, err := f.db.CreateAccount(f.ctx, f.admin, bad)
			wantCode(t, err, scs.EINVALID)
		}
		_, _, err = f.db.CreateAccount(f.ctx, f.admin, scs.Account{Name: "z", Role: scs.RoleCitizen, Citizen: "nobody"})
		wantCode(t, err, scs.ENOTFOUND)
	})

	t.Run("Idempotency", func(t *testing.T) {
		f := newFixture(t, open)
		e := ev("r1", "c1", "returned-lost-money", t0.Add(-time.Hour))
		e.Evidence = "wallet handed in"
		first := f.report(f.official, e)
		f.now = f.now.Add(time.Minute)
		again := f.report(f.official, e)
		if again[0].Seq != first[0].Seq || again[0].Hash != first[0].Hash || !again[0].RecordedAt.Equal(first[0].RecordedAt) {
			t.Fatalf("repeat returned %+v, want the original %+v", again[0], first[0])
		}
		changed := e
		changed.Evidence = "another wallet"
		_, err := f.db.ReportRecords(f.ctx, f.official, []scs.Event{changed})
		wantCode(t, err, scs.ECONFLICT)
		// Within one batch: the same id twice with other content.
		_, err = f.db.ReportRecords(f.ctx, f.official, []scs.Event{ev("r2", "c1", "returned-lost-money", t0.Add(-time.Hour)), ev("r2", "c2", "returned-lost-money", t0.Add(-time.Hour))})
		wantCode(t, err, scs.ECONFLICT)
		// The same id twice with the same content is stored once.
		recs := f.report(f.official, ev("r3", "c1", "returned-lost-money", t0.Add(-time.Hour)), ev("r3", "c1", "returned-lost-money", t0.Add(-time.Hour)))
		if recs[0].Seq != recs[1].Seq {
			t.Fatalf("duplicate in batch stored twice: %+v", recs)
		}
		file := f.file("c1")
		if file.Standing.Score != 1040 || len(file.Trail) != 2 {
			t.Fatalf("score %d with %d entries, want 1040 with 2", file.Standing.Score, len(file.Trail))
		}
		f.verifyClean()
	})

	t.Run("BatchAtomicity", func(t *testing.T) {
		f := newFixture(t, open)
		f.report(f.admin, ev("base", "c1", "returned-lost-money", t0.Add(-48*time.Hour)))
		before := f.file("c1")
		stats, _ := f.db.Stats(f.ctx, f.now)
		bad := []struct {
			name  string
			evs   []scs.Event
			code  string
			field string
		}{
			{"unknown rule", []scs.Event{ev("a1", "c1", "returned-lost-money", t0.Add(-time.Hour)), ev("a2", "c1", "nonsense", t0.Add(-time.Hour))}, scs.EINVALID, "records[1] (id \"a2\"): rule"},
			{"unknown citizen", []scs.Event{ev("a1", "c1", "returned-lost-money", t0.Add(-time.Hour)), ev("a2", "ghost", "returned-lost-money", t0.Add(-time.Hour))}, scs.EINVALID, "records[1] (id \"a2\"): citizen"},
			{"range without points", []scs.Event{ev("a1", "c1", "returned-lost-money", t0.Add(-time.Hour)), ev("a2", "c1", "other-commercial", t0.Add(-time.Hour))}, scs.EINVALID, "points"},
			{"quantity missing", []scs.Event{ev("a1", "c1", "returned-lost-money", t0.Add(-time.Hour)), ev("a2", "c1", "charitable-donation", t0.Add(-time.Hour))}, scs.EINVALID, "quantity"},
			{"future", []scs.Event{ev("a1", "c1", "returned-lost-money", t0.Add(-time.Hour)), ev("a2", "c1", "returned-lost-money", t0.Add(time.Hour))}, scs.EINVALID, "at"},
			{"no time", []scs.Event{ev("a1", "c1", "returned-lost-money", time.Time{})}, scs.EINVALID, "at"},
			{"wrong department", []scs.Event{{ID: "a1", Citizen: "c1", Rule: "returned-lost-money", At: t0.Add(-time.Hour), Department: "courts"}}, scs.EINVALID, "department"},
			{"conflict with stored", []scs.Event{ev("a1", "c1", "returned-lost-money", t0.Add(-time.Hour)), ev("base", "c2", "returned-lost-money", t0.Add(-time.Hour))}, scs.ECONFLICT, "records[1]"},
			{"empty", nil, scs.EINVALID, "records"},
		}
		for _, c := range bad {
			_, err := f.db.ReportRecords(f.ctx, f.admin, c.evs)
			wantCode(t, err, c.code)
			if !strings.Contains(scs.ErrorMessage(err), c.field) {
				t.Errorf("%s: message %q does not name %q", c.name, scs.ErrorMessage(err), c.field)
			}
		}
		after := f.file("c1")
		stats2, _ := f.db.Stats(f.ctx, f.now)
		if after.Standing.Score != before.Standing.Score || len(after.Trail) != len(before.Trail) || stats2.Records != stats.Records {
			t.Fatalf("a failed batch stored something: %d/%d records", stats2.Records, stats.Records)
		}
		f.verifyClean()
	})

	t.Run("LateRecords", func(t *testing.T) {
		f := newFixture(t, open)
		base := t0.AddDate(-1, 0, 0)
		var all []scs.Event
		add := func(e scs.Event) {
			all = append(all, e)
			f.report(f.admin, e)
		}
		add(ev("l1", "c1", "tax-evasion", base.AddDate(0, 1, 0)))
		add(ev("l2", "c1", "returned-lost-money", base.AddDate(0, 3, 0)))
		add(ev("l3", "c1", "tax-evasion", base.AddDate(0, 5, 0)))
		want := oracle(t, f.db, "c1", all, f.now)
		if got := f.file("c1").Standing; got.Score != want.Score || got.Grade != want.Grade {
			t.Fatalf("in order: %+v, engine says %+v", got, want)
		}
		// A record dated before all the others: the lock the first tax
		// evasion set now starts earlier, so the whole history is replayed.
		add(ev("l0", "c1", "tax-evasion", base))
		e := ev("l25", "c1", "charitable-donation", base.AddDate(0, 4, 0))
		e.Quantity, e.HasQuantity = 2500, true
		add(e)
		want = oracle(t, f.db, "c1", all, f.now)
		file := f.file("c1")
		if got := file.Standing; got.Score != want.Score || got.Grade != want.Grade || !equalTimePtr(got.LockedUntil, want.LockedUntil) {
			t.Fatalf("late: %+v, engine says %+v", got, want)
		}
		var order []string
		for _, te := range file.Trail {
			order = append(order, te.Event)
		}
		if !slices.Equal(order, []string{"l0", "l1", "l2", "l25", "l3"}) {
			t.Fatalf("trail order %v", order)
		}
		// As of a past time the file is the history up to then.
		past := base.AddDate(0, 2, 0)
		pf, err := f.db.File(f.ctx, f.admin, "c1", past, scs.TrailPage{All: true})
		if err != nil {
			t.Fatal(err)
		}
		if w := oracle(t, f.db, "c1", all, past); pf.Standing.Score != w.Score || len(pf.Trail) != 2 {
			t.Fatalf("as of %s: %+v (%d entries), engine says %+v", past, pf.Standing, len(pf.Trail), w)
		}
		d, err := f.db.Decide(f.ctx, f.admin, "c1", "loan", past)
		if err != nil {
			t.Fatal(err)
		}
		st, _, _ := f.db.eng.Replay("c1", all, past, false)
		wd, _ := f.db.eng.Decide(&st, "loan", past)
		if d != wd {
			t.Fatalf("decision as of the past %+v, engine says %+v", d, wd)
		}
		f.verifyClean()
	})

	t.Run("LateSnapshots", func(t *testing.T) { lateSnapshots(t, newFixture(t, open)) })
	t.Run("RecordPacks", func(t *testing.T) { recordPacks(t, newFixture(t, open)) })
	t.Run("RecordPacksPastScored", func(t *testing.T) { packsPastScored(t, newFixture(t, open)) })
	t.Run("RecordPacksRolledBack", func(t *testing.T) { packsRolledBack(t, newFixture(t, open)) })
	t.Run("TrimOldSnapshots", func(t *testing.T) { trimOldSnapshots(t, newFixture(t, open)) })
	t.Run("FilePages", func(t *testing.T) { filePages(t, newFixture(t, open)) })
	t.Run("MigrateScheme", func(t *testing.T) { migrateScheme(t, newFixture(t, open)) })
	t.Run("AdoptOldTables", func(t *testing.T) { adoptOldTables(t, newFixture(t, open)) })
	t.Run("OldTrailWords", func(t *testing.T) { oldTrailWords(t, newFixture(t, open)) })
	t.Run("StatsTotals", func(t *testing.T) { statsTotals(t, newFixture(t, open)) })
	t.Run("ObjectionsAndReversal", func(t *testing.T) {
		f := newFixture(t, open)
		a := ev("o1", "c1", "tax-evasion", t0.AddDate(0, -2, 0))
		b := ev("o2", "c1", "returned-lost-money", t0.AddDate(0, -1, 0))
		f.report(f.admin, a, b)
		o, err := f.db.Object(f.ctx, f.citizen, "c1", "o1", "I paid that tax")
		if err != nil {
			t.Fatal(err)
		}
		if o.Status != scs.ObjectionOpen || !o.Due.Equal(o.Filed.Add(scs.ObjectionDeadline)) {
			t.Fatalf("objection %+v", o)
		}
		_, err = f.db.Object(f.ctx, f.citizen, "c1", "o1", "again")
		wantCode(t, err, scs.ECONFLICT)
		_, err = f.db.Object(f.ctx, f.citizen, "c1", "nothing", "why")
		wantCode(t, err, scs.ENOTFOUND)
		_, err = f.db.Object(f.ctx, f.citizen, "c1", "o2", "")
		wantCode(t, err, scs.EINVALID)
		f.now = f.now.Add(21 * 24 * time.Hour)
		open, _, err := f.db.Objections(f.ctx, f.reviewer, scs.ObjectionOpen, scs.Page{}, f.now)
		if err != nil || len(open) != 1 || !open[0].Overdue {
			t.Fatalf("open objections after 21 days: %v %+v", err, open)
		}
		// The reviewer sees the record objected to and may read the file.
		if e := open[0].Entry; e == nil || e.Rule != "tax-evasion" || e.Applied != -100 || !e.At.Equal(a.At) ||
			e.Department != "tax-bureau" || open[0].ScoreBefore == nil || *open[0].ScoreBefore != e.Score+100 || open[0].Verdict != "" {
			t.Fatalf("open objection's record: %+v %v", open[0].Entry, open[0].ScoreBefore)
		}
		if _, err := f.db.File(f.ctx, f.reviewer, "c1", f.now, scs.TrailPage{All: true}); err != nil {
			t.Fatalf("a reviewer reads the file of a citizen with an open objection: %v", err)
		}
		if early, _, _ := f.db.Objections(f.ctx, f.reviewer, "", scs.Page{}, o.Filed.Add(19*24*time.Hour)); early[0].Overdue {
			t.Fatal("overdue before the deadline")
		}
		stats, _ := f.db.Stats(f.ctx, f.now)
		if stats.ObjectionsOpen != 1 || stats.ObjectionsOverdue != 1 {
			t.Fatalf("stats %+v", stats)
		}
		d, err := f.db.DecideObjection(f.ctx, f.reviewer, o.ID, true, "the tax office confirms payment")
		if err != nil {
			t.Fatal(err)
		}
		if d.Status != scs.ObjectionUpheld || d.Decided == nil || d.Reviewer != f.reviewer.ID || d.Verdict != "uphold" ||
			d.Decision != "the tax office confirms payment" || d.Reason != "I paid that tax" {
			t.Fatalf("decision %+v", d)
		}
		_, err = f.db.File(f.ctx, f.reviewer, "c1", f.now, scs.TrailPage{All: true})
		wantCode(t, err, scs.EFORBIDDEN)
		if all, _, _ := f.db.Objections(f.ctx, f.reviewer, "", scs.Page{}, f.now); all[0].Entry == nil || !all[0].Entry.Reversed || all[0].Entry.Rule != "tax-evasion" {
			t.Fatalf("upheld objection's record: %+v", all[0].Entry)
		}
		_, err = f.db.DecideObjection(f.ctx, f.reviewer, o.ID, false, "changed my mind")
		wantCode(t, err, scs.ECONFLICT)
		_, err = f.db.DecideObjection(f.ctx, f.reviewer, 999, false, "x")
		wantCode(t, err, scs.ENOTFOUND)
		file := f.file("c1")
		want := oracle(t, f.db, "c1", []scs.Event{b}, f.now)
		if file.Standing.Score != want.Score || file.Standing.Grade != want.Grade {
			t.Fatalf("after reversal %+v, engine without the record says %+v", file.Standing, want)
		}
		var reversed int
		for _, e := range file.Trail {
			if e.Reversed {
				reversed++
				// It stands at the score the citizen had then: the start.
				if e.Event != "o1" || e.Applied != 0 || e.Score != 1000 || e.Grade != "A" {
					t.Fatalf("reversed entry %+v", e)
				}
			}
		}
		if reversed != 1 || len(file.Objections) != 1 || file.Objections[0].Status != scs.ObjectionUpheld {
			t.Fatalf("file after reversal: %d reversed, objections %+v", reversed, file.Objections)
		}
		_, err = f.db.Object(f.ctx, f.citizen, "c1", "o1", "once more")
		wantCode(t, err, scs.ECONFLICT)
		// Rejection leaves the record standing.
		o2, err := f.db.Object(f.ctx, f.citizen, "c1", "o2", "that was not me")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.db.DecideObjection(f.ctx, f.admin, o2.ID, false, "the evidence is clear"); err != nil {
			t.Fatal(err)
		}
		if got := f.file("c1").Standing.Score; got != want.Score {
			t.Fatalf("rejection changed the score to %d", got)
		}
		// The same id reported again returns the record, marked reversed.
		recs := f.report(f.admin, a)
		if !recs[0].Reversed {
			t.Fatalf("re-reported reversed record: %+v", recs[0])
		}
		var n int
		f.db.r.QueryRow(`SELECT COUNT(*) FROM ledger WHERE kind = 'reversal'`).Scan(&n)
		if n != 1 {
			t.Fatalf("%d reversal entries", n)
		}
		f.verifyClean()
	})

	t.Run("Consent", func(t *testing.T) {
		f := newFixture(t, open)
		f.register("n1", "hood-n", false)
		var evs []scs.Event
		for i := range 5 {
			evs = append(evs, ev(fmt.Sprintf("n%d", i), "n1", "tax-evasion", t0.AddDate(0, 0, -10+i)))
		}
		f.report(f.admin, evs...)
		file := f.file("n1")
		if file.Scored || file.Standing != nil || len(file.Trail) != 5 || file.GradeSince != nil {
			t.Fatalf("unscored file: scored %v standing %v, %d records", file.Scored, file.Standing, len(file.Trail))
		}
		for _, te := range file.Trail {
			if te.Applied != 0 || te.Grade != "" {
				t.Fatalf("unscored trail entry has points: %+v", te)
			}
		}
		for capability, allowed := range map[string]bool{"state-subsidies": true, "low-interest-loan": false, "public-list": false} {
			d, err := f.db.Decide(f.ctx, f.admin, "n1", capability, f.now)
			if err != nil || d.Allowed != allowed || d.Scored || !strings.Contains(d.Reason, "consent") {
				t.Fatalf("decision on %s without consent: %v %+v, want allowed %v", capability, err, d, allowed)
			}
		}
		pub, _, _ := f.db.PublicList(f.ctx, scs.Page{}, f.now)
		if len(pub) != 0 {
			t.Fatalf("unscored citizen on the public list: %+v", pub)
		}
		stats, _ := f.db.Stats(f.ctx, f.now)
		if stats.Citizens != 5 || stats.Scored != 4 {
			t.Fatalf("stats %+v", stats)
		}
		// The citizen opts in: the records kept before are not scored (no
		// retroactive scoring); a record dated after the consent counts.
		acc := f.account(scs.Account{Name: "n1", Role: scs.RoleCitizen, Citizen: "n1"})
		c, err := f.db.SetConsent(f.ctx, acc, "n1", true)
		if err != nil || !c.Consent {
			t.Fatalf("consent: %v %+v", err, c)
		}
		file = f.file("n1")
		if !file.Scored || file.Standing.Score != 1000 || file.Standing.Grade != "A" || file.Standing.Events != 0 {
			t.Fatalf("after consent the records from before it count: %+v", file.Standing)
		}
		for _, te := range file.Trail {
			if !te.NotScored || te.Applied != 0 || !strings.Contains(te.Reason, "before the person's consent") {
				t.Fatalf("a record from before consent: %+v", te)
			}
		}
		f.now = t0.Add(2 * time.Hour)
		after := ev("n-after", "n1", "tax-evasion", t0.Add(time.Hour))
		f.report(f.admin, after)
		file = f.file("n1")
		if !file.Scored || file.Standing.Score != 900 || file.Standing.Grade != "B" {
			t.Fatalf("a record after consent: %+v", file.Standing)
		}
		// Withdrawal stops scoring from its time; a late record dated
		// while the consent held still counts.
		f.now = t0.Add(3 * time.Hour)
		if _, err := f.db.SetConsent(f.ctx, f.admin, "n1", false); err != nil {
			t.Fatal(err)
		}
		f.now = t0.Add(5 * time.Hour)
		f.report(f.admin, ev("n-withdrawn", "n1", "tax-evasion", t0.Add(4*time.Hour)), ev("n-late", "n1", "speeding-ticket", t0.Add(90*time.Minute)))
		file = f.file("n1")
		if file.Scored || !strings.Contains(file.NotScored, "consent") {
			t.Fatalf("scored after opting out: %+v", file)
		}
		d, err := f.db.Decide(f.ctx, f.admin, "n1", "watch-list", f.now)
		if err != nil || d.Allowed || !strings.Contains(d.Reason, "not imposed") || !strings.Contains(d.Reason, "withdrew consent") {
			t.Fatalf("a sanction after withdrawal: %v %+v", err, d)
		}
		if _, err := f.db.SetConsent(f.ctx, f.admin, "n1", true); err != nil {
			t.Fatal(err)
		}
		file = f.file("n1")
		reasons := map[string]string{}
		for _, te := range file.Trail {
			reasons[te.Event] = te.Reason
			if te.Event == "n-withdrawn" && (!te.NotScored || !strings.Contains(te.Reason, "withdrew consent")) {
				t.Fatalf("a record after withdrawal: %+v", te)
			}
		}
		if !file.Scored || file.Standing.Score != 890 || file.Standing.Events != 2 {
			t.Fatalf("after consenting again: %+v (trail reasons %v)", file.Standing, reasons)
		}
		_, err = f.db.SetConsent(f.ctx, f.admin, "ghost", true)
		wantCode(t, err, scs.ENOTFOUND)
		var n int
		f.db.r.QueryRow(`SELECT COUNT(*) FROM ledger WHERE kind = 'consent' AND citizen = 'n1'`).Scan(&n)
		if n != 3 {
			t.Fatalf("%d consent entries, want 3", n)
		}
		f.verifyClean()
	})

	t.Run("Heads", func(t *testing.T) { heads(t, newFixture(t, open)) })
	t.Run("TablesInChain", func(t *testing.T) { tablesInChain(t, newFixture(t, open)) })
	t.Run("Simultaneous", func(t *testing.T) { simultaneous(t, newFixture(t, open)) })

	t.Run("Eligibility", func(t *testing.T) {
		f := newFixture(t, open)
		// Born in 2019: 5 years old at t0. Records are kept, not scored.
		if _, err := f.db.RegisterCitizen(f.ctx, f.admin, scs.Citizen{ID: "kid", Name: "A Child", Neighbourhood: "hood-k", BirthYear: 2019, Consent: true}); err != nil {
			t.Fatal(err)
		}
		f.report(f.admin, ev("k1", "kid", "online-criticism-of-government", t0.AddDate(0, 0, -1)))
		file := f.file("kid")
		if file.Scored || !strings.Contains(file.NotScored, "under 18") || len(file.Trail) != 1 ||
			!file.Trail[0].NotScored || !strings.Contains(file.Trail[0].Reason, "under 18") {
			t.Fatalf("a child's file: %+v", file)
		}
		for capability, allowed := range map[string]bool{"state-subsidies": true, "education-priority": false, "watch-list": false} {
			d, err := f.db.Decide(f.ctx, f.admin, "kid", capability, f.now)
			if err != nil || d.Allowed != allowed || !strings.Contains(d.Reason, "under 18") {
				t.Fatalf("a child's decision on %s: %v %+v", capability, err, d)
			}
		}
		// Resident since 2023-09-01: not eligible until 2024-09-01.
		since := time.Date(2023, 9, 1, 0, 0, 0, 0, time.UTC)
		if _, err := f.db.RegisterCitizen(f.ctx, f.admin, scs.Citizen{ID: "newcomer", Name: "A Newcomer", Neighbourhood: "hood-n", BirthYear: 1990, Consent: true, ResidentSince: &since}); err != nil {
			t.Fatal(err)
		}
		f.report(f.admin, ev("m1", "newcomer", "tax-evasion", t0.AddDate(0, 0, -1)))
		file = f.file("newcomer")
		if file.Scored || !strings.Contains(file.NotScored, "resident since") || file.Trail[0].Applied != 0 {
			t.Fatalf("a newcomer's file: %+v", file)
		}
		f.now = time.Date(2024, 10, 1, 0, 0, 0, 0, time.UTC)
		f.report(f.admin, ev("m2", "newcomer", "tax-evasion", f.now.Add(-time.Hour)))
		file = f.file("newcomer")
		if !file.Scored || file.Standing.Score != 900 || file.Standing.Events != 1 {
			t.Fatalf("a newcomer after a year: %+v", file.Standing)
		}
		f.verifyClean()
	})

	t.Run("Permissions", func(t *testing.T) { permissions(t, newFixture(t, open)) })

	t.Run("SearchCitizens", func(t *testing.T) { searchCitizens(t, newFixture(t, open)) })
	t.Run("Lists", func(t *testing.T) {
		f := newFixture(t, open)
		grades := map[string]int{"c1": 0, "c2": 1, "c3": 2, "c4": 5} // tax evasions: A, B, C, D
		for i := 5; i < 12; i++ {
			id := fmt.Sprintf("d%02d", i)
			f.register(id, "hood-d", true)
			grades[id] = 5
		}
		day := t0.AddDate(0, 0, -30)
		for id, n := range grades {
			for k := range n {
				f.report(f.admin, ev(fmt.Sprintf("%s-%d", id, k), id, "tax-evasion", day.Add(time.Duration(k)*time.Hour)))
			}
		}
		var pub []scs.ListEntry
		cursor := ""
		for pages := 0; ; pages++ {
			page, next, err := f.db.PublicList(f.ctx, scs.Page{Cursor: cursor, Limit: 3}, f.now)
			if err != nil {
				t.Fatal(err)
			}
			if len(page) > 3 || pages > 10 {
				t.Fatalf("page of %d", len(page))
			}
			pub = append(pub, page...)
			if next == "" {
				break
			}
			cursor = next
		}
		var ids []string
		for _, e := range pub {
			ids = append(ids, e.Citizen)
			if e.Grade != "D" || len(e.Records) != 5 || e.Records[0].Rule != "tax-evasion" || e.Records[0].Applied >= 0 || e.Name == "" {
				t.Fatalf("public list entry %+v", e)
			}
			if want := day.Add(4 * time.Hour); !e.GradeSince.Equal(want) {
				t.Fatalf("grade since %s, want %s", e.GradeSince, want)
			}
		}
		if !slices.Equal(ids, []string{"c4", "d05", "d06", "d07", "d08", "d09", "d10", "d11"}) {
			t.Fatalf("public list %v", ids)
		}
		watch, _, err := f.db.WatchList(f.ctx, f.official, scs.Page{Limit: 100}, f.now)
		if err != nil {
			t.Fatal(err)
		}
		if len(watch) != 9 || watch[0].Citizen != "c3" || watch[0].Grade != "C" {
			t.Fatalf("watch list %+v", watch)
		}
		_, _, err = f.db.PublicList(f.ctx, scs.Page{Limit: -1}, f.now)
		wantCode(t, err, scs.EINVALID)
		// Locks run out: 5 years after falling into D, c4's band (500) is
		// still D, but c3 (800, C) left C's 3-year lock for the band C.
		later := day.AddDate(6, 0, 0)
		watch, _, _ = f.db.WatchList(f.ctx, f.official, scs.Page{Limit: 100}, later)
		if len(watch) != 9 {
			t.Fatalf("watch list later: %d", len(watch))
		}
		stats, err := f.db.Stats(f.ctx, f.now)
		if err != nil {
			t.Fatal(err)
		}
		if stats.PerGrade["D"] != 8 || stats.PerGrade["C"] != 1 || stats.PerGrade["B"] != 1 || stats.PerGrade["A"] != 1 || stats.RecordsPerRule["tax-evasion"] != 3+5*8 || stats.Records != 43 {
			t.Fatalf("stats %+v", stats)
		}
		f.verifyClean()
	})

	t.Run("Visits", func(t *testing.T) {
		f := newFixture(t, open)
		f.now = time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
		// In Asia/Shanghai 2024-01-10T02:00Z is 10:00 on 10 January.
		fell := time.Date(2024, 1, 10, 2, 0, 0, 0, time.UTC)
		f.report(f.admin, ev("v-b", "c1", "tax-evasion", fell))                                                          // 900: B, 1 every 3 months
		f.report(f.admin, ev("v-c1", "c2", "tax-evasion", fell), ev("v-c2", "c2", "tax-evasion", fell.Add(time.Minute))) // C, 1 a week
		for k := range 5 {
			f.report(f.admin, ev(fmt.Sprintf("v-d%d", k), "c3", "tax-evasion", fell.Add(time.Duration(k)*time.Minute))) // D, 3 a day
		}
		count := func(day time.Time, hood string) map[string]int {
			vs, err := f.db.Visits(f.ctx, f.official, day, hood)
			if err != nil {
				t.Fatal(err)
			}
			m := map[string]int{}
			for _, v := range vs {
				m[v.Citizen] = v.Count
			}
			return m
		}
		date := func(m time.Month, d int) time.Time { return time.Date(2024, m, d, 12, 0, 0, 0, time.UTC) }
		cases := []struct {
			day  time.Time
			want map[string]int
		}{
			{date(1, 9), map[string]int{}},
			{date(1, 10), map[string]int{"c1": 1, "c2": 1, "c3": 3}},
			{date(1, 11), map[string]int{"c3": 3}},
			{date(1, 17), map[string]int{"c2": 1, "c3": 3}},
			{date(4, 10), map[string]int{"c1": 1, "c2": 1, "c3": 3}}, // 91 days: 13 weeks too
			{date(4, 11), map[string]int{"c3": 3}},
			{date(7, 10), map[string]int{"c1": 1, "c2": 1, "c3": 3}},
			{date(7, 11), map[string]int{"c3": 3}},
		}
		for _, c := range cases {
			if got := count(c.day, ""); !mapsEqual(got, c.want) {
				t.Errorf("visits on %s: %v, want %v", c.day.Format("2006-01-02"), got, c.want)
			}
		}
		if got := count(date(1, 10), "hood-3"); !mapsEqual(got, map[string]int{"c3": 3}) {
			t.Errorf("visits in hood-3: %v", got)
		}
		// Days in a week-long period: 7 days after 10 January has one visit
		// per week in total over any 7 consecutive days.
		n := 0
		for d := 20; d < 27; d++ {
			n += count(date(1, d), "hood-2")["c2"]
		}
		if n != 1 {
			t.Errorf("%d visits to c2 over a week", n)
		}
		_, err := f.db.Visits(f.ctx, f.official, time.Time{}, "")
		wantCode(t, err, scs.EINVALID)
	})

	t.Run("ConcurrentWriters", func(t *testing.T) {
		f := newFixture(t, open)
		const writers, each = 8, 25
		var wg sync.WaitGroup
		errs := make(chan error, writers*each)
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					c := []string{"c1", "c2", "c3", "c4"}[(w+i)%4]
					// Dates go backwards for odd writers: late records in
					// concurrent groups.
					at := t0.Add(-time.Duration(1+i*writers+w) * time.Minute)
					if w%2 == 0 {
						at = t0.Add(-time.Duration(1000-i) * time.Minute)
					}
					if _, err := f.db.ReportRecords(f.ctx, f.official, []scs.Event{ev(fmt.Sprintf("w%d-%d", w, i), c, "returned-lost-money", at)}); err != nil {
						errs <- err
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		stats, _ := f.db.Stats(f.ctx, f.now)
		if stats.Records != writers*each {
			t.Fatalf("%d records, want %d", stats.Records, writers*each)
		}
		cs := f.db.CommitStats()
		if cs.Groups == 0 || cs.Groups > cs.Writes {
			t.Fatalf("commit stats %+v", cs)
		}
		f.verifyClean()
	})

	t.Run("FailuresInSharedGroups", func(t *testing.T) {
		// Writes that fail share transactions with writes that succeed:
		// the failures leave no trace, the others all commit.
		f := newFixture(t, open)
		f.report(f.admin, ev("taken", "c1", "returned-lost-money", t0.Add(-time.Hour)))
		// An import whose second chunk conflicts fails after writing its
		// first chunk: its group is rolled back and retried op by op.
		big := make([]scs.Event, MaxBatch+1)
		for i := range big {
			big[i] = ev(fmt.Sprintf("big-%d", i), "c2", "returned-lost-money", t0.Add(-time.Duration(i+1)*time.Second))
		}
		big[MaxBatch] = ev("taken", "c3", "returned-lost-money", t0.Add(-time.Hour))
		var wg sync.WaitGroup
		var good, bad atomic.Int64
		for w := range 6 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if w == 0 {
					_, err := f.db.Import(f.ctx, f.admin, nil, big)
					if scs.ErrorCode(err) != scs.ECONFLICT {
						t.Errorf("import with a conflict: %v", err)
					}
					return
				}
				for i := range 30 {
					id := fmt.Sprintf("g%d-%d", w, i)
					if i%3 == 0 {
						id = "taken" // conflicts: other citizen
					}
					_, err := f.db.ReportRecords(f.ctx, f.admin, []scs.Event{ev(id, "c4", "tax-evasion", t0.Add(-time.Duration(i+1)*time.Minute))})
					switch {
					case id == "taken" && scs.ErrorCode(err) == scs.ECONFLICT:
						bad.Add(1)
					case id != "taken" && err == nil:
						good.Add(1)
					default:
						t.Errorf("%s: %v", id, err)
					}
				}
			}()
		}
		wg.Wait()
		stats, _ := f.db.Stats(f.ctx, f.now)
		if stats.Records != 1+good.Load() || good.Load() != 100 || bad.Load() != 50 {
			t.Fatalf("%d records stored, %d good and %d refused writes", stats.Records, good.Load(), bad.Load())
		}
		f.verifyClean()
	})

	t.Run("Tamper", func(t *testing.T) {
		f := newFixture(t, open)
		recs := f.report(f.admin, ev("t1", "c1", "tax-evasion", t0.Add(-2*time.Hour)), ev("t2", "c2", "returned-lost-money", t0.Add(-time.Hour)))
		f.verifyClean()
		if _, err := f.db.w.Exec(f.db.q(`UPDATE ledger SET rule = ? WHERE seq = ?`), "returned-lost-money", recs[0].Seq); err != nil {
			t.Fatal(err)
		}
		if _, err := f.db.w.Exec(f.db.q(`UPDATE projections SET score = ? WHERE citizen = ?`), 5000, "c2"); err != nil {
			t.Fatal(err)
		}
		var probs []scs.VerifyProblem
		n, err := f.db.Verify(f.ctx, func(p scs.VerifyProblem) { probs = append(probs, p) })
		if err != nil {
			t.Fatal(err)
		}
		var hashAt, c1, c2 bool
		for _, p := range probs {
			hashAt = hashAt || (p.Seq == recs[0].Seq && strings.Contains(p.Message, "hash"))
			c1 = c1 || p.Citizen == "c1" && strings.Contains(p.Message, "projection")
			c2 = c2 || p.Citizen == "c2" && strings.Contains(p.Message, "score 5000")
		}
		if !hashAt || !c1 || !c2 || n < 2 {
			t.Fatalf("verify found %+v", probs)
		}
		// A deleted entry is a gap in the sequence.
		f.db.w.Exec(f.db.q(`DELETE FROM ledger WHERE seq = ?`), recs[1].Seq-1)
		probs = nil
		f.db.Verify(f.ctx, func(p scs.VerifyProblem) { probs = append(probs, p) })
		var gap bool
		for _, p := range probs {
			gap = gap || strings.Contains(p.Message, "missing")
		}
		if !gap {
			t.Fatalf("deleted entry not found: %+v", probs)
		}
	})

	t.Run("LoadExportImport", func(t *testing.T) {
		db := open(t)
		ctx := context.Background()
		if e, err := db.Empty(ctx); err != nil || !e {
			t.Fatalf("new database not empty: %v", err)
		}
		city := syntheticCity(200, 20, 7)
		if err := db.Load(ctx, city.citizens, city.events, Operator()); err != nil {
			t.Fatal(err)
		}
		if e, _ := db.Empty(ctx); e {
			t.Fatal("empty after Load")
		}
		wantCode(t, db.Load(ctx, city.citizens[:1], nil, Operator()), scs.ECONFLICT)
		var probs []scs.VerifyProblem
		n, err := db.Verify(ctx, func(p scs.VerifyProblem) { probs = append(probs, p) })
		if err != nil || len(probs) > 0 || n != int64(len(city.citizens)+len(city.events)) {
			t.Fatalf("verify after load: %d entries, %v, %+v", n, err, probs)
		}
		// Every citizen's standing is the engine's.
		res, err := db.eng.ScoreEvents(city.events, t0, false)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range res[:20] {
			file, err := db.File(ctx, Operator(), r.Standing.Citizen, t0, scs.TrailPage{All: true})
			if err != nil {
				t.Fatal(err)
			}
			if !file.Scored {
				if file.Standing != nil || r.Standing.Citizen[len(r.Standing.Citizen)-1] != '0' {
					t.Fatalf("%s: scored %v, standing %v", r.Standing.Citizen, file.Scored, file.Standing)
				}
				continue
			}
			if !sameStanding(*file.Standing, r.Standing) {
				t.Fatalf("%s: %+v, engine says %+v", r.Standing.Citizen, *file.Standing, r.Standing)
			}
		}
		// Export and import into a fresh database give the same standings.
		var evs []scs.Event
		if err := db.Export(ctx, func(e *scs.Event) error { evs = append(evs, *e); return nil }); err != nil {
			t.Fatal(err)
		}
		var cs []scs.Citizen
		db.ExportCitizens(ctx, func(c *scs.Citizen) error { cs = append(cs, *c); return nil })
		if len(evs) != len(city.events) || len(cs) != len(city.citizens) {
			t.Fatalf("exported %d records, %d citizens", len(evs), len(cs))
		}
		db2 := open(t)
		db2.SetClock(func() time.Time { return t0 })
		added, err := db2.Import(ctx, Operator(), cs, evs)
		if err != nil || added != len(evs) {
			t.Fatalf("import: %d, %v (want %d+%d)", added, err, len(cs), len(evs))
		}
		added, err = db2.Import(ctx, Operator(), cs, evs)
		if err != nil || added != 0 {
			t.Fatalf("import again: %d, %v", added, err)
		}
		for _, r := range res[:20] {
			file, err := db2.File(ctx, Operator(), r.Standing.Citizen, t0, scs.TrailPage{All: true})
			if err != nil || (file.Scored && !sameStanding(*file.Standing, r.Standing)) {
				t.Fatalf("imported %s: %v %+v, engine says %+v", r.Standing.Citizen, err, file, r.Standing)
			}
		}
		// A bad record stores nothing.
		bad := append(slices.Clone(evs[:3]), ev("new-1", cs[0].ID, "returned-lost-money", t0.Add(-time.Hour)), ev("x", cs[0].ID, "nonsense", t0))
		_, err = db2.Import(ctx, Operator(), nil, bad)
		wantCode(t, err, scs.EINVALID)
		var be *scs.BatchError
		if !errors.As(err, &be) || be.Index != 4 || be.ID != "x" || scs.ErrorField(err) != "records[4].rule" {
			t.Fatalf("error %v: want a BatchError naming records[4].rule", err)
		}
		var n2 int
		db2.r.QueryRow(db2.q(`SELECT COUNT(*) FROM ledger WHERE rid = ?`), "new-1").Scan(&n2)
		if n2 != 0 {
			t.Fatal("a bad import stored a record")
		}
	})
}

func sameStanding(a, b scs.Standing) bool {
	return a.Citizen == b.Citizen && a.Score == b.Score && a.Grade == b.Grade && a.Events == b.Events && equalTimePtr(a.LockedUntil, b.LockedUntil)
}

func equalTimePtr(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}

func mapsEqual(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

type city struct {
	citizens []scs.Citizen
	events   []scs.Event
}

// syntheticCity makes n citizens with about per records each over the
// year before t0, from a fixed seed, using rules of every effect kind.
func syntheticCity(n, per int, seed uint64) city {
	var c city
	x := seed | 1
	rnd := func(m int) int {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		return int(x % uint64(m))
	}
	rules := []string{"returned-lost-money", "tax-evasion", "speeding-ticket", "charitable-donation", "volunteer-service", "other-commercial", "drunk-driving", "blood-donation", "late-utility-fees"}
	for i := range n {
		id := fmt.Sprintf("cit-%05d", i)
		c.citizens = append(c.citizens, scs.Citizen{ID: id, Name: "Citizen " + id, Neighbourhood: fmt.Sprintf("hood-%d", i%7), BirthYear: 1950 + i%50, Consent: i%10 != 0})
		for k := range per/2 + rnd(per) {
			e := scs.Event{ID: fmt.Sprintf("%s-%d", id, k), Citizen: id, Rule: rules[rnd(len(rules))],
				At: t0.Add(-time.Duration(1+rnd(365*24*60)) * time.Minute)}
			switch e.Rule {
			case "charitable-donation":
				e.Quantity, e.HasQuantity = float64(rnd(5000)), true
			case "volunteer-service":
				e.Quantity, e.HasQuantity = float64(rnd(40))/2, true
			case "other-commercial":
				e.Points, e.HasPoints = -int64(5+rnd(46)), true
			}
			c.events = append(c.events, e)
		}
	}
	return c
}

var _ = engine.SortEvents

// searchCitizens: a prefix of the id or the name finds citizens in id
// order, page by page; reviewers find only citizens with an open
// objection; citizens may not search; bad input is refused.
func searchCitizens(t *testing.T, f *fixture) {
	for _, c := range []scs.Citizen{{ID: "c10", Name: "Zhang Wei"}, {ID: "c11", Name: "Zhang Li"}, {ID: "z1", Name: "c1 Zhou"}, {ID: "z2", Name: "Zhangsun Ü"}, {ID: "z3", Name: "Wang Zhang"}} {
		c.Neighbourhood, c.BirthYear, c.Consent = "hood", 1980, true
		if _, err := f.db.RegisterCitizen(f.ctx, f.admin, c); err != nil {
			t.Fatal(err)
		}
	}
	ids := func(cs []scs.Citizen) string {
		var out []string
		for _, c := range cs {
			out = append(out, c.ID)
		}
		return strings.Join(out, ",")
	}
	for q, want := range map[string]string{
		"c1": "c1,c10,c11,z1", "Zhang": "c10,c11,z2", "Zhangsun Ü": "z2", "Name c": "c1,c2,c3,c4", "nobody": "",
		// Whatever the capitals A-Z, in the id and the name; other letters as written.
		"zhang": "c10,c11,z2", "ZHANG W": "c10", "wang": "z3", "C1": "c1,c10,c11,z1", "name C": "c1,c2,c3,c4", "zhangsun ü": "", "zhangsun Ü": "z2",
	} {
		got, next, err := f.db.SearchCitizens(f.ctx, f.official, q, scs.Page{})
		if err != nil || ids(got) != want || next != "" {
			t.Errorf("search %q: %q next %q %v, want %q", q, ids(got), next, err, want)
		}
	}
	// Pages of 2: c1,c10 then c11,z1.
	got, next, err := f.db.SearchCitizens(f.ctx, f.admin, "c1", scs.Page{Limit: 2})
	if err != nil || ids(got) != "c1,c10" || next != "c10" {
		t.Fatalf("first page: %q %q %v", ids(got), next, err)
	}
	got, next, err = f.db.SearchCitizens(f.ctx, f.admin, "c1", scs.Page{Limit: 2, Cursor: next})
	if err != nil || ids(got) != "c11,z1" || next != "" {
		t.Fatalf("second page: %q %q %v", ids(got), next, err)
	}
	if got[1].Name != "c1 Zhou" || got[1].Neighbourhood != "hood" || !got[1].Consent || got[1].Registered.IsZero() {
		t.Errorf("a found citizen: %+v", got[1])
	}
	// A reviewer finds only citizens with an open objection.
	got, _, err = f.db.SearchCitizens(f.ctx, f.reviewer, "c", scs.Page{})
	if err != nil || len(got) != 0 {
		t.Errorf("reviewer before any objection: %q %v", ids(got), err)
	}
	f.report(f.admin, ev("s1", "c1", "tax-evasion", t0.AddDate(0, -1, 0)))
	if _, err := f.db.Object(f.ctx, f.citizen, "c1", "s1", "not me"); err != nil {
		t.Fatal(err)
	}
	got, _, err = f.db.SearchCitizens(f.ctx, f.reviewer, "c", scs.Page{})
	if err != nil || ids(got) != "c1" {
		t.Errorf("reviewer with c1's objection open: %q %v", ids(got), err)
	}
	_, _, err = f.db.SearchCitizens(f.ctx, f.citizen, "c", scs.Page{})
	wantCode(t, err, scs.EFORBIDDEN)
	_, _, err = f.db.SearchCitizens(f.ctx, nil, "c", scs.Page{})
	wantCode(t, err, scs.EUNAUTHORIZED)
	for _, q := range []string{"", "c\x00", "Zhang ", " c1", strings.Repeat("c", MaxSearch+1), "\xff"} {
		_, _, err := f.db.SearchCitizens(f.ctx, f.official, q, scs.Page{})
		wantCode(t, err, scs.EINVALID)
	}
	_, _, err = f.db.SearchCitizens(f.ctx, f.official, "c", scs.Page{Limit: MaxPage + 1})
	wantCode(t, err, scs.EINVALID)
}
