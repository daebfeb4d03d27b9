package classroom

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"scs"
)

// TestCacheMatchesStore: the cached snapshot that the students' writes
// update in place (choices, reports, joining, consent), with each game
// reused for the students a write did not touch, shows exactly what a
// fresh read of the store shows, for every student's view and the board,
// while students write and read at once.
func TestCacheMatchesStore(t *testing.T) {
	s, m := newService(t)
	ctx := context.Background()
	c, err := s.Open(ctx, teacherA, Settings{Informing: true, Rounds: 3, Cards: true, PublicList: true})
	if err != nil {
		t.Fatal(err)
	}
	var students []*Student
	for i := 0; i < 14; i++ {
		st, _ := join(t, s, c.Code, i%7 != 6)
		students = append(students, st)
	}
	check := func(when string) {
		t.Helper()
		fresh := New(m, s.now) // no cache: reads the store
		for _, st := range students {
			a, err1 := s.View(ctx, st)
			b, err2 := fresh.View(ctx, st)
			if err1 != nil || err2 != nil {
				t.Fatalf("%s: %v %v", when, err1, err2)
			}
			if ja, jb := mustJSON(t, a), mustJSON(t, b); ja != jb {
				t.Fatalf("%s: %s's view from the cache differs from the store's:\n%s\n%s", when, st.Pseudonym, ja, jb)
			}
		}
		a, err1 := s.Board(ctx, teacherA, c.Code)
		b, err2 := fresh.Board(ctx, teacherA, c.Code)
		if err1 != nil || err2 != nil {
			t.Fatalf("%s: %v %v", when, err1, err2)
		}
		if ja, jb := mustJSON(t, a), mustJSON(t, b); ja != jb {
			t.Fatalf("%s: the board from the cache differs from the store's:\n%s\n%s", when, ja, jb)
		}
	}
	check("before the first round")
	for round := 1; round <= 3; round++ {
		if _, err := s.Advance(ctx, teacherA, c.Code); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for i, st := range students {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rng := rand.New(rand.NewPCG(uint64(i), uint64(round)))
				v, err := s.View(ctx, st)
				if err != nil {
					t.Error(err)
					return
				}
				if st.Consent != ConsentGiven {
					return
				}
				opts := quiet(v.Situations)
				for _, si := range v.Situations {
					if rng.IntN(2) == 0 {
						opts[si.Rule] = si.Options[rng.IntN(len(si.Options))]
					}
				}
				if err := s.Play(ctx, st, round, opts); err != nil {
					if scs.ErrorCode(err) != scs.EINVALID {
						t.Error(err)
						return
					}
					opts = quiet(v.Situations)
					for _, si := range v.Situations {
						if si.Kind == KindBill {
							opts[si.Rule] = "late" // a poor card cannot pay
						}
					}
					if err := s.Play(ctx, st, round, opts); err != nil {
						t.Error(err)
						return
					}
				}
				s.Board(ctx, teacherA, c.Code) // a read between writes computes the game
				for _, sit := range v.Situations {
					if sit.Visible && rng.IntN(3) == 0 {
						peer := students[rng.IntN(len(students))]
						s.ReportClassmate(ctx, st, peer.Pseudonym, sit.Rule) // refused ones are part of the game
					}
				}
			}()
		}
		wg.Wait()
		check(fmt.Sprintf("round %d", round))
	}
	// A late joiner and a change of mind.
	late, _ := join(t, s, c.Code, true)
	students = append(students, late)
	if err := s.Consent(ctx, students[6], true); err != nil {
		t.Fatal(err)
	}
	check("after a late join and a change of consent")
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
