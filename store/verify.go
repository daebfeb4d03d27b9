package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"scs"
	"scs/engine"
)

// verifyRange is one range of the ledger as read by scanRange.
type verifyRange struct {
	entries  []entry
	problems []scs.VerifyProblem
	err      error
}

// scanRange reads the ledger entries with sequence numbers lo to hi,
// checking that none is missing and each one's hash against its content
// and the previous entry's stored hash.
func (db *DB) scanRange(ctx context.Context, lo, hi int64, first bool) (r verifyRange) {
	if hi < lo {
		return r
	}
	var prev [32]byte
	if !first {
		var h []byte
		err := db.r.QueryRowContext(ctx, db.q(`SELECT hash FROM ledger WHERE seq < ? ORDER BY seq DESC LIMIT 1`), lo).Scan(&h)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			r.err = internal("verify", err)
			return r
		}
		copy(prev[:], h)
	}
	rows, err := db.r.QueryContext(ctx, db.q(`SELECT `+ledgerCols+` FROM ledger WHERE seq >= ? AND seq <= ? ORDER BY seq`), lo, hi)
	if err != nil {
		r.err = internal("verify", err)
		return r
	}
	defer rows.Close()
	r.entries = make([]entry, 0, hi-lo+1)
	var buf []byte
	var hash sql.RawBytes // read before the next row
	want := lo
	for rows.Next() {
		var e entry
		if err := scanEntry(rows, &e, &hash); err != nil {
			r.err = internal("verify", err)
			return r
		}
		if e.Seq != want {
			r.problems = append(r.problems, scs.VerifyProblem{Seq: e.Seq, Citizen: e.Citizen,
				Message: fmt.Sprintf("sequence: expected entry %d next, found %d: entries are missing", want, e.Seq)})
		}
		want = e.Seq + 1
		var h [32]byte
		h, buf = e.chain(prev, buf)
		if !bytes.Equal(h[:], hash) && e.HasQ && e.Quantity == 0 {
			// Before quantities were normalised, a record could be hashed
			// with -0, which SQLite gives back as 0: the same content.
			neg := e
			neg.Quantity = math.Copysign(0, -1)
			h, buf = neg.chain(prev, buf)
		}
		if !bytes.Equal(h[:], hash) {
			r.problems = append(r.problems, scs.VerifyProblem{Seq: e.Seq, Citizen: e.Citizen,
				Message: fmt.Sprintf("hash: the stored hash does not match the entry's content and the previous entry's hash: the %s entry was changed after it was written", e.Kind)})
		}
		copy(prev[:], hash)
		if e.Kind == scs.EntryRecord {
			e.Ref = ""
		}
		e.Evidence, e.Department = "", ""
		r.entries = append(r.entries, e)
	}
	if err := rows.Err(); err != nil {
		r.err = internal("verify", err)
	}
	return r
}

// seqRange returns the k-th of parts contiguous ranges of the sequence
// numbers 1 to maxSeq (lo to hi inclusive; empty when hi < lo).
// scanRanges reads and checks the n ledger entries after sequence number
// from, in one range, or in one range per processor when there are many,
// read in parallel; the ranges come back in ledger order.
func (db *DB) scanRanges(ctx context.Context, from, n int64) []verifyRange {
	parts := 1
	if n > 20000 {
		parts = runtime.GOMAXPROCS(0)
	}
	ranges := make([]verifyRange, parts)
	var wg sync.WaitGroup
	for k := range ranges {
		lo, hi := seqRange(n, k, parts)
		wg.Add(1)
		go func() {
			defer wg.Done()
			ranges[k] = db.scanRange(ctx, from+lo, from+hi, from == 0 && k == 0)
		}()
	}
	wg.Wait()
	return ranges
}

func seqRange(maxSeq int64, k, parts int) (lo, hi int64) {
	return maxSeq*int64(k)/int64(parts) + 1, maxSeq * int64(k+1) / int64(parts)
}

// vcitizen is what Verify gathers about one citizen from the ledger.
type vcitizen struct {
	ref      citizenRef
	seq      int64
	consent  bool
	log      []string // consent changes, as consent_log holds them
	recs     []entry
	reversed map[int64]bool
}

// Verify checks the whole database: the ledger's sequence numbers and hash
// chain (each entry's hash against its content and the previous entry's
// hash), that every record's citizen was registered before it, and that
// the citizens table and every citizen's projection (state, score, grade,
// lock, grade-since and trail) equal what replaying the ledger through the
// engine gives. It calls report for every mismatch, naming the sequence
// number or citizen, and returns how many ledger entries it checked. The
// error is for failures to read, not for mismatches.
func (db *DB) Verify(ctx context.Context, report func(scs.VerifyProblem)) (int64, error) {
	var mu sync.Mutex
	problem := func(seq int64, citizen, format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		report(scs.VerifyProblem{Seq: seq, Citizen: citizen, Message: fmt.Sprintf(format, args...)})
	}
	var maxSeq int64
	if err := db.r.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) FROM ledger`).Scan(&maxSeq); err != nil {
		return 0, internal("verify", err)
	}
	// The ledger is read and its hashes checked in ranges of sequence
	// numbers, in parallel; each range starts from the stored hash of the
	// entry before it. The entries are then gathered in ledger order.
	ranges := db.scanRanges(ctx, 0, maxSeq)
	var checked int64
	for _, r := range ranges {
		if r.err != nil {
			return checked, r.err
		}
		checked += int64(len(r.entries))
	}
	g := &vledger{citizens: map[string]*vcitizen{}, ruleTotals: map[string]int64{}, decisions: &vdecisions{objections: map[int64]*vobjection{}, accounts: map[int64]*vaccount{}}}
	for _, r := range ranges {
		for _, p := range r.problems {
			problem(p.Seq, p.Citizen, "%s", p.Message)
		}
		for i := range r.entries {
			g.add(&r.entries[i], problem)
		}
	}
	if maxSeq > 0 && checked == 0 {
		problem(0, "", "sequence: the ledger's last entry is %d but no entry could be read", maxSeq)
	}
	if err := db.verifyScheme(ctx, g, problem); err != nil {
		return checked, err
	}
	if err := db.verifyRuleTotals(ctx, g.ruleTotals, problem); err != nil {
		return checked, err
	}
	citizens, decisions := g.citizens, g.decisions
	if err := db.verifyCitizens(ctx, citizens, problem); err != nil {
		return checked, err
	}
	if err := db.verifyProjections(ctx, maxSeq, citizens, problem); err != nil {
		return checked, err
	}
	if err := db.verifyDecisions(ctx, decisions, problem); err != nil {
		return checked, err
	}
	if err := db.verifyCheckpoints(ctx, problem); err != nil {
		return checked, err
	}
	return checked, nil
}

func (db *DB) verifyCitizens(ctx context.Context, citizens map[string]*vcitizen, problem func(int64, string, string, ...any)) error {
	rows, err := db.r.QueryContext(ctx, `SELECT id, name, neighbourhood, birth_year, consent, registered, resident_since, consent_log FROM citizens`)
	if err != nil {
		return internal("verify", err)
	}
	defer rows.Close()
	seen := map[string]bool{}
	for rows.Next() {
		var id string
		var r citizenRef
		var consent int
		var log string
		if err := rows.Scan(&id, &r.Name, &r.Neighbourhood, &r.BirthYear, &consent, &r.Registered, &r.ResidentSince, &log); err != nil {
			return internal("verify", err)
		}
		seen[id] = true
		c := citizens[id]
		if c == nil {
			problem(0, id, "citizens table: citizen %s has no registration in the ledger", id)
			continue
		}
		want := c.ref
		want.Consent = c.consent
		r.Consent = consent == 1
		if r != want {
			problem(c.seq, id, "citizens table: row %+v differs from the ledger's %+v", r, want)
		}
		if wantLog := strings.Join(c.log, " "); log != wantLog {
			problem(c.seq, id, "citizens table: consent log %q differs from the ledger's consent entries %q", log, wantLog)
		}
	}
	if err := rows.Err(); err != nil {
		return internal("verify", err)
	}
	for _, id := range sortedKeys(citizens) {
		if !seen[id] {
			problem(citizens[id].seq, id, "citizens table: citizen %s registered in the ledger is missing", id)
		}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// projCols4 are the projection columns Verify checks beside the state.
type projCols4 struct{ score, band, lockGrade, lockedUntil int64 }

// storedTrail is the trail table held by sequence number (dense: at most
// one row a ledger entry); rows past the ledger's end can only be extra
// and are kept aside.
type storedTrail struct {
	bySeq [][]byte
	past  map[int64][]byte
	n     int
}

func (t *storedTrail) get(seq int64) ([]byte, bool) {
	if seq >= 1 && seq < int64(len(t.bySeq)) {
		return t.bySeq[seq], t.bySeq[seq] != nil
	}
	b, ok := t.past[seq]
	return b, ok
}

func (db *DB) verifyProjections(ctx context.Context, maxSeq int64, citizens map[string]*vcitizen, problem func(int64, string, string, ...any)) error {
	stored, extra, err := db.storedProjections(ctx, problem)
	if err != nil {
		return err
	}
	trail, err := db.storedTrail(ctx, maxSeq)
	if err != nil {
		return err
	}
	vc, err := db.storedCaches(ctx, citizens, problem)
	if err != nil {
		return err
	}
	var live atomic.Int64
	defer func() {
		if int(live.Load()) != trail.n {
			extraTrail(citizens, trail, problem)
		}
	}()
	ids := sortedKeys(citizens)
	for _, id := range sortedKeys(stored) {
		if citizens[id] == nil {
			problem(0, id, "projection for citizen %s, who is not in the ledger", id)
		}
	}
	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	next := make(chan string, 256)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var sbuf []byte
			for id := range next {
				sbuf = db.verifyCitizen(id, citizens[id], stored[id], extra[id], trail, vc, &live, sbuf, problem)
			}
		}()
	}
	for _, id := range ids {
		select {
		case next <- id:
		case <-ctx.Done():
			close(next)
			wg.Wait()
			return ctx.Err()
		}
	}
	close(next)
	wg.Wait()
	return nil
}

// verifyRuleTotals compares the running totals of records per rule with
// the ledger's records and reversals.
func (db *DB) verifyRuleTotals(ctx context.Context, want map[string]int64, problem func(int64, string, string, ...any)) error {
	rows, err := db.r.QueryContext(ctx, `SELECT rule, records FROM rule_totals`)
	if err != nil {
		return internal("verify", err)
	}
	have := map[string]int64{}
	for rows.Next() {
		var rule string
		var n int64
		if err := rows.Scan(&rule, &n); err != nil {
			rows.Close()
			return internal("verify", err)
		}
		have[rule] = n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return internal("verify", err)
	}
	for _, rule := range sortedKeys(have) {
		if have[rule] != want[rule] {
			problem(0, "", "rule_totals: rule %s has %d records, the ledger %d", rule, have[rule], want[rule])
		}
	}
	for _, rule := range sortedKeys(want) {
		if _, ok := have[rule]; !ok && want[rule] != 0 {
			problem(0, "", "rule_totals: rule %s has no total, the ledger %d records", rule, want[rule])
		}
	}
	return nil
}

// storedProjections reads every stored projection, with the columns the
// lists filter on.
func (db *DB) storedProjections(ctx context.Context, problem func(int64, string, string, ...any)) (map[string]*proj, map[string]projCols4, error) {
	stored := map[string]*proj{}
	extra := map[string]projCols4{}
	rows, err := db.r.QueryContext(ctx, `SELECT `+projCols+` FROM projections`)
	if err != nil {
		return nil, nil, internal("verify", err)
	}
	for rows.Next() {
		p := &proj{}
		var state []byte
		var c projCols4
		if err := rows.Scan(&p.citizen, &state, &c.score, &c.band, &c.lockGrade, &c.lockedUntil, &p.since, &p.seq, &p.registered); err != nil {
			rows.Close()
			return nil, nil, internal("verify", err)
		}
		st, err := decodeState(state, p.citizen)
		if err != nil {
			problem(0, p.citizen, "projection: state does not decode: %v", err)
			continue
		}
		p.st = st
		stored[p.citizen] = p
		extra[p.citizen] = c
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, internal("verify", err)
	}
	return stored, extra, nil
}

// storedTrail reads the whole trail table.
func (db *DB) storedTrail(ctx context.Context, maxSeq int64) (*storedTrail, error) {
	t := &storedTrail{bySeq: make([][]byte, maxSeq+1)}
	trows, err := db.r.QueryContext(ctx, `SELECT seq, item FROM trail`)
	if err != nil {
		return nil, internal("verify", err)
	}
	for trows.Next() {
		var seq int64
		var b []byte
		if err := trows.Scan(&seq, &b); err != nil {
			trows.Close()
			return nil, internal("verify", err)
		}
		if b == nil {
			b = []byte{}
		}
		if seq >= 1 && seq <= maxSeq {
			t.bySeq[seq] = b
		} else {
			if t.past == nil {
				t.past = map[int64][]byte{}
			}
			t.past[seq] = b
		}
		t.n++
	}
	trows.Close()
	if err := trows.Err(); err != nil {
		return nil, internal("verify", err)
	}
	return t, nil
}

// extraTrail reports the trail rows of no standing record.
func extraTrail(citizens map[string]*vcitizen, trail *storedTrail, problem func(int64, string, string, ...any)) {
	standing := map[int64]bool{}
	for _, c := range citizens {
		for _, e := range liveRecords(c.recs, c.reversed) {
			standing[e.Seq] = true
		}
	}
	var extra []int64
	for seq, b := range trail.bySeq {
		if b != nil && !standing[int64(seq)] {
			extra = append(extra, int64(seq))
		}
	}
	for seq := range trail.past {
		extra = append(extra, seq)
	}
	slices.Sort(extra)
	for _, seq := range extra {
		problem(seq, "", "trail: an entry for seq %d, which is not a standing record", seq)
	}
}

// verifyCitizen replays one citizen's standing records and compares the
// result with their stored projection p (with its columns x) and trail
// rows, counting the trail rows it accounts for in live. It returns sbuf
// for reuse.
func (db *DB) verifyCitizen(id string, c *vcitizen, p *proj, x projCols4, trail *storedTrail, vc *vcaches, live *atomic.Int64, sbuf []byte, problem func(int64, string, string, ...any)) []byte {
	if p == nil {
		problem(c.seq, id, "projection: missing")
		return sbuf
	}
	sc, err := db.scoring(&participation{birthYear: c.ref.BirthYear, residentSince: c.ref.ResidentSince, consent: boolInt(c.consent), log: strings.Join(c.log, " ")})
	if err != nil {
		problem(0, id, "consent: %v", err)
		return sbuf
	}
	recs := liveRecords(c.recs, c.reversed)
	want, err := db.rebuild(id, c.ref.Registered, sc, recs)
	if err != nil {
		problem(0, id, "replay: %v", err)
		return sbuf
	}
	if sn := vc.snaps[id]; len(sn) > 0 {
		db.verifySnapshots(id, c.ref.Registered, sc, recs, sn, problem)
	}
	if pk := vc.packs[id]; len(pk) > 0 {
		verifyPacks(id, recs, pk, &want, problem)
	}
	stale, isStale := vc.stale[id]
	sbuf = encodeState(sbuf[:0], &want.st)
	got := encodeState(nil, &p.st)
	switch {
	case !bytes.Equal(sbuf, got):
		problem(want.seq, id, "projection: stored state (score %d, %d records, lock %d until %s) differs from the replayed state (score %d, %d records, lock %d until %s)",
			p.st.Score, p.st.Events, p.st.LockGrade, p.st.LockedUntil, want.st.Score, want.st.Events, want.st.LockGrade, want.st.LockedUntil)
	case x.score != want.st.Score || x.band != int64(db.scheme.GradeOf(want.st.Score)) ||
		x.lockGrade != int64(want.st.LockGrade) || x.lockedUntil != nanos(want.st.LockedUntil):
		problem(want.seq, id, "projection: columns score %d, band %d, lock %d until %d differ from the replay's %d, %d, %d until %d",
			x.score, x.band, x.lockGrade, x.lockedUntil, want.st.Score, db.scheme.GradeOf(want.st.Score), want.st.LockGrade, nanos(want.st.LockedUntil))
	case p.since != want.since:
		problem(want.seq, id, "projection: grade since %s differs from the replay's %s", fromNanos(p.since), fromNanos(want.since))
	case p.registered != want.registered:
		problem(want.seq, id, "projection: registered %s differs from the ledger's %s", fromNanos(p.registered), fromNanos(want.registered))
	case p.seq != want.seq:
		problem(want.seq, id, "projection: last applied seq %d differs from the replay's %d", p.seq, want.seq)
	}
	for i := range want.out {
		t := &want.out[i]
		sbuf = db.encodeTrailItem(sbuf[:0], t)
		got, ok := trail.get(t.Seq)
		switch {
		case ok && isStale && nanos(t.At) >= stale:
			// Out of date by a late record and not read as stored:
			// readers replay it from the snapshots checked above.
		case !ok:
			problem(t.Seq, id, "trail: record %s has no trail entry", t.Event)
		case !bytes.Equal(got, sbuf):
			stored, err := db.decodeTrailItem(t.Seq, got)
			want := t.TrailEntry
			if stored.Factor == "" {
				// Written before the trail kept a factor model's factor and value.
				want.Factor, want.Value = "", 0
			}
			if err != nil {
				problem(t.Seq, id, "trail: the entry of record %s does not decode", t.Event)
			} else if legacyReasons(&stored.TrailEntry, &want); !stored.Equal(&want) { // equal when only the sign of a zero quantity differs (written before quantities were normalised)
				problem(t.Seq, id, "trail: the entry of record %s is %+v; the replay gives %+v", t.Event, stored.TrailEntry, t.TrailEntry)
			}
		}
	}
	live.Add(int64(len(want.out)))
	return sbuf
}

// vcaches are the per-citizen caches readers use beside the projections:
// the stale marks of trail rows, the snapshots and the record packs, by
// citizen.
type vcaches struct {
	stale map[string]int64
	snaps map[string][]snapshot
	packs map[string][]packRow
}

// storedCaches reads the stale marks and the snapshots, naming those of
// citizens the ledger does not have.
func (db *DB) storedCaches(ctx context.Context, citizens map[string]*vcitizen, problem func(int64, string, string, ...any)) (*vcaches, error) {
	vc := &vcaches{stale: map[string]int64{}, snaps: map[string][]snapshot{}, packs: map[string][]packRow{}}
	rows, err := db.r.QueryContext(ctx, `SELECT citizen, at FROM trail_stale`)
	if err := eachRow(rows, err, "verify", func() error {
		var id string
		var at int64
		err := rows.Scan(&id, &at)
		vc.stale[id] = at
		return err
	}); err != nil {
		return nil, err
	}
	rows, err = db.r.QueryContext(ctx, `SELECT citizen, at, state, since FROM snapshots ORDER BY citizen, at`)
	if err := eachRow(rows, err, "verify", func() error {
		var id string
		var sn snapshot
		err := rows.Scan(&id, &sn.at, &sn.state, &sn.since)
		vc.snaps[id] = append(vc.snaps[id], sn)
		return err
	}); err != nil {
		return nil, err
	}
	rows, err = db.r.QueryContext(ctx, `SELECT citizen, lo, hi, body FROM record_packs ORDER BY citizen, lo`)
	if err := eachRow(rows, err, "verify", func() error {
		var id string
		var pk packRow
		err := rows.Scan(&id, &pk.lo, &pk.hi, &pk.body)
		vc.packs[id] = append(vc.packs[id], pk)
		return err
	}); err != nil {
		return nil, err
	}
	for _, id := range sortedKeys(vc.stale) {
		if citizens[id] == nil {
			problem(0, id, "trail_stale: a mark for citizen %s, who is not in the ledger", id)
		}
	}
	for _, id := range sortedKeys(vc.packs) {
		if citizens[id] == nil {
			problem(0, id, "record packs: %d for citizen %s, who is not in the ledger", len(vc.packs[id]), id)
		}
	}
	for _, id := range sortedKeys(vc.snaps) {
		if citizens[id] == nil {
			problem(0, id, "snapshots: %d for citizen %s, who is not in the ledger", len(vc.snaps[id]), id)
		}
	}
	return vc, nil
}

// verifySnapshots checks a citizen's stored snapshots against a replay of
// their live records: each must hold the engine's state and grade-since
// after every record dated at or before its time, since readers replay
// from them (a file as of a past time, trail rows marked stale).
func (db *DB) verifySnapshots(id string, registered int64, sc *engine.Scoring, recs []entry, snaps []snapshot, problem func(int64, string, string, ...any)) {
	p := proj{citizen: id, st: db.eng.NewState(id), since: registered, registered: registered, sc: sc}
	q := db.eng.NewSequence(sc)
	var buf []byte
	k := 0
	check := func(next int64) {
		for ; k < len(snaps) && snaps[k].at < next; k++ {
			buf = encodeState(buf[:0], &p.st)
			if !bytes.Equal(buf, snaps[k].state) || p.since != snaps[k].since {
				problem(0, id, "snapshots: the snapshot at %s differs from the replay's state then (score %d, %d records, grade since %s)",
					fromNanos(snaps[k].at).Format(time.RFC3339Nano), p.st.Score, p.st.Events, fromNanos(p.since).Format(time.RFC3339Nano))
			}
		}
	}
	for i := range recs {
		check(recs[i].At)
		ev := recs[i].event()
		if err := db.step(&p, &ev, recs[i].Seq, q); err != nil {
			return // the replay of the projection names it
		}
		p.out = p.out[:0]
	}
	check(math.MaxInt64)
}

// vledger is what Verify gathers from the ledger, entry by entry.
type vledger struct {
	citizens      map[string]*vcitizen
	ruleTotals    map[string]int64 // records less reversals per rule, as the ledger has them
	decisions     *vdecisions
	lastScheme    *schemeRef // the newest scheme entry: the scheme the registry moved to last
	lastSchemeSeq int64
}

// add takes one ledger entry (in ledger order) into g, reporting what is
// wrong with it.
func (g *vledger) add(e *entry, problem func(int64, string, string, ...any)) {
	if g.decisions.add(e, problem) {
		return
	}
	switch e.Kind {
	case scs.EntryRecord:
		g.ruleTotals[e.Rule]++
	case scs.EntryReversal:
		g.ruleTotals[e.Rule]--
	}
	c := g.citizens[e.Citizen]
	switch e.Kind {
	case scs.EntryCitizen:
		if c != nil {
			problem(e.Seq, e.Citizen, "citizen %s is registered twice (first at seq %d)", e.Citizen, c.seq)
			return
		}
		c = &vcitizen{seq: e.Seq, reversed: map[int64]bool{}}
		if err := json.Unmarshal([]byte(e.Ref), &c.ref); err != nil {
			problem(e.Seq, e.Citizen, "citizen entry: unreadable registration: %v", err)
		}
		c.consent = c.ref.Consent
		g.citizens[e.Citizen] = c
	case scs.EntryConsent, scs.EntryRecord, scs.EntryReversal:
		if c == nil {
			problem(e.Seq, e.Citizen, "%s entry for citizen %s, who is not registered before it", e.Kind, e.Citizen)
			return
		}
		switch e.Kind {
		case scs.EntryConsent:
			c.consent = e.Consent
			c.log = append(c.log, consentLogItem(c.consent, e.Recorded))
		case scs.EntryRecord:
			e.Ref = ""
			c.recs = append(c.recs, *e)
		case scs.EntryReversal:
			if e.Target <= 0 {
				problem(e.Seq, e.Citizen, "reversal entry: no reversed record (target %d)", e.Target)
				return
			}
			c.reversed[e.Target] = true
		}
	case scs.EntryScheme:
		var r schemeRef
		if err := json.Unmarshal([]byte(e.Ref), &r); err != nil {
			problem(e.Seq, "", "scheme entry: unreadable: %v", err)
			return
		}
		g.lastScheme, g.lastSchemeSeq = &r, e.Seq
	case scs.EntryRescore:
		if c == nil {
			problem(e.Seq, e.Citizen, "rescore entry for citizen %s, who is not registered before it", e.Citizen)
		}
	default:
		problem(e.Seq, e.Citizen, "unknown entry kind %q", e.Kind)
	}
}

// verifyScheme checks that a registry that moved to another scheme scores
// with the last it moved to, and that its meta table says so.
func (db *DB) verifyScheme(ctx context.Context, g *vledger, problem func(int64, string, string, ...any)) error {
	if g.lastScheme != nil {
		// The registry moved to another scheme: the one it scores with
		// must be the last it moved to, and so must its meta table say.
		var meta string
		if err := db.r.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'scheme_fingerprint'`).Scan(&meta); err != nil {
			return internal("verify", err)
		}
		if fp := db.scheme.Fingerprint(); g.lastScheme.ToFingerprint != fp || meta != fp {
			problem(g.lastSchemeSeq, "", "scheme: the ledger's last scheme entry moved the registry to scheme %s (fingerprint %s); the database says %s and is read with scheme %s (fingerprint %s)",
				g.lastScheme.To, g.lastScheme.ToFingerprint, meta, db.scheme.Name, fp)
		}
	}
	return nil
}

// legacyReasons gives stored, an entry written before reasons were stored
// as structure, the replay's reasons when its words are the replay's: its
// structure is then the replay's, and only words can be compared.
func legacyReasons(stored, replay *scs.TrailEntry) {
	if len(stored.Reasons) == 1 && stored.Reasons[0].Code == scs.ReasonText && stored.Reason == replay.Reason {
		stored.Reasons = replay.Reasons
	}
}
