package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"scs"
)

// TestServeHostile replays, against the real `scs serve`, the inputs a
// hostile client sent when the registry was attacked: each must answer
// 4xx naming the field, store nothing, log no ERROR and leave `scs verify`
// clean. It runs on SQLite and, when SCS_TEST_POSTGRES is set, PostgreSQL.
func TestServeHostile(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server; skipped with -short")
	}
	t.Run("sqlite", func(t *testing.T) { testHostile(t, filepath.Join(t.TempDir(), "scs.db")) })
	t.Run("postgres", func(t *testing.T) {
		base := os.Getenv("SCS_TEST_POSTGRES")
		if base == "" {
			t.Skip("SCS_TEST_POSTGRES is not set")
		}
		admin, err := sql.Open("pgx", base)
		if err != nil {
			t.Fatal(err)
		}
		defer admin.Close()
		name := fmt.Sprintf("scs_hostile_%d_%d", os.Getpid(), time.Now().UnixNano()%1e6)
		if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if a, err := sql.Open("pgx", base); err == nil {
				a.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
				a.Close()
			}
		})
		u, _ := url.Parse(base)
		u.Path = "/" + name
		testHostile(t, u.String())
	})
}

func testHostile(t *testing.T, db string) {
	ls := startServe(t, db, "--demo-citizens", "40", "--demo-years", "1")
	tok, me := ls.tokens["admin"], ls.bound["citizen"]
	sc := loadScheme(t)
	var counted, plain string
	for _, r := range sc.Rules {
		switch r.Effect.Kind {
		case scs.EffectPerUnit, scs.EffectTiered:
			if counted == "" {
				counted = r.ID
			}
		case scs.EffectFixed:
			if plain == "" {
				plain = r.ID
			}
		}
	}
	at := ts(time.Now().Add(-time.Hour))
	before := len(ls.demoCitizen().Trail)

	// -0 is stored as 0 and verifies.
	r := ls.call("POST", "/api/v1/records", tok, []byte(`{"id":"neg-zero","citizen":"`+me+`","rule":"`+counted+`","at":"`+at+`","quantity":-0}`))
	if r.status != 201 || strings.Contains(string(r.body), `"quantity":-0`) {
		t.Fatalf("quantity -0: %d %s", r.status, r.body)
	}
	before++

	rec := func(id, extra string) string {
		return `{"id":"` + id + `","citizen":"` + me + `","rule":"` + plain + `","at":"` + at + `"` + extra + `}`
	}
	for _, c := range []struct {
		name, method, path string
		body               []byte
		status             int
		field              string
	}{
		{"birth year as a string", "POST", "/api/v1/citizens", []byte(`{"id":"h1","name":"A","neighbourhood":"n","birth_year":"1990"}`), 400, "birth_year"},
		{"offset +24:00", "POST", "/api/v1/records", []byte(strings.Replace(rec("h2", ""), at, "2024-03-01T09:00:00+24:00", 1)), 400, "at"},
		{"NUL in a batch's evidence", "POST", "/api/v1/records/batch", []byte(`{"records":[` + rec("h3", "") + `,` + rec("h4", "") + `,` + rec("h5", `,"evidence":"a\u0000b"`) + `]}`), 400, "records[2].evidence"},
		{"ESC in evidence", "POST", "/api/v1/records", []byte(rec("h6", `,"evidence":"\u001b[31mred"`)), 400, "evidence"},
		{"invalid UTF-8 in an id", "POST", "/api/v1/records", []byte(rec("u8-\xff", "")), 400, "id"},
		{"NUL in a name", "POST", "/api/v1/citizens", []byte(`{"id":"h7","name":"A\u0000","neighbourhood":"n","birth_year":1990}`), 400, "name"},
		{"NUL in a reason", "POST", "/api/v1/citizens/" + me + "/objections", []byte(`{"record":"neg-zero","reason":"no\u0000"}`), 400, "reason"},
		{"NUL citizen", "GET", "/api/v1/citizens/%00", nil, 400, "citizen"},
		{"NUL consent", "PUT", "/api/v1/citizens/%00/consent", []byte(`{"consent":true}`), 400, "citizen"},
		{"NUL cursor", "GET", "/api/v1/lists/public?cursor=%00", nil, 400, "cursor"},
		{"NUL watch-list cursor", "GET", "/api/v1/lists/watch?cursor=%00", nil, 400, "cursor"},
		{"NUL neighbourhood", "GET", "/api/v1/visits?neighbourhood=%00", nil, 400, "neighbourhood"},
		{"NUL list page cursor", "GET", "/list?cursor=%00", nil, 400, ""},
	} {
		var body any
		if c.body != nil {
			body = c.body
		}
		r := ls.call(c.method, c.path, tok, body)
		code, field := r.errCode()
		if r.status != c.status || (c.field != "" && field != c.field) {
			t.Errorf("%s: %d %s %q, want %d naming %q: %s", c.name, r.status, code, field, c.status, c.field, r.body)
		}
	}
	if after := len(ls.demoCitizen().Trail); after != before {
		t.Errorf("hostile input changed the file: %d -> %d entries", before, after)
	}

	// Bounded work: the totals are for staff, a file's trail and the
	// objections come in pages.
	if r := ls.call("GET", "/api/v1/stats", ls.tokens["citizen"], nil); r.status != 403 {
		t.Errorf("stats for a citizen: %d", r.status)
	}
	var seen []scs.FileEntry
	for cursor, pages := "", 0; ; pages++ {
		var page struct {
			Trail     []scs.FileEntry `json:"trail"`
			TrailNext string          `json:"trail_next"`
		}
		ls.must(200, "GET", "/api/v1/citizens/"+me+"?limit=1&cursor="+cursor, tok, nil, &page)
		if len(page.Trail) > 1 || pages > before {
			t.Fatalf("trail page %d: %d entries", pages, len(page.Trail))
		}
		seen = append(seen, page.Trail...)
		if page.TrailNext == "" {
			break
		}
		cursor = page.TrailNext
	}
	if len(seen) != before {
		t.Errorf("the trail's pages hold %d entries, the file %d", len(seen), before)
	}
	for i := range 3 {
		ls.must(201, "POST", "/api/v1/records", tok, []byte(rec(fmt.Sprintf("obj-%d", i), "")), nil)
		ls.must(201, "POST", "/api/v1/citizens/"+me+"/objections", ls.tokens["citizen"], map[string]string{"record": fmt.Sprintf("obj-%d", i), "reason": "not me"}, nil)
	}
	var ob struct {
		Objections []scs.Objection
		Next       string
	}
	r = ls.must(200, "GET", "/api/v1/objections?limit=2", ls.tokens["reviewer"], nil, &ob)
	if len(ob.Objections) != 2 || ob.Next == "" || !strings.Contains(r.header.Get("Link"), "rel=\"next\"") {
		t.Errorf("objections page: %d, next %q, link %q", len(ob.Objections), ob.Next, r.header.Get("Link"))
	}
	hostileDesk(t, ls, counted, plain)
	concurrentBadWrites(t, ls)
	ls.stop()
	if strings.Contains(ls.stderr.String(), "level=ERROR") {
		t.Errorf("errors logged:\n%s", ls.stderr)
	}
	var errOut strings.Builder
	if err := run(context.Background(), []string{"scs", "verify", "--db", db}, func(string) string { return "" }, nil, io.Discard, &errOut); err != nil {
		t.Fatalf("verify: %v\n%s", err, errOut.String())
	}
}

// hostileDesk replays the desk form's hostile inputs through a signed-in
// web session: a quantity of -0 is stored as 0, NUL in the evidence is
// shown at the evidence field and stores nothing, a NUL neighbourhood is
// a 400 page.
func hostileDesk(t *testing.T, ls *liveServer, counted, plain string) {
	t.Helper()
	cookie, err := signInSession(ls.url, ls.tokens["admin"])
	if err != nil {
		t.Fatal(err)
	}
	me := ls.bound["citizen"]
	before := len(ls.demoCitizen().Trail)
	loc, _ := time.LoadLocation(loadScheme(t).TimeZone)
	at := time.Now().Add(-2 * time.Hour).In(loc).Format("2006-01-02T15:04")
	status, body := webPost(t, ls.url, cookie, "/desk", "/desk/report", url.Values{"id": {"desk-neg-zero"}, "citizen": {me}, "rule": {counted}, "at": {at}, "quantity": {"-0"}, "action": {"submit"}})
	if status != 303 {
		t.Fatalf("desk quantity -0: %d\n%s", status, body)
	}
	r := ls.must(200, "GET", "/api/v1/citizens/"+me+"?limit=1000", ls.tokens["admin"], nil, nil)
	if !strings.Contains(string(r.body), `"event":"desk-neg-zero"`) || strings.Contains(string(r.body), `"quantity":-0`) {
		t.Errorf("desk quantity -0: not stored as 0:\n%s", r.body)
	}
	status, body = webPost(t, ls.url, cookie, "/desk", "/desk/report", url.Values{"id": {"desk-nul"}, "citizen": {me}, "rule": {plain}, "at": {at}, "evidence": {"a\x00b"}, "action": {"submit"}})
	if status != 400 || !strings.Contains(body, `id="e-evidence"`) {
		t.Errorf("desk evidence with NUL: %d, want 400 shown at the evidence field\n%s", status, body)
	}
	if after := len(ls.demoCitizen().Trail); after != before+1 {
		t.Errorf("the desk's hostile input changed the file: %d -> %d entries, want %d", before, after, before+1)
	}
	req, _ := http.NewRequest("GET", ls.url+"/desk?neighbourhood=%00", nil)
	req.Header.Set("Cookie", cookie)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 {
		t.Errorf("/desk?neighbourhood=%%00: %d, want 400", resp.StatusCode)
	}
}

// webPost reads page with the session cookie for its form's CSRF token and
// posts form to action with it, without following a redirect.
func webPost(t *testing.T, base, cookie, page, action string, form url.Values) (int, string) {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, _ := http.NewRequest("GET", base+page, nil)
	req.Header.Set("Cookie", cookie)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindSubmatch(b)
	if m == nil {
		t.Fatalf("%s: %d, no CSRF token\n%s", page, resp.StatusCode, b)
	}
	form.Set("csrf", string(m[1]))
	req, _ = http.NewRequest("POST", base+action, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Cookie", cookie)
	resp, err = c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp.StatusCode, string(b)
}

// concurrentBadWrites replays defect 5 over HTTP: 1,200 valid records from
// the official, sent by eight clients at once, while two admin clients
// send bad writes (NUL bytes, invalid UTF-8, conflicting ids, duplicate
// registrations, unknown citizens). Every valid record must be 201 and
// stored, every bad write 4xx, none 500.
func concurrentBadWrites(t *testing.T, ls *liveServer) {
	t.Helper()
	const valid, clients = 1200, 8
	official := ls.tokens["official"]
	rule := ruleOf(t, ls.bound["official"], false)
	var citizens struct{ Citizens []scs.Citizen }
	ls.must(200, "GET", "/api/v1/citizens?q=c&limit=20", official, nil, &citizens)
	if len(citizens.Citizens) == 0 {
		t.Fatal("no citizens to report on")
	}
	at := ts(time.Now().Add(-time.Hour))
	post := func(token, path string, body []byte) (int, string) {
		req, _ := http.NewRequest("POST", ls.url+path, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, err.Error()
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	admin, me := ls.tokens["admin"], ls.bound["citizen"]
	bad := func(i int) (string, []byte) {
		id := fmt.Sprintf("bad-%d", i)
		switch i % 6 {
		case 0:
			return "/api/v1/records", []byte(`{"id":"` + id + `","citizen":"` + me + `","rule":"` + rule.ID + `","at":"` + at + `","evidence":"a\u0000b"}`)
		case 1:
			return "/api/v1/records", []byte(`{"id":"u8-` + id + "\xff" + `","citizen":"` + me + `","rule":"` + rule.ID + `","at":"` + at + `"}`)
		case 2: // the id of a valid record, with other content
			return "/api/v1/records", []byte(`{"id":"ok-0","citizen":"` + me + `","rule":"` + rule.ID + `","at":"2001-01-01T00:00:00Z"}`)
		case 3: // a citizen already registered
			return "/api/v1/citizens", []byte(`{"id":"` + me + `","name":"Twice","neighbourhood":"n","birth_year":1990}`)
		case 4:
			return "/api/v1/records", []byte(`{"id":"` + id + `","citizen":"nobody-` + id + `","rule":"` + rule.ID + `","at":"` + at + `"}`)
		default:
			return "/api/v1/records/batch", []byte(`{"records":[{"id":"` + id + `a","citizen":"` + me + `","rule":"` + rule.ID + `","at":"` + at + `"},{"id":"` + id + `b","citizen":"` + me + `","rule":"` + rule.ID + `","at":"` + at + `","evidence":"\u0000"}]}`)
		}
	}
	// The first valid record is stored before the bad writes start, so
	// that reusing its id is a conflict.
	first := fmt.Sprintf(`{"id":"ok-0","citizen":%q,"rule":%q,"at":%q}`, citizens.Citizens[0].ID, rule.ID, at)
	if code, body := post(official, "/api/v1/records", []byte(first)); code != 201 {
		t.Fatalf("first valid record: %d %s", code, body)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var failures []string
	fail := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		if len(failures) < 20 {
			failures = append(failures, fmt.Sprintf(format, args...))
		}
	}
	stop := make(chan struct{})
	badSent := 0
	var badMu sync.Mutex
	for w := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; ; i += 2 {
				select {
				case <-stop:
					return
				default:
				}
				path, body := bad(i)
				code, resp := post(admin, path, body)
				if code < 400 || code >= 500 {
					fail("bad write %d (%s): %d %s", i, path, code, resp)
				}
				badMu.Lock()
				badSent++
				badMu.Unlock()
			}
		}()
	}
	var good sync.WaitGroup
	for c := range clients {
		good.Add(1)
		go func() {
			defer good.Done()
			for i := c + 1; i < valid; i += clients {
				cz := citizens.Citizens[i%len(citizens.Citizens)].ID
				body := fmt.Sprintf(`{"id":"ok-%d","citizen":%q,"rule":%q,"at":%q}`, i, cz, rule.ID, at)
				if code, resp := post(official, "/api/v1/records", []byte(body)); code != 201 {
					fail("valid record ok-%d: %d %s", i, code, resp)
				}
			}
		}()
	}
	good.Wait()
	close(stop)
	wg.Wait()
	for _, f := range failures {
		t.Error(f)
	}
	if badSent < 12 {
		t.Errorf("only %d bad writes ran beside the valid ones", badSent)
	}
	var stored int
	for _, c := range citizens.Citizens {
		f := ls.fileOf(c.ID)
		for cursor := ""; ; {
			for _, e := range f.Trail {
				if strings.HasPrefix(e.Event, "ok-") {
					stored++
				}
			}
			if f.TrailNext == "" {
				break
			}
			cursor = f.TrailNext
			f = scs.File{}
			ls.must(200, "GET", "/api/v1/citizens/"+c.ID+"?cursor="+cursor, ls.tokens["admin"], nil, &f)
		}
	}
	if stored != valid {
		t.Errorf("%d of the %d valid records are stored", stored, valid)
	}
}
