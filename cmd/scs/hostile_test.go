package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
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
	ls.stop()
	if strings.Contains(ls.stderr.String(), "level=ERROR") {
		t.Errorf("errors logged:\n%s", ls.stderr)
	}
	var errOut strings.Builder
	if err := run(context.Background(), []string{"scs", "verify", "--db", db}, func(string) string { return "" }, nil, io.Discard, &errOut); err != nil {
		t.Fatalf("verify: %v\n%s", err, errOut.String())
	}
}
