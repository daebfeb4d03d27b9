package classroom

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"scs"
)

var (
	teacherA = &scs.Account{ID: 7, Name: "Ms A", Role: scs.RoleTeacher}
	teacherB = &scs.Account{ID: 8, Name: "Mr B", Role: scs.RoleTeacher}
	admin    = &scs.Account{ID: 1, Name: "admin", Role: scs.RoleAdmin}
	official = &scs.Account{ID: 2, Name: "police", Role: scs.RoleOfficial, Department: "traffic-police"}
)

func newService(t *testing.T) (*Service, *memStore) {
	t.Helper()
	m := newMemStore()
	clock := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	return New(m, func() time.Time { return clock }), m
}

// quiet answers every situation without doing anything that gives or
// takes points: no, 0, or paying the bill.
func quiet(sits []Situation) map[string]string {
	out := map[string]string{}
	for _, s := range sits {
		switch s.Kind {
		case KindBill:
			out[s.Rule] = "pay"
		case KindDonation, KindVolunteer:
			out[s.Rule] = s.Options[0]
			if s.Options[0] == "yes" {
				out[s.Rule] = "no"
			}
		default:
			out[s.Rule] = "no"
		}
	}
	return out
}

func join(t *testing.T, s *Service, code string, consent bool) (*Student, string) {
	t.Helper()
	st, token, err := s.Join(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(st.Pseudonym, "Citizen ") || len(st.Pseudonym) != len("Citizen 4417") {
		t.Fatalf("pseudonym %q", st.Pseudonym)
	}
	got, err := s.Student(context.Background(), code, token)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Consent(context.Background(), got, consent); err != nil {
		t.Fatal(err)
	}
	return got, token
}

func TestOpenRoles(t *testing.T) {
	s, _ := newService(t)
	ctx := context.Background()
	for _, tc := range []struct {
		by   *scs.Account
		set  Settings
		code string
		msg  string
	}{
		{nil, Settings{}, scs.EUNAUTHORIZED, "teacher"},
		{official, Settings{}, scs.EFORBIDDEN, "teacher account"},
		{&scs.Account{ID: 3, Role: scs.RoleCitizen, Citizen: "c1"}, Settings{}, scs.EFORBIDDEN, "teacher account"},
		{&scs.Account{ID: 4, Role: scs.RoleReviewer}, Settings{}, scs.EFORBIDDEN, "teacher account"},
		{teacherA, Settings{Rounds: 11}, scs.EINVALID, "rounds"},
		{teacherA, Settings{Rounds: -1}, scs.EINVALID, "rounds"},
		{teacherA, Settings{Scheme: "nowhere"}, scs.EINVALID, "nowhere"},
		{teacherA, Settings{Scheme: "sesame", Informing: true}, scs.EINVALID, "informing"},
		{teacherA, Settings{}, "", ""},
		{admin, Settings{Scheme: "sesame"}, "", ""},
	} {
		c, err := s.Open(ctx, tc.by, tc.set)
		if scs.ErrorCode(err) != tc.code || (err != nil && !strings.Contains(err.Error(), tc.msg)) {
			t.Errorf("Open(%v, %+v) = %v, want code %q with %q", tc.by, tc.set, err, tc.code, tc.msg)
		}
		if err == nil {
			if !ValidCode(c.Code) || c.Rounds != DefaultRounds || c.Status != StatusOpen || c.Scheme == "" {
				t.Errorf("class %+v: defaults not filled", c)
			}
		}
	}
}

// TestTokenMatrix checks who reaches what: a student token only its own
// class, a teacher only their classes, nobody else anything.
func TestTokenMatrix(t *testing.T) {
	s, _ := newService(t)
	ctx := context.Background()
	a, err := s.Open(ctx, teacherA, Settings{Informing: true})
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.Open(ctx, teacherB, Settings{})
	if err != nil {
		t.Fatal(err)
	}
	_, tokA := join(t, s, a.Code, true)
	if _, err := s.Student(ctx, b.Code, tokA); scs.ErrorCode(err) != scs.EUNAUTHORIZED {
		t.Errorf("class A's token in class B: %v, want unauthorized", err)
	}
	if _, err := s.Student(ctx, a.Code, "scs_notastudent"); scs.ErrorCode(err) != scs.EUNAUTHORIZED {
		t.Errorf("an account token as a student token: %v", err)
	}
	if _, err := s.Student(ctx, a.Code, tokA+"x"); scs.ErrorCode(err) != scs.EUNAUTHORIZED {
		t.Errorf("a wrong token: %v", err)
	}
	teacherOnly := map[string]func(by *scs.Account, code string) error{
		"board":   func(by *scs.Account, code string) error { _, err := s.Board(ctx, by, code); return err },
		"advance": func(by *scs.Account, code string) error { _, err := s.Advance(ctx, by, code); return err },
		"summary": func(by *scs.Account, code string) error { _, err := s.Summary(ctx, by, code); return err },
		"decide":  func(by *scs.Account, code string) error { _, err := s.Decide(ctx, by, code, 1, true, ""); return err },
		"debrief": func(by *scs.Account, code string) error { _, err := s.Debrief(ctx, by, code); return err },
		"close":   func(by *scs.Account, code string) error { _, err := s.Close(ctx, by, code); return err },
	}
	for name, f := range teacherOnly {
		if err := f(teacherB, a.Code); scs.ErrorCode(err) != scs.EFORBIDDEN {
			t.Errorf("%s by another teacher: %v, want forbidden", name, err)
		}
		if err := f(official, a.Code); scs.ErrorCode(err) != scs.EFORBIDDEN {
			t.Errorf("%s by an official: %v, want forbidden", name, err)
		}
		if err := f(nil, a.Code); scs.ErrorCode(err) != scs.EUNAUTHORIZED {
			t.Errorf("%s by anyone: %v, want unauthorized", name, err)
		}
		if err := f(teacherA, "ZZZZZZ"); scs.ErrorCode(err) != scs.ENOTFOUND {
			t.Errorf("%s of an unknown class: %v, want not found", name, err)
		}
	}
	if _, err := s.Board(ctx, admin, a.Code); err != nil {
		t.Errorf("admin's board: %v", err)
	}
	if _, err := s.Board(ctx, teacherA, a.Code); err != nil {
		t.Errorf("the teacher's own board: %v", err)
	}
	if _, _, err := s.Join(ctx, "nope"); scs.ErrorCode(err) != scs.EINVALID {
		t.Errorf("join with a bad code: %v", err)
	}
	if _, _, err := s.Join(ctx, "zz-zzzz"); scs.ErrorCode(err) != scs.ENOTFOUND {
		t.Errorf("join an unknown class: %v", err)
	}
}

func TestSituations(t *testing.T) {
	s, _ := newService(t)
	g, err := s.rulesFor("rongcheng")
	if err != nil {
		t.Fatal(err)
	}
	if g.speech != "online-criticism-of-government" || g.inform != "informant-report" {
		t.Fatalf("speech %q, inform %q", g.speech, g.inform)
	}
	for seed := int64(1); seed < 50; seed++ {
		for r := 1; r <= MaxRounds; r++ {
			sits := g.situations(seed, r)
			if len(sits) < 3 || len(sits) > 5 {
				t.Fatalf("seed %d round %d: %d situations", seed, r, len(sits))
			}
			if sits[0].Rule != g.speech {
				t.Fatalf("seed %d round %d: the speech situation is not first: %v", seed, r, sits[0].Rule)
			}
			seen := map[string]bool{}
			for _, si := range sits {
				if seen[si.Rule] {
					t.Fatalf("seed %d round %d: %s twice", seed, r, si.Rule)
				}
				seen[si.Rule] = true
				if _, ok := g.scheme.Rule(si.Rule); !ok {
					t.Fatalf("situation of unknown rule %s", si.Rule)
				}
				if si.Kind == KindBill && si.Bill == 0 {
					t.Fatalf("a bill of 0")
				}
			}
			again := g.situations(seed, r)
			if len(again) != len(sits) || again[len(again)-1].Rule != sits[len(sits)-1].Rule {
				t.Fatalf("seed %d round %d: not the same twice", seed, r)
			}
		}
	}
	ses, err := s.rulesFor("sesame")
	if err != nil {
		t.Fatal(err)
	}
	if got := ses.situations(1, 1); len(got) == 0 {
		t.Errorf("sesame: no situations")
	}
}

// TestScoredByEngine plays a round where one student posts criticism and
// does a good deed and checks that the points are the engine's (the rule's
// points from the scheme, not a figure of this package).
func TestScoredByEngine(t *testing.T) {
	s, _ := newService(t)
	ctx := context.Background()
	c, err := s.Open(ctx, teacherA, Settings{Informing: true, Rounds: 2})
	if err != nil {
		t.Fatal(err)
	}
	alice, _ := join(t, s, c.Code, true)
	bob, _ := join(t, s, c.Code, true)
	if err := s.Play(ctx, alice, 1, nil); scs.ErrorCode(err) != scs.ECONFLICT {
		t.Errorf("play before the first round: %v", err)
	}
	if _, err := s.Advance(ctx, teacherA, c.Code); err != nil {
		t.Fatal(err)
	}
	v, err := s.View(ctx, alice)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Situations) < 3 || v.Now.Score != 1000 {
		t.Fatalf("view before playing: %d situations, score %d", len(v.Situations), v.Now.Score)
	}
	opts := quiet(v.Situations)
	opts["online-criticism-of-government"] = "yes"
	if err := s.Play(ctx, alice, 1, map[string]string{"online-criticism-of-government": "yes"}); scs.ErrorCode(err) != scs.EINVALID || scs.ErrorField(err) == "" {
		t.Errorf("a partial answer: %v", err)
	}
	if err := s.Play(ctx, alice, 2, opts); scs.ErrorCode(err) != scs.ECONFLICT {
		t.Errorf("answering a round not running: %v", err)
	}
	if err := s.Play(ctx, alice, 1, opts); err != nil {
		t.Fatal(err)
	}
	if err := s.Play(ctx, alice, 1, opts); scs.ErrorCode(err) != scs.ECONFLICT {
		t.Errorf("playing twice: %v", err)
	}
	if err := s.Play(ctx, bob, 1, quiet(v.Situations)); err != nil {
		t.Fatal(err)
	}
	v, _ = s.View(ctx, alice)
	g, _ := s.rulesFor("rongcheng")
	posted := detected(c.Seed, 1, alice.ID, "online-criticism-of-government", 0.5)
	want := int64(1000)
	if posted {
		want -= 50
	}
	if v.Now.Score != want {
		t.Errorf("score after posting (recorded: %v) = %d, want %d", posted, v.Now.Score, want)
	}
	bv, _ := s.View(ctx, bob)
	if len(bv.Seen) != 1 || bv.Seen[0].Pseudonym != alice.Pseudonym {
		t.Fatalf("bob sees %+v, want alice's post", bv.Seen)
	}
	// Bob reports Alice's post: informing gives him the informing rule's
	// points, and her the post's record if the department missed it.
	rp, err := s.ReportClassmate(ctx, bob, alice.Pseudonym, "online-criticism-of-government")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ReportClassmate(ctx, bob, alice.Pseudonym, "online-criticism-of-government"); scs.ErrorCode(err) != scs.ECONFLICT {
		t.Errorf("the same report twice: %v", err)
	}
	if _, err := s.ReportClassmate(ctx, bob, bob.Pseudonym, "online-criticism-of-government"); scs.ErrorCode(err) != scs.EINVALID {
		t.Errorf("reporting oneself: %v", err)
	}
	inform, _ := g.scheme.Rule("informant-report")
	bv, _ = s.View(ctx, bob)
	if bv.Now.Score != 1000+inform.Effect.Points {
		t.Errorf("bob after informing: %d, want %d", bv.Now.Score, 1000+inform.Effect.Points)
	}
	v, _ = s.View(ctx, alice)
	if v.Now.Score != 950 {
		t.Errorf("alice after the report: %d, want 950", v.Now.Score)
	}
	if len(v.Against) != 1 || v.Against[0].Pseudonym != "" {
		t.Fatalf("alice sees reports %+v (reporters stay anonymous)", v.Against)
	}
	last := v.Entries[len(v.Entries)-1]
	if last.Source == "" || last.Description == "" || last.Applied != -50 {
		t.Errorf("entry %+v: want the rule's words, source and -50", last)
	}
	// Falling from A into B: the engine's reason as structure, in the
	// entry and in its JSON, beside the English words.
	if len(last.Reasons) != 1 || last.Reasons[0].Code != scs.ReasonLockIn || last.Reasons[0].Band != "A" || last.Reasons[0].Grade != "B" ||
		last.Reason != last.Reasons[0].String() {
		t.Errorf("entry reasons %+v (%q): want the lock-in from A into B", last.Reasons, last.Reason)
	}
	if b, _ := json.Marshal(last); !strings.Contains(string(b), `"reasons":[{"code":"lock-in","grade":"B","band":"A","period":"P2Y"`) {
		t.Errorf("entry JSON without its reasons: %s", b)
	}
	// She objects; the teacher upholds: the report is void both ways.
	if _, err := s.Object(ctx, bob, rp.ID, "not his"); scs.ErrorCode(err) != scs.ENOTFOUND {
		t.Errorf("the reporter objecting: %v", err)
	}
	if _, err := s.Object(ctx, alice, rp.ID, "I was joking"); err != nil {
		t.Fatal(err)
	}
	b, _ := s.Board(ctx, teacherA, c.Code)
	if len(b.Objections) != 1 || !b.Objections[0].Did || b.Objections[0].Target != alice.Pseudonym {
		t.Fatalf("board objections %+v", b.Objections)
	}
	if _, err := s.Decide(ctx, teacherA, c.Code, rp.ID, true, "speech is free in this class"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Decide(ctx, teacherA, c.Code, rp.ID, true, ""); scs.ErrorCode(err) != scs.ECONFLICT {
		t.Errorf("deciding twice: %v", err)
	}
	bv, _ = s.View(ctx, bob)
	v, _ = s.View(ctx, alice)
	if bv.Now.Score != 1000 || v.Now.Score != want {
		t.Errorf("after upholding: bob %d alice %d, want 1000 and %d", bv.Now.Score, v.Now.Score, want)
	}
	b, _ = s.Board(ctx, teacherA, c.Code)
	if b.Rounds[0].Criticism != 1 || b.Rounds[0].Reports != 1 || b.Rounds[0].ReportsVoid != 1 || b.Played != 2 {
		t.Errorf("round figures %+v, played %d", b.Rounds[0], b.Played)
	}
}

func TestCardsLimitChoices(t *testing.T) {
	s, _ := newService(t)
	ctx := context.Background()
	c, _ := s.Open(ctx, teacherA, Settings{})
	st, _ := join(t, s, c.Code, true)
	st.Money, st.Hours = 200, 2
	g, _ := s.rulesFor("rongcheng")
	var bill, don *Situation
	for seed := int64(1); seed < 500 && (bill == nil || don == nil); seed++ {
		for _, si := range g.situations(seed, 1) {
			si := si
			if si.Kind == KindBill && bill == nil {
				bill = &si
			}
			if si.Kind == KindDonation && don == nil {
				don = &si
			}
		}
	}
	if bill == nil || don == nil {
		t.Fatal("no bill or donation situation in 500 seeds")
	}
	if _, err := g.check([]Situation{*bill}, st, map[string]string{bill.Rule: "pay"}); scs.ErrorCode(err) != scs.EINVALID {
		t.Errorf("a poor card paying a %d bill: %v", bill.Bill, err)
	}
	if _, err := g.check([]Situation{*bill}, st, map[string]string{bill.Rule: "late"}); err != nil {
		t.Errorf("paying late: %v", err)
	}
	if _, err := g.check([]Situation{*don}, st, map[string]string{don.Rule: "2000"}); scs.ErrorCode(err) != scs.EINVALID {
		t.Errorf("donating more than the card: %v", err)
	}
	if _, err := g.check([]Situation{*don}, st, map[string]string{don.Rule: "7"}); scs.ErrorCode(err) != scs.EINVALID {
		t.Errorf("an option not offered: %v", err)
	}
}

// TestAllDecline: a class where every student declines consent still runs
// its rounds, shows a board and a debrief, and closes.
func TestAllDecline(t *testing.T) {
	s, m := newService(t)
	ctx := context.Background()
	c, _ := s.Open(ctx, teacherA, Settings{Informing: true, Cards: true, PublicList: true})
	var watchers []*Student
	for i := 0; i < 4; i++ {
		st, _ := join(t, s, c.Code, false)
		watchers = append(watchers, st)
	}
	for r := 1; r <= c.Rounds+1; r++ {
		if _, err := s.Advance(ctx, teacherA, c.Code); err != nil {
			t.Fatal(err)
		}
		for _, w := range watchers {
			v, err := s.View(ctx, w)
			if err != nil {
				t.Fatal(err)
			}
			if len(v.Situations) != 0 || v.Consent != "declined" {
				t.Fatalf("a watcher is asked to play: %+v", v)
			}
			if err := s.Play(ctx, w, r, map[string]string{}); scs.ErrorCode(err) != scs.EFORBIDDEN && r <= c.Rounds {
				t.Errorf("a watcher plays: %v", err)
			}
		}
	}
	b, err := s.Board(ctx, teacherA, c.Code)
	if err != nil {
		t.Fatal(err)
	}
	if b.Class.Status != StatusEnded || b.Students != 4 || b.Declined != 4 || b.Scored != 0 || len(b.Rounds) != c.Rounds {
		t.Fatalf("board %+v", b)
	}
	d, err := s.Debrief(ctx, teacherA, c.Code)
	if err != nil {
		t.Fatal(err)
	}
	if d.Class.Scored != 0 {
		t.Errorf("debrief scored %d", d.Class.Scored)
	}
	csv, err := s.Close(ctx, teacherA, c.Code)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(csv, "\n"); n != c.Rounds+1 {
		t.Errorf("summary has %d lines, want %d:\n%s", n, c.Rounds+1, csv)
	}
	if len(m.students[c.Code])+len(m.choices[c.Code])+len(m.reports[c.Code]) != 0 {
		t.Errorf("rows per student remain after closing")
	}
	if _, err := s.View(ctx, watchers[0]); scs.ErrorCode(err) != scs.ENOTFOUND {
		t.Errorf("a student's view after closing: %v", err)
	}
	if _, _, err := s.Join(ctx, c.Code); scs.ErrorCode(err) != scs.ENOTFOUND {
		t.Errorf("joining a closed class: %v", err)
	}
	again, err := s.Summary(ctx, teacherA, c.Code)
	if err != nil || again != csv {
		t.Errorf("summary after closing: %v", err)
	}
}

func TestWatch(t *testing.T) {
	s, _ := newService(t)
	ctx := context.Background()
	c, _ := s.Open(ctx, teacherA, Settings{})
	ch, stop := s.Watch(c.Code)
	defer stop()
	join(t, s, c.Code, true)
	select {
	case <-ch:
	case <-time.After(time.Second):
		t.Fatal("no change after a join")
	}
}
