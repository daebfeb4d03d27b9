package store

import (
	"context"
	"os"
	"strings"
	"sync"
	"testing"

	"scs"
	"scs/classroom"
)

func TestClassesSQLite(t *testing.T) { classes(t, openSQLite) }

func TestClassesPostgres(t *testing.T) {
	if os.Getenv("SCS_TEST_POSTGRES") == "" {
		t.Skip("SCS_TEST_POSTGRES is not set")
	}
	classes(t, openPostgres)
}

// classes plays a small class through classroom.Service on a real
// database: concurrent joins and choices, a report and an objection, and
// closing, after which no row per student remains.
func classes(t *testing.T, open func(testing.TB) *DB) {
	ctx := context.Background()
	db := open(t)
	op := Operator()
	_, teacherTok, err := db.CreateAccount(ctx, op, scs.Account{Name: "Ms T", Role: scs.RoleTeacher})
	if err != nil {
		t.Fatal(err)
	}
	teacher, err := db.Authenticate(ctx, teacherTok)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.CreateAccount(ctx, op, scs.Account{Name: "x", Role: scs.RoleTeacher, Department: "civil-affairs"}); scs.ErrorCode(err) != scs.EINVALID {
		t.Errorf("a teacher with a department: %v", err)
	}
	svc := classroom.New(db, nil)
	c, err := svc.Open(ctx, teacher, classroom.Settings{Informing: true, Cards: true, Rounds: 2})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.CreateClass(ctx, c); scs.ErrorCode(err) != scs.ECONFLICT {
		t.Errorf("the same code twice: %v", err)
	}
	const n = 12
	students := make([]*classroom.Student, n)
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			st, tok, err := svc.Join(ctx, strings.ToLower(c.Code))
			if err != nil {
				errs <- err
				return
			}
			got, err := svc.Student(ctx, c.Code, tok)
			if err != nil {
				errs <- err
				return
			}
			if err := svc.Consent(ctx, got, i%4 != 0); err != nil {
				errs <- err
			}
			students[i] = got
			_ = st
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, s := range students {
		if seen[s.Pseudonym] {
			t.Fatalf("pseudonym %s twice", s.Pseudonym)
		}
		seen[s.Pseudonym] = true
	}
	for round := 1; round <= 2; round++ {
		if _, err := svc.Advance(ctx, teacher, c.Code); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for _, s := range students {
			if s.Consent != classroom.ConsentGiven {
				continue
			}
			wg.Add(1)
			go func(s *classroom.Student) {
				defer wg.Done()
				v, err := svc.View(ctx, s)
				if err != nil {
					t.Error(err)
					return
				}
				opts := map[string]string{}
				for _, si := range v.Situations {
					o := si.Options[len(si.Options)-1]
					if si.Kind == classroom.KindSpeech {
						o = "yes"
					}
					if si.Kind == classroom.KindDonation || si.Kind == classroom.KindVolunteer {
						o = si.Options[0]
						if o == "yes" {
							o = "no"
						}
					}
					opts[si.Rule] = o
				}
				if err := svc.Play(ctx, s, round, opts); err != nil {
					t.Error(err)
				}
			}(s)
		}
		wg.Wait()
	}
	rp, err := svc.ReportClassmate(ctx, students[1], students[2].Pseudonym, "online-criticism-of-government")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Object(ctx, students[2], rp.ID, "it was a joke"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Decide(ctx, teacher, c.Code, rp.ID, false, "it stands"); err != nil {
		t.Fatal(err)
	}
	b, err := svc.Board(ctx, teacher, c.Code)
	if err != nil {
		t.Fatal(err)
	}
	if b.Students != n || b.Scored != 9 || b.Declined != 3 || b.Played != 9 || len(b.Objections) != 1 || b.Objections[0].Status != classroom.ReportRejected {
		t.Fatalf("board: %d students, %d scored, %d declined, %d played, objections %+v", b.Students, b.Scored, b.Declined, b.Played, b.Objections)
	}
	if r := b.Rounds[1]; r.Criticism != 9 || r.Reports != 1 {
		t.Errorf("round 2 figures %+v", r)
	}
	classesOf, err := db.ClassesOf(ctx, teacher.ID)
	if err != nil || len(classesOf) != 1 || classesOf[0].Code != c.Code {
		t.Fatalf("ClassesOf = %v, %v", classesOf, err)
	}
	csv, err := svc.Close(ctx, teacher, c.Code)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(csv, "round,students,") || strings.Count(csv, "\n") != 3 {
		t.Errorf("summary:\n%s", csv)
	}
	ns, nc, nr, err := db.ClassRows(ctx, c.Code)
	if err != nil || ns+nc+nr != 0 {
		t.Fatalf("after closing: %d students, %d choices, %d reports (%v)", ns, nc, nr, err)
	}
	got, err := db.Class(ctx, c.Code)
	if err != nil || got.Status != classroom.StatusClosed || got.Summary != csv || got.Closed == nil {
		t.Fatalf("closed class %+v, %v", got, err)
	}
	if _, err := db.Class(ctx, "NOPE22"); scs.ErrorCode(err) != scs.ENOTFOUND {
		t.Errorf("unknown class: %v", err)
	}
}
