package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"scs"
	"scs/engine"
	"scs/internal/testkit"
	"scs/schemes"
)

// syncBuffer is an io.Writer the test can read while run writes to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// liveServer is a real `scs serve` started through run() on port 0.
type liveServer struct {
	t      *testing.T
	url    string
	tokens map[string]string // demo role -> token
	bound  map[string]string // demo role -> citizen or department
	stdout *syncBuffer
	stderr *syncBuffer
	cancel context.CancelFunc
	done   chan error
}

// startServe runs `scs serve --addr 127.0.0.1:0` with args on a fresh
// SQLite database in a temporary directory and waits until it listens.
func startServe(t *testing.T, db string, args ...string) *liveServer {
	t.Helper()
	if db == "" {
		db = filepath.Join(t.TempDir(), "scs.db")
	}
	ctx, cancel := context.WithCancel(context.Background())
	ls := &liveServer{t: t, stdout: &syncBuffer{}, stderr: &syncBuffer{}, cancel: cancel, done: make(chan error, 1),
		tokens: map[string]string{}, bound: map[string]string{}}
	argv := append([]string{"scs", "serve", "--db", db, "--addr", "127.0.0.1:0"}, args...)
	go func() {
		ls.done <- run(ctx, argv, func(string) string { return "" }, strings.NewReader(""), ls.stdout, ls.stderr)
	}()
	deadline := time.Now().Add(8 * time.Minute) // the 20,000-citizen demo city under -race on a busy machine
	for ls.url == "" {
		select {
		case err := <-ls.done:
			t.Fatalf("scs serve ended: %v\nstdout:\n%s\nstderr:\n%s", err, ls.stdout, ls.stderr)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("scs serve did not listen within 8 minutes\nstdout:\n%s\nstderr:\n%s", ls.stdout, ls.stderr)
		}
		var banner testkit.Serve
		for line := range strings.Lines(ls.stdout.String()) {
			banner.Line(strings.TrimSuffix(line, "\n"))
		}
		ls.url, ls.tokens, ls.bound = banner.URL, banner.Tokens, banner.Bound
	}
	t.Cleanup(func() { ls.stop() })
	return ls
}

// with returns a copy of ls that reports to t, for a subtest.
func (ls *liveServer) with(t *testing.T) *liveServer {
	c := *ls
	c.t = t
	return &c
}

// stop cancels run's context (as SIGINT would) and waits for it to return.
func (ls *liveServer) stop() {
	ls.cancel()
	select {
	case err := <-ls.done:
		if err != nil {
			ls.t.Errorf("scs serve returned %v after shutdown\nstderr:\n%s", err, ls.stderr)
		}
		ls.done <- nil
	case <-time.After(30 * time.Second):
		ls.t.Errorf("scs serve did not shut down within 30s")
	}
}

type reply struct {
	status int
	header http.Header
	body   []byte
}

func (r reply) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decoding %s: %v", r.body, err)
	}
}

func (r reply) errCode() (code, field string) {
	var eb struct {
		Error struct{ Code, Message, Field string }
	}
	json.Unmarshal(r.body, &eb)
	return eb.Error.Code, eb.Error.Field
}

// call sends a request with the token (none when "") and a JSON body (none when nil).
func (ls *liveServer) call(method, path, token string, body any) reply {
	ls.t.Helper()
	var rd io.Reader
	if body != nil {
		b, ok := body.([]byte)
		if !ok {
			b, _ = json.Marshal(body)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, ls.url+path, rd)
	if err != nil {
		ls.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		ls.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return reply{status: resp.StatusCode, header: resp.Header, body: b}
}

func (ls *liveServer) must(status int, method, path, token string, body any, out any) reply {
	ls.t.Helper()
	r := ls.call(method, path, token, body)
	if r.status != status {
		ls.t.Fatalf("%s %s: status %d, want %d: %s", method, path, r.status, status, r.body)
	}
	if out != nil {
		r.decode(ls.t, out)
	}
	return r
}

// fileOf returns a citizen's file as the admin sees it.
func (ls *liveServer) fileOf(citizen string) scs.File {
	var f scs.File
	ls.must(200, "GET", "/api/v1/citizens/"+citizen, ls.tokens["admin"], nil, &f)
	return f
}

// record is the JSON body of one record.
type record struct {
	ID         string   `json:"id"`
	Citizen    string   `json:"citizen"`
	Rule       string   `json:"rule"`
	At         string   `json:"at"`
	Quantity   *float64 `json:"quantity,omitempty"`
	Points     *int64   `json:"points,omitempty"`
	Department string   `json:"department,omitempty"`
	Evidence   string   `json:"evidence,omitempty"`
}

// ruleOf returns a fixed-points rule of the department, with points of the
// wanted sign, from the built-in scheme.
// ruleOf returns an uncapped fixed rule of the department, positive or
// not as asked when the department has one, else of the other sign (the
// demo official's department takes points away).
func ruleOf(t *testing.T, department string, positive bool) *scs.Rule {
	t.Helper()
	sc := loadScheme(t)
	for _, sign := range []bool{positive, !positive} {
		for i := range sc.Rules {
			r := &sc.Rules[i]
			if r.Department == department && r.Effect.Kind == scs.EffectFixed && (r.Effect.Points > 0) == sign && r.YearlyCap == 0 {
				return r
			}
		}
	}
	t.Fatalf("the scheme has no uncapped fixed rule of department %s", department)
	return nil
}

// loadScheme returns the built-in scheme the test server runs.
func loadScheme(t *testing.T) *scs.Scheme {
	t.Helper()
	sc, err := schemes.Load("rongcheng")
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// ruleAny returns an uncapped fixed-points rule of any department with
// points of the wanted sign, for records the admin reports.
func ruleAny(t *testing.T, positive bool) *scs.Rule {
	t.Helper()
	sc := loadScheme(t)
	for i := range sc.Rules {
		r := &sc.Rules[i]
		if r.Effect.Kind == scs.EffectFixed && r.Effect.Points != 0 && (r.Effect.Points > 0) == positive && r.YearlyCap == 0 {
			return r
		}
	}
	t.Fatalf("the scheme has no uncapped fixed rule with positive=%v", positive)
	return nil
}

// replayScore recomputes a file's score with the engine from the trail's
// events that are not reversed: what the registry must hold after a late
// record or a reversal.
func replayScore(t *testing.T, f scs.File, asOf time.Time) int64 {
	t.Helper()
	sc, _ := schemes.Load("rongcheng")
	eng, err := engine.New(sc)
	if err != nil {
		t.Fatal(err)
	}
	var evs []scs.Event
	for _, e := range f.Trail {
		if e.Reversed {
			continue
		}
		r, ok := sc.Rule(e.Rule)
		if !ok {
			t.Fatalf("trail names unknown rule %q", e.Rule)
		}
		ev := scs.Event{ID: e.Event, Citizen: f.Citizen.ID, Rule: e.Rule, At: e.At}
		if r.Effect.NeedsQuantity() {
			ev.Quantity, ev.HasQuantity = e.Quantity, true
		}
		if r.Effect.Kind == scs.EffectRange {
			ev.Points, ev.HasPoints = e.Asked, true
		}
		evs = append(evs, ev)
	}
	engine.SortEvents(evs)
	st, _, err := eng.Replay(f.Citizen.ID, evs, asOf, false)
	if err != nil {
		t.Fatal(err)
	}
	return st.Score
}

func ts(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// demoCitizen returns the demo citizen account's file.
func (ls *liveServer) demoCitizen() scs.File {
	return ls.fileOf(ls.bound["citizen"])
}

func uniq(prefix string) string {
	return fmt.Sprintf("%s-%d", prefix, time.Now().UnixNano())
}

func TestServeBadFlags(t *testing.T) {
	db := filepath.Join(t.TempDir(), "scs.db")
	for _, args := range [][]string{
		{"serve", "--demo-citizens", "-1"},
		{"serve", "--demo-years", "0"},
		{"serve", "surplus"},
		{"serve", "--max-body", "10"},
		{"bench", "--records", "5"},
		{"bench", "--seconds", "0"},
	} {
		var out, errb bytes.Buffer
		err := run(context.Background(), append([]string{"scs"}, args...), func(string) string { return "" }, strings.NewReader(""), &out, &errb)
		var u *usageError
		if !errors.As(err, &u) {
			t.Errorf("%v: %v, want a usage error", args, err)
		}
	}
	var out, errb bytes.Buffer
	err := run(context.Background(), []string{"scs", "serve", "--db", db, "--demo-citizens", "0", "--addr", "127.0.0.1:99999"}, func(string) string { return "" }, strings.NewReader(""), &out, &errb)
	if err == nil || !strings.Contains(err.Error(), "--addr") {
		t.Errorf("a bad --addr: %v", err)
	}
	// The address is bound before anything is made: no database, no token
	// printed and lost.
	if out.Len() != 0 {
		t.Errorf("a bad --addr printed:\n%s", out.String())
	}
	if _, err := os.Stat(db); err == nil {
		t.Errorf("a bad --addr made the database %s", db)
	}
	// A busy port likewise.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	out.Reset()
	err = run(context.Background(), []string{"scs", "serve", "--db", db, "--addr", ln.Addr().String()}, func(string) string { return "" }, strings.NewReader(""), &out, &errb)
	if err == nil || !strings.Contains(message(err), "address already in use") || strings.Contains(out.String(), "TOKEN") {
		t.Errorf("a busy port: %v\n%s", err, out.String())
	}
	if _, err := os.Stat(db); err == nil {
		t.Errorf("a busy port made the database %s", db)
	}
}
