package store

import (
	"bytes"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"scs"
	"scs/schemes"
)

// FuzzDecodeState checks that the projection decoder never panics on
// arbitrary bytes and round-trips what it accepts.
func FuzzDecodeState(f *testing.F) {
	st := scs.State{Score: 940, LockGrade: 3, LockedUntil: time.Unix(1700000000, 5).UTC(), Events: 7, LastAt: time.Unix(1690000000, 0).UTC(), Year: 2024, Yearly: []int64{3, -20}}
	f.Add(encodeState(nil, &st))
	f.Add([]byte{})
	f.Add([]byte{0x80, 0x80, 0x80})
	f.Add([]byte{2, 1, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0x0f})
	fm := scs.State{Score: 513, LockGrade: -1, Events: 2, LastAt: time.Unix(1720000000, 0).UTC(),
		Records: []scs.FactorRecord{{At: time.Unix(1710000000, 0).UTC(), Factor: 0, Value: -12}, {At: time.Unix(1720000000, 0).UTC(), Factor: 3, Value: 0.5}}}
	f.Add(encodeState(nil, &fm))
	f.Fuzz(func(t *testing.T, b []byte) {
		st, err := decodeState(b, "c")
		if err != nil {
			return
		}
		back, err := decodeState(encodeState(nil, &st), "c")
		if err != nil || back.Score != st.Score || back.Events != st.Events || !back.LastAt.Equal(st.LastAt) || len(back.Yearly) != len(st.Yearly) || len(back.Records) != len(st.Records) {
			t.Fatalf("round trip of %+v: %+v, %v", st, back, err)
		}
	})
}

// TestFactorStateRoundTrip checks that a factor model's records survive
// the projection's encoding, and that a points scheme's state encodes as it
// did before factor models (nothing after the yearly slots).
func TestFactorStateRoundTrip(t *testing.T) {
	st := scs.State{Score: 513, LockGrade: -1, Events: 2, LastAt: time.Unix(1720000000, 0).UTC(),
		Records: []scs.FactorRecord{{At: time.Unix(1710000000, 7).UTC(), Factor: 0, Value: -12}, {At: time.Unix(1720000000, 0).UTC(), Factor: 3, Value: 0.0001}}}
	back, err := decodeState(encodeState(nil, &st), "c")
	if err != nil || len(back.Records) != 2 || !back.Records[0].At.Equal(st.Records[0].At) || back.Records[1] != st.Records[1] {
		t.Fatalf("round trip: %+v, %v", back, err)
	}
	pts := scs.State{Score: 940, LockGrade: -1, Yearly: []int64{3}}
	b := encodeState(nil, &pts)
	pts.Records = []scs.FactorRecord{}
	if string(encodeState(nil, &pts)) != string(b) || len(b) != 9 {
		t.Fatalf("a points state's encoding changed: %x", b)
	}
}

// FuzzDecodeTrailItem checks that the trail decoder never panics on
// arbitrary bytes and round-trips what it accepts.
func FuzzDecodeTrailItem(f *testing.F) {
	db := &DB{scheme: rongcheng(f)}
	item := trailItem{Seq: 9, TrailEntry: scs.TrailEntry{Event: "e1", Rule: "tax-evasion", At: time.Unix(1700000000, 0).UTC(),
		Asked: -100, Applied: -100, Score: 900, Grade: "B", Reason: "fell from A into B"}}
	f.Add(db.encodeTrailItem(nil, &item))
	ignored := trailItem{Seq: 10, TrailEntry: scs.TrailEntry{Event: "e2", Rule: "not-a-rule-here", At: time.Unix(1700000000, 0).UTC(),
		NotScored: true, Reason: "ignored"}}
	f.Add(db.encodeTrailItem(nil, &ignored))
	structured := trailItem{Seq: 11, TrailEntry: scs.TrailEntry{Event: "e3", Rule: "tax-evasion", At: time.Unix(1700000000, 0).UTC(),
		Asked: -100, Applied: -100, Score: 900, Grade: "B", Reasons: sampleReasons(db)}}
	f.Add(db.encodeTrailItem(nil, &structured))
	f.Add([]byte{})
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01})
	fdb := &DB{scheme: sesameScheme(f)}
	fitem := trailItem{Seq: 11, TrailEntry: scs.TrailEntry{Event: "e3", Rule: "bank-arrears", At: time.Unix(1700000000, 0).UTC(),
		Quantity: 3, Score: 565, Grade: "fair", Factor: "credit-history", Value: -12, Reason: "-12 to factor credit-history"}}
	f.Add(fdb.encodeTrailItem(nil, &fitem))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, db := range []*DB{db, fdb} {
			it, err := db.decodeTrailItem(1, b)
			if err != nil {
				continue
			}
			back, err := db.decodeTrailItem(1, db.encodeTrailItem(nil, &it))
			if err != nil || back.Event != it.Event || back.Rule != it.Rule || back.Score != it.Score || back.Reason != it.Reason ||
				back.Factor != it.Factor || math.Float64bits(back.Value) != math.Float64bits(it.Value) || back.Ignored != it.Ignored {
				t.Fatalf("round trip of %+v: %+v, %v", it, back, err)
			}
			// The reasons too (compared as bytes: a value may be NaN).
			if enc := db.encodeTrailItem(nil, &it); !bytes.Equal(db.encodeTrailItem(nil, &back), enc) || len(back.Reasons) != len(it.Reasons) {
				t.Fatalf("reasons' round trip of %+v: %+v", it.Reasons, back.Reasons)
			}
		}
	})
}

func sesameScheme(t testing.TB) *scs.Scheme {
	t.Helper()
	s, err := schemes.Load("sesame")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestTrailItemFactor: a factor model's trail entry keeps its factor and
// value; an entry written before the trail kept them still reads (without
// them); a points scheme's entry is encoded as before factor models.
func TestTrailItemFactor(t *testing.T) {
	db := &DB{scheme: sesameScheme(t)}
	it := trailItem{Seq: 4, TrailEntry: scs.TrailEntry{Event: "e8", Rule: "bank-arrears", At: time.Unix(1700000000, 0).UTC(),
		Quantity: 3, Score: 565, Grade: "fair", Factor: "credit-history", Value: -12, Reason: "-12 to factor credit-history"}}
	b := db.encodeTrailItem(nil, &it)
	back, err := db.decodeTrailItem(4, b)
	words := it.TrailEntry
	words.Reasons = []scs.Reason{{Code: scs.ReasonText, Text: it.Reason}} // words only, as read
	if err != nil || !back.Equal(&words) {
		t.Fatalf("round trip: %+v, %v; want %+v", back.TrailEntry, err, it.TrailEntry)
	}
	// With the reason as structure, after the factor.
	rs := it
	rs.Reason, rs.Reasons = "", []scs.Reason{{Code: scs.ReasonFactor, Value: -12, Name: "credit-history", Until: db.scheme.In(time.Unix(1700006400, 0))}}
	back, err = db.decodeTrailItem(4, db.encodeTrailItem(nil, &rs))
	rs.Reason = scs.JoinReasons(rs.Reasons)
	if err != nil || !back.Equal(&rs.TrailEntry) {
		t.Fatalf("round trip with reasons: %+v, %v; want %+v", back.TrailEntry, err, rs.TrailEntry)
	}
	old := it
	old.Factor, old.Value = "", 0
	ob := db.encodeTrailItem(nil, &old)
	if len(ob) >= len(b) || string(b[:len(ob)]) != string(ob) {
		t.Fatalf("the factor is not a tail after the old encoding: %x, %x", ob, b)
	}
	back, err = db.decodeTrailItem(4, ob)
	if err != nil || back.Factor != "" || back.Value != 0 || back.Reason != it.Reason {
		t.Fatalf("an entry without a factor: %+v, %v", back, err)
	}
	for _, bad := range [][]byte{append(ob[:len(ob):len(ob)], 0), append(ob[:len(ob):len(ob)], 9, 0, 0, 0, 0, 0, 0, 0, 0), b[:len(b)-1]} {
		if _, err := db.decodeTrailItem(4, bad); err == nil {
			t.Errorf("%x decoded", bad)
		}
	}
	pdb := &DB{scheme: rongcheng(t)}
	pt := trailItem{Seq: 9, TrailEntry: scs.TrailEntry{Event: "e1", Rule: "tax-evasion", At: time.Unix(1700000000, 0).UTC(), Asked: -100, Applied: -100, Score: 900, Grade: "B"}}
	if got, want := fmt.Sprintf("%x", pdb.encodeTrailItem(nil, &pt)), "026531058080d0e2c6bfce972f0000000000000000c701c701880e0400"; got != want {
		t.Errorf("a points scheme's trail entry encodes as %s, before factor models %s", got, want)
	}
}

// TestTrailItemIgnoredConduct: the trail entry of a record whose conduct
// the scheme does not score (no rule of the scheme has its id) is stored
// and read back with its conduct id, not refused as corrupt.
func TestTrailItemIgnoredConduct(t *testing.T) {
	db := &DB{scheme: rongcheng(t)}
	it := trailItem{Seq: 3, TrailEntry: scs.TrailEntry{Event: "e7", Rule: "repaid-on-time", At: time.Unix(1700000000, 0).UTC(),
		NotScored: true, Reason: "rongcheng does not score repaid-on-time"}}
	back, err := db.decodeTrailItem(3, db.encodeTrailItem(nil, &it))
	if err != nil || back.Rule != "repaid-on-time" || !back.NotScored || back.Reason != it.Reason || !back.At.Equal(it.At) {
		t.Fatalf("round trip of an ignored conduct: %+v, %v", back, err)
	}
}

// sampleReasons is one reason of every code, with arguments.
func sampleReasons(db *DB) []scs.Reason {
	until := db.scheme.In(time.Date(2020, 3, 1, 16, 0, 0, 0, time.UTC))
	var out []scs.Reason
	for _, c := range scs.ReasonCodes {
		out = append(out, scs.Reason{Code: c, N: 959, M: -30, Year: 2019, Value: -4.5, Rule: "tax-evasion", Grade: "B", Band: "A",
			Name: "e1, e2", Text: "words", Period: scs.Period{Years: 2}, At: until.AddDate(-1, 0, 0), Until: until})
	}
	return out
}

// TestTrailItemReasons: reasons are stored as structure and read back
// equal, their words made again in English; an entry written before
// (words only) still reads, as one ReasonText reason with its words.
func TestTrailItemReasons(t *testing.T) {
	db := &DB{scheme: rongcheng(t)}
	rs := sampleReasons(db)
	it := trailItem{Seq: 4, TrailEntry: scs.TrailEntry{Event: "e4", Rule: "tax-evasion", At: time.Unix(1700000000, 0).UTC(),
		Asked: -100, Applied: -100, Score: 900, Grade: "B", Reason: scs.JoinReasons(rs), Reasons: rs}}
	b := db.encodeTrailItem(nil, &it)
	back, err := db.decodeTrailItem(4, b)
	if err != nil || !back.Equal(&it.TrailEntry) {
		t.Fatalf("round trip of reasons:\n got %+v, %v\nwant %+v", back.TrailEntry, err, it.TrailEntry)
	}
	if !strings.Contains(back.Reason, "fell from A into B: locked in B for 2 years, until 2020-03-02 00:00 +08:00") {
		t.Errorf("words made from the stored structure: %q", back.Reason)
	}
	if len(b) >= len(it.Reason) {
		t.Errorf("the structure (%d bytes) should take less room than the words it replaces (%d bytes)", len(b), len(it.Reason))
	}
	old := it
	old.Reasons = nil
	back, err = db.decodeTrailItem(4, db.encodeTrailItem(nil, &old))
	if err != nil || back.Reason != it.Reason || len(back.Reasons) != 1 || back.Reasons[0].Code != scs.ReasonText || back.Reasons[0].Text != it.Reason {
		t.Fatalf("an entry stored with words only: %+v, %v", back.TrailEntry, err)
	}
	// verify compares an old entry's words with the replay's.
	legacyReasons(&back.TrailEntry, &it.TrailEntry)
	if !back.Equal(&it.TrailEntry) {
		t.Errorf("an old entry with the replay's words differs from the replay: %+v", back.TrailEntry)
	}
	// Words and structure together, or an unknown code, are corrupt.
	bad := append(db.encodeTrailItem(nil, &old), 1, 0)
	if _, err := db.decodeTrailItem(4, bad); err == nil {
		t.Error("words followed by reasons decoded")
	}
	none := it
	none.Reason, none.Reasons = "", nil
	b = append(db.encodeTrailItem(nil, &none), 1, byte(len(scs.ReasonCodes)))
	if _, err := db.decodeTrailItem(4, b); err == nil {
		t.Error("an unknown reason code decoded")
	}
}

// oldTrailWords: a database whose trail rows were written before reasons
// were stored as structure (words only) still reads: the file shows the
// same words, each entry's reasons are those words; verify is clean, and
// still names an edited word.
func oldTrailWords(t *testing.T, f *fixture) {
	f.report(f.tax, ev("w1", "c1", "tax-evasion", t0.AddDate(0, -3, 0)), ev("w2", "c1", "tax-evasion", t0.AddDate(0, -2, 0)))
	before := f.file("c1")
	if len(before.Trail) != 2 || before.Trail[1].Reasons[0].Code != scs.ReasonLockIn {
		t.Fatalf("trail before: %+v", before.Trail)
	}
	rows, err := f.db.r.QueryContext(f.ctx, f.db.q(`SELECT seq, item FROM trail`))
	if err != nil {
		t.Fatal(err)
	}
	old := map[int64][]byte{}
	for rows.Next() {
		var seq int64
		var item []byte
		if err := rows.Scan(&seq, &item); err != nil {
			t.Fatal(err)
		}
		it, err := f.db.decodeTrailItem(seq, item)
		if err != nil {
			t.Fatal(err)
		}
		it.Reasons = nil // as written before: the words only
		old[seq] = f.db.encodeTrailItem(nil, &it)
	}
	rows.Close()
	for seq, item := range old {
		if _, err := f.db.w.ExecContext(f.ctx, f.db.q(`UPDATE trail SET item = ? WHERE seq = ?`), item, seq); err != nil {
			t.Fatal(err)
		}
	}
	after := f.file("c1")
	for i, e := range after.Trail {
		if e.Reason != before.Trail[i].Reason || len(e.Reasons) != 1 || e.Reasons[0].Code != scs.ReasonText || e.Reasons[0].Text != e.Reason {
			t.Errorf("old entry %d reads as %q %+v, want the words %q", i, e.Reason, e.Reasons, before.Trail[i].Reason)
		}
	}
	f.verifyClean()
	var seq int64
	if err := f.db.r.QueryRowContext(f.ctx, f.db.q(`SELECT seq FROM ledger WHERE rid = ?`), "w2").Scan(&seq); err != nil {
		t.Fatal(err)
	}
	it, _ := f.db.decodeTrailItem(seq, old[seq])
	it.Reasons, it.Reason = nil, strings.Replace(it.Reason, "locked in C", "locked in B", 1)
	if _, err := f.db.w.ExecContext(f.ctx, f.db.q(`UPDATE trail SET item = ? WHERE seq = ?`), f.db.encodeTrailItem(nil, &it), seq); err != nil {
		t.Fatal(err)
	}
	var probs []string
	if _, err := f.db.Verify(f.ctx, func(p scs.VerifyProblem) { probs = append(probs, p.Message) }); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(probs, "\n"), "the entry of record w2") {
		t.Errorf("verify does not name an edited old entry: %q", probs)
	}
}
