package engine_test

import (
	"fmt"
	"time"

	"scs"
	"scs/engine"
	"scs/schemes"
)

// Score a citizen's records under the built-in Rongcheng scheme and read
// each point's explanation.
func Example() {
	e, err := engine.New(schemes.MustLoad("rongcheng"))
	if err != nil {
		panic(err)
	}
	at := time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)
	st := e.NewState("c-17")
	for _, ev := range []scs.Event{
		{ID: "e1", Citizen: "c-17", Rule: "tax-evasion", At: at},
		{ID: "e2", Citizen: "c-17", Rule: "returned-lost-money", At: at.AddDate(0, 1, 0)},
	} {
		te, err := e.Apply(&st, &ev)
		if err != nil {
			panic(err)
		}
		fmt.Printf("%s %+d -> %d (%s)\n", te.Rule, te.Applied, te.Score, te.Grade)
	}
	s := e.Standing(&st, at.AddDate(0, 2, 0))
	fmt.Println("score", s.Score, "grade", s.Grade)
	// Output:
	// tax-evasion -100 -> 900 (B)
	// returned-lost-money +20 -> 920 (B)
	// score 920 grade B
}

// Replay scores a citizen's whole history, in the engine's order,
// as of a time.
func ExampleEngine_Replay() {
	e, err := engine.New(schemes.MustLoad("rongcheng"))
	if err != nil {
		panic(err)
	}
	at := time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)
	evs := []scs.Event{
		{ID: "e2", Citizen: "c-17", Rule: "returned-lost-money", At: at.AddDate(0, 1, 0)},
		{ID: "e1", Citizen: "c-17", Rule: "tax-evasion", At: at},
	}
	st, trail, err := e.Replay("c-17", evs, at.AddDate(1, 0, 0), true)
	if err != nil {
		panic(err)
	}
	fmt.Println(st.Score, len(trail), trail[0].Event)
	// Output:
	// 920 2 e1
}

// Decide answers whether a citizen's standing allows a capability.
func ExampleEngine_Decide() {
	e, err := engine.New(schemes.MustLoad("rongcheng"))
	if err != nil {
		panic(err)
	}
	st := e.NewState("c-17")
	d, err := e.Decide(&st, e.Scheme().Capabilities[0].Name, time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		panic(err)
	}
	fmt.Printf("%s: allowed %v, grade %s: %s\n", d.Capability, d.Allowed, d.Grade, d.Reason)
	// Output:
	// priority-healthcare: allowed false, grade A: grade A (score 1000) does not have priority-healthcare; grades with it: AAA, AA
}
