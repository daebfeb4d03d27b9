package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"scs"
)

// TestServeEndToEnd starts the real `scs serve` on a temporary SQLite
// database with a small demo city and exercises the API over HTTP.
func TestServeEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server with a demo city; skipped with -short")
	}
	ls := startServe(t, "", "--demo-citizens", "300", "--demo-years", "2")
	for _, role := range []string{scs.RoleAdmin, scs.RoleReviewer, scs.RoleOfficial, scs.RoleCitizen, scs.RoleTeacher} {
		if ls.tokens[role] == "" {
			t.Fatalf("serve printed no %s token:\n%s", role, ls.stdout)
		}
	}
	t.Run("matrix", func(t *testing.T) { testMatrix(t, ls.with(t)) })
	t.Run("idempotency", func(t *testing.T) { testIdempotency(t, ls.with(t)) })
	t.Run("batch atomicity", func(t *testing.T) { testBatchAtomicity(t, ls.with(t)) })
	t.Run("late record", func(t *testing.T) { testLateRecord(t, ls.with(t)) })
	t.Run("objection upheld", func(t *testing.T) { testObjectionUpheld(t, ls.with(t)) })
	t.Run("bad input", func(t *testing.T) { testBadInput(t, ls.with(t)) })
	t.Run("consent", func(t *testing.T) { testConsent(t, ls.with(t)) })
	t.Run("concurrent writers", func(t *testing.T) { testConcurrentWriters(t, ls.with(t)) })
	t.Run("lists and metrics", func(t *testing.T) { testListsAndMetrics(t, ls.with(t)) })
}

// actors of the matrix test.
var actors = []string{"anonymous", "citizen", "other citizen", "official", "other official", "reviewer", "teacher", "admin"}

// matrixCase is one route: a request for each actor and the status each gets.
type matrixCase struct {
	method, path string // the route as in routes.go
	// req returns the path to call and the body to send for an actor.
	req  func(actor string) (string, any)
	want map[string]int
}

func all(status int) map[string]int {
	m := map[string]int{}
	for _, a := range actors {
		m[a] = status
	}
	return m
}

// only gives ok to the actors listed, 401 to anonymous, 403 to the rest.
func only(ok int, who ...string) map[string]int {
	m := map[string]int{}
	for _, a := range actors {
		m[a] = http.StatusForbidden
	}
	m["anonymous"] = http.StatusUnauthorized
	for _, w := range who {
		m[w] = ok
	}
	return m
}

func testMatrix(t *testing.T, ls *liveServer) {
	admin := ls.tokens["admin"]
	dept := ls.bound["official"]
	me := ls.bound["citizen"]
	// Another department, a second citizen and their accounts.
	otherDept := ""
	sc := loadScheme(t)
	for _, r := range sc.Rules {
		if r.Department != dept {
			otherDept = r.Department
			break
		}
	}
	other := "matrix-other"
	ls.must(201, "POST", "/api/v1/citizens", admin, map[string]any{"id": other, "name": "Other Person", "neighbourhood": "matrix", "birth_year": 1970, "consent": true}, nil)
	var ca struct {
		Account scs.Account
		Token   string
	}
	tokens := map[string]string{"anonymous": "", "citizen": ls.tokens["citizen"], "official": ls.tokens["official"],
		"reviewer": ls.tokens["reviewer"], "admin": admin}
	ls.must(201, "POST", "/api/v1/accounts", admin, map[string]any{"name": "other citizen", "role": "citizen", "citizen": other}, &ca)
	tokens["other citizen"] = ca.Token
	ls.must(201, "POST", "/api/v1/accounts", admin, map[string]any{"name": "other official", "role": "official", "department": otherDept}, &ca)
	tokens["other official"] = ca.Token
	ls.must(201, "POST", "/api/v1/accounts", admin, map[string]any{"name": "teacher", "role": "teacher"}, &ca)
	tokens["teacher"] = ca.Token

	// A class of the teacher's with two students, and one objected report
	// for each actor that may decide it.
	var class struct{ Code string }
	ls.must(201, "POST", "/api/v1/classes", tokens["teacher"], map[string]any{"informing": true}, &class)
	var closing struct{ Code string }
	ls.must(201, "POST", "/api/v1/classes", tokens["teacher"], map[string]any{}, &closing)
	cbase := "/api/v1/classes/" + class.Code
	var stA, stB struct{ Student, Token string }
	ls.must(201, "POST", cbase+"/join", "", nil, &stA)
	ls.must(201, "POST", cbase+"/join", "", nil, &stB)
	ls.must(200, "PUT", cbase+"/me/consent", stA.Token, map[string]bool{"consent": true}, nil)
	ls.must(200, "PUT", cbase+"/me/consent", stB.Token, map[string]bool{"consent": true}, nil)
	ls.must(200, "POST", cbase+"/advance", tokens["teacher"], nil, nil)
	classReports := map[string]int64{}
	for i, a := range []string{"teacher", "admin"} {
		var rp struct{ ID int64 }
		rule := []string{"online-criticism-of-government", "tax-evasion"}[i]
		if r := ls.call("POST", cbase+"/me/reports", stB.Token, map[string]string{"pseudonym": stA.Student, "rule": rule}); r.status == 201 {
			json.Unmarshal([]byte(r.body), &rp)
		} else {
			// tax-evasion is not in every round: report the post twice over
			// from the other side instead.
			ls.must(201, "POST", cbase+"/me/reports", stA.Token, map[string]string{"pseudonym": stB.Student, "rule": "online-criticism-of-government"}, &rp)
			ls.must(201, "POST", cbase+"/me/objections", stB.Token, map[string]any{"report": rp.ID, "reason": "matrix"}, nil)
			classReports[a] = rp.ID
			continue
		}
		ls.must(201, "POST", cbase+"/me/objections", stA.Token, map[string]any{"report": rp.ID, "reason": "matrix"}, nil)
		classReports[a] = rp.ID
	}

	// Records of the demo citizen to object to: one objection per actor
	// that may object, and objections to decide, one per actor that may.
	// The demo city may already have objected to some of them: those
	// cannot take another objection while it is open.
	file := ls.demoCitizen()
	open := map[string]bool{}
	for _, o := range file.Objections {
		if o.Decided == nil {
			open[o.Record] = true
		}
	}
	var recs []string
	for _, e := range file.Trail {
		if !e.Reversed && !open[e.Event] {
			recs = append(recs, e.Event)
		}
	}
	rule := ruleOf(t, dept, true)
	now := time.Now().UTC()
	for len(recs) < 4 {
		id := uniq("matrix-extra")
		ls.must(201, "POST", "/api/v1/records", admin, record{ID: id, Citizen: me, Rule: rule.ID, At: ts(now.Add(-time.Hour)), Department: dept}, nil)
		recs = append(recs, id)
	}
	var toDecide = map[string]int64{}
	for i, a := range []string{"reviewer", "admin"} {
		var o scs.Objection
		ls.must(201, "POST", "/api/v1/citizens/"+me+"/objections", tokens["citizen"], map[string]string{"record": recs[i], "reason": "matrix test"}, &o)
		toDecide[a] = o.ID
	}
	objectRec := map[string]string{"citizen": recs[2], "admin": recs[3]}
	// Accounts to revoke, one per actor who may.
	ls.must(201, "POST", "/api/v1/accounts", admin, map[string]any{"name": "to revoke", "role": "reviewer"}, &ca)
	revokeID := ca.Account.ID

	n := 0
	rec := func(a string) record {
		n++
		return record{ID: "matrix-" + strconv.Itoa(n) + "-" + strings.ReplaceAll(a, " ", "-"), Citizen: me, Rule: rule.ID, At: ts(now.Add(-2 * time.Hour)), Department: dept}
	}
	cap := sc.Capabilities[0].Name
	fixed := func(p string, body any) func(string) (string, any) {
		return func(string) (string, any) { return p, body }
	}
	cases := []matrixCase{
		{"GET", "/healthz", fixed("/healthz", nil), all(200)},
		{"GET", "/metrics", fixed("/metrics", nil), all(200)},
		{"GET", "/api/v1/openapi.json", fixed("/api/v1/openapi.json", nil), all(200)},
		{"GET", "/api/v1/me", fixed("/api/v1/me", nil), only(200, "citizen", "other citizen", "official", "other official", "reviewer", "teacher", "admin")},
		{"GET", "/api/v1/schemes", fixed("/api/v1/schemes", nil), all(200)},
		{"GET", "/api/v1/schemes/{name}", fixed("/api/v1/schemes/rongcheng", nil), all(200)},
		{"POST", "/api/v1/records", func(a string) (string, any) { return "/api/v1/records", rec(a) },
			only(201, "official", "admin")},
		{"POST", "/api/v1/records/batch", func(a string) (string, any) {
			return "/api/v1/records/batch", map[string]any{"records": []record{rec(a), rec(a)}}
		}, only(201, "official", "admin")},
		{"POST", "/api/v1/citizens", func(a string) (string, any) {
			n++
			return "/api/v1/citizens", map[string]any{"id": "matrix-new-" + strconv.Itoa(n), "name": "New Person", "neighbourhood": "matrix", "birth_year": 1990}
		}, only(201, "admin")},
		// The demo citizen has open objections: a reviewer may read the file.
		{"GET", "/api/v1/citizens/{id}", fixed("/api/v1/citizens/"+me, nil), only(200, "citizen", "official", "other official", "reviewer", "admin")},
		{"PUT", "/api/v1/citizens/{id}/consent", fixed("/api/v1/citizens/"+me+"/consent", map[string]bool{"consent": file.Citizen.Consent}), only(200, "citizen", "admin")},
		{"GET", "/api/v1/citizens/{id}/capabilities/{capability}", fixed("/api/v1/citizens/"+me+"/capabilities/"+cap, nil), only(200, "citizen", "official", "other official", "admin")},
		{"POST", "/api/v1/citizens/{id}/objections", func(a string) (string, any) {
			r := objectRec[a]
			if r == "" {
				r = recs[len(recs)-1]
			}
			return "/api/v1/citizens/" + me + "/objections", map[string]string{"record": r, "reason": "matrix test"}
		}, only(201, "citizen", "admin")},
		// A citizen sees their own objections only; officials none.
		{"GET", "/api/v1/objections", fixed("/api/v1/objections", nil), only(200, "citizen", "other citizen", "reviewer", "admin")},
		{"POST", "/api/v1/objections/{id}/decision", func(a string) (string, any) {
			id := toDecide[a]
			if id == 0 {
				id = toDecide["reviewer"]
			}
			return "/api/v1/objections/" + strconv.FormatInt(id, 10) + "/decision", map[string]string{"decision": "reject", "reason": "matrix test"}
		}, only(200, "reviewer", "admin")},
		// A reviewer searches only among citizens with an open objection.
		{"GET", "/api/v1/citizens", fixed("/api/v1/citizens?q=c", nil), only(200, "official", "other official", "reviewer", "admin")},
		{"GET", "/api/v1/lists/public", fixed("/api/v1/lists/public", nil), all(200)},
		{"GET", "/api/v1/lists/watch", fixed("/api/v1/lists/watch", nil), only(200, "official", "other official", "admin")},
		{"GET", "/api/v1/visits", fixed("/api/v1/visits", nil), only(200, "official", "other official", "admin")},
		// This server signs no checkpoints (TestServeCheckpoints starts one that does).
		{"GET", "/api/v1/checkpoint", fixed("/api/v1/checkpoint", nil), all(404)},
		{"GET", "/api/v1/stats", fixed("/api/v1/stats", nil), only(200, "official", "other official", "reviewer", "admin")},
		{"GET", "/api/v1/accounts", fixed("/api/v1/accounts", nil), only(200, "admin")},
		{"POST", "/api/v1/accounts", fixed("/api/v1/accounts", map[string]string{"name": "matrix", "role": "reviewer"}), only(201, "admin")},
		{"POST", "/api/v1/accounts/{id}/revoke", fixed("/api/v1/accounts/"+strconv.FormatInt(revokeID, 10)+"/revoke", nil), only(204, "admin")},

		// Classroom mode: the class's teacher and admins run it; joining is
		// open; no account token reaches a student's routes.
		{"GET", "/api/v1/classes", fixed("/api/v1/classes", nil), only(200, "teacher", "admin")},
		{"POST", "/api/v1/classes", fixed("/api/v1/classes", map[string]any{"rounds": 2}), only(201, "teacher", "admin")},
		{"GET", "/api/v1/classes/{code}", fixed(cbase, nil), only(200, "teacher", "admin")},
		{"GET", "/api/v1/classes/{code}/summary.csv", fixed(cbase+"/summary.csv", nil), only(200, "teacher", "admin")},
		{"GET", "/api/v1/classes/{code}/debrief", fixed(cbase+"/debrief", nil), only(200, "teacher", "admin")},
		{"POST", "/api/v1/classes/{code}/advance", fixed(cbase+"/advance", nil), only(200, "teacher", "admin")},
		{"POST", "/api/v1/classes/{code}/reports/{id}/decision", func(a string) (string, any) {
			id := classReports[a]
			if id == 0 {
				id = classReports["teacher"]
			}
			return cbase + "/reports/" + strconv.FormatInt(id, 10) + "/decision", map[string]string{"decision": "reject", "reason": "matrix"}
		}, only(200, "teacher", "admin")},
		{"DELETE", "/api/v1/classes/{code}", fixed("/api/v1/classes/"+closing.Code, nil), only(200, "teacher", "admin")},
		{"POST", "/api/v1/classes/{code}/join", fixed(cbase+"/join", nil), all(201)},
		{"GET", "/api/v1/classes/{code}/me", fixed(cbase+"/me", nil), all(401)},
		{"PUT", "/api/v1/classes/{code}/me/consent", fixed(cbase+"/me/consent", map[string]bool{"consent": true}), all(401)},
		{"POST", "/api/v1/classes/{code}/me/choices", fixed(cbase+"/me/choices", map[string]any{"round": 1, "choices": map[string]string{}}), all(401)},
		{"POST", "/api/v1/classes/{code}/me/reports", fixed(cbase+"/me/reports", map[string]string{"pseudonym": stA.Student, "rule": "online-criticism-of-government"}), all(401)},
		{"POST", "/api/v1/classes/{code}/me/objections", fixed(cbase+"/me/objections", map[string]any{"report": 1}), all(401)},
	}

	// Every route of the OpenAPI document (which a unit test holds equal
	// to routes.go) has a case, and no case is for a route that is not.
	var doc struct {
		Paths map[string]map[string]json.RawMessage
	}
	ls.must(200, "GET", "/api/v1/openapi.json", "", nil, &doc)
	covered := map[string]bool{}
	for _, c := range cases {
		covered[c.method+" "+c.path] = true
		if _, ok := doc.Paths[c.path][strings.ToLower(c.method)]; !ok {
			t.Errorf("matrix case %s %s is not a route", c.method, c.path)
		}
	}
	for p, ops := range doc.Paths {
		for m := range ops {
			if !covered[strings.ToUpper(m)+" "+p] {
				t.Errorf("route %s %s has no matrix case", strings.ToUpper(m), p)
			}
		}
	}

	for _, c := range cases {
		// Refusals first, so that a success (such as a decided objection)
		// does not change what a later actor meets.
		order := append([]string(nil), actors...)
		for i, j := 0, len(order)-1; i < j; {
			if c.want[order[i]] < 300 {
				order[i], order[j] = order[j], order[i]
				j--
			} else {
				i++
			}
		}
		for _, a := range order {
			path, body := c.req(a)
			r := ls.call(c.method, path, tokens[a], body)
			if r.status != c.want[a] {
				t.Errorf("%s %s as %s: status %d, want %d: %s", c.method, c.path, a, r.status, c.want[a], r.body)
				continue
			}
			if r.status == 401 || r.status == 403 {
				code, _ := r.errCode()
				if want := map[int]string{401: "unauthorized", 403: "forbidden"}[r.status]; code != want {
					t.Errorf("%s %s as %s: code %q, want %q: %s", c.method, c.path, a, code, want, r.body)
				}
			}
		}
	}
	// The revoked account's token no longer works; it was a reviewer made above.
	ls.must(401, "GET", "/api/v1/me", ca.Token, nil, nil)
}

func testIdempotency(t *testing.T, ls *liveServer) {
	admin, me := ls.tokens["official"], ls.bound["citizen"]
	rule := ruleOf(t, ls.bound["official"], true)
	body := record{ID: uniq("idem"), Citizen: me, Rule: rule.ID, At: ts(time.Now().Add(-time.Hour)), Evidence: "first"}
	var first, again struct {
		Seq  int64
		Hash string
	}
	ls.must(201, "POST", "/api/v1/records", admin, body, &first)
	ls.must(201, "POST", "/api/v1/records", admin, body, &again)
	if first.Seq == 0 || again != first {
		t.Errorf("the same record twice: %+v then %+v", first, again)
	}
	changed := body
	changed.Evidence = "second"
	r := ls.must(409, "POST", "/api/v1/records", admin, changed, nil)
	if code, _ := r.errCode(); code != "conflict" {
		t.Errorf("code %q: %s", code, r.body)
	}
	count := 0
	for _, e := range ls.demoCitizen().Trail {
		if e.Event == body.ID {
			count++
			if e.Evidence != "first" {
				t.Errorf("the stored record's evidence is %q", e.Evidence)
			}
		}
	}
	if count != 1 {
		t.Errorf("the record is %d times in the file", count)
	}
}

func testBatchAtomicity(t *testing.T, ls *liveServer) {
	tok, me := ls.tokens["official"], ls.bound["citizen"]
	rule := ruleOf(t, ls.bound["official"], true)
	at := ts(time.Now().Add(-time.Hour))
	existing := record{ID: uniq("atom-existing"), Citizen: me, Rule: rule.ID, At: at}
	ls.must(201, "POST", "/api/v1/records", tok, existing, nil)
	before := ls.demoCitizen()
	a, b := record{ID: uniq("atom-a"), Citizen: me, Rule: rule.ID, At: at}, record{ID: uniq("atom-b"), Citizen: me, Rule: rule.ID, At: at}
	clash := existing
	clash.Evidence = "other content"
	ls.must(409, "POST", "/api/v1/records/batch", tok, map[string]any{"records": []record{a, b, clash}}, nil)
	unknown := record{ID: uniq("atom-c"), Citizen: "no-such-citizen", Rule: rule.ID, At: at}
	r := ls.must(400, "POST", "/api/v1/records/batch", tok, map[string]any{"records": []record{a, b, unknown}}, nil)
	if _, field := r.errCode(); field != "records[2].citizen" {
		t.Errorf("an unknown citizen in a batch: field %q: %s", field, r.body)
	}
	after := ls.demoCitizen()
	if len(after.Trail) != len(before.Trail) || after.Standing.Score != before.Standing.Score {
		t.Fatalf("a failed batch changed the file: %d entries, score %d -> %d entries, score %d",
			len(before.Trail), before.Standing.Score, len(after.Trail), after.Standing.Score)
	}
	var out struct{ Records []struct{ ID string } }
	ls.must(201, "POST", "/api/v1/records/batch", tok, map[string]any{"records": []record{a, b}}, &out)
	if len(out.Records) != 2 || out.Records[0].ID != a.ID || out.Records[1].ID != b.ID {
		t.Errorf("batch answer %+v", out)
	}
	if got := len(ls.demoCitizen().Trail); got != len(before.Trail)+2 {
		t.Errorf("after a good batch of 2 the trail has %d entries, want %d", got, len(before.Trail)+2)
	}
}

func testLateRecord(t *testing.T, ls *liveServer) {
	tok, me := ls.tokens["official"], ls.bound["citizen"]
	pos := ruleOf(t, ls.bound["official"], true)
	now := time.Now().UTC()
	ls.must(201, "POST", "/api/v1/records", tok, record{ID: uniq("late-new"), Citizen: me, Rule: pos.ID, At: ts(now.Add(-time.Minute))}, nil)
	before := ls.demoCitizen()
	// A record dated a year before the latest one arrives now.
	lateAt := now.AddDate(-1, 0, 0).Truncate(time.Second)
	late := record{ID: uniq("late-old"), Citizen: me, Rule: pos.ID, At: ts(lateAt)}
	ls.must(201, "POST", "/api/v1/records", tok, late, nil)
	after := ls.demoCitizen()
	if len(after.Trail) != len(before.Trail)+1 {
		t.Fatalf("trail %d -> %d entries", len(before.Trail), len(after.Trail))
	}
	idx := -1
	for i, e := range after.Trail {
		if e.Event == late.ID {
			idx = i
		}
		if i > 0 && e.At.Before(after.Trail[i-1].At) {
			t.Errorf("trail out of time order at %d", i)
		}
	}
	if idx < 0 || idx == len(after.Trail)-1 {
		t.Fatalf("the late record is at %d of %d", idx, len(after.Trail))
	}
	if want := replayScore(t, after, after.AsOf); after.Standing.Score != want {
		t.Errorf("score %d after a late record; the engine's replay of the file gives %d", after.Standing.Score, want)
	}
}

func testObjectionUpheld(t *testing.T, ls *liveServer) {
	tok, me := ls.tokens["admin"], ls.bound["citizen"]
	neg := ruleAny(t, false)
	id := uniq("objected")
	ls.must(201, "POST", "/api/v1/records", tok, record{ID: id, Citizen: me, Rule: neg.ID, At: ts(time.Now().Add(-time.Minute)), Evidence: "disputed"}, nil)
	before := ls.demoCitizen()
	var o scs.Objection
	ls.must(201, "POST", "/api/v1/citizens/"+me+"/objections", ls.tokens["citizen"], map[string]string{"record": id, "reason": "I was elsewhere that day"}, &o)
	if o.Status != scs.ObjectionOpen || o.Record != id || o.Due.Sub(o.Filed) != scs.ObjectionDeadline {
		t.Errorf("objection %+v", o)
	}
	var open struct{ Objections []scs.Objection }
	ls.must(200, "GET", "/api/v1/objections?status=open", ls.tokens["reviewer"], nil, &open)
	found := false
	for _, x := range open.Objections {
		found = found || x.ID == o.ID
	}
	if !found {
		t.Errorf("the objection is not among the open ones")
	}
	// The reviewer sees what they judge: the record's rule, points, time
	// and evidence, and may read the citizen's file; not another's.
	for _, x := range open.Objections {
		if x.ID != o.ID {
			continue
		}
		if e := x.Entry; e == nil || e.Rule != neg.ID || e.Applied >= 0 || e.Evidence != "disputed" || e.At.IsZero() || x.ScoreBefore == nil {
			t.Errorf("the open objection lacks its record: %+v", x.Entry)
		}
	}
	ls.must(200, "GET", "/api/v1/citizens/"+me, ls.tokens["reviewer"], nil, nil)
	stranger := uniq("stranger")
	ls.must(201, "POST", "/api/v1/citizens", tok, map[string]any{"id": stranger, "name": "A Stranger", "neighbourhood": "x", "birth_year": 1990}, nil)
	ls.must(403, "GET", "/api/v1/citizens/"+stranger, ls.tokens["reviewer"], nil, nil)
	// Twenty-one days on, it is overdue.
	ls.must(200, "GET", "/api/v1/objections?status=open&at="+ts(time.Now().AddDate(0, 0, 21)), ls.tokens["reviewer"], nil, &open)
	for _, x := range open.Objections {
		if x.ID == o.ID && !x.Overdue {
			t.Errorf("an objection open 21 days is not overdue: %+v", x)
		}
	}
	var decided scs.Objection
	ls.must(200, "POST", "/api/v1/objections/"+strconv.FormatInt(o.ID, 10)+"/decision", ls.tokens["reviewer"], map[string]string{"decision": "uphold", "reason": "the evidence names another person"}, &decided)
	// The answer speaks the request's words: decision "uphold", the
	// reviewer's reason as decision_reason, the citizen's as reason.
	if decided.Status != scs.ObjectionUpheld || decided.Decided == nil || decided.Verdict != "uphold" ||
		decided.Decision != "the evidence names another person" || decided.Reason != "I was elsewhere that day" {
		t.Errorf("decided %+v", decided)
	}
	ls.must(409, "POST", "/api/v1/objections/"+strconv.FormatInt(o.ID, 10)+"/decision", ls.tokens["reviewer"], map[string]string{"decision": "reject", "reason": "again"}, nil)
	after := ls.demoCitizen()
	reversed := false
	for _, e := range after.Trail {
		if e.Event == id {
			reversed = e.Reversed
		}
	}
	if !reversed {
		t.Errorf("the upheld record is not marked reversed")
	}
	if want := replayScore(t, after, after.AsOf); after.Standing.Score != want {
		t.Errorf("score %d after the reversal; the engine's replay without the record gives %d", after.Standing.Score, want)
	}
	if got, want := after.Standing.Score, replayScore(t, before, before.AsOf); before.Standing.Score != want {
		t.Errorf("score %d before the reversal; the engine's replay gives %d (after: %d)", before.Standing.Score, want, got)
	}
}

func testBadInput(t *testing.T, ls *liveServer) {
	tok, me := ls.tokens["admin"], ls.bound["citizen"]
	dept := ls.bound["official"]
	pos := ruleAny(t, true)
	sc := loadScheme(t)
	var foreign, ranged, counted string
	for _, r := range sc.Rules {
		switch {
		case r.Department != dept && foreign == "":
			foreign = r.ID
		case r.Effect.Kind == scs.EffectRange && ranged == "":
			ranged = r.ID
		case (r.Effect.Kind == scs.EffectPerUnit || r.Effect.Kind == scs.EffectTiered) && counted == "":
			counted = r.ID
		}
	}
	at := ts(time.Now().Add(-time.Hour))
	good := func() map[string]any {
		return map[string]any{"id": uniq("bad"), "citizen": me, "rule": pos.ID, "at": at}
	}
	with := func(k string, v any) map[string]any { m := good(); m[k] = v; return m }
	without := func(k string) map[string]any { m := good(); delete(m, k); return m }
	type tc struct {
		name   string
		body   any
		token  string // "" for the admin's
		ctype  string
		status int
		code   string
		field  string
	}
	cases := []tc{
		{"unknown rule", with("rule", "no-such-rule"), "", "", 400, "invalid", "rule"},
		{"unknown citizen", with("citizen", "no-such-citizen"), "", "", 400, "invalid", "citizen"},
		{"rule of another department", with("rule", foreign), ls.tokens["official"], "", 403, "forbidden", ""},
		{"missing at", without("at"), "", "", 400, "invalid", "at"},
		{"missing id", without("id"), "", "", 400, "invalid", "id"},
		{"bad at", with("at", "2024-13-45"), "", "", 400, "invalid", "at"},
		{"unknown field", with("weather", "rain"), "", "", 400, "invalid", "weather"},
		{"points on a fixed rule", with("points", 5), "", "", 400, "invalid", "points"},
		{"negative quantity", with("quantity", -1), "", "", 400, "invalid", "quantity"},
		{"not JSON", []byte("id=1"), "", "", 400, "invalid", ""},
		{"wrong content type", good(), "", "text/plain", 415, "unsupported_media_type", ""},
		{"too large", with("evidence", strings.Repeat("x", 9<<20)), "", "", 413, "too_large", ""},
	}
	if ranged != "" {
		cases = append(cases, tc{"range rule without points", with("rule", ranged), "", "", 400, "invalid", "points"})
		r, _ := sc.Rule(ranged)
		cases = append(cases, tc{"range rule points outside the range", func() map[string]any {
			m := with("rule", ranged)
			m["points"] = r.Effect.Max + 1
			return m
		}(), "", "", 400, "invalid", "points"})
	}
	if counted != "" {
		cases = append(cases, tc{"missing quantity", with("rule", counted), "", "", 400, "invalid", "quantity"})
	}
	before := ls.demoCitizen()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, ok := c.body.([]byte)
			if !ok {
				b, _ = json.Marshal(c.body)
			}
			req, _ := http.NewRequest("POST", ls.url+"/api/v1/records", strings.NewReader(string(b)))
			ct := c.ctype
			if ct == "" {
				ct = "application/json"
			}
			req.Header.Set("Content-Type", ct)
			token := c.token
			if token == "" {
				token = tok
			}
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var eb struct {
				Error struct{ Code, Message, Field string }
			}
			json.NewDecoder(resp.Body).Decode(&eb)
			if resp.StatusCode != c.status || eb.Error.Code != c.code {
				t.Fatalf("status %d %+v, want %d %s", resp.StatusCode, eb.Error, c.status, c.code)
			}
			if c.field != "" && eb.Error.Field != c.field {
				t.Errorf("field %q, want %q (%s)", eb.Error.Field, c.field, eb.Error.Message)
			}
			if eb.Error.Message == "" {
				t.Error("no message")
			}
		})
	}
	if after := ls.demoCitizen(); len(after.Trail) != len(before.Trail) {
		t.Errorf("bad input changed the file: %d -> %d entries", len(before.Trail), len(after.Trail))
	}
}

func testListsAndMetrics(t *testing.T, ls *liveServer) {
	var page struct {
		Entries []scs.ListEntry
		Next    string
	}
	asOf := ts(time.Now())
	ls.must(200, "GET", "/api/v1/lists/watch?limit=2&at="+url.QueryEscape(asOf), ls.tokens["official"], nil, &page)
	seen := map[string]bool{}
	for pages := 0; ; pages++ {
		for _, e := range page.Entries {
			if seen[e.Citizen] {
				t.Fatalf("citizen %s on two pages", e.Citizen)
			}
			seen[e.Citizen] = true
		}
		if page.Next == "" || pages > 200 {
			break
		}
		if len(page.Entries) > 2 {
			t.Fatalf("a page of limit 2 has %d entries", len(page.Entries))
		}
		next := page.Next
		page.Entries, page.Next = nil, ""
		ls.must(200, "GET", "/api/v1/lists/watch?limit=2&at="+url.QueryEscape(asOf)+"&cursor="+url.QueryEscape(next), ls.tokens["official"], nil, &page)
	}
	var st scs.Stats
	ls.must(200, "GET", "/api/v1/stats?at="+url.QueryEscape(asOf), ls.tokens["reviewer"], nil, &st)
	if st.Citizens < 300 || st.Records == 0 {
		t.Errorf("stats %+v", st)
	}
	watch := 0
	for _, g := range []string{"C", "D"} {
		watch += st.PerGrade[g]
	}
	if len(seen) != watch {
		t.Errorf("the watch list has %d citizens over its pages; stats count %d in C and D", len(seen), watch)
	}
	var d struct {
		Citizen string
		scs.Decision
	}
	sc := loadScheme(t)
	me := ls.bound["citizen"]
	// As of a second from now: the consent test opted this citizen out and
	// in again less than a second ago, and ts drops the fraction.
	ls.must(200, "GET", "/api/v1/citizens/"+me+"/capabilities/"+sc.Capabilities[0].Name+"?at="+ts(time.Now().Add(time.Second)), ls.tokens["official"], nil, &d)
	if d.Citizen != me || d.Reason == "" || d.Grade == "" {
		t.Errorf("decision %+v", d)
	}
	ls.must(404, "GET", "/api/v1/citizens/"+me+"/capabilities/no-such-capability", ls.tokens["official"], nil, nil)
	ls.must(400, "GET", "/api/v1/citizens/"+me+"/capabilities/"+sc.Capabilities[0].Name+"?at=noon", ls.tokens["official"], nil, nil)
	testVisits(t, ls, sc)
	r := ls.must(200, "GET", "/metrics", "", nil, nil)
	for _, want := range []string{`scs_http_requests_total{method="POST",route="POST /api/v1/records",status="2xx"}`, "scs_records_ingested_total", "scs_http_request_duration_seconds_bucket"} {
		if !strings.Contains(string(r.body), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

func testConsent(t *testing.T, ls *liveServer) {
	me, tok := ls.bound["citizen"], ls.tokens["citizen"]
	path := "/api/v1/citizens/" + me + "/consent"
	var c scs.Citizen
	ls.must(200, "PUT", path, tok, map[string]bool{"consent": false}, &c)
	if c.Consent {
		t.Errorf("after opting out: %+v", c)
	}
	f := ls.demoCitizen()
	if f.Scored || f.Standing != nil || len(f.Trail) == 0 {
		t.Errorf("an opted-out citizen's file: scored %v, standing %+v, %d records", f.Scored, f.Standing, len(f.Trail))
	}
	// A non-participant keeps every entitlement, has no privilege and no
	// sanction, and the decision says so in words.
	want := map[string]struct {
		kind    scs.CapabilityKind
		allowed bool
		words   string
	}{
		"state-subsidies":     {scs.Entitlement, true, "keeps every entitlement"},
		"loan":                {scs.Entitlement, true, "keeps every entitlement"},
		"education-priority":  {scs.Privilege, false, "no score, no privilege"},
		"priority-healthcare": {scs.Privilege, false, "no score, no privilege"},
		"public-list":         {scs.Sanction, false, "not imposed"},
		"watch-list":          {scs.Sanction, false, "not imposed"},
	}
	if len(f.Capabilities) != len(loadScheme(t).Capabilities) {
		t.Errorf("an opted-out citizen's file has %d decisions, want one per capability", len(f.Capabilities))
	}
	for _, d := range f.Capabilities {
		w, ok := want[d.Capability]
		if !ok {
			continue
		}
		if d.Kind != w.kind || d.Allowed != w.allowed || d.Scored || !strings.Contains(d.Reason, w.words) {
			t.Errorf("file of an opted-out citizen: %+v, want kind %s allowed %v and %q", d, w.kind, w.allowed, w.words)
		}
		var got scs.Decision
		ls.must(200, "GET", "/api/v1/citizens/"+me+"/capabilities/"+d.Capability, ls.tokens["official"], nil, &got)
		if got != d {
			t.Errorf("decision on %s: %+v; the file says %+v", d.Capability, got, d)
		}
	}
	ls.must(200, "PUT", path, tok, map[string]bool{"consent": true}, &c)
	if f := ls.demoCitizen(); !f.Scored || f.Standing == nil {
		t.Errorf("after opting in again: scored %v", f.Scored)
	}
	ls.must(400, "PUT", path, tok, map[string]string{"consent": "maybe"}, nil)
}

// testConcurrentWriters reports records one a request from many clients at
// once: every acknowledged record is in the ledger and the store grouped
// some of them into shared transactions.
func testConcurrentWriters(t *testing.T, ls *liveServer) {
	var before, after scs.Stats
	asOf := ts(time.Now().Add(time.Hour))
	ls.must(200, "GET", "/api/v1/stats?at="+url.QueryEscape(asOf), ls.tokens["admin"], nil, &before)
	rule := ruleOf(t, ls.bound["official"], true)
	var cs []string
	var page struct{ Entries []scs.ListEntry }
	ls.must(200, "GET", "/api/v1/lists/watch?limit=20", ls.tokens["official"], nil, &page)
	for _, e := range page.Entries {
		cs = append(cs, e.Citizen)
	}
	cs = append(cs, ls.bound["citizen"])
	const writers, each = 8, 25
	errs := make(chan error, writers)
	var wg sync.WaitGroup
	now := time.Now().UTC()
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				r := record{ID: fmt.Sprintf("conc-%d-%d-%d", now.UnixNano(), w, i), Citizen: cs[(w*each+i)%len(cs)], Rule: rule.ID, At: ts(now.Add(-time.Duration(i) * time.Minute))}
				b, _ := json.Marshal(r)
				req, _ := http.NewRequest("POST", ls.url+"/api/v1/records", bytes.NewReader(b))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+ls.tokens["official"])
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					errs <- err
					return
				}
				resp.Body.Close()
				if resp.StatusCode != 201 {
					errs <- fmt.Errorf("record %s: status %d", r.ID, resp.StatusCode)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	ls.must(200, "GET", "/api/v1/stats?at="+url.QueryEscape(asOf), ls.tokens["admin"], nil, &after)
	if got := after.Records - before.Records; got != writers*each {
		t.Errorf("%d records acknowledged, the ledger grew by %d", writers*each, got)
	}
	m := string(ls.must(200, "GET", "/metrics", "", nil, nil).body)
	if !strings.Contains(m, "scs_store_group_commit_writes_count ") || strings.Contains(m, "scs_store_group_commit_writes_count 0\n") {
		t.Errorf("no group commits in /metrics")
	}
}

// testVisits reads the visit schedule of a day, whole and for one
// neighbourhood.
func testVisits(t *testing.T, ls *liveServer, sc *scs.Scheme) {
	tok := ls.tokens["official"]
	var all, one struct {
		Day    string
		Visits []scs.Visit
	}
	// The first day from today with a visit: a small demo city may have
	// nobody due on a given day (a visit every 3 months falls on one day
	// of 91).
	var day string
	for d := 0; d < 100 && len(all.Visits) == 0; d++ {
		day = time.Now().In(sc.Location).AddDate(0, 0, d).Format(time.DateOnly)
		ls.must(200, "GET", "/api/v1/visits?day="+day, tok, nil, &all)
		if all.Day != day {
			t.Fatalf("visits on %s: %+v", day, all)
		}
	}
	if len(all.Visits) == 0 {
		t.Fatalf("no visits in the 100 days from today")
	}
	hood := all.Visits[0].Neighbourhood
	want := 0
	for _, v := range all.Visits {
		if v.Count <= 0 {
			t.Errorf("a visit with count %d: %+v", v.Count, v)
		}
		g := sc.Grades[sc.GradeIndex(v.Grade)]
		if g.Visits.Every == (scs.Period{Days: 1}) && v.Count != g.Visits.Times {
			t.Errorf("grade %s has %d visits a day; %s gets %d", g.Name, g.Visits.Times, v.Citizen, v.Count)
		}
		if v.Neighbourhood == hood {
			want++
		}
	}
	ls.must(200, "GET", "/api/v1/visits?day="+day+"&neighbourhood="+url.QueryEscape(hood), tok, nil, &one)
	if len(one.Visits) != want {
		t.Errorf("%d visits in %s, %d in the whole list", len(one.Visits), hood, want)
	}
	for _, v := range one.Visits {
		if v.Neighbourhood != hood {
			t.Errorf("asked for %s, got a visit in %s", hood, v.Neighbourhood)
		}
	}
	ls.must(400, "GET", "/api/v1/visits?day=31-12-2024", tok, nil, nil)
}
