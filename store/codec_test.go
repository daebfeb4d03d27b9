package store

import (
	"testing"
	"time"

	"scs"
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
	f.Add([]byte{})
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01})
	f.Fuzz(func(t *testing.T, b []byte) {
		it, err := db.decodeTrailItem(1, b)
		if err != nil {
			return
		}
		back, err := db.decodeTrailItem(1, db.encodeTrailItem(nil, &it))
		if err != nil || back.Event != it.Event || back.Rule != it.Rule || back.Score != it.Score || back.Reason != it.Reason {
			t.Fatalf("round trip of %+v: %+v, %v", it, back, err)
		}
	})
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
