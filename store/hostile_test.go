package store

import (
	"math"
	"strings"
	"testing"
	"time"

	"scs"
)

// hostileInput replays, on one backend, the hostile inputs that once got
// through or answered 500: each must be refused naming the field, store
// nothing and leave the ledger verifying clean.
func hostileInput(t *testing.T, open func(testing.TB) *DB) {
	f := newFixture(t, open)
	at := t0.Add(-time.Hour)
	entries := func() int {
		var n int
		if err := f.db.r.QueryRow(`SELECT COUNT(*) FROM ledger`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := entries()

	// A quantity of -0 is stored as 0, so that its hash verifies.
	neg := ev("neg-zero", "c1", "charitable-donation", at)
	neg.Quantity, neg.HasQuantity = -1*0.0, true
	neg.Quantity = -neg.Quantity // -0
	recs := f.report(f.admin, neg)
	if q := recs[0].Event.Quantity; q != 0 || 1/q < 0 {
		t.Errorf("stored quantity %v, want +0", q)
	}
	// A -0 stored before quantities were normalised still verifies.
	old := neg
	old.ID, old.Quantity, old.Department = "old-neg-zero", math.Copysign(0, -1), "civil-affairs"
	if err := f.db.write(f.ctx, func(w *wtx) error {
		_, err := w.appendRecords(f.admin, []scs.Event{old})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	f.verifyClean()
	before = entries()

	bad := func(mod func(*scs.Event)) scs.Event {
		e := ev("h1", "c1", "charitable-donation", at)
		e.Quantity, e.HasQuantity = 1, true
		mod(&e)
		return e
	}
	for _, tc := range []struct {
		name  string
		ev    scs.Event
		field string
	}{
		{"NUL in evidence", bad(func(e *scs.Event) { e.Evidence = "a\x00b" }), "evidence"},
		{"ESC in evidence", bad(func(e *scs.Event) { e.Evidence = "\x1b[31mred" }), "evidence"},
		{"invalid UTF-8 in id", bad(func(e *scs.Event) { e.ID = "u8-\xff" }), "id"},
		{"invalid UTF-8 in citizen", bad(func(e *scs.Event) { e.Citizen = "c\xfe" }), "citizen"},
		{"invalid UTF-8 in evidence", bad(func(e *scs.Event) { e.Evidence = "x\xff" }), "evidence"},
		{"NUL in id", bad(func(e *scs.Event) { e.ID = "a\x00" }), "id"},
		{"offset beyond 14:00", bad(func(e *scs.Event) { e.At = at.In(time.FixedZone("", 24*3600)) }), "at"},
		{"evidence over the limit", bad(func(e *scs.Event) { e.Evidence = strings.Repeat("x", scs.MaxEvidence+1) }), "evidence"},
	} {
		_, err := f.db.ReportRecords(f.ctx, f.admin, []scs.Event{ev("ok", "c2", "returned-lost-money", at), tc.ev})
		wantCode(t, err, scs.EINVALID)
		if got := scs.ErrorField(err); got != "records[1]."+tc.field {
			t.Errorf("%s: field %q, want records[1].%s (%v)", tc.name, got, tc.field, err)
		}
	}
	// Reads with NUL bytes are refused before they reach the database.
	_, err := f.db.File(f.ctx, f.admin, "\x00", f.now, scs.TrailPage{All: true})
	wantCode(t, err, scs.EINVALID)
	_, err = f.db.Decide(f.ctx, f.admin, "\x00", "x", f.now)
	wantCode(t, err, scs.EINVALID)
	_, err = f.db.SetConsent(f.ctx, f.admin, "\x00", true)
	wantCode(t, err, scs.EINVALID)
	_, err = f.db.Object(f.ctx, f.admin, "\x00", "r", "why")
	wantCode(t, err, scs.EINVALID)
	_, err = f.db.Object(f.ctx, f.admin, "c1", "neg-zero", "because\x00")
	wantCode(t, err, scs.EINVALID)
	_, _, err = f.db.PublicList(f.ctx, scs.Page{Cursor: "\x00"}, f.now)
	wantCode(t, err, scs.EINVALID)
	_, _, err = f.db.WatchList(f.ctx, f.admin, scs.Page{Cursor: "\x00"}, f.now)
	wantCode(t, err, scs.EINVALID)
	_, err = f.db.Visits(f.ctx, f.admin, f.now, "\x00")
	wantCode(t, err, scs.EINVALID)
	_, err = f.db.RegisterCitizen(f.ctx, f.admin, scs.Citizen{ID: "n1", Name: "A\x00", Neighbourhood: "h", BirthYear: 1980})
	wantCode(t, err, scs.EINVALID)
	_, _, err = f.db.CreateAccount(f.ctx, f.admin, scs.Account{Name: "x\x1b", Role: scs.RoleAdmin})
	wantCode(t, err, scs.EINVALID)
	_, err = f.db.Import(f.ctx, f.admin, nil, []scs.Event{bad(func(e *scs.Event) { e.Evidence = "a\x00b" })})
	wantCode(t, err, scs.EINVALID)
	if got := scs.ErrorField(err); got != "records[0].evidence" {
		t.Errorf("import: field %q (%v)", got, err)
	}
	// The store still takes good writes after all this.
	f.report(f.admin, ev("after", "c2", "returned-lost-money", at))
	if n := entries(); n != before+1 {
		t.Errorf("%d ledger entries, want %d", n, before+1)
	}
	f.verifyClean()
}

// failingWriteFailsAlone holds the group commit to its promise: in one
// group, an op whose read the database refuses (which on PostgreSQL aborts
// the transaction) and an op that fails after writing (a ledger entry and
// a projection) fail alone; the ops around them commit, and the ledger
// verifies.
func failingWriteFailsAlone(t *testing.T, open func(testing.TB) *DB) {
	f := newFixture(t, open)
	at := t0.Add(-time.Hour)
	good := func(id string) *op {
		e := ev(id, "c1", "returned-lost-money", at)
		return &op{ctx: f.ctx, done: make(chan error, 1), fn: func(w *wtx) error {
			evs := []scs.Event{e}
			if err := f.db.validate(f.admin, &evs[0], w.now, true); err != nil {
				return err
			}
			_, err := w.appendRecords(f.admin, evs)
			return err
		}}
	}
	badRead := &op{ctx: f.ctx, done: make(chan error, 1), fn: func(w *wtx) error {
		var n int
		return w.queryRow(`SELECT COUNT(*) FROM no_such_table`).Scan(&n)
	}}
	badAfterWrite := &op{ctx: f.ctx, done: make(chan error, 1), fn: func(w *wtx) error {
		evs := []scs.Event{ev("written-then-failed", "c2", "returned-lost-money", at)}
		if err := f.db.validate(f.admin, &evs[0], w.now, true); err != nil {
			return err
		}
		if _, err := w.appendRecords(f.admin, evs); err != nil {
			return err
		}
		if _, err := w.exec(`INSERT INTO meta (key, value) VALUES (?, ?)`, "failed-op", "x"); err != nil {
			return err
		}
		return scs.Errorf(scs.EINVALID, "failing on purpose after writing")
	}}
	group := []*op{good("g1"), badRead, good("g2"), badAfterWrite, good("g3")}
	// The writer goroutine is idle: run the group as it would.
	f.db.commitGroup(group)
	for i, o := range group {
		err := <-o.done
		wantErr := o == badRead || o == badAfterWrite
		if (err != nil) != wantErr {
			t.Errorf("op %d: %v", i, err)
		}
	}
	var n int
	f.db.r.QueryRow(f.db.q(`SELECT COUNT(*) FROM ledger WHERE rid IN (?, ?, ?)`), "g1", "g2", "g3").Scan(&n)
	if n != 3 {
		t.Errorf("%d of the 3 good records stored", n)
	}
	f.db.r.QueryRow(f.db.q(`SELECT COUNT(*) FROM ledger WHERE rid = ?`), "written-then-failed").Scan(&n)
	if n != 0 {
		t.Error("the failed op's record was stored")
	}
	f.db.r.QueryRow(f.db.q(`SELECT COUNT(*) FROM meta WHERE key = ?`), "failed-op").Scan(&n)
	if n != 0 {
		t.Error("the failed op's write was kept")
	}
	if file := f.file("c2"); len(file.Trail) != 0 {
		t.Errorf("c2's trail has %d entries from the failed op", len(file.Trail))
	}
	// The writer's cache holds nothing of the failed op either.
	f.report(f.admin, ev("after", "c2", "returned-lost-money", at))
	if file := f.file("c2"); len(file.Trail) != 1 {
		t.Errorf("c2's trail has %d entries, want 1", len(file.Trail))
	}
	f.verifyClean()
}

// objectionPages: the objections list comes in pages of at most the limit,
// each starting after the cursor the one before gave, together whole.
func objectionPages(t *testing.T, open func(testing.TB) *DB) {
	f := newFixture(t, open)
	var want []int64
	for i := range 5 {
		id := "obj-" + string(rune('a'+i))
		f.report(f.admin, ev(id, "c1", "tax-evasion", t0.Add(-time.Duration(i+1)*time.Hour)))
		o, err := f.db.Object(f.ctx, f.citizen, "c1", id, "not me")
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, o.ID)
		f.now = f.now.Add(time.Minute)
	}
	var got []int64
	cursor, pages := "", 0
	for {
		os, next, err := f.db.Objections(f.ctx, f.reviewer, "", scs.Page{Cursor: cursor, Limit: 2}, f.now)
		if err != nil {
			t.Fatal(err)
		}
		if len(os) > 2 {
			t.Fatalf("a page of %d, limit 2", len(os))
		}
		for _, o := range os {
			got = append(got, o.ID)
		}
		pages++
		if next == "" {
			break
		}
		cursor = next
	}
	if pages != 3 || len(got) != len(want) {
		t.Fatalf("%d pages, ids %v, want 3 pages of %v", pages, got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("ids %v, want %v", got, want)
		}
	}
	for _, c := range []string{"x", "1.x", "\x00"} {
		_, _, err := f.db.Objections(f.ctx, f.reviewer, "", scs.Page{Cursor: c}, f.now)
		wantCode(t, err, scs.EINVALID)
	}
	if os, _, err := f.db.Objections(f.ctx, f.reviewer, "decided", scs.Page{}, f.now); err != nil || len(os) != 0 {
		t.Errorf("decided: %v %v", os, err)
	}
}
