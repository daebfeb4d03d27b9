package engine_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"scs"
	"scs/engine"
	"scs/schemes"
)

var cst = mustLoc("Asia/Shanghai")

func mustLoc(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

func newEngine(t testing.TB) *engine.Engine {
	t.Helper()
	e, err := engine.New(schemes.MustLoad("rongcheng"))
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// at returns a time in China Standard Time.
func at(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, cst) }

type ev struct {
	rule   string
	at     time.Time
	qty    float64
	hasQty bool
	points int64
	hasPts bool
}

func fixed(rule string, t time.Time) ev          { return ev{rule: rule, at: t} }
func qty(rule string, q float64, t time.Time) ev { return ev{rule: rule, at: t, qty: q, hasQty: true} }
func pts(rule string, p int64, t time.Time) ev   { return ev{rule: rule, at: t, points: p, hasPts: true} }
func events(c string, in ...ev) []scs.Event {
	out := make([]scs.Event, len(in))
	for i, e := range in {
		out[i] = scs.Event{ID: c + "-" + string(rune('a'+i)), Citizen: c, Rule: e.rule, At: e.at, Quantity: e.qty, HasQuantity: e.hasQty, Points: e.points, HasPoints: e.hasPts}
	}
	return out
}

type want struct {
	score       int64
	grade       string
	lockedUntil time.Time // zero: not locked as of asOf
	applied     []int64   // per event, in time order
	reasons     []string  // substrings, per event ("" for none expected)
}

func TestApply(t *testing.T) {
	far := at(2040, 1, 1, 0, 0)
	tests := []struct {
		name string
		evs  []scs.Event
		asOf time.Time
		want want
	}{
		{"fixed bonus", events("c", fixed("returned-lost-money", at(2024, 3, 1, 9, 0))), far,
			want{score: 1020, grade: "A", applied: []int64{20}}},
		{"fixed penalty falls into B and locks two years", events("c", fixed("tax-evasion", at(2024, 3, 1, 9, 0))), at(2025, 1, 1, 0, 0),
			want{score: 900, grade: "B", lockedUntil: at(2026, 3, 1, 9, 0), applied: []int64{-100}, reasons: []string{"fell from A into B"}}},
		{"per unit counts whole units only", events("c",
			qty("charitable-donation", 150, at(2024, 1, 2, 0, 0)),
			qty("charitable-donation", 99, at(2024, 1, 3, 0, 0)),
			qty("bank-arrears", 3, at(2024, 1, 4, 0, 0))), far,
			want{score: 971, grade: "A", applied: []int64{1, 0, -30}}},
		{"range rule takes the official's points", events("c", pts("other-commercial", -25, at(2024, 1, 2, 0, 0))), far,
			want{score: 975, grade: "A", applied: []int64{-25}}},
		{"tiered volunteering over the year's running total", events("c",
			qty("volunteer-service", 15, at(2024, 1, 2, 0, 0)),  // f(15)=15
			qty("volunteer-service", 15, at(2024, 2, 2, 0, 0)),  // f(30)=20+5=25: +10
			qty("volunteer-service", 70, at(2024, 3, 2, 0, 0)),  // f(100)=20+30+6=56: +31
			qty("volunteer-service", 150, at(2024, 4, 2, 0, 0)), // f(250)=20+30+40+12=102: +46
			qty("volunteer-service", 3, at(2025, 1, 2, 0, 0)),   // new year: f(3)=3
		), far,
			want{score: 1105, grade: "AAA", applied: []int64{15, 10, 31, 46, 3}}},
		{"tiered counts fractional hours without drift", events("c",
			qty("volunteer-service", 0.1, at(2024, 1, 2, 0, 0)),
			qty("volunteer-service", 0.2, at(2024, 1, 3, 0, 0)),
			qty("volunteer-service", 0.7, at(2024, 1, 4, 0, 0)), // total exactly 1.0 hour
		), far,
			want{score: 1001, grade: "A", applied: []int64{0, 0, 1}}},
		{"yearly cap applies the remainder, then 0, and resets in the next CST year", events("c",
			qty("charitable-donation", 2500, at(2024, 2, 1, 0, 0)),     // +25
			qty("charitable-donation", 2500, at(2024, 6, 1, 0, 0)),     // asked 25, cap leaves 5
			qty("charitable-donation", 2500, at(2024, 12, 31, 23, 59)), // 0
			qty("charitable-donation", 2500, at(2025, 1, 1, 0, 1)),     // new year in Asia/Shanghai: +25
		), far,
			want{score: 1055, grade: "AAA", applied: []int64{25, 5, 0, 25}, reasons: []string{"", "yearly cap of 30", "yearly cap of 30", ""}}},
		{"cap year follows the scheme's zone, not UTC", []scs.Event{
			{ID: "1", Citizen: "c", Rule: "blood-donation", At: time.Date(2024, 12, 31, 15, 0, 0, 0, time.UTC)},  // 23:00 CST, 2024
			{ID: "2", Citizen: "c", Rule: "blood-donation", At: time.Date(2024, 12, 31, 15, 30, 0, 0, time.UTC)}, // 23:30 CST, 2024
			{ID: "3", Citizen: "c", Rule: "blood-donation", At: time.Date(2024, 12, 31, 16, 30, 0, 0, time.UTC)}, // 00:30 CST, 2025
		}, far,
			want{score: 1030, grade: "AA", applied: []int64{10, 10, 10}}},
		{"blood donation capped at two a year", events("c",
			fixed("blood-donation", at(2024, 1, 2, 0, 0)), fixed("blood-donation", at(2024, 5, 2, 0, 0)), fixed("blood-donation", at(2024, 9, 2, 0, 0))), far,
			want{score: 1020, grade: "A", applied: []int64{10, 10, 0}}},
		{"floor stops the score at 0", events("c",
			fixed("utility-damage", at(2024, 1, 1, 0, 0)), fixed("utility-damage", at(2024, 1, 2, 0, 0)), fixed("utility-damage", at(2024, 1, 3, 0, 0)),
			fixed("utility-damage", at(2024, 1, 4, 0, 0)), fixed("utility-damage", at(2024, 1, 5, 0, 0)), fixed("utility-damage", at(2024, 1, 6, 0, 0)),
			fixed("utility-damage", at(2024, 1, 7, 0, 0)), fixed("utility-damage", at(2024, 1, 8, 0, 0)), fixed("utility-damage", at(2024, 1, 9, 0, 0)),
			fixed("utility-damage", at(2024, 1, 10, 0, 0)), fixed("utility-damage", at(2024, 1, 11, 0, 0))), at(2025, 1, 1, 0, 0),
			want{score: 0, grade: "D", lockedUntil: at(2029, 1, 5, 0, 0), applied: []int64{-100, -100, -100, -100, -100, -100, -100, -100, -100, -100, 0},
				reasons: []string{"", "fell from B into C", "", "", "fell from C into D", "", "", "", "", "", "floor of 0 reached"}}},
		{"drunk driving drops A to C and locks three years", events("c", fixed("drunk-driving", at(2024, 3, 1, 9, 0))), at(2025, 1, 1, 0, 0),
			want{score: 849, grade: "C", lockedUntil: at(2027, 3, 1, 9, 0), applied: []int64{-151}, reasons: []string{"fell from A into C"}}},
		{"drunk driving in C keeps grade and lock, only cuts the score", events("c",
			fixed("drunk-driving", at(2024, 3, 1, 9, 0)),        // 849, C until 2027-03-01
			qty("volunteer-service", 250, at(2024, 6, 1, 0, 0)), // +102: 951, held in C
			fixed("drunk-driving", at(2025, 3, 1, 9, 0)),        // cut to 849, no new lock
		), at(2026, 1, 1, 0, 0),
			want{score: 849, grade: "C", lockedUntil: at(2027, 3, 1, 9, 0), applied: []int64{-151, 102, -102}, reasons: []string{"", "grade held at C", "score cut to 849"}}},
		{"drunk driving below C is a no-op", events("c",
			fixed("utility-damage", at(2024, 1, 1, 0, 0)), fixed("utility-damage", at(2024, 1, 2, 0, 0)), fixed("utility-damage", at(2024, 1, 3, 0, 0)),
			fixed("utility-damage", at(2024, 1, 4, 0, 0)), fixed("utility-damage", at(2024, 1, 5, 0, 0)),
			fixed("drunk-driving", at(2024, 2, 1, 0, 0))), at(2025, 1, 1, 0, 0),
			want{score: 500, grade: "D", lockedUntil: at(2029, 1, 5, 0, 0), applied: []int64{-100, -100, -100, -100, -100, 0}, reasons: []string{"", "", "", "", "", "already at or below 849"}}},
		{"fall further while locked starts the lower grade's lock from that event", events("c",
			fixed("tax-evasion", at(2024, 1, 10, 0, 0)), // 900 B until 2026-01-10
			fixed("tax-evasion", at(2024, 6, 10, 0, 0)), // 800 C until 2027-06-10
		), at(2025, 1, 1, 0, 0),
			want{score: 800, grade: "C", lockedUntil: at(2027, 6, 10, 0, 0), applied: []int64{-100, -100}, reasons: []string{"fell from A into B", "fell from B into C"}}},
		{"score recovers while locked: the grade stays", events("c",
			fixed("tax-evasion", at(2024, 1, 10, 0, 0)),
			fixed("heroic-act", at(2024, 2, 1, 0, 0)), fixed("heroic-act", at(2024, 3, 1, 0, 0)), fixed("heroic-act", at(2024, 4, 1, 0, 0)),
		), at(2025, 1, 1, 0, 0),
			want{score: 990, grade: "B", lockedUntil: at(2026, 1, 10, 0, 0), applied: []int64{-100, 30, 30, 30}, reasons: []string{"", "", "grade held at B", "grade held at B"}}},
		{"lock expires with no new event", events("c",
			fixed("tax-evasion", at(2024, 1, 10, 0, 0)),
			fixed("heroic-act", at(2024, 2, 1, 0, 0)), fixed("heroic-act", at(2024, 3, 1, 0, 0)), fixed("heroic-act", at(2024, 4, 1, 0, 0)),
		), at(2026, 1, 10, 0, 0),
			want{score: 990, grade: "A", applied: []int64{-100, 30, 30, 30}}},
		{"rise of several grades at once when the lock ends, with no new lock", events("c",
			fixed("tax-evasion", at(2020, 1, 1, 0, 0)), fixed("tax-evasion", at(2020, 1, 2, 0, 0)), fixed("tax-evasion", at(2020, 1, 3, 0, 0)),
			fixed("tax-evasion", at(2020, 1, 4, 0, 0)), fixed("tax-evasion", at(2020, 1, 5, 0, 0)), // 500, D until 2025-01-05
			qty("volunteer-service", 100000, at(2021, 1, 1, 0, 0)), // f = 20+30+40+floor(99800/4)=24950+90 = 25040: AAA band, held in D
		), at(2025, 1, 5, 0, 0),
			want{score: 25540, grade: "AAA", applied: []int64{-100, -100, -100, -100, -100, 25040}, reasons: []string{"", "", "", "", "fell from C into D", "grade held at D"}}},
		{"events after asOf are not applied", events("c",
			fixed("tax-evasion", at(2024, 1, 10, 0, 0)), fixed("tax-evasion", at(2030, 1, 10, 0, 0))), at(2025, 1, 1, 0, 0),
			want{score: 900, grade: "B", lockedUntil: at(2026, 1, 10, 0, 0), applied: []int64{-100}}},
		{"equal times apply in input order", []scs.Event{
			{ID: "x", Citizen: "c", Rule: "tax-evasion", At: at(2024, 1, 1, 0, 0)},
			{ID: "y", Citizen: "c", Rule: "returned-lost-money", At: at(2024, 1, 1, 0, 0)},
		}, at(2025, 1, 1, 0, 0),
			want{score: 920, grade: "B", lockedUntil: at(2026, 1, 1, 0, 0), applied: []int64{-100, 20}}},
	}
	e := newEngine(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for i := range tc.evs {
				if err := e.Check(&tc.evs[i]); err != nil {
					t.Fatalf("event %d: %v", i, err)
				}
			}
			st, trail, err := e.Replay("c", tc.evs, tc.asOf, true)
			if err != nil {
				t.Fatal(err)
			}
			s := e.Standing(&st, tc.asOf)
			if s.Score != tc.want.score || s.Grade != tc.want.grade {
				t.Errorf("standing = %d %s, want %d %s", s.Score, s.Grade, tc.want.score, tc.want.grade)
			}
			switch {
			case tc.want.lockedUntil.IsZero() && s.LockedUntil != nil:
				t.Errorf("locked until %v, want not locked", s.LockedUntil)
			case !tc.want.lockedUntil.IsZero() && (s.LockedUntil == nil || !s.LockedUntil.Equal(tc.want.lockedUntil)):
				t.Errorf("locked until %v, want %v", s.LockedUntil, tc.want.lockedUntil.UTC())
			}
			if len(trail) != len(tc.want.applied) {
				t.Fatalf("trail has %d entries, want %d", len(trail), len(tc.want.applied))
			}
			for i, te := range trail {
				if te.Applied != tc.want.applied[i] {
					t.Errorf("event %d (%s): applied %d, want %d (reason %q)", i, te.Rule, te.Applied, tc.want.applied[i], te.Reason)
				}
				if te.Applied != te.Asked && te.Reason == "" {
					t.Errorf("event %d: applied %d differs from asked %d with no reason", i, te.Applied, te.Asked)
				}
				if i < len(tc.want.reasons) && !strings.Contains(te.Reason, tc.want.reasons[i]) {
					t.Errorf("event %d: reason %q, want it to contain %q", i, te.Reason, tc.want.reasons[i])
				}
			}
		})
	}
}

func TestCheckRejects(t *testing.T) {
	e := newEngine(t)
	t0 := at(2024, 1, 1, 0, 0)
	tests := []struct {
		ev    scs.Event
		field string
		msg   string
	}{
		{scs.Event{Rule: "nope", At: t0}, "rule", `unknown rule "nope"`},
		{scs.Event{Rule: "nope", ByConduct: true, At: t0}, "conduct", `unknown conduct "nope"`},
		{scs.Event{Rule: "", At: t0}, "rule", "missing"},
		{scs.Event{Rule: "tax-evasion"}, "at", "missing"},
		{scs.Event{Rule: "other-commercial", At: t0}, "points", "choose points from -50 to -5"},
		{scs.Event{Rule: "other-commercial", At: t0, Points: -60, HasPoints: true}, "points", "-60 is outside"},
		{scs.Event{Rule: "other-commercial", At: t0, Points: -4, HasPoints: true}, "points", "-4 is outside"},
		{scs.Event{Rule: "tax-evasion", At: t0, Points: -100, HasPoints: true}, "points", "only range rules"},
		{scs.Event{Rule: "charitable-donation", At: t0}, "quantity", "the event has none"},
		{scs.Event{Rule: "charitable-donation", At: t0, Quantity: -1, HasQuantity: true}, "quantity", "out of range"},
		{scs.Event{Rule: "volunteer-service", At: t0, Quantity: 2e12, HasQuantity: true}, "quantity", "out of range"},
		{scs.Event{Rule: "tax-evasion", At: t0, Quantity: 1, HasQuantity: true}, "quantity", "does not count"},
	}
	for _, tc := range tests {
		err := e.Check(&tc.ev)
		if scs.ErrorCode(err) != scs.EINVALID {
			t.Errorf("%+v: error %v, want invalid", tc.ev, err)
			continue
		}
		if m := scs.ErrorMessage(err); !strings.HasPrefix(m, tc.field+": ") || !strings.Contains(m, tc.msg) {
			t.Errorf("%+v: message %q, want field %s and %q", tc.ev, m, tc.field, tc.msg)
		}
		st := e.NewState("c")
		before := st
		if _, err := e.Apply(&st, &tc.ev); err == nil {
			t.Errorf("%+v: Apply accepted an invalid event", tc.ev)
		}
		if st.Score != before.Score || st.Events != 0 {
			t.Errorf("%+v: Apply changed the state on error", tc.ev)
		}
	}
}

func TestApplyRejectsOutOfOrder(t *testing.T) {
	e := newEngine(t)
	st := e.NewState("c")
	a := scs.Event{ID: "a", Citizen: "c", Rule: "tax-evasion", At: at(2024, 5, 1, 0, 0)}
	b := scs.Event{ID: "b", Citizen: "c", Rule: "tax-evasion", At: at(2024, 4, 1, 0, 0)}
	if _, err := e.Apply(&st, &a); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Apply(&st, &b); err == nil || !strings.Contains(err.Error(), "before the citizen's last event") {
		t.Fatalf("out-of-order event: err = %v", err)
	}
	if st.Score != 900 || st.Events != 1 {
		t.Fatalf("state changed by rejected event: %+v", st)
	}
}

func TestDecide(t *testing.T) {
	e := newEngine(t)
	evs := events("c", fixed("tax-evasion", at(2024, 1, 10, 0, 0)), fixed("heroic-act", at(2024, 2, 1, 0, 0)),
		fixed("heroic-act", at(2024, 3, 1, 0, 0)), fixed("heroic-act", at(2024, 4, 1, 0, 0)))
	st, _, err := e.Replay("c", evs, at(2030, 1, 1, 0, 0), false)
	if err != nil {
		t.Fatal(err)
	}
	d, err := e.Decide(&st, "loan", at(2025, 1, 1, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	if d.Allowed || d.Grade != "B" || !strings.Contains(d.Reason, "held in B by the lock-in") || !strings.Contains(d.Reason, "AAA, AA, A") {
		t.Errorf("locked decision = %+v", d)
	}
	d, _ = e.Decide(&st, "loan", at(2026, 1, 10, 0, 0))
	if !d.Allowed || d.Grade != "A" {
		t.Errorf("decision after the lock = %+v", d)
	}
	if _, err := e.Decide(&st, "flying", at(2026, 1, 1, 0, 0)); scs.ErrorCode(err) != scs.ENOTFOUND {
		t.Errorf("unknown capability: %v", err)
	}
	all := e.Decisions(&st, at(2025, 1, 1, 0, 0))
	if len(all) != len(e.Scheme().Capabilities) {
		t.Fatalf("%d decisions", len(all))
	}
	for _, d := range all {
		if d.Capability == "requests-processed" && !d.Allowed {
			t.Errorf("B should have requests processed: %+v", d)
		}
		if d.Capability == "watch-list" && d.Allowed {
			t.Errorf("B should not be on the watch list: %+v", d)
		}
	}
}

func TestSesameCeiling(t *testing.T) {
	e, err := engine.New(schemes.MustLoad("sesame"))
	if err != nil {
		t.Fatal(err)
	}
	var evs []scs.Event
	for y := 2020; y < 2023; y++ {
		for _, r := range []struct {
			rule string
			q    float64
		}{{"repaid-on-time", 12}, {"assets-verified", 1e6}, {"steady-payments", 12}, {"savings-kept", 1e5}, {"details-completed", 3}, {"high-score-friends", 50}} {
			evs = append(evs, scs.Event{ID: fmt.Sprint(y, r.rule), Citizen: "c", Rule: r.rule, At: at(y, 6, 1, 0, 0), Quantity: r.q, HasQuantity: true})
		}
	}
	st, _, err := e.Replay("c", evs, at(2030, 1, 1, 0, 0), true)
	if err != nil {
		t.Fatal(err)
	}
	// Sesame is a factor model: three years of every input at its best
	// give every factor its full sub-score at the recomputation of
	// 1 January 2023, so the score is the ceiling.
	if sd := e.Standing(&st, at(2023, 1, 1, 0, 0)); sd.Score != 950 || sd.Grade != "excellent-750" {
		t.Fatalf("1 January 2023: %+v", sd)
	}
	d, _ := e.Decide(&st, "luxembourg-visa-easier", at(2023, 1, 1, 0, 0))
	if !d.Allowed || !strings.Contains(d.Reason, "as recomputed on 2023-01-01 00:00 +08:00") {
		t.Errorf("decision %+v", d)
	}
	// By 2030 every window has passed but identity's (the whole history):
	// credit history and behaviour are back at half, ability at a third,
	// connections at zero, identity full: 565 + 90.
	if got := e.ScoreAt(&st, at(2030, 1, 1, 0, 0)); got != 655 {
		t.Errorf("2030: score %d, want 655", got)
	}
}

func TestConductTheSchemeDoesNotScoreIsIgnored(t *testing.T) {
	s := schemes.MustLoad("rongcheng")
	e, err := engine.New(s)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2024, 3, 1, 9, 0, 0, 0, cst)
	st := e.NewState("c")
	// repaid-on-time is conduct of the vocabulary that Rongcheng does not score.
	ev := scs.Event{ID: "e1", Citizen: "c", Rule: "repaid-on-time", At: at, Quantity: 3, HasQuantity: true}
	if err := e.Check(&ev); err != nil {
		t.Fatalf("check: %v", err)
	}
	if !e.Ignores("repaid-on-time") || e.Ignores("tax-evasion") || e.Ignores("nonsense") {
		t.Error("Ignores answers wrongly")
	}
	te, err := e.Apply(&st, &ev)
	if err != nil {
		t.Fatal(err)
	}
	if !te.Ignored || !te.NotScored || !strings.Contains(te.Reason, "does not score the conduct repaid-on-time") {
		t.Errorf("trail entry: %+v", te)
	}
	if st.Score != 1000 || st.Events != 0 {
		t.Errorf("state moved: %+v", st)
	}
	if n, err := e.Step(&st, &ev); err != nil || n != 0 {
		t.Errorf("step: %d, %v", n, err)
	}
	bad := scs.Event{ID: "e2", Citizen: "c", Rule: "no-such-conduct", At: at}
	if _, err := e.Apply(&st, &bad); err == nil || !strings.Contains(err.Error(), "not a conduct of the vocabulary") {
		t.Errorf("unknown: %v", err)
	}
}

func TestConductMapsToTheRuleThatScoresIt(t *testing.T) {
	e, err := engine.New(schemes.MustLoad("sesame"))
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2024, 3, 1, 9, 0, 0, 0, cst)
	st := e.NewState("c")
	// bank-arrears is Rongcheng's id for the conduct; sesame scores it.
	ev := scs.Event{ID: "e1", Citizen: "c", Rule: "bank-arrears", At: at, Quantity: 2, HasQuantity: true}
	te, err := e.Apply(&st, &ev)
	if err != nil {
		t.Fatal(err)
	}
	if te.Ignored || !strings.Contains(te.Reason, "-8 to factor credit-history") {
		t.Errorf("bank-arrears under sesame: %+v", te)
	}
	if got := e.ScoreAt(&st, at.AddDate(0, 1, 0)); got >= 565 {
		t.Errorf("score after the next recomputation: %d", got)
	}
}
