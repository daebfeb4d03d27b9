package store

import (
	"fmt"
	"slices"
	"strconv"
	"testing"
	"time"

	"scs"
)

// filePages checks a file read page by page: in both orders and several
// page sizes, the pages walked forward (TrailNext) and back (TrailPrev)
// are the whole trail cut in pieces, with the reversed records' scores and
// TrailBefore/TrailTotal right; a file as of a past time takes its
// standing from a snapshot and equals the engine's replay of the records
// up to then; a bad cursor is named.
func filePages(t *testing.T, f *fixture) {
	f.db.snapEvery = 3
	rules := []string{"returned-lost-money", "speeding-ticket", "tax-evasion", "blood-donation", "online-criticism-of-government", "heroic-act"}
	base := t0.AddDate(-2, 0, 0)
	var all []scs.Event
	for i := range 24 {
		at := base.AddDate(0, i, 0)
		if i%5 == 4 {
			at = all[i-1].At // two records at one instant
		}
		all = append(all, ev("p"+strconv.Itoa(i), "c1", rules[i%len(rules)], at))
	}
	f.report(f.admin, all[:20]...)
	f.report(f.admin, all[20:]...)
	late := ev("p-late", "c1", "tax-evasion", base.AddDate(0, 7, 3))
	f.report(f.admin, late)
	all = append(all, late)
	// Reverse the first record and two in a row, so that pages start with
	// reversed records.
	for _, id := range []string{"p0", "p9", "p10"} {
		o, err := f.db.Object(f.ctx, f.citizen, "c1", id, "not me")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.db.DecideObjection(f.ctx, f.reviewer, o.ID, true, "upheld"); err != nil {
			t.Fatal(err)
		}
	}
	whole := f.file("c1")
	if whole.TrailTotal != len(all) || len(whole.Trail) != len(all) || whole.TrailNext != "" || whole.TrailPrev != "" {
		t.Fatalf("whole trail: %d entries of %d (next %q, prev %q); want %d", len(whole.Trail), whole.TrailTotal, whole.TrailNext, whole.TrailPrev, len(all))
	}
	reversed := 0
	for _, e := range whole.Trail {
		if e.Reversed {
			reversed++
			if e.Grade == "" {
				t.Fatalf("reversed record %s has no grade beside it", e.Event)
			}
		}
	}
	if reversed != 3 {
		t.Fatalf("%d reversed records; want 3", reversed)
	}
	key := func(e scs.FileEntry) string {
		return fmt.Sprintf("%s %v %d %s %d %v", e.Event, e.Reversed, e.Score, e.Grade, e.Applied, e.At.UnixNano())
	}
	for _, newest := range []bool{false, true} {
		want := slices.Clone(whole.Trail)
		if newest {
			slices.Reverse(want)
		}
		for _, limit := range []int{1, 3, 7, 100} {
			var pages [][]scs.FileEntry
			var got []scs.FileEntry
			cursor := ""
			for {
				p, err := f.db.File(f.ctx, f.admin, "c1", f.now, scs.TrailPage{Cursor: cursor, Limit: limit, Newest: newest})
				if err != nil {
					t.Fatal(err)
				}
				if p.TrailTotal != len(all) || p.TrailBefore != len(got) || (p.TrailPrev != "") != (len(got) > 0) {
					t.Fatalf("newest %v limit %d page %d: before %d of %d, prev %q; want before %d of %d", newest, limit, len(pages), p.TrailBefore, p.TrailTotal, p.TrailPrev, len(got), len(all))
				}
				pages = append(pages, p.Trail)
				got = append(got, p.Trail...)
				if p.TrailNext == "" {
					if p.TrailPrev != "" {
						// Walk back: every previous page is the one seen.
						back, prev := len(pages)-2, p.TrailPrev
						for prev != "" {
							q, err := f.db.File(f.ctx, f.admin, "c1", f.now, scs.TrailPage{Cursor: prev, Limit: limit, Newest: newest})
							if err != nil {
								t.Fatal(err)
							}
							if len(q.Trail) != len(pages[back]) || key(q.Trail[0]) != key(pages[back][0]) {
								t.Fatalf("newest %v limit %d: going back to page %d gives %v", newest, limit, back, q.Trail)
							}
							back, prev = back-1, q.TrailPrev
						}
						if back != -1 {
							t.Fatalf("newest %v limit %d: going back stopped at page %d", newest, limit, back+1)
						}
					}
					break
				}
				cursor = p.TrailNext
			}
			if len(got) != len(want) {
				t.Fatalf("newest %v limit %d: %d entries in pages; want %d", newest, limit, len(got), len(want))
			}
			for i := range got {
				if key(got[i]) != key(want[i]) {
					t.Fatalf("newest %v limit %d: entry %d is %s; the whole trail has %s", newest, limit, i, key(got[i]), key(want[i]))
				}
			}
		}
	}
	// As of past times: the standing from a snapshot and the records up to
	// then equals the engine's replay, and the trail holds those records.
	live := map[string]bool{}
	for _, e := range whole.Trail {
		live[e.Event] = !e.Reversed
	}
	for _, at := range []time.Time{base.AddDate(0, 3, 0), all[14].At, base.AddDate(0, 17, 1), base.AddDate(0, 7, 3)} {
		var upTo []scs.Event
		n := 0
		for _, e := range all {
			if !e.At.After(at) {
				n++
				if live[e.ID] {
					upTo = append(upTo, e)
				}
			}
		}
		p, err := f.db.File(f.ctx, f.admin, "c1", at, scs.TrailPage{Limit: 2})
		if err != nil {
			t.Fatal(err)
		}
		w := oracle(t, f.db, "c1", upTo, at)
		if got := p.Standing; got.Score != w.Score || got.Grade != w.Grade || !equalTimePtr(got.LockedUntil, w.LockedUntil) {
			t.Fatalf("as of %s: %+v; a replay of the records up to then gives %+v", at, got, w)
		}
		if p.TrailTotal != n {
			t.Fatalf("as of %s: %d records; want %d", at, p.TrailTotal, n)
		}
		d, err := f.db.Decide(f.ctx, f.admin, "c1", "loan", at)
		if err != nil {
			t.Fatal(err)
		}
		if d.Grade != w.Grade {
			t.Fatalf("as of %s: decision by grade %s; want %s", at, d.Grade, w.Grade)
		}
	}
	var snaps int
	if err := f.db.r.QueryRowContext(f.ctx, `SELECT COUNT(*) FROM snapshots WHERE citizen = 'c1'`).Scan(&snaps); err != nil {
		t.Fatal(err)
	}
	if snaps < 3 {
		t.Fatalf("%d snapshots: the past files are not read from snapshots", snaps)
	}
	for _, bad := range []string{"x", "n", "n12", "n1.0", "p.5", "n1.x", "\x00", "n1.2.3"} {
		_, err := f.db.File(f.ctx, f.admin, "c1", f.now, scs.TrailPage{Cursor: bad})
		if scs.ErrorCode(err) != scs.EINVALID || scs.ErrorField(err) != "cursor" {
			t.Errorf("cursor %q: %v; want invalid naming cursor", bad, err)
		}
	}
	if _, err := f.db.File(f.ctx, f.admin, "c1", f.now, scs.TrailPage{Limit: MaxPage + 1}); scs.ErrorField(err) != "limit" {
		t.Errorf("limit %d: %v; want invalid naming limit", MaxPage+1, err)
	}
}
