package engine_test

import (
	"strings"
	"testing"
	"time"

	"scs"
)

// TestSimultaneousOrder is the example: a heroic act and a
// criticism at the same instant give A in one order and B, locked for two
// years, in the other. Records at one instant are applied in the order
// given, and the trail says when that order mattered.
func TestSimultaneousOrder(t *testing.T) {
	e := newEngine(t)
	at := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	crit := scs.Event{ID: "crit", Citizen: "x", Rule: "online-criticism-of-government", At: at}
	hero := scs.Event{ID: "hero", Citizen: "x", Rule: "heroic-act", At: at}
	for _, c := range []struct {
		evs   []scs.Event
		grade string
		note  string
	}{
		{[]scs.Event{crit, hero}, "B", "order mattered: records crit, hero share this instant and were applied in arrival order; in the reverse order the score would be 980, grade A, no lock"},
		{[]scs.Event{hero, crit}, "A", "order mattered: records hero, crit share this instant and were applied in arrival order; in the reverse order the score would be 980, grade B, locked in B until 2026-05-01 18:00 +08:00"},
	} {
		st, trail, err := e.Replay("x", c.evs, at, true)
		if err != nil {
			t.Fatal(err)
		}
		if g := e.Standing(&st, at).Grade; g != c.grade || st.Score != 980 {
			t.Errorf("%s then %s: grade %s, score %d; want %s", c.evs[0].ID, c.evs[1].ID, g, st.Score, c.grade)
		}
		if strings.Contains(trail[0].Reason, "order mattered") || !strings.Contains(trail[1].Reason, c.note) {
			t.Errorf("%s then %s: reasons %q, %q; want the second to say %q", c.evs[0].ID, c.evs[1].ID, trail[0].Reason, trail[1].Reason, c.note)
		}
		// scs score's path gives the same trail.
		res, err := e.ScoreEvents(c.evs, at, true)
		if err != nil || len(res) != 1 || res[0].Trail[1].Reason != trail[1].Reason {
			t.Errorf("ScoreEvents: %v %+v; Replay says %q", err, res, trail[1].Reason)
		}
	}
	// Two records whose order changes nothing: no note.
	a := scs.Event{ID: "a", Citizen: "y", Rule: "speeding-ticket", At: at}
	b := scs.Event{ID: "b", Citizen: "y", Rule: "returned-lost-money", At: at}
	_, trail, err := e.Replay("y", []scs.Event{a, b}, at, true)
	if err != nil || strings.Contains(trail[1].Reason, "order") {
		t.Errorf("order that does not matter: %v %q", err, trail[1].Reason)
	}
}
