package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"scs"
	"scs/classroom"
	"scs/schemes"
	"scs/store"
)

// classServer is a server over a real SQLite store with an admin, two
// teachers and an official.
func classServer(t testing.TB) (*Server, *store.DB, map[string]string) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "scs.db"), schemes.MustLoad("rongcheng"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	tokens := map[string]string{}
	for key, a := range map[string]scs.Account{
		"admin":    {Name: "Admin", Role: scs.RoleAdmin},
		"teacher":  {Name: "Ms Keller", Role: scs.RoleTeacher},
		"teacher2": {Name: "Mr Braun", Role: scs.RoleTeacher},
		"official": {Name: "Officer Sun", Role: scs.RoleOfficial, Department: "courts"},
	} {
		_, tok, err := db.CreateAccount(ctx, store.Operator(), a)
		if err != nil {
			t.Fatal(err)
		}
		tokens[key] = tok
	}
	s, err := New(Deps{Registry: db, Pinger: db, Settings: db, History: db, Classes: classroom.New(db, nil), Checkpoints: db})
	if err != nil {
		t.Fatal(err)
	}
	return s, db, tokens
}

func decode[T any](t testing.TB, a answer) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(a.body), &v); err != nil {
		t.Fatalf("decoding %q: %v", a.body, err)
	}
	return v
}

// TestClassAPIMatrix checks the role and token matrix over HTTP: who may
// open, read, run and close a class, and what a student token reaches.
func TestClassAPIMatrix(t *testing.T) {
	s, db, tok := classServer(t)
	open := func(token, body string) answer {
		return do(s, "POST", "/api/v1/classes", token, "application/json", body)
	}
	if a := open("", `{}`); a.status != http.StatusUnauthorized {
		t.Errorf("open without a token: %d", a.status)
	}
	if a := open(tok["official"], `{}`); a.status != http.StatusForbidden {
		t.Errorf("open as an official: %d %s", a.status, a.body)
	}
	if a := open(tok["teacher"], `{"rounds": 0}`); a.status != http.StatusBadRequest || a.err.Field != "rounds" {
		t.Errorf("rounds 0: %d %+v", a.status, a.err)
	}
	if a := open(tok["teacher"], `{"scheme": "atlantis"}`); a.status != http.StatusBadRequest || a.err.Field != "scheme" {
		t.Errorf("unknown scheme: %d %+v", a.status, a.err)
	}
	if a := open(tok["teacher"], `{"colour": "red"}`); a.status != http.StatusBadRequest || a.err.Field != "colour" {
		t.Errorf("unknown field: %d %+v", a.status, a.err)
	}
	a := open(tok["teacher"], `{}`)
	if a.status != http.StatusCreated {
		t.Fatalf("open: %d %s", a.status, a.body)
	}
	c := decode[ClassResponse](t, a)
	if c.Rounds != 5 || !c.Informing || !c.Cards || !c.PublicList || c.Scheme != "rongcheng" || c.JoinPath != "/join?code="+c.Code {
		t.Errorf("defaults: %+v", c)
	}
	other := decode[ClassResponse](t, open(tok["teacher2"], `{"scheme": "sesame", "rounds": 3}`))
	if other.Informing {
		t.Errorf("sesame has no informing rule, yet informing is on")
	}
	base := "/api/v1/classes/" + c.Code
	teacherRoutes := []struct{ method, path, body string }{
		{"GET", base, ""},
		{"GET", base + "/summary.csv", ""},
		{"GET", base + "/debrief", ""},
		{"POST", base + "/reports/1/decision", `{"decision": "reject", "reason": "x"}`},
		{"POST", base + "/advance", `{}`},
		{"DELETE", base, ""},
	}
	for _, rt := range teacherRoutes {
		if a := do(s, rt.method, rt.path, "", "application/json", rt.body); a.status != http.StatusUnauthorized {
			t.Errorf("%s %s without a token: %d", rt.method, rt.path, a.status)
		}
		for _, who := range []string{"teacher2", "official"} {
			if a := do(s, rt.method, rt.path, tok[who], "application/json", rt.body); a.status != http.StatusForbidden {
				t.Errorf("%s %s as %s: %d %s", rt.method, rt.path, who, a.status, a.body)
			}
		}
	}
	// Students: joining needs no account; the token reaches its class only.
	j := do(s, "POST", "/api/v1/classes/"+strings.ToLower(c.Code)+"/join", "", "", "")
	if j.status != http.StatusCreated {
		t.Fatalf("join: %d %s", j.status, j.body)
	}
	jr := decode[JoinResponse](t, j)
	if !strings.HasPrefix(jr.Student, "Citizen ") || !strings.HasPrefix(jr.Token, classroom.TokenPrefix) {
		t.Errorf("join answered %+v", jr)
	}
	j2 := decode[JoinResponse](t, do(s, "POST", "/api/v1/classes/"+other.Code+"/join", "", "", ""))
	if a := do(s, "GET", base+"/me", jr.Token, "", ""); a.status != http.StatusOK {
		t.Errorf("own view: %d %s", a.status, a.body)
	}
	for _, bad := range []string{"", j2.Token, tok["teacher"], "garbage"} {
		if a := do(s, "GET", base+"/me", bad, "", ""); a.status != http.StatusUnauthorized {
			t.Errorf("view with token %.12q: %d", bad, a.status)
		}
	}
	for _, rt := range teacherRoutes {
		if a := do(s, rt.method, rt.path, jr.Token, "application/json", rt.body); a.status != http.StatusUnauthorized {
			t.Errorf("%s %s with a student token: %d", rt.method, rt.path, a.status)
		}
	}
	if a := do(s, "POST", "/api/v1/classes/ZZZZ22/join", "", "", ""); a.status != http.StatusNotFound {
		t.Errorf("join an unknown class: %d", a.status)
	}
	if a := do(s, "POST", "/api/v1/classes/x/join", "", "", ""); a.status != http.StatusBadRequest || a.err.Field != "code" {
		t.Errorf("join a bad code: %d %+v", a.status, a.err)
	}
	// The admin may run any class; the teacher lists only their own.
	if a := do(s, "GET", base, tok["admin"], "", ""); a.status != http.StatusOK {
		t.Errorf("admin's board: %d", a.status)
	}
	list := decode[ClassesResponse](t, do(s, "GET", "/api/v1/classes", tok["teacher"], "", ""))
	if len(list.Classes) != 1 || list.Classes[0].Code != c.Code {
		t.Errorf("the teacher's classes: %+v", list.Classes)
	}
	// Closing deletes the students: the token stops working.
	if a := do(s, "DELETE", base, tok["teacher"], "", ""); a.status != http.StatusOK || !strings.Contains(a.body, "summary_csv") {
		t.Fatalf("close: %d %s", a.status, a.body)
	}
	if a := do(s, "GET", base+"/me", jr.Token, "", ""); a.status != http.StatusUnauthorized {
		t.Errorf("a student token after closing: %d", a.status)
	}
	if n, _, _, _ := db.ClassRows(context.Background(), c.Code); n != 0 {
		t.Errorf("%d students remain", n)
	}
	if a := do(s, "GET", base+"/summary.csv", tok["teacher"], "", ""); a.status != http.StatusOK || !strings.HasPrefix(a.body, "round,") {
		t.Errorf("summary after closing: %d %q", a.status, a.body)
	}
}

// TestClassAPILesson plays a short lesson over the JSON API alone.
func TestClassAPILesson(t *testing.T) {
	s, _, tok := classServer(t)
	c := decode[ClassResponse](t, do(s, "POST", "/api/v1/classes", tok["teacher"], "application/json", `{"rounds": 2}`))
	base := "/api/v1/classes/" + c.Code
	var students []JoinResponse
	for i := 0; i < 5; i++ {
		jr := decode[JoinResponse](t, do(s, "POST", base+"/join", "", "", ""))
		consent := i != 4
		if a := do(s, "PUT", base+"/me/consent", jr.Token, "application/json", fmt.Sprintf(`{"consent": %v}`, consent)); a.status != http.StatusOK {
			t.Fatalf("consent: %d %s", a.status, a.body)
		}
		students = append(students, jr)
	}
	for round := 1; round <= 2; round++ {
		if a := do(s, "POST", base+"/advance", tok["teacher"], "application/json", ``); a.status != http.StatusOK {
			t.Fatalf("advance: %d %s", a.status, a.body)
		}
		for i, st := range students[:4] {
			v := decode[classroom.View](t, do(s, "GET", base+"/me", st.Token, "", ""))
			choices := map[string]string{}
			for _, si := range v.Situations {
				o := si.Options[len(si.Options)-1]
				if si.Kind == classroom.KindSpeech && i%2 == 0 {
					o = "yes"
				}
				if si.Kind == classroom.KindBill {
					o = "late"
				}
				if si.Kind == classroom.KindDonation || si.Kind == classroom.KindVolunteer {
					o = si.Options[0]
				}
				choices[si.Rule] = o
			}
			body, _ := json.Marshal(ChoicesRequest{Round: &round, Choices: choices})
			a := do(s, "POST", base+"/me/choices", st.Token, "application/json", string(body))
			if a.status != http.StatusOK {
				t.Fatalf("choices: %d %s", a.status, a.body)
			}
			if a := do(s, "POST", base+"/me/choices", st.Token, "application/json", string(body)); a.status != http.StatusConflict {
				t.Errorf("choices twice: %d", a.status)
			}
		}
		if a := do(s, "POST", base+"/me/choices", students[4].Token, "application/json", `{"round": 1, "choices": {}}`); a.status != http.StatusForbidden {
			t.Errorf("a watcher plays: %d %s", a.status, a.body)
		}
	}
	if a := do(s, "POST", base+"/me/choices", students[0].Token, "application/json", `{"choices": {}}`); a.status != http.StatusBadRequest || a.err.Field != "round" {
		t.Errorf("no round: %d %+v", a.status, a.err)
	}
	// Student 1 reports student 0's post; student 0 objects; the teacher upholds.
	rp := do(s, "POST", base+"/me/reports", students[1].Token, "application/json",
		fmt.Sprintf(`{"pseudonym": %q, "rule": "online-criticism-of-government"}`, students[0].Student))
	if rp.status != http.StatusCreated {
		t.Fatalf("report: %d %s", rp.status, rp.body)
	}
	r := decode[classroom.Report](t, rp)
	if a := do(s, "POST", base+"/me/objections", students[0].Token, "application/json", fmt.Sprintf(`{"report": %d, "reason": "a joke"}`, r.ID)); a.status != http.StatusCreated {
		t.Fatalf("object: %d %s", a.status, a.body)
	}
	if a := do(s, "POST", fmt.Sprintf("%s/reports/%d/decision", base, r.ID), tok["teacher"], "application/json", `{"decision": "uphold", "reason": "free speech"}`); a.status != http.StatusOK {
		t.Fatalf("decide: %d %s", a.status, a.body)
	}
	b := decode[classroom.Board](t, do(s, "GET", base, tok["teacher"], "", ""))
	total := 0
	for _, g := range b.Grades {
		total += g.Count
	}
	if b.Students != 5 || b.Scored != 4 || b.Declined != 1 || total != 4 || b.Played != 4 || len(b.Objections) != 1 || b.Objections[0].Status != "upheld" {
		t.Errorf("board: students %d scored %d declined %d in grades %d played %d objections %+v", b.Students, b.Scored, b.Declined, total, b.Played, b.Objections)
	}
	if b.Rounds[1].Criticism != 2 {
		t.Errorf("criticism in round 2: %d, want 2", b.Rounds[1].Criticism)
	}
	if a := do(s, "POST", base+"/advance", tok["teacher"], "application/json", ``); a.status != http.StatusOK || !strings.Contains(a.body, `"ended"`) {
		t.Fatalf("end: %d %s", a.status, a.body)
	}
	d := decode[classroom.Debrief](t, do(s, "GET", base+"/debrief", tok["teacher"], "", ""))
	// The simulation behind the debrief runs in the background (slow under
	// the race detector); the debrief says when its figures are ready.
	for deadline := time.Now().Add(3 * time.Minute); !d.SimRun.Ready && time.Now().Before(deadline); {
		time.Sleep(time.Second)
		d = decode[classroom.Debrief](t, do(s, "GET", base+"/debrief", tok["teacher"], "", ""))
	}
	if d.Class.Scored != 4 || d.Class.Reports != 1 || d.Class.Upheld != 1 || !d.SimRun.Ready || len(d.Sim) != 4 {
		t.Errorf("debrief %+v", d)
	}
}

// FuzzClassRequests sends arbitrary bodies to the class routes that
// decode one: never a 5xx.
func FuzzClassRequests(f *testing.F) {
	s, _, tok := classServer(f)
	c := decode[ClassResponse](f, do(s, "POST", "/api/v1/classes", tok["teacher"], "application/json", `{}`))
	jr := decode[JoinResponse](f, do(s, "POST", "/api/v1/classes/"+c.Code+"/join", "", "", ""))
	do(s, "PUT", "/api/v1/classes/"+c.Code+"/me/consent", jr.Token, "application/json", `{"consent": true}`)
	do(s, "POST", "/api/v1/classes/"+c.Code+"/advance", tok["teacher"], "application/json", ``)
	f.Add(0, `{"scheme": "sesame", "rounds": 3}`)
	f.Add(1, `{"round": 1, "choices": {"online-criticism-of-government": "yes"}}`)
	f.Add(2, `{"pseudonym": "Citizen 1000", "rule": "tax-evasion"}`)
	f.Add(3, `{"report": 1, "reason": "no"}`)
	f.Add(4, `{"decision": "uphold"}`)
	f.Fuzz(func(t *testing.T, which int, body string) {
		var a answer
		switch ((which % 5) + 5) % 5 {
		case 0:
			a = do(s, "POST", "/api/v1/classes", tok["teacher"], "application/json", body)
		case 1:
			a = do(s, "POST", "/api/v1/classes/"+c.Code+"/me/choices", jr.Token, "application/json", body)
		case 2:
			a = do(s, "POST", "/api/v1/classes/"+c.Code+"/me/reports", jr.Token, "application/json", body)
		case 3:
			a = do(s, "POST", "/api/v1/classes/"+c.Code+"/me/objections", jr.Token, "application/json", body)
		case 4:
			a = do(s, "POST", "/api/v1/classes/"+c.Code+"/reports/1/decision", tok["teacher"], "application/json", body)
		}
		if a.status >= 500 {
			t.Fatalf("%d: %s", a.status, a.body)
		}
	})
}
