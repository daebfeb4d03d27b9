package main

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"text/tabwriter"
	"time"

	"golang.org/x/sync/errgroup"
	_ "modernc.org/sqlite"

	"scs"
	"scs/classroom"
	"scs/engine"
	"scs/internal/bench"
	"scs/internal/numfmt"
	"scs/jsonl"
	"scs/schemes"
	"scs/server"
	"scs/sim"
	"scs/store"
)

const benchUsage = `scs bench [--records N] [--batch N] [--clients N] [--seconds S] [--demo-citizens N]

Measures the registry against a temporary SQLite database on this machine
and prints, for each figure, the goal, a baseline measured in the same run
and the ratio of the two:

  bulk ingest through the batch API (records/s) beside straight SQLite inserts
    of the same rows (goal: at least 100,000/s and at least half the baseline);
  one record per request at 500 requests/s from concurrent clients (p99, goal
    under 5 ms) beside GET /healthz at the same rate;
  capability decisions in-process (p99, goal under 1 ms) beside the engine
    alone, and over HTTP on loopback at 1,000 requests/s (p99, goal under 2 ms)
    beside GET /healthz at the same rate;
  scs verify's replay (records/s, goal at least 1,000,000) beside the engine
    replaying the same records in memory.

A second table gives what the machine itself allows, measured in the same
run with no scs code in the way: appending the records' rows to a SQLite
table with no index (the ceiling of any ingest that stores a row per
record), reading every column of those rows back (the ceiling of any verify
that reads a row per entry), and a 24 KiB write and fsync on the database's
disk (the floor under a durable commit's latency).

All load goes to 127.0.0.1 and is bounded by --records and --seconds. The
database is removed afterwards. Exit status 1 when a goal is missed.`

type benchRow struct {
	figure, value, goal, baseline, bvalue, ratio string
	ok                                           bool
}

func cmdBench(e *env, args []string) error {
	fs := newFlags(e, "bench", benchUsage)
	records := fs.Int("records", 200_000, "records to ingest through the batch API")
	batch := fs.Int("batch", 1000, "records per batch request")
	clients := fs.Int("clients", 4, "concurrent clients sending batches")
	seconds := fs.Float64("seconds", 5, "length of each paced load, in `seconds`")
	citizens := fs.Int("demo-citizens", 2000, "citizens of the demo city the decisions are asked about")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("bench: unexpected argument %q", pos[0])
	}
	if *records < 1000 || *records > 10_000_000 || *batch < 1 || *batch > server.DefaultMaxBatch || *seconds <= 0 || *seconds > 120 || *citizens < 10 || *citizens > 200_000 || *clients < 1 || *clients > 64 {
		return usagef("bench: want --records 1000..10000000, --batch 1..%d, --seconds up to 120, --demo-citizens 10..200000, --clients 1..64", server.DefaultMaxBatch)
	}
	dir, err := os.MkdirTemp("", "scs-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	b := &bencher{e: e, dir: dir, seconds: *seconds}
	if err := b.setup(*citizens); err != nil {
		return err
	}
	defer b.close()
	var rows []benchRow
	steps := []func() ([]benchRow, error){
		func() ([]benchRow, error) { return b.ingest(*records, *batch, *clients) },
		b.single,
		b.decisions,
		b.verify,
	}
	for _, step := range steps {
		r, err := step()
		if err != nil {
			return err
		}
		rows = append(rows, r...)
	}
	limits, err := b.limits(*records)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "FIGURE\tVALUE\tGOAL\tBASELINE\tVALUE\tRATIO\tMET")
	missed := 0
	for _, r := range rows {
		met := "yes"
		if !r.ok {
			met, missed = "NO", missed+1
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.figure, r.value, r.goal, r.baseline, r.bvalue, r.ratio, met)
	}
	fmt.Fprintln(tw)
	fmt.Fprintln(tw, "THIS MACHINE ALLOWS\tVALUE\tBOUNDS")
	for _, l := range limits {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", l[0], l[1], l[2])
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if missed > 0 {
		fmt.Fprintf(e.stderr, "scs: bench: %d goals missed on this machine\n", missed)
		return errReported
	}
	return nil
}

type bencher struct {
	e       *env
	dir     string
	seconds float64
	sc      *scs.Scheme
	eng     *engine.Engine
	db      *store.DB
	admin   *scs.Account
	token   string
	url     string
	hs      *http.Server
	srv     *server.Server
	client  *http.Client
	city    *sim.DemoCity
	start   time.Time // ingested records are dated from here on
	seq     int       // records made so far
}

func (b *bencher) logf(format string, args ...any) {
	fmt.Fprintf(b.e.stderr, "scs: bench: "+format+"\n", args...)
}

func (b *bencher) setup(citizens int) error {
	var err error
	if b.sc, err = schemes.Load("rongcheng"); err != nil {
		return err
	}
	if b.eng, err = engine.New(b.sc); err != nil {
		return err
	}
	if b.db, err = store.Open(b.e.ctx, filepath.Join(b.dir, "bench.db"), b.sc); err != nil {
		return err
	}
	end := time.Now().UTC().Add(-48 * time.Hour).Truncate(time.Hour)
	b.logf("making a demo city of %d citizens with 5 years of records", citizens)
	if b.city, err = sim.Demo(b.e.ctx, b.sc, sim.DemoOptions{Citizens: citizens, Years: 5, Seed: demoSeed, End: end}); err != nil {
		return err
	}
	for i := range b.city.Citizens {
		b.city.Citizens[i].Consent = true
	}
	if err := b.db.Load(b.e.ctx, b.city.Citizens, b.city.Events, store.Operator()); err != nil {
		return err
	}
	b.start = end.Add(time.Hour)
	a, token, err := b.db.CreateAccount(b.e.ctx, store.Operator(), scs.Account{Name: "bench admin", Role: scs.RoleAdmin})
	if err != nil {
		return err
	}
	b.admin, b.token = &a, token
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err := server.New(server.Deps{Registry: b.db, Engine: b.db.Engine(), Pinger: b.db, Settings: b.db, History: b.db, Classes: classroom.New(b.db, nil), Checkpoints: b.db, Logger: log})
	if err != nil {
		return err
	}
	b.srv = srv
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	b.url = "http://" + ln.Addr().String()
	b.hs = &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	go b.hs.Serve(ln)
	b.client = &http.Client{Transport: &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 256, DisableCompression: true}, Timeout: time.Minute}
	return nil
}

func (b *bencher) close() {
	if b.hs != nil {
		b.hs.Close()
	}
	if b.srv != nil {
		b.srv.Close()
	}
	if b.db != nil {
		b.db.Close()
	}
}

// events returns n new records for the demo citizens, in time order after
// every record already stored, cycling through the scheme's fixed rules.
func (b *bencher) events(n int) []scs.Event {
	var rules []*scs.Rule
	for i := range b.sc.Rules {
		if b.sc.Rules[i].Effect.Kind == scs.EffectFixed {
			rules = append(rules, &b.sc.Rules[i])
		}
	}
	evs := make([]scs.Event, n)
	cs := b.city.Citizens
	for i := range evs {
		k := b.seq
		b.seq++
		r := rules[k%len(rules)]
		evs[i] = scs.Event{ID: "bench-" + strconv.Itoa(k), Citizen: cs[(k*7919)%len(cs)].ID, Rule: r.ID,
			At: b.start.Add(time.Duration(k) * time.Millisecond), Department: r.Department, Evidence: "scs bench"}
	}
	return evs
}

func (b *bencher) post(path string, body []byte) (int, error) {
	req, err := http.NewRequest("POST", b.url+path, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+b.token)
	resp, err := b.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return resp.StatusCode, fmt.Errorf("POST %s: %d %s", path, resp.StatusCode, msg)
	}
	_, err = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, err
}

func (b *bencher) get(path string) error {
	req, err := http.NewRequest("GET", b.url+path, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+b.token)
	resp, err := b.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return fmt.Errorf("GET %s: %d", path, resp.StatusCode)
	}
	_, err = io.Copy(io.Discard, resp.Body)
	return err
}

func batchBody(evs []scs.Event) []byte {
	buf := []byte(`{"records":[`)
	for i := range evs {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = jsonl.Append(buf, &evs[i])
		buf = buf[:len(buf)-1] // the line's newline
	}
	return append(buf, "]}"...)
}

// ingest posts records in batches from concurrent clients, and then
// inserts the same rows straight into a SQLite table as the baseline.
func (b *bencher) ingest(n, size, clients int) ([]benchRow, error) {
	evs := b.events(n)
	// Each client sends the records of its own citizens, in time order, so
	// that no record arrives late for its citizen (a late record makes the
	// store recompute the citizen from history, which is another figure).
	owner := map[string]int{}
	for i, c := range b.city.Citizens {
		owner[c.ID] = i % clients
	}
	streams := make([][]scs.Event, clients)
	for _, ev := range evs {
		streams[owner[ev.Citizen]] = append(streams[owner[ev.Citizen]], ev)
	}
	bodies := make([][][]byte, clients)
	for c, st := range streams {
		for i := 0; i < len(st); i += size {
			bodies[c] = append(bodies[c], batchBody(st[i:min(i+size, len(st))]))
		}
	}
	b.logf("ingesting %d records through the batch API, %d a request from %d clients", n, size, clients)
	g, ctx := errgroup.WithContext(b.e.ctx)
	start := time.Now()
	for c := range clients {
		g.Go(func() error {
			for _, body := range bodies[c] {
				if ctx.Err() != nil {
					return nil
				}
				if _, err := b.post("/api/v1/records/batch", body); err != nil {
					return err
				}
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	if err := b.e.ctx.Err(); err != nil {
		return nil, err
	}
	api := float64(n) / time.Since(start).Seconds()

	b.logf("inserting the same %d rows straight into SQLite", n)
	base, err := bench.StraightInsert(b.e.ctx, filepath.Join(b.dir, "baseline.db"), evs, size)
	if err != nil {
		return nil, err
	}
	ratio := api / base
	return []benchRow{{
		figure: "bulk ingest, batch API (records/s)", value: fmtRate(api), goal: ">= 100,000 and >= 0.5 x baseline",
		baseline: "straight SQLite inserts", bvalue: fmtRate(base), ratio: fmt.Sprintf("%.2f", ratio),
		ok: api >= 100_000 && ratio >= 0.5,
	}}, nil
}

// limits measures what the machine allows for the figures, with no scs
// code in the way (see bench.Limits and bench.SyncFloor).
func (b *bencher) limits(n int) ([][3]string, error) {
	b.logf("measuring SQLite's and the disk's own limits")
	app, read, err := bench.Limits(b.e.ctx, b.dir, n)
	if err != nil {
		return nil, err
	}
	p50, p99, err := bench.SyncFloor(b.dir, 1000)
	if err != nil {
		return nil, err
	}
	return [][3]string{
		{"SQLite append, no index, durable (rows/s)", fmtRate(app), "bulk ingest"},
		{"SQLite read of every ledger column (rows/s)", fmtRate(read), "verify"},
		{"24 KiB write + fsync on the database's disk (p50 / p99)", fmtDur(p50) + " / " + fmtDur(p99), "one record a request"},
	}, nil
}

// paced sends rate requests a second for the bencher's seconds from a
// pool of concurrent clients, each request made by do(i), and returns the
// latencies measured from each request's scheduled time (so a slow answer
// also delays those queued behind it, as it would for real clients).
func (b *bencher) paced(rate int, do func(i int) error) ([]time.Duration, error) {
	n := int(float64(rate) * b.seconds)
	interval := time.Second / time.Duration(rate)
	lat := make([]time.Duration, n)
	type job struct {
		i     int
		sched time.Time
	}
	jobs := make(chan job, n)
	t0 := time.Now().Add(20 * time.Millisecond)
	for i := range n {
		jobs <- job{i, t0.Add(time.Duration(i) * interval)}
	}
	close(jobs)
	g, ctx := errgroup.WithContext(b.e.ctx)
	for range 64 {
		g.Go(func() error {
			for j := range jobs {
				if ctx.Err() != nil {
					return nil
				}
				if d := time.Until(j.sched); d > 0 {
					time.Sleep(d)
				}
				err := do(j.i)
				lat[j.i] = time.Since(j.sched)
				if err != nil {
					return err
				}
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return lat, err
	}
	return lat, b.e.ctx.Err()
}

func p99(lat []time.Duration) time.Duration {
	s := slices.Clone(lat)
	slices.Sort(s)
	return s[int(math.Ceil(0.99*float64(len(s))))-1]
}

func (b *bencher) health(rate int) (time.Duration, error) {
	lat, err := b.paced(rate, func(int) error { return b.get("/healthz") })
	if err != nil {
		return 0, err
	}
	return p99(lat), nil
}

// single reports one record a request at 500 requests/s.
func (b *bencher) single() ([]benchRow, error) {
	const rate = 500
	n := int(rate * b.seconds)
	evs := b.events(n)
	bodies := make([][]byte, n)
	for i := range evs {
		bodies[i] = jsonl.Append(nil, &evs[i])
	}
	b.logf("one record a request at %d requests/s for %gs", rate, b.seconds)
	lat, err := b.paced(rate, func(i int) error { _, err := b.post("/api/v1/records", bodies[i]); return err })
	if err != nil {
		return nil, err
	}
	base, err := b.health(rate)
	if err != nil {
		return nil, err
	}
	fig := p99(lat)
	return []benchRow{{
		figure: "one record a request at 500/s (p99)", value: fmtDur(fig), goal: "< 5ms",
		baseline: "GET /healthz at 500/s (p99)", bvalue: fmtDur(base), ratio: fmt.Sprintf("%.1f", float64(fig)/float64(base)),
		ok: fig < 5*time.Millisecond,
	}}, nil
}

// decisions asks capability decisions in-process and over HTTP.
func (b *bencher) decisions() ([]benchRow, error) {
	cs := b.city.Citizens
	caps := b.sc.Capabilities
	now := time.Now().UTC()
	ctx := b.e.ctx
	const calls = 20000
	b.logf("%d capability decisions in-process", calls)
	in := make([]time.Duration, calls)
	for i := range calls {
		t0 := time.Now()
		if _, err := b.db.Decide(ctx, b.admin, cs[(i*31)%len(cs)].ID, caps[i%len(caps)].Name, now); err != nil {
			return nil, err
		}
		in[i] = time.Since(t0)
	}
	// Baseline: the engine alone, on states replayed in memory.
	byCitizen := map[string][]scs.Event{}
	for _, ev := range b.city.Events {
		byCitizen[ev.Citizen] = append(byCitizen[ev.Citizen], ev)
	}
	states := make([]scs.State, len(cs))
	for i, c := range cs {
		st, _, err := b.eng.Replay(c.ID, byCitizen[c.ID], now, false)
		if err != nil {
			return nil, err
		}
		states[i] = st
	}
	eng := make([]time.Duration, calls)
	for i := range calls {
		t0 := time.Now()
		if _, err := b.eng.Decide(&states[(i*31)%len(cs)], caps[i%len(caps)].Name, now); err != nil {
			return nil, err
		}
		eng[i] = time.Since(t0)
	}
	const rate = 1000
	b.logf("capability decisions over HTTP at %d requests/s for %gs", rate, b.seconds)
	lat, err := b.paced(rate, func(i int) error {
		return b.get("/api/v1/citizens/" + cs[(i*31)%len(cs)].ID + "/capabilities/" + caps[i%len(caps)].Name)
	})
	if err != nil {
		return nil, err
	}
	base, err := b.health(rate)
	if err != nil {
		return nil, err
	}
	pin, peng, phttp := p99(in), p99(eng), p99(lat)
	return []benchRow{
		{figure: "decision in-process (p99)", value: fmtDur(pin), goal: "< 1ms", baseline: "engine alone (p99)", bvalue: fmtDur(peng),
			ratio: fmt.Sprintf("%.0f", float64(pin)/float64(max(peng, 1))), ok: pin < time.Millisecond},
		{figure: "decision over HTTP at 1,000/s (p99)", value: fmtDur(phttp), goal: "< 2ms", baseline: "GET /healthz at 1,000/s (p99)", bvalue: fmtDur(base),
			ratio: fmt.Sprintf("%.1f", float64(phttp)/float64(base)), ok: phttp < 2*time.Millisecond},
	}, nil
}

// verify replays the whole ledger as scs verify does, beside the engine
// replaying the same records in memory.
func (b *bencher) verify() ([]benchRow, error) {
	b.logf("verifying the ledger")
	t0 := time.Now()
	problems := 0
	n, err := b.db.Verify(b.e.ctx, func(scs.VerifyProblem) { problems++ })
	if err != nil {
		return nil, err
	}
	if problems > 0 {
		return nil, fmt.Errorf("bench: verify found %d problems in the ledger", problems)
	}
	rate := float64(n) / time.Since(t0).Seconds()
	var evs []scs.Event
	if err := b.db.Export(b.e.ctx, func(ev *scs.Event) error { evs = append(evs, *ev); return nil }); err != nil {
		return nil, err
	}
	t0 = time.Now()
	if _, err := b.eng.ScoreEvents(evs, time.Now().UTC(), false); err != nil {
		return nil, err
	}
	base := float64(len(evs)) / time.Since(t0).Seconds()
	return []benchRow{{
		figure: "scs verify replay (records/s)", value: fmtRate(rate), goal: ">= 1,000,000", baseline: "engine replay in memory", bvalue: fmtRate(base),
		ratio: fmt.Sprintf("%.2f", rate/base), ok: rate >= 1_000_000,
	}}, nil
}

func fmtRate(r float64) string { return numfmt.Int(int64(r)) }

func fmtDur(d time.Duration) string {
	return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 3, 64) + "ms"
}
