package main

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sort"
	"text/tabwriter"
	"time"

	"scs"
	"scs/classroom"
	"scs/internal/numfmt"
	"scs/server"
	"scs/sim"
	"scs/store"
)

const serveUsage = `scs serve [--db PATH|URL] [--addr HOST:PORT] [--scheme NAME|FILE] [--demo-citizens N] [--demo-years N] [--log-format text|json]
                [--checkpoint-key FILE [--checkpoint-every N] [--checkpoint-interval DURATION]]

Starts the registry service: web pages (the city at /, a citizen's file, the
public list, the official's and the reviewer's desks, the scheme and the
self-test; sign in at /signin with a token), the JSON API under /api/v1
(described at /api/v1/openapi.json), /healthz and /metrics. The database is
a SQLite file (./scs.db, or $SCS_DB) or a postgres:// URL; migrations are
applied at start. On an empty database scs serve fills a synthetic city
from the simulator (--demo-citizens citizens with --demo-years years of
records; 0 citizens for none), creates one account of each role and prints
their tokens, which are shown only this once. The address is bound before
anything is created, so a busy port loses no token. With --checkpoint-key,
the server signs the head of the ledger (as scs checkpoint does) at start,
after every N new entries and at least every DURATION while there are new
ones, and GET /api/v1/checkpoint serves the latest. Every request is
logged on standard error (method, route, status, duration). SIGINT or
SIGTERM stops it gracefully: requests in flight are answered, then the
database is closed.`

// demoSeed is the seed of the demo city: the same city on every machine.
const demoSeed = 1

// serveOptions are serve's flags, checked.
type serveOptions struct {
	dsn, addr, scheme string
	citizens, years   int
	maxBody           int64
	key               ed25519.PrivateKey // nil: no checkpoints
	ckptEvery         int64
	ckptInterval      time.Duration
	log               *slog.Logger
}

func cmdServe(e *env, args []string) error {
	o, err := parseServe(e, args)
	if err != nil {
		return err
	}
	sc, err := dbScheme(e, o.dsn, o.scheme)
	if err != nil {
		return err
	}
	log := o.log
	// The address is bound first: a busy port must fail before a database,
	// a demo city or a token exists, or the tokens printed would be lost.
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return scs.Errorf(scs.EINVALID, "serve: --addr %s: %v", o.addr, err)
	}
	defer ln.Close()
	db, err := store.Open(e.ctx, o.dsn, sc)
	if err != nil {
		return err
	}
	defer db.Close()

	settings, err := firstStart(e, db, sc, o.citizens, o.years, log)
	if err != nil {
		return err
	}
	if settings != nil {
		// Kept in the database, so the city page shows them after a restart.
		if err := db.SetSettings(e.ctx, settings); err != nil {
			return err
		}
	}

	srv, err := server.New(server.Deps{Registry: db, Engine: db.Engine(), Pinger: db, Settings: db, History: db, Classes: classroom.New(db, nil), Checkpoints: db, Logger: log, RequestLog: log, SettingDoc: sim.SettingDoc, Options: server.Options{MaxBody: o.maxBody}})
	if err != nil {
		return err
	}
	defer srv.Close() // its background work, after the HTTP server and before the database
	db.OnGroupCommit(func(g store.GroupCommit) { srv.Metrics().ObserveGroupCommit(g.Writes, g.Entries, g.Duration) })
	defer db.OnGroupCommit(nil)

	hs := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	printServeBanner(e, "http://"+ln.Addr().String(), o.key)
	if o.key != nil {
		cctx, cancel := context.WithCancel(e.ctx)
		done := make(chan struct{})
		defer func() { cancel(); <-done }()
		go func() {
			defer close(done)
			checkpointLoop(cctx, db, o.key, o.ckptEvery, o.ckptInterval, log)
		}()
	}
	log.Info("serving", "addr", ln.Addr().String(), "db", db.Dialect(), "scheme", sc.Name)
	return serveUntilDone(e, hs, served, log)
}

// parseServe reads and checks serve's flags, and loads or makes the
// checkpoint key.
func parseServe(e *env, args []string) (*serveOptions, error) {
	fs := newFlags(e, "serve", serveUsage)
	dsn := fs.String("db", "", "SQLite file `PATH` or postgres:// URL (default $SCS_DB, then "+store.DefaultDSN+")")
	addr := fs.String("addr", "127.0.0.1:8080", "listen on `HOST:PORT` (port 0 picks a free port)")
	schemeName := fs.String("scheme", "", "built-in scheme `NAME` or scheme FILE (default: the built-in scheme an existing database was made with, else rongcheng)")
	citizens := fs.Int("demo-citizens", 20000, "citizens of the demo city made on an empty database (0 for none)")
	years := fs.Int("demo-years", 5, "years of records in the demo city")
	maxBody := fs.Int64("max-body", server.DefaultMaxBody, "largest request body in `bytes`")
	ckptKey := fs.String("checkpoint-key", "", "sign checkpoints of the ledger's head with the Ed25519 key in `FILE` (made on first use; keep it outside the database)")
	ckptEvery := fs.Int64("checkpoint-every", 1000, "write a checkpoint after this many new ledger `entries`")
	ckptInterval := fs.Duration("checkpoint-interval", 10*time.Minute, "and at least this often while there are new entries (`DURATION`)")
	logFormat := newChoice("text", "text", "json")
	fs.Var(logFormat, "log-format", "the `FORMAT` of the log on standard error: text or json (one object a line)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return nil, err
	}
	switch {
	case len(pos) > 0:
		return nil, usagef("serve: unexpected argument %q", pos[0])
	case *citizens < 0 || *citizens > 10_000_000:
		return nil, usagef("serve: --demo-citizens %d: want 0 to 10000000", *citizens)
	case *years < 1 || *years > 100:
		return nil, usagef("serve: --demo-years %d: want 1 to 100", *years)
	case *maxBody < 1024:
		return nil, usagef("serve: --max-body %d: want at least 1024", *maxBody)
	case *ckptEvery < 1:
		return nil, usagef("serve: --checkpoint-every %d: want at least 1", *ckptEvery)
	case *ckptInterval < time.Second:
		return nil, usagef("serve: --checkpoint-interval %s: want at least 1s", *ckptInterval)
	}
	o := &serveOptions{dsn: *dsn, addr: *addr, scheme: *schemeName, citizens: *citizens, years: *years, maxBody: *maxBody,
		ckptEvery: *ckptEvery, ckptInterval: *ckptInterval}
	if *ckptKey != "" {
		k, made, err := loadOrCreateKey(*ckptKey)
		if err != nil {
			return nil, err
		}
		if made {
			fmt.Fprintf(e.stderr, "scs serve: made a new Ed25519 key in %s; keep it outside the database\n", *ckptKey)
		}
		o.key = k
	}
	if o.dsn == "" {
		o.dsn = e.getenv("SCS_DB")
	}
	if o.dsn == "" {
		o.dsn = store.DefaultDSN
	}
	var h slog.Handler = slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelInfo})
	if logFormat.val == "json" {
		h = slog.NewJSONHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelInfo})
	}
	o.log = slog.New(h)
	return o, nil
}

// printServeBanner prints where the server listens and what it serves.
func printServeBanner(e *env, base string, key ed25519.PrivateKey) {
	fmt.Fprintf(e.stdout, "Listening on %s\n", base)
	fmt.Fprintf(e.stdout, "  web pages:  %s/ (the city; sign in with a token at %s/signin)\n", base, base)
	fmt.Fprintf(e.stdout, "  JSON API:   %s/api/v1 (described at %s/api/v1/openapi.json)\n", base, base)
	fmt.Fprintf(e.stdout, "  self-test:  %s/quiz   public list: %s/list\n", base, base)
	fmt.Fprintln(e.stdout, "  a token:    scs accounts create --role citizen|official|reviewer|admin|teacher --name NAME")
	if key != nil {
		fmt.Fprintf(e.stdout, "  checkpoints: %s/api/v1/checkpoint, signed by public key %s\n", base, publicKeyText(key))
	}
}

// serveUntilDone waits for the HTTP server to fail or the context to end,
// then shuts it down, answering the requests in flight.
func serveUntilDone(e *env, hs *http.Server, served chan error, log *slog.Logger) error {
	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-e.ctx.Done():
	}
	log.Info("shutting down: answering requests in flight")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := hs.Shutdown(ctx); err != nil {
		hs.Close()
		return fmt.Errorf("serve: shutdown: %w", err)
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}

// firstStart fills an empty database: a demo city from the simulator and
// one account of each role, whose tokens it prints once. It returns the
// simulation settings that made the city, nil when it made none.
func firstStart(e *env, db *store.DB, sc *scs.Scheme, citizens, years int, log *slog.Logger) (map[string]string, error) {
	// An empty database has no ledger entry and no account: a database
	// started once with --demo-citizens 0 has its accounts and stays empty.
	empty, err := db.Empty(e.ctx)
	if err != nil || !empty {
		return nil, err
	}
	accounts, err := db.Accounts(e.ctx, store.Operator())
	if err != nil || len(accounts) > 0 {
		return nil, err
	}
	var demoCitizen string
	var settings map[string]string
	var city *sim.DemoCity
	if citizens > 0 {
		start := time.Now()
		fmt.Fprintf(e.stderr, "scs: empty database: making a demo city of %s citizens with %d years of records...\n", numfmt.Int(int64(citizens)), years)
		city, err = sim.Demo(e.ctx, sc, sim.DemoOptions{Citizens: citizens, Years: years, Seed: demoSeed, End: time.Now().UTC()})
		if err != nil {
			return nil, err
		}
		if err := db.Load(e.ctx, city.Citizens, city.Events, store.Operator()); err != nil {
			return nil, err
		}
		fmt.Fprintf(e.stderr, "scs: loaded %s citizens and %s records in %s\n", numfmt.Int(int64(len(city.Citizens))), numfmt.Int(int64(len(city.Events))), time.Since(start).Round(time.Millisecond))
		demoCitizen = pickDemoCitizen(sc, city.Citizens, city.Events)
		settings = city.Settings
	}
	accounts = []scs.Account{
		{Name: "demo admin", Role: scs.RoleAdmin},
		{Name: "demo reviewer", Role: scs.RoleReviewer},
		{Name: "demo official", Role: scs.RoleOfficial, Department: demoDepartment(sc)},
		{Name: "demo teacher", Role: scs.RoleTeacher},
	}
	if demoCitizen != "" {
		accounts = append(accounts, scs.Account{Name: "demo citizen", Role: scs.RoleCitizen, Citizen: demoCitizen})
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(e.stdout, "Demo accounts; each token is shown only now (make more with scs accounts create):")
	fmt.Fprintln(tw, "ROLE\tBOUND-TO\tTOKEN")
	var reviewer scs.Account
	for _, a := range accounts {
		made, token, err := db.CreateAccount(e.ctx, store.Operator(), a)
		if err != nil {
			return nil, err
		}
		if a.Role == scs.RoleReviewer {
			reviewer = made
		}
		bound := "-"
		if a.Citizen != "" {
			bound = a.Citizen
		} else if a.Department != "" {
			bound = a.Department
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", a.Role, bound, token)
	}
	if err := tw.Flush(); err != nil {
		return nil, err
	}
	log.Info("first start: demo accounts created", "accounts", len(accounts))
	if demoCitizen != "" {
		if err := demoObjections(e, db, sc, city, demoCitizen, &reviewer); err != nil {
			return nil, err
		}
	}
	return settings, nil
}

// demoObjections files the demo city's two objections, so that the
// reviewer's desk and the files show due process from the start: the demo
// citizen objects to their latest deduction (left open), and the scored
// citizen with the most deductions objects to their latest one, which the demo
// reviewer rejects. Their reasons say they are the demo's.
func demoObjections(e *env, db *store.DB, sc *scs.Scheme, city *sim.DemoCity, demoCitizen string, reviewer *scs.Account) error {
	last := map[string]string{} // citizen -> their latest deduction
	n := map[string]int{}
	scored := map[string]bool{}
	for _, c := range city.Citizens {
		scored[c.ID] = c.Consent || !sc.ConsentRequired
	}
	evs := city.Events
	for i := range evs {
		if r, ok := sc.Rule(evs[i].Rule); ok && r.Deducts() {
			last[evs[i].Citizen] = evs[i].ID
			n[evs[i].Citizen]++
		}
	}
	if rec, ok := last[demoCitizen]; ok {
		if _, err := db.Object(e.ctx, store.Operator(), demoCitizen, rec, "(demo) This record is not mine: I was elsewhere that day."); err != nil {
			return err
		}
	}
	other := ""
	for c, k := range n {
		if c != demoCitizen && scored[c] && (other == "" || k > n[other] || k == n[other] && c < other) {
			other = c
		}
	}
	if other == "" {
		return nil
	}
	o, err := db.Object(e.ctx, store.Operator(), other, last[other], "(demo) The amount recorded is wrong.")
	if err != nil {
		return err
	}
	_, err = db.DecideObjection(e.ctx, reviewer, o.ID, false, "(demo) The department's evidence shows the amount recorded; the record stands.")
	return err
}

// demoDepartment is the department of the demo official: that of the
// scheme's first rule with fixed points taken away, so that the official's
// desk can report a deduction (the first rule's department otherwise).
func demoDepartment(sc *scs.Scheme) string {
	for _, r := range sc.Rules {
		if r.Department != "" && r.Effect.Kind == scs.EffectFixed && r.Effect.Points < 0 {
			return r.Department
		}
	}
	for _, r := range sc.Rules {
		if r.Department != "" {
			return r.Department
		}
	}
	return "registry"
}

// pickDemoCitizen returns the citizen for the demo citizen account: one who
// consented to scoring and has a mixed history, points both added and taken
// away, with the most records (ties to the smallest id); failing that, the
// consenting citizen with the most records.
func pickDemoCitizen(sc *scs.Scheme, cs []scs.Citizen, evs []scs.Event) string {
	n := map[string]int{}
	plus, minus := map[string]bool{}, map[string]bool{}
	for i := range evs {
		n[evs[i].Citizen]++
		if r, ok := sc.Rule(evs[i].Rule); ok {
			if r.Deducts() {
				minus[evs[i].Citizen] = true
			} else {
				plus[evs[i].Citizen] = true
			}
		}
	}
	ids := make([]string, 0, len(cs))
	for _, c := range cs {
		if c.Consent {
			ids = append(ids, c.ID)
		}
	}
	if len(ids) == 0 {
		for _, c := range cs {
			ids = append(ids, c.ID)
		}
	}
	mixed := func(id string) bool { return plus[id] && minus[id] }
	sort.Slice(ids, func(i, j int) bool {
		if mi, mj := mixed(ids[i]), mixed(ids[j]); mi != mj {
			return mi
		}
		if n[ids[i]] != n[ids[j]] {
			return n[ids[i]] > n[ids[j]]
		}
		return ids[i] < ids[j]
	})
	if len(ids) == 0 {
		return ""
	}
	return ids[0]
}

// checkpointLoop signs the ledger's head when it has grown by every entries
// since the last checkpoint, or when interval has passed and it has grown
// at all; and once at the start. It returns when ctx is done.
func checkpointLoop(ctx context.Context, db *store.DB, key ed25519.PrivateKey, every int64, interval time.Duration, log *slog.Logger) {
	last := int64(-1)
	var lastAt time.Time
	tick := time.NewTicker(min(interval, 2*time.Second))
	defer tick.Stop()
	for {
		h, err := db.Head(ctx)
		if err == nil && h.Seq != last && (last < 0 || h.Seq-last >= every || time.Since(lastAt) >= interval) {
			c, err := db.Checkpoint(ctx, key)
			if err != nil {
				if ctx.Err() == nil {
					log.Error("checkpoint", "err", err)
				}
			} else {
				last, lastAt = c.Seq, time.Now()
				log.Info("checkpoint", "head", c.Head)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
