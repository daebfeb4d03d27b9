package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"scs"
	"scs/engine"
	"slices"
	"time"
)

// Record packs (table record_packs, migration 012) hold what a replay reads
// of a citizen's standing records, many records to a row, so that a late
// record dated early in a long history reads a few dozen packs rather than
// tens of thousands of ledger rows. A citizen's packs cover their standing
// records dated up to the hi of their last pack (the sealed part of their
// history); the records after it are read from the ledger. Each pack holds
// the standing records dated from its lo to its hi, in the engine's order
// (time, then ledger order); the first pack's lo is math.MinInt64 and each
// next pack starts where the one before ended (lo = hi + 1), so every time
// up to the last hi belongs to exactly one pack. Packs are written in the
// writer's transaction with the ledger entries they follow from, and scs
// verify checks them against the ledger.

// packMax is how many records a pack holds before a late record splits it
// in two (a group of records at one instant is never split, so a pack may
// hold more); packEvery is how many records of a citizen are applied in
// order before the writer seals them into packs (at least).
const (
	packMax   = 1024
	packEvery = 256
)

func (db *DB) packMax() int {
	if db.packSize > 0 {
		return db.packSize
	}
	return packMax
}

func (db *DB) packEvery() int {
	if db.packSize > 0 {
		return max(db.packSize/2, 1)
	}
	return packEvery
}

// packVersion is the first byte of every pack.
const packVersion = 1

// A pack's encoding:
//
//	version byte, uvarint n (records), uvarint k (rule names), k times
//	(uvarint length, name); then n records, each: varint seq (the first
//	absolute, then the difference from the previous record's), varint at
//	(likewise; never negative after the first), uvarint rule (index into
//	the names), uvarint length and record id, a flags byte (1: quantity,
//	2: points), the quantity's 8 IEEE 754 bytes (big-endian) when flagged,
//	varint points when flagged.
func encodePack(b []byte, recs []entry) []byte {
	b = append(b, packVersion)
	b = binary.AppendUvarint(b, uint64(len(recs)))
	var names []string
	index := map[string]int{}
	for i := range recs {
		if _, ok := index[recs[i].Rule]; !ok {
			index[recs[i].Rule] = len(names)
			names = append(names, recs[i].Rule)
		}
	}
	b = binary.AppendUvarint(b, uint64(len(names)))
	for _, s := range names {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	var seq, at int64
	for i := range recs {
		e := &recs[i]
		b = binary.AppendVarint(b, e.Seq-seq)
		b = binary.AppendVarint(b, e.At-at)
		seq, at = e.Seq, e.At
		b = binary.AppendUvarint(b, uint64(index[e.Rule]))
		b = binary.AppendUvarint(b, uint64(len(e.Rid)))
		b = append(b, e.Rid...)
		b = append(b, e.flags())
		if e.HasQ {
			b = binary.BigEndian.AppendUint64(b, math.Float64bits(e.Quantity))
		}
		if e.HasP {
			b = binary.AppendVarint(b, e.Points)
		}
	}
	return b
}

var errPack = errors.New("corrupt record pack")

// packReader decodes a pack record by record.
type packReader struct {
	b       []byte
	s       string // the whole pack, of which record ids are substrings
	names   []string
	nums    []int // the engine's numbers of names plus one, when set (see number)
	n, i    int
	seq, at int64
}

// open starts reading pack b; it checks the header and the rule names.
func (r *packReader) open(b []byte) error {
	*r = packReader{names: r.names[:0], nums: r.nums[:0]}
	if len(b) < 1 || b[0] != packVersion {
		return fmt.Errorf("%w: version %v", errPack, b[:min(len(b), 1)])
	}
	b = b[1:]
	n, k := binary.Uvarint(b)
	if k <= 0 || n > uint64(len(b)) { // every record takes several bytes
		return fmt.Errorf("%w: record count", errPack)
	}
	b = b[k:]
	names, k := binary.Uvarint(b)
	if k <= 0 || names > uint64(len(b)) {
		return fmt.Errorf("%w: rule count", errPack)
	}
	b = b[k:]
	for range names {
		l, k := binary.Uvarint(b)
		if k <= 0 || l > uint64(len(b)-k) {
			return fmt.Errorf("%w: rule name", errPack)
		}
		r.names = append(r.names, string(b[k:k+int(l)]))
		b = b[k+int(l):]
	}
	r.b, r.n = b, int(n)
	if n > 0 {
		r.s = string(r.b) // one allocation for the pack rather than one a record
	}
	return nil
}

// next decodes the next record into e (its sequence number, time, rule,
// id, quantity and points; the rest of e is left as it is); ok is false
// after the last one. Records must come in the engine's order.
func (r *packReader) next(e *entry) (ok bool, err error) {
	if r.i == r.n {
		if len(r.b) > 0 {
			return false, fmt.Errorf("%w: %d bytes after the last record", errPack, len(r.b))
		}
		return false, nil
	}
	b := r.b
	fail := func(what string) (bool, error) {
		return false, fmt.Errorf("%w: record %d: %s", errPack, r.i+1, what)
	}
	ds, k := binary.Varint(b)
	if k <= 0 {
		return fail("seq")
	}
	b = b[k:]
	da, k := binary.Varint(b)
	if k <= 0 {
		return fail("time")
	}
	b = b[k:]
	if r.i > 0 && (da < 0 || da == 0 && ds <= 0) {
		return fail("out of order")
	}
	ri, k := binary.Uvarint(b)
	if k <= 0 || ri >= uint64(len(r.names)) {
		return fail("rule")
	}
	b = b[k:]
	l, k := binary.Uvarint(b)
	if k <= 0 || l > uint64(len(b)-k) {
		return fail("record id")
	}
	off := len(r.s) - len(b) + k
	rid := r.s[off : off+int(l)]
	b = b[k+int(l):]
	if len(b) < 1 || b[0] > 3 {
		return fail("flags")
	}
	flags := b[0]
	b = b[1:]
	e.Quantity, e.HasQ, e.Points, e.HasP = 0, false, 0, false
	if flags&1 != 0 {
		if len(b) < 8 {
			return fail("quantity")
		}
		e.Quantity, e.HasQ = math.Float64frombits(binary.BigEndian.Uint64(b)), true
		b = b[8:]
	}
	if flags&2 != 0 {
		p, k := binary.Varint(b)
		if k <= 0 {
			return fail("points")
		}
		e.Points, e.HasP = p, true
		b = b[k:]
	}
	r.seq += ds
	r.at += da
	e.Seq, e.At, e.Rule, e.Rid, e.ruleNo = r.seq, r.at, r.names[ri], rid, 0
	if len(r.nums) > 0 {
		e.ruleNo = r.nums[ri]
	}
	e.Kind = scs.EntryRecord
	r.b = b
	r.i++
	return true, nil
}

// number sets the engine's numbers of the rules of the pack open (see
// entry.ruleNo), so that a replay steps its records without looking their
// rules up by name.
func (r *packReader) number(eng *engine.Engine) {
	for _, name := range r.names {
		r.nums = append(r.nums, eng.RuleNumber(name)+1)
	}
}

// packLen returns how many records pack b holds, as its header says (0
// when it cannot be read: the decoder reports it).
func packLen(b []byte) int {
	if len(b) < 1 || b[0] != packVersion {
		return 0
	}
	n, k := binary.Uvarint(b[1:])
	if k <= 0 || n > uint64(len(b)) {
		return 0
	}
	return int(n)
}

// decodePack returns the records of pack b.
func decodePack(b []byte) ([]entry, error) {
	var r packReader
	if err := r.open(b); err != nil {
		return nil, err
	}
	out := make([]entry, 0, r.n)
	for {
		var e entry
		ok, err := r.next(&e)
		if err != nil {
			return nil, err
		}
		if !ok {
			return out, nil
		}
		out = append(out, e)
	}
}

// packRow is a stored pack.
type packRow struct {
	lo, hi int64
	body   []byte
}

// packName names a pack in errors and verify's findings.
func packName(citizen string, lo int64) string {
	if lo == math.MinInt64 {
		return fmt.Sprintf("citizen %s: the first record pack", citizen)
	}
	return fmt.Sprintf("citizen %s: the record pack from %s", citizen, fromNanos(lo).Format(time.RFC3339Nano))
}

// readPacks returns the citizen's packs holding records dated after from
// and at or before to, in order, and the hi of the last (math.MinInt64
// when there is none): the records after it are not in them.
func (db *DB) readPacks(ctx context.Context, q querier, citizen string, from, to int64) ([]packRow, int64, error) {
	sealed := int64(math.MinInt64)
	if from >= to {
		return nil, sealed, nil
	}
	rows, err := q.QueryContext(ctx, db.q(`SELECT lo, hi, body FROM record_packs WHERE citizen = ? AND hi > ? AND lo <= ? ORDER BY lo`), citizen, from, to)
	if err != nil {
		return nil, sealed, internal("record packs", err)
	}
	defer rows.Close()
	var out []packRow
	for rows.Next() {
		var pk packRow
		if err := rows.Scan(&pk.lo, &pk.hi, &pk.body); err != nil {
			return nil, sealed, internal("record packs", err)
		}
		out = append(out, pk)
		sealed = max(sealed, pk.hi)
	}
	if err := rows.Err(); err != nil {
		return nil, sealed, internal("record packs", err)
	}
	return out, sealed, nil
}

// histSource yields the records of a replay (a recSource): those of packs
// dated after from and at or before to, then tail (the ledger's records
// after the packs), merged with extra (records not yet in the ledger, each
// after the others at its instant).
type histSource struct {
	eng      *engine.Engine // numbers the packs' rules
	citizen  string
	from, to int64
	packs    []packRow
	k        int // the pack being read is packs[k-1]
	r        packReader
	reading  bool
	tail     []entry
	ti       int
	extra    []entry
	xi       int
	base     *entry // the next record of the packs or the tail
	bufs     [3]entry
	bi       int // the buffer to decode the next pack record into
	done     bool
}

func (s *histSource) next() (*entry, error) {
	if s.base == nil && !s.done {
		var err error
		if s.base, err = s.fetch(); err != nil {
			return nil, err
		}
	}
	if s.xi < len(s.extra) && (s.base == nil || s.extra[s.xi].At < s.base.At) {
		s.xi++
		return &s.extra[s.xi-1], nil
	}
	e := s.base
	s.base = nil
	return e, nil
}

// fetch returns the next record of the packs or the tail (nil after the
// last). A pack's record is decoded into the buffer after the one before
// (of three: the caller holds at most two of them).
func (s *histSource) fetch() (*entry, error) {
	for s.k <= len(s.packs) {
		if !s.reading {
			if s.k == len(s.packs) {
				s.k++
				break
			}
			if err := s.r.open(s.packs[s.k].body); err != nil {
				return nil, fmt.Errorf("%s: %w", packName(s.citizen, s.packs[s.k].lo), err)
			}
			if s.eng != nil {
				s.r.number(s.eng)
			}
			s.k++
			s.reading = true
		}
		e := &s.bufs[s.bi]
		ok, err := s.r.next(e)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", packName(s.citizen, s.packs[s.k-1].lo), err)
		}
		if !ok {
			s.reading = false
			continue
		}
		if e.At <= s.from {
			continue
		}
		if e.At > s.to {
			s.k = len(s.packs) + 1
			break
		}
		e.Citizen = s.citizen
		s.bi = (s.bi + 1) % len(s.bufs)
		return e, nil
	}
	if s.ti < len(s.tail) {
		s.ti++
		return &s.tail[s.ti-1], nil
	}
	s.done = true
	return nil, nil
}

// splitPacks cuts recs (in the engine's order) into runs of about size
// records, never between two records at one instant.
func splitPacks(recs []entry, size int) [][]entry {
	var out [][]entry
	for len(recs) > 0 {
		n := min(size, len(recs))
		for n < len(recs) && recs[n].At == recs[n-1].At {
			n++
		}
		out = append(out, recs[:n])
		recs = recs[n:]
	}
	return out
}

// savePacks brings the record packs of the citizens of ps up to date with
// the records their projections were computed from: all packed anew after
// a replay of the whole history, new records dated within the packs
// inserted into theirs, the records after the packs sealed into them
// every packEvery records applied in order.
func (w *wtx) savePacks(ps []*proj) error {
	for _, p := range ps {
		var err error
		switch {
		case p.repack:
			err = w.repack(p, !p.packFresh)
		case len(p.packAdd) > 0:
			err = w.packInsert(p.citizen, p.packAdd)
		}
		if err == nil && p.packSeal {
			err = w.packSeal(p)
		}
		p.repack, p.packAll, p.packFresh, p.packAdd, p.packSeal = false, nil, false, nil, false
		if err != nil {
			return err
		}
	}
	return nil
}

// repack replaces the packs of p's citizen (del: deleting those stored)
// with packs of p.packAll, their standing records in the engine's order,
// up to their last scored record (scoredTo). A citizen with fewer than
// packEvery such records has none: a replay reads their few records from
// the ledger.
func (w *wtx) repack(p *proj, del bool) error {
	if del {
		if _, err := w.exec(`DELETE FROM record_packs WHERE citizen = ?`, p.citizen); err != nil {
			return err
		}
	}
	last, ok := p.scoredTo()
	if !ok {
		return nil
	}
	recs := p.packAll
	n, _ := slices.BinarySearchFunc(recs, last+1, func(e entry, t int64) int { return cmp.Compare(e.At, t) })
	if n < w.db.packEvery() {
		return nil
	}
	return w.writePacks(p.citizen, math.MinInt64, recs[:n])
}

// writePacks inserts packs of recs (in the engine's order), the first
// starting at lo.
func (w *wtx) writePacks(citizen string, lo int64, recs []entry) error {
	runs := splitPacks(recs, w.db.packMax())
	for i, run := range runs {
		hi := run[len(run)-1].At
		if i+1 < len(runs) {
			hi = runs[i+1][0].At - 1
		}
		if _, err := w.exec(`INSERT INTO record_packs (citizen, lo, hi, body) VALUES (?, ?, ?, ?)`, citizen, lo, hi, encodePack(nil, run)); err != nil {
			return err
		}
		lo = hi + 1
	}
	return nil
}

// packAt reads the citizen's pack holding time at: the one with the
// greatest lo at or before it (nil when the citizen has no packs).
func (w *wtx) packAt(citizen string, at int64) (*packRow, error) {
	pk := &packRow{}
	err := w.queryRow(`SELECT lo, hi, body FROM record_packs WHERE citizen = ? AND lo <= ? ORDER BY lo DESC LIMIT 1`, citizen, at).Scan(&pk.lo, &pk.hi, &pk.body)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, nil
	case err != nil:
		return nil, internal("record packs", err)
	}
	return pk, nil
}

// packInsert puts the citizen's new records adds (in the ledger, after
// every record at their instant; in the engine's order) that are dated
// within their packs into the packs holding their times, each pack read
// and written once however many go into it, splitting a pack that grows
// past packMax. The others are after the packs and read from the ledger.
func (w *wtx) packInsert(citizen string, adds []entry) error {
	for len(adds) > 0 {
		pk, err := w.packAt(citizen, adds[0].At)
		if err != nil || pk == nil || adds[0].At > pk.hi {
			return err
		}
		n := 1
		for n < len(adds) && adds[n].At <= pk.hi {
			n++
		}
		recs, err := decodePack(pk.body)
		if err != nil {
			return internal("record packs", fmt.Errorf("%s: %w", packName(citizen, pk.lo), err))
		}
		recs = append(recs, adds[:n]...)
		slices.SortFunc(recs, func(a, b entry) int {
			if c := cmp.Compare(a.At, b.At); c != 0 {
				return c
			}
			return cmp.Compare(a.Seq, b.Seq)
		})
		if err := w.rewritePack(citizen, pk, recs); err != nil {
			return err
		}
		adds = adds[n:]
	}
	return nil
}

// rewritePack stores recs as the pack pk (lo to hi): in as many packs of
// about equal size as keep each at most packMax when they are more, cut
// only between instants.
func (w *wtx) rewritePack(citizen string, pk *packRow, recs []entry) error {
	runs := [][]entry{recs}
	if len(recs) > w.db.packMax() {
		parts := len(recs)/w.db.packMax() + 1
		runs = splitPacks(recs, (len(recs)+parts-1)/parts)
	}
	for i, run := range runs {
		lo, hi := run[0].At, pk.hi
		if i == 0 {
			lo = pk.lo
		}
		if i+1 < len(runs) {
			hi = runs[i+1][0].At - 1
		}
		var err error
		if i == 0 {
			_, err = w.exec(`UPDATE record_packs SET hi = ?, body = ? WHERE citizen = ? AND lo = ?`, hi, encodePack(nil, run), citizen, lo)
		} else {
			_, err = w.exec(`INSERT INTO record_packs (citizen, lo, hi, body) VALUES (?, ?, ?, ?)`, citizen, lo, hi, encodePack(nil, run))
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// packSeal seals the records of p's citizen after their packs, up to their
// last scored record (scoredTo), into them: into the last pack while it
// has room, into new packs after it otherwise.
func (w *wtx) packSeal(p *proj) error {
	citizen := p.citizen
	to, ok := p.scoredTo()
	if !ok {
		return nil
	}
	last, err := w.packAt(citizen, math.MaxInt64)
	if err != nil {
		return err
	}
	from := int64(math.MinInt64)
	if last != nil {
		from = last.hi
	}
	tail, err := w.db.ledgerTail(w.ctx, w.tx, citizen, from, to)
	if err != nil || len(tail) == 0 {
		return err
	}
	if last == nil {
		return w.writePacks(citizen, math.MinInt64, tail)
	}
	recs, err := decodePack(last.body)
	if err != nil {
		return internal("record packs", fmt.Errorf("%s: %w", packName(citizen, last.lo), err))
	}
	if len(recs)+len(tail) <= w.db.packMax() {
		_, err := w.exec(`UPDATE record_packs SET hi = ?, body = ? WHERE citizen = ? AND lo = ?`, tail[len(tail)-1].At, encodePack(nil, append(recs, tail...)), citizen, last.lo)
		return err
	}
	return w.writePacks(citizen, last.hi+1, tail)
}

// verifyPacks checks a citizen's stored packs (in order of lo) against
// recs, their standing records in the engine's order: the packs must run
// on from the smallest time without gaps or overlaps, each hold only
// records dated within it, and together hold exactly the standing records
// dated up to the last pack's hi, as the ledger has them; and the last
// must end at or before the citizen's last scored record (want.scoredTo).
func verifyPacks(id string, recs []entry, packs []packRow, want *proj, problem func(int64, string, string, ...any)) {
	if to, ok := want.scoredTo(); !ok || packs[len(packs)-1].hi > to {
		problem(0, id, "record packs: %s ends after the citizen's last scored record", packName(id, packs[len(packs)-1].lo))
	}
	k := 0 // the next record of recs a pack should hold
	for i := range packs {
		pk := &packs[i]
		name := packName(id, pk.lo)
		switch {
		case i == 0 && pk.lo != math.MinInt64:
			problem(0, id, "record packs: %s is the first, but does not start at the beginning", name)
		case i > 0 && pk.lo != packs[i-1].hi+1:
			problem(0, id, "record packs: %s does not start where the one before ends (%s)", name, fromNanos(packs[i-1].hi).Format(time.RFC3339Nano))
		case pk.hi < pk.lo:
			problem(0, id, "record packs: %s ends before it starts", name)
		}
		got, err := decodePack(pk.body)
		if err != nil {
			problem(0, id, "record packs: %s: %v", name, err)
			return
		}
		for j := range got {
			g := &got[j]
			if g.At < pk.lo || g.At > pk.hi {
				problem(g.Seq, id, "record packs: %s holds seq %d dated %s, outside it", name, g.Seq, fromNanos(g.At).Format(time.RFC3339Nano))
				return
			}
			if k == len(recs) || recs[k].At > pk.hi {
				problem(g.Seq, id, "record packs: %s holds seq %d, which is not a standing record of the citizen there", name, g.Seq)
				return
			}
			w := &recs[k]
			if g.Seq != w.Seq || g.At != w.At || g.Rid != w.Rid || g.Rule != w.Rule || g.HasQ != w.HasQ || g.HasP != w.HasP ||
				g.HasQ && math.Float64bits(g.Quantity) != math.Float64bits(w.Quantity) || g.HasP && g.Points != w.Points {
				problem(w.Seq, id, "record packs: %s holds seq %d (record %s, rule %s, at %s) where the ledger's standing record is seq %d (record %s, rule %s, at %s)",
					name, g.Seq, g.Rid, g.Rule, fromNanos(g.At).Format(time.RFC3339Nano), w.Seq, w.Rid, w.Rule, fromNanos(w.At).Format(time.RFC3339Nano))
				return
			}
			k++
		}
		if k < len(recs) && recs[k].At <= pk.hi {
			problem(recs[k].Seq, id, "record packs: %s lacks seq %d (record %s), a standing record dated within it", name, recs[k].Seq, recs[k].Rid)
			return
		}
	}
}
