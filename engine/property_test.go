package engine_test

import (
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"pgregory.net/rapid"

	"scs"
	"scs/engine"
	"scs/schemes"
)

// genEvents draws a history for a few citizens under the Rongcheng scheme:
// any rule, valid quantities and points, distinct times over ten years.
func genEvents(t *rapid.T, e *engine.Engine) []scs.Event {
	s := e.Scheme()
	n := rapid.IntRange(0, 80).Draw(t, "n")
	base := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	offsets := rapid.SliceOfNDistinct(rapid.Int64Range(0, 10*365*24*3600), n, n, rapid.ID[int64]).Draw(t, "offsets")
	evs := make([]scs.Event, n)
	for i := range evs {
		r := s.Rules[rapid.IntRange(0, len(s.Rules)-1).Draw(t, "rule")]
		ev := scs.Event{ID: fmt.Sprint("e", i), Citizen: rapid.SampledFrom([]string{"a", "b", "c"}).Draw(t, "citizen"), Rule: r.ID,
			At: base.Add(time.Duration(offsets[i]) * time.Second)}
		switch {
		case r.Effect.NeedsQuantity():
			ev.Quantity = rapid.Float64Range(0, 5000).Draw(t, "qty")
			ev.HasQuantity = true
		case r.Effect.Kind == scs.EffectRange:
			ev.Points = rapid.Int64Range(r.Effect.Min, r.Effect.Max).Draw(t, "points")
			ev.HasPoints = true
		}
		evs[i] = ev
	}
	return evs
}

func TestProperties(t *testing.T) {
	e := newEngine(t)
	s := e.Scheme()
	rapid.Check(t, func(t *rapid.T) {
		evs := genEvents(t, e)
		asOf := time.Date(2035, 1, 1, 0, 0, 0, 0, time.UTC)
		results, err := e.ScoreEvents(evs, asOf, true)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range results {
			sum := s.Start
			type key struct {
				rule string
				year int
			}
			yearly := map[key]int64{}
			for _, te := range r.Trail {
				sum += te.Applied
				if te.Score < s.Floor {
					t.Fatalf("score %d below the floor", te.Score)
				}
				if te.Score != sum {
					t.Fatalf("score %d after %s, want start + sum of applied = %d", te.Score, te.Event, sum)
				}
				rule, _ := s.Rule(te.Rule)
				if rule.YearlyCap > 0 {
					k := key{te.Rule, te.At.In(s.Location).Year()}
					yearly[k] += te.Applied
					if v := yearly[k]; v > rule.YearlyCap || v < -rule.YearlyCap {
						t.Fatalf("rule %s applied %d in %d, over its cap %d", te.Rule, v, k.year, rule.YearlyCap)
					}
				}
				// The words are the structure's; a point kept back and a lock
				// each have their reason, with the entry's figures.
				if te.Reason != scs.JoinReasons(te.Reasons) {
					t.Fatalf("reason %q, but its structure says %q", te.Reason, scs.JoinReasons(te.Reasons))
				}
				limited := false
				for _, why := range te.Reasons {
					switch why.Code {
					case scs.ReasonYearlyCap, scs.ReasonFloor, scs.ReasonCeiling:
						limited = true
					case scs.ReasonLockIn, scs.ReasonLockHeld:
						if why.Grade != te.Grade || !why.Until.After(te.At) || why.Until.Location() != s.Location {
							t.Fatalf("lock reason %+v of an entry in grade %s at %s", why, te.Grade, te.At)
						}
					}
				}
				if rule, _ := s.Rule(te.Rule); te.Applied != te.Asked && rule.Effect.Kind != scs.EffectDropTo && !limited {
					t.Fatalf("%s applied %d of %d asked with no reason for it: %+v", te.Event, te.Applied, te.Asked, te.Reasons)
				}
				if g, band := s.GradeIndex(te.Grade), s.GradeOf(te.Score); g < band {
					t.Fatalf("grade %s above the score's band %s", te.Grade, s.Grades[band].Name)
				}
			}
			if r.State.Score != sum {
				t.Fatalf("final score %d, want %d", r.State.Score, sum)
			}
			// Once every lock has expired, the grade is the band of the score.
			later := asOf.AddDate(6, 0, 0)
			if got, want := e.Standing(&r.State, later).Grade, s.Grades[s.GradeOf(r.State.Score)].Name; got != want {
				t.Fatalf("unlocked grade %s, want the band %s", got, want)
			}
		}
		// The output does not depend on how events with different times are ordered.
		perm := rapid.Permutation(evs).Draw(t, "perm")
		again, err := e.ScoreEvents(perm, asOf, true)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(results, again) {
			t.Fatalf("results differ when the input is reordered")
		}
	})
}

// StepRuleFor without a Scoring, the replay's path, leaves every state
// exactly as Step does, and refuses a rule number that is not the event's
// rule.
func TestStepRuleIsStep(t *testing.T) {
	for _, name := range []string{"rongcheng", "sesame"} {
		e, err := engine.New(schemes.MustLoad(name))
		if err != nil {
			t.Fatal(err)
		}
		s := e.Scheme()
		rapid.Check(t, func(t *rapid.T) {
			evs := genEvents(t, e)
			slices.SortFunc(evs, func(x, y scs.Event) int { return x.At.Compare(y.At) })
			a, b := e.NewState("a"), e.NewState("a")
			for i := range evs {
				ev := &evs[i]
				ri := slices.IndexFunc(s.Rules, func(r scs.Rule) bool { return r.ID == ev.Rule })
				if wrong := rapid.IntRange(-1, len(s.Rules)).Draw(t, "wrong"); wrong != ri {
					before := b
					if _, _, err := e.StepRuleFor(&b, wrong, ev, nil); err == nil {
						t.Fatalf("rule number %d for an event of %s: no error", wrong, ev.Rule)
					}
					if !reflect.DeepEqual(before, b) {
						t.Fatalf("a refused event changed the state")
					}
				}
				want, err1 := e.Step(&a, ev)
				scored, g, err2 := e.StepRuleFor(&b, ri, ev, nil)
				got := int64(0)
				if scored {
					got = b.LastApplied
				}
				if (err1 == nil) != (err2 == nil) || want != got || scored != (err2 == nil) {
					t.Fatalf("event %d (%s): Step %d, %v; StepRuleFor %d (scored %v), %v", i, ev.Rule, want, err1, got, scored, err2)
				}
				if wg := e.GradeAt(&a, ev.At); err2 == nil && g != wg {
					t.Fatalf("event %d (%s): StepRuleFor's grade %d, GradeAt %d", i, ev.Rule, g, wg)
				}
				if !reflect.DeepEqual(a, b) {
					t.Fatalf("event %d (%s): states differ:\n%+v\n%+v", i, ev.Rule, a, b)
				}
			}
			// A state reset for reuse replays the history as a new one.
			e.ResetState(&b, "a")
			for i := range evs {
				e.StepRuleFor(&b, slices.IndexFunc(s.Rules, func(r scs.Rule) bool { return r.ID == evs[i].Rule }), &evs[i], nil)
			}
			if !slices.Equal(a.Yearly, b.Yearly) {
				t.Fatalf("yearly totals after a reset: %v, want %v", b.Yearly, a.Yearly)
			}
			if len(a.Records) != len(b.Records) || (len(a.Records) > 0 && !reflect.DeepEqual(a.Records, b.Records)) {
				t.Fatalf("factor records after a reset: %v, want %v", b.Records, a.Records)
			}
			a.Yearly, b.Yearly, a.Records, b.Records = nil, nil, nil, nil
			if !reflect.DeepEqual(a, b) {
				t.Fatalf("after a reset: states differ:\n%+v\n%+v", a, b)
			}
		})
	}
}
