package store

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"math"
	"strconv"
	"time"

	"scs"
)

// entry is one ledger row. Rid is the client's record id (records only).
// Target and Objection are a reversal's reversed record (its sequence
// number) and the objection upheld; Consent is a consent entry's new
// consent. Ref is a document that goes with the entry: a citizen's
// registration, or the row a decision entry records, as JSON.
//
// The hash covers the entry as it was first written, when a reversal's
// reference and a consent change were text in Ref: refText gives that
// text back, so the typed columns (migration 008) left every hash as it
// was.
type entry struct {
	Seq        int64
	Kind       string
	Rid        string
	Citizen    string
	Rule       string
	At         int64 // unix nanoseconds, conduct time
	Quantity   float64
	HasQ       bool
	Points     int64
	HasP       bool
	Department string
	Evidence   string
	Ref        string
	Target     int64 // reversal: the reversed record's sequence number
	Objection  int64 // reversal: the objection upheld
	Consent    bool  // consent: opted in (true) or out
	Recorded   int64 // unix nanoseconds
	Account    int64

	hash [32]byte // set when appended or read; not part of the canonical encoding
	// ruleNo is the engine's number of Rule plus one, when a replay knows
	// it (a record read from a pack); 0 otherwise.
	ruleNo int
}

// canonical appends the entry's canonical encoding, the bytes its hash
// covers: every column but the hash, strings length-prefixed, integers
// fixed-width big-endian.
func (e *entry) canonical(b []byte) []byte {
	b = binary.BigEndian.AppendUint64(b, uint64(e.Seq))
	for _, s := range [...]string{e.Kind, e.Rid, e.Citizen, e.Rule} {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	b = binary.BigEndian.AppendUint64(b, uint64(e.At))
	b = append(b, e.flags())
	b = binary.BigEndian.AppendUint64(b, math.Float64bits(e.Quantity))
	b = binary.BigEndian.AppendUint64(b, uint64(e.Points))
	for _, s := range [...]string{e.Department, e.Evidence, e.refText()} {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	b = binary.BigEndian.AppendUint64(b, uint64(e.Recorded))
	b = binary.BigEndian.AppendUint64(b, uint64(e.Account))
	return b
}

// refText is the reference the entry's hash covers: Ref, or for a
// reversal "seq:TARGET objection:OBJECTION" and for a consent change "1"
// or "0" (how they were written before they had columns of their own).
func (e *entry) refText() string {
	if e.Ref != "" {
		return e.Ref
	}
	switch e.Kind {
	case scs.EntryReversal:
		return "seq:" + strconv.FormatInt(e.Target, 10) + " objection:" + strconv.FormatInt(e.Objection, 10)
	case scs.EntryConsent:
		if e.Consent {
			return "1"
		}
		return "0"
	}
	return ""
}

// chain returns SHA-256(prev || canonical(e)), using buf as scratch space.
func (e *entry) chain(prev [32]byte, buf []byte) ([32]byte, []byte) {
	buf = append(buf[:0], prev[:]...)
	buf = e.canonical(buf)
	return sha256.Sum256(buf), buf
}

// event returns the record entry as an engine event.
func (e *entry) event() scs.Event {
	var ev scs.Event
	e.fillEvent(&ev)
	return ev
}

// flags encodes which of quantity (1) and points (2) a record has, as the
// canonical encoding and the record packs write it.
func (e *entry) flags() byte {
	var f byte
	if e.HasQ {
		f |= 1
	}
	if e.HasP {
		f |= 2
	}
	return f
}

// fillEvent sets ev to the record entry as an engine event, in place (a
// replay's loop reuses one).
func (e *entry) fillEvent(ev *scs.Event) {
	ev.ID, ev.Citizen, ev.Rule, ev.At = e.Rid, e.Citizen, e.Rule, fromNanos(e.At)
	ev.Department, ev.Evidence, ev.ByConduct = e.Department, e.Evidence, false
	ev.Quantity, ev.HasQuantity, ev.Points, ev.HasPoints = 0, false, 0, false
	if e.HasQ {
		ev.Quantity, ev.HasQuantity = e.Quantity, true
	}
	if e.HasP {
		ev.Points, ev.HasPoints = e.Points, true
	}
}

func fromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

func nanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

var errCorrupt = errors.New("corrupt projection encoding")

// encodeState appends a compact encoding of st (without the citizen id).
func encodeState(b []byte, st *scs.State) []byte {
	b = binary.AppendVarint(b, st.Score)
	b = binary.AppendVarint(b, int64(st.LockGrade))
	b = binary.AppendVarint(b, nanos(st.LockedUntil))
	b = binary.AppendVarint(b, int64(st.Events))
	b = binary.AppendVarint(b, nanos(st.LastAt))
	b = binary.AppendVarint(b, int64(st.Year))
	b = binary.AppendUvarint(b, uint64(len(st.Yearly)))
	for _, v := range st.Yearly {
		b = binary.AppendVarint(b, v)
	}
	// A factor model's records follow, only when there are any, so that a
	// points scheme's encoding is what it was before factor models.
	if len(st.Records) > 0 {
		b = binary.AppendUvarint(b, uint64(len(st.Records)))
		for _, rc := range st.Records {
			b = binary.AppendVarint(b, rc.At.UnixNano())
			b = binary.AppendUvarint(b, uint64(rc.Factor))
			b = binary.BigEndian.AppendUint64(b, math.Float64bits(rc.Value))
		}
	}
	return b
}

type reader struct {
	b   []byte
	err error
}

func (r *reader) varint() int64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.err = errCorrupt
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err = errCorrupt
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) str() string {
	n := r.uvarint()
	if r.err != nil {
		return ""
	}
	if n > uint64(len(r.b)) {
		r.err = errCorrupt
		return ""
	}
	s := string(r.b[:n])
	r.b = r.b[n:]
	return s
}

func (r *reader) u64() uint64 {
	if r.err != nil {
		return 0
	}
	if len(r.b) < 8 {
		r.err = errCorrupt
		return 0
	}
	v := binary.BigEndian.Uint64(r.b)
	r.b = r.b[8:]
	return v
}

// decodeState decodes what encodeState wrote.
func decodeState(b []byte, citizen string) (scs.State, error) {
	r := reader{b: b}
	st := scs.State{Citizen: citizen}
	st.Score = r.varint()
	st.LockGrade = int(r.varint())
	st.LockedUntil = fromNanos(r.varint())
	st.Events = int(r.varint())
	st.LastAt = fromNanos(r.varint())
	st.Year = int(r.varint())
	n := r.uvarint()
	if r.err == nil && n > uint64(len(r.b)) {
		r.err = errCorrupt
	}
	if n > 0 && r.err == nil {
		st.Yearly = make([]int64, n)
		for i := range st.Yearly {
			st.Yearly[i] = r.varint()
		}
	}
	if r.err == nil && len(r.b) != 0 {
		// A factor model's records: at least 10 bytes each.
		m := r.uvarint()
		if r.err == nil && (m == 0 || m > uint64(len(r.b))/10) {
			r.err = errCorrupt
		}
		for i := uint64(0); r.err == nil && i < m; i++ {
			at := r.varint()
			f := r.uvarint()
			v := r.u64()
			if f > 1<<20 {
				r.err = errCorrupt
			}
			st.Records = append(st.Records, scs.FactorRecord{At: time.Unix(0, at).UTC(), Factor: int(f), Value: math.Float64frombits(v)})
		}
	}
	if r.err == nil && len(r.b) != 0 {
		r.err = errCorrupt
	}
	return st, r.err
}

// trailItem is one stored trail entry: the engine's TrailEntry plus the
// ledger sequence number of its record.
type trailItem struct {
	Seq int64
	scs.TrailEntry
}

// encodeTrailItem appends the encoding of one trail entry (without its
// sequence number, which keys its row in the trail table).
func (db *DB) encodeTrailItem(b []byte, t *trailItem) []byte {
	b = binary.AppendUvarint(b, uint64(len(t.Event)))
	b = append(b, t.Event...)
	// A rule by its position, counted from 1; 0 and the id for conduct the
	// scheme does not score (a record kept and ignored).
	ri := db.scheme.RuleIndex(t.Rule)
	b = binary.AppendUvarint(b, uint64(ri+1))
	if ri < 0 {
		b = binary.AppendUvarint(b, uint64(len(t.Rule)))
		b = append(b, t.Rule...)
	}
	b = binary.AppendVarint(b, nanos(t.At))
	b = binary.BigEndian.AppendUint64(b, math.Float64bits(t.Quantity))
	b = binary.AppendVarint(b, t.Asked)
	b = binary.AppendVarint(b, t.Applied)
	b = binary.AppendVarint(b, t.Score)
	b = binary.AppendUvarint(b, uint64(db.scheme.GradeIndex(t.Grade)+1))
	if len(t.Reasons) == 0 {
		// The reason's words (an entry without reasons as structure, as
		// every entry was before they were stored).
		b = binary.AppendUvarint(b, uint64(len(t.Reason)))
		b = append(b, t.Reason...)
	} else {
		b = binary.AppendUvarint(b, 0) // no words: they are made from the structure below
	}
	// A factor model's record: its factor by position, counted from 1, and
	// its value. Absent otherwise, so that a points scheme's entries are
	// encoded as they were before factor models; entries written before
	// the trail kept factors lack it too.
	if fi := db.scheme.FactorIndex(t.Factor); t.Factor != "" && fi >= 0 {
		b = binary.AppendUvarint(b, uint64(fi+1))
		b = binary.BigEndian.AppendUint64(b, math.Float64bits(t.Value))
	}
	if len(t.Reasons) == 0 {
		return b
	}
	// The reasons as structure: a 0 (which no factor's number is), their
	// count and each reason. Entries written before lack it.
	b = binary.AppendUvarint(b, 0)
	b = binary.AppendUvarint(b, uint64(len(t.Reasons)))
	for i := range t.Reasons {
		b = encodeReason(b, &t.Reasons[i])
	}
	return b
}

// maxReasons bounds the reasons of one stored trail entry.
const maxReasons = 64

// reasonCodes numbers the reason codes as stored (scs.ReasonCodes' order).
var reasonCodes = func() map[scs.ReasonCode]uint64 {
	m := make(map[scs.ReasonCode]uint64, len(scs.ReasonCodes))
	for i, c := range scs.ReasonCodes {
		m[c] = uint64(i)
	}
	return m
}()

func appendStr(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// encodeReason appends one reason: its code's number and every argument.
func encodeReason(b []byte, r *scs.Reason) []byte {
	code, ok := reasonCodes[r.Code]
	if !ok { // not a code of this build: kept as its words
		code, r = reasonCodes[scs.ReasonText], &scs.Reason{Code: scs.ReasonText, Text: r.String()}
	}
	b = binary.AppendUvarint(b, code)
	b = binary.AppendVarint(b, r.N)
	b = binary.AppendVarint(b, r.M)
	b = binary.AppendVarint(b, int64(r.Year))
	b = binary.BigEndian.AppendUint64(b, math.Float64bits(r.Value))
	for _, s := range [...]string{r.Rule, r.Grade, r.Band, r.Name, r.Text} {
		b = appendStr(b, s)
	}
	b = binary.AppendVarint(b, int64(r.Period.Years))
	b = binary.AppendVarint(b, int64(r.Period.Months))
	b = binary.AppendVarint(b, int64(r.Period.Days))
	b = binary.AppendVarint(b, nanos(r.At))
	return binary.AppendVarint(b, nanos(r.Until))
}

// decodeReason decodes what encodeReason wrote, times in the scheme's zone.
func (db *DB) decodeReason(r *reader) scs.Reason {
	var x scs.Reason
	code := r.uvarint()
	if code >= uint64(len(scs.ReasonCodes)) {
		if r.err == nil {
			r.err = errCorrupt
		}
		return x
	}
	x.Code = scs.ReasonCodes[code]
	x.N, x.M, x.Year = r.varint(), r.varint(), int(r.varint())
	x.Value = math.Float64frombits(r.u64())
	x.Rule, x.Grade, x.Band, x.Name, x.Text = r.str(), r.str(), r.str(), r.str(), r.str()
	x.Period = scs.Period{Years: int(r.varint()), Months: int(r.varint()), Days: int(r.varint())}
	x.At, x.Until = db.inZone(fromNanos(r.varint())), db.inZone(fromNanos(r.varint()))
	return x
}

// inZone is t in the scheme's zone (the zero time stays zero).
func (db *DB) inZone(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return db.scheme.In(t)
}

// decodeTrailItem decodes what encodeTrailItem wrote.
func (db *DB) decodeTrailItem(seq int64, b []byte) (trailItem, error) {
	r := reader{b: b}
	t := trailItem{Seq: seq}
	t.Event = r.str()
	ri := int(r.uvarint()) - 1
	if ri >= 0 && ri < len(db.scheme.Rules) {
		t.Rule = db.scheme.Rules[ri].ID
	} else if ri == -1 {
		t.Rule = r.str()
		t.Ignored = true // a conduct the scheme does not score
	} else if r.err == nil {
		r.err = errCorrupt
	}
	t.At = fromNanos(r.varint())
	t.Quantity = math.Float64frombits(r.u64())
	t.Asked = r.varint()
	t.Applied = r.varint()
	t.Score = r.varint()
	gi := int(r.uvarint()) - 1
	if gi >= 0 && gi < len(db.scheme.Grades) {
		t.Grade = db.scheme.Grades[gi].Name
	} else if gi == -1 {
		t.NotScored = true // a record kept but not scored has no grade
	} else if r.err == nil {
		r.err = errCorrupt
	}
	t.Reason = r.str()
	if r.err == nil && len(r.b) != 0 && r.b[0] != 0 {
		fi := int(r.uvarint()) - 1
		if r.err == nil && (fi < 0 || fi >= len(db.scheme.Factors)) {
			r.err = errCorrupt
		}
		if r.err == nil {
			t.Factor = db.scheme.Factors[fi].Name
		}
		t.Value = math.Float64frombits(r.u64())
	}
	if r.err == nil && len(r.b) != 0 {
		zero := r.uvarint() // the 0 before the reasons
		n := r.uvarint()
		if zero != 0 || t.Reason != "" || n == 0 || n > maxReasons {
			r.err = errCorrupt
		}
		for i := uint64(0); r.err == nil && i < n; i++ {
			t.Reasons = append(t.Reasons, db.decodeReason(&r))
		}
		t.Reason = scs.JoinReasons(t.Reasons)
	} else if t.Reason != "" {
		// Stored before reasons were structure: only the words are known.
		t.Reasons = []scs.Reason{{Code: scs.ReasonText, Text: t.Reason}}
	}
	if r.err == nil && len(r.b) != 0 {
		r.err = errCorrupt
	}
	return t, r.err
}
