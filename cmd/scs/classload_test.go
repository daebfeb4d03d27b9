package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"text/tabwriter"
	"time"
)

// The classroom load test: many classes playing at once on one real
// `scs serve` (run() on a loopback port, SQLite), open loop: every
// student's requests are scheduled at random times within each phase, so
// the offered load does not fall when the server slows. Each request's
// latency is kept by route; GET /healthz, probed at a steady rate through
// the same run, is the baseline. Requests go to 127.0.0.1 only, and the
// run is bounded by its phases.

type loadConfig struct {
	classes, students, rounds int
	phase                     time.Duration // length of the join phase and of each round
	maxInFlight               int
}

type loadResult struct {
	mu     sync.Mutex
	lat    map[string][]time.Duration
	errors map[string]int
	sample map[string]string
}

func (r *loadResult) add(route string, d time.Duration, status int, body string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lat[route] = append(r.lat[route], d)
	if status >= 400 || status == 0 {
		r.errors[route]++
		if _, ok := r.sample[route]; !ok {
			r.sample[route] = fmt.Sprintf("%d %.200s", status, body)
		}
	}
}

func pct(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := int(float64(len(s)-1) * p)
	return s[i]
}

type loadClient struct {
	base string
	c    *http.Client
	res  *loadResult
	sem  chan struct{}
}

func (lc *loadClient) do(route, method, path, token, cookie string, body any) (int, []byte) {
	lc.sem <- struct{}{}
	defer func() { <-lc.sem }()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, lc.base+path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	start := time.Now()
	res, err := lc.c.Do(req)
	if err != nil {
		lc.res.add(route, time.Since(start), 0, err.Error())
		return 0, nil
	}
	out, _ := io.ReadAll(res.Body)
	res.Body.Close()
	lc.res.add(route, time.Since(start), res.StatusCode, string(out))
	return res.StatusCode, out
}

type loadStudent struct {
	class, token, name string
}

// runClassLoad plays cfg.classes classes of cfg.students students against
// the server at base, with admin's token to make the teachers.
func runClassLoad(ctx context.Context, base, admin string, cfg loadConfig) (*loadResult, error) {
	res := &loadResult{lat: map[string][]time.Duration{}, errors: map[string]int{}, sample: map[string]string{}}
	lc := &loadClient{base: base, res: res, sem: make(chan struct{}, cfg.maxInFlight),
		c: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: cfg.maxInFlight}}}
	// Setup (not measured): one teacher a class, each with a class.
	type class struct{ code, teacher, session string }
	classes := make([]class, cfg.classes)
	for i := range classes {
		var acc struct{ Token string }
		st, b := lc.do("setup", "POST", "/api/v1/accounts", admin, "", map[string]string{"name": fmt.Sprintf("teacher %d", i), "role": "teacher"})
		if st != 201 || json.Unmarshal(b, &acc) != nil {
			return nil, fmt.Errorf("creating teacher %d: %d %s", i, st, b)
		}
		var c struct{ Code string }
		st, b = lc.do("setup", "POST", "/api/v1/classes", acc.Token, "", map[string]any{"rounds": cfg.rounds})
		if st != 201 || json.Unmarshal(b, &c) != nil {
			return nil, fmt.Errorf("opening class %d: %d %s", i, st, b)
		}
		session, err := signInSession(base, acc.Token)
		if err != nil {
			return nil, err
		}
		classes[i] = class{c.Code, acc.Token, session}
	}
	delete(res.lat, "setup")

	stop := make(chan struct{})
	var probe sync.WaitGroup
	probe.Add(1)
	go func() { // the baseline: /healthz at 20 a second, through the whole run
		defer probe.Done()
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				go lc.do("GET /healthz (baseline)", "GET", "/healthz", "", "", nil)
			}
		}
	}()
	// Teachers watch their boards: the page ten times a phase (what the
	// board's script fetches after a change) and the JSON board four times.
	var boards sync.WaitGroup
	for _, c := range classes {
		boards.Add(1)
		go func() {
			defer boards.Done()
			page := time.NewTicker(max(cfg.phase/10, 50*time.Millisecond))
			api := time.NewTicker(max(cfg.phase/4, 100*time.Millisecond))
			defer page.Stop()
			defer api.Stop()
			for {
				select {
				case <-stop:
					return
				case <-page.C:
					lc.do("GET /class/{code}/board (page)", "GET", "/class/"+c.code+"/board?fragment=1", "", c.session, nil)
				case <-api.C:
					lc.do("GET /api/v1/classes/{code}", "GET", "/api/v1/classes/"+c.code, c.teacher, "", nil)
				}
			}
		}()
	}
	rng := rand.New(rand.NewPCG(1, 2))
	at := func() time.Duration { return time.Duration(rng.Int64N(int64(cfg.phase))) }
	// Join and consent, spread over the first phase.
	students := make([][]*loadStudent, len(classes))
	var wg sync.WaitGroup
	var smu sync.Mutex
	t0 := time.Now()
	for ci, c := range classes {
		for k := 0; k < cfg.students; k++ {
			wait := at()
			wg.Add(1)
			go func() {
				defer wg.Done()
				time.Sleep(time.Until(t0.Add(wait)))
				lc.do("GET /join (page)", "GET", "/join?code="+c.code, "", "", nil)
				st, b := lc.do("POST /api/v1/classes/{code}/join", "POST", "/api/v1/classes/"+c.code+"/join", "", "", nil)
				var j struct{ Student, Token string }
				if st != 201 || json.Unmarshal(b, &j) != nil {
					return
				}
				lc.do("PUT /api/v1/classes/{code}/me/consent", "PUT", "/api/v1/classes/"+c.code+"/me/consent", j.Token, "", map[string]bool{"consent": k%20 != 19})
				smu.Lock()
				students[ci] = append(students[ci], &loadStudent{class: c.code, token: j.Token, name: j.Student})
				smu.Unlock()
			}()
		}
	}
	wg.Wait()
	for round := 1; round <= cfg.rounds; round++ {
		for _, c := range classes {
			lc.do("POST /api/v1/classes/{code}/advance", "POST", "/api/v1/classes/"+c.code+"/advance", c.teacher, "", nil)
		}
		t0 := time.Now()
		for ci := range classes {
			for k, s := range students[ci] {
				wait := at()
				peer := students[ci][(k+1)%len(students[ci])]
				wg.Add(1)
				go func() {
					defer wg.Done()
					time.Sleep(time.Until(t0.Add(wait)))
					cookie := "scs_student_" + s.class + "=" + s.token
					lc.do("GET /class/{code}/me (page)", "GET", "/class/"+s.class+"/me", "", cookie, nil)
					st, b := lc.do("GET /api/v1/classes/{code}/me", "GET", "/api/v1/classes/"+s.class+"/me", s.token, "", nil)
					var v struct {
						Consent    string
						Situations []struct {
							Rule, Kind string
							Options    []string
							Bill       int64
						}
						Money int64
					}
					if st != 200 || json.Unmarshal(b, &v) != nil || v.Consent != "given" {
						return
					}
					choices := map[string]string{}
					for _, si := range v.Situations {
						o := si.Options[len(si.Options)-1]
						switch {
						case si.Kind == "speech" && rng2(s.name, round)%3 == 0:
							o = "yes"
						case si.Kind == "bill" && si.Bill <= v.Money:
							o = "pay"
						case si.Kind == "donation" || si.Kind == "volunteer":
							o = si.Options[0]
						}
						choices[si.Rule] = o
					}
					lc.do("POST /api/v1/classes/{code}/me/choices", "POST", "/api/v1/classes/"+s.class+"/me/choices", s.token, "", map[string]any{"round": round, "choices": choices})
					if rng2(s.name, round)%10 == 0 {
						lc.do("POST /api/v1/classes/{code}/me/reports", "POST", "/api/v1/classes/"+s.class+"/me/reports", s.token, "",
							map[string]string{"pseudonym": peer.name, "rule": "online-criticism-of-government"})
					}
					lc.do("GET /class/{code}/me (page)", "GET", "/class/"+s.class+"/me", "", cookie, nil)
				}()
			}
		}
		wg.Wait()
	}
	for _, c := range classes {
		lc.do("POST /api/v1/classes/{code}/advance", "POST", "/api/v1/classes/"+c.code+"/advance", c.teacher, "", nil)
		lc.do("GET /api/v1/classes/{code}/debrief", "GET", "/api/v1/classes/"+c.code+"/debrief", c.teacher, "", nil)
	}
	close(stop)
	boards.Wait()
	probe.Wait()
	for _, c := range classes {
		lc.do("DELETE /api/v1/classes/{code}", "DELETE", "/api/v1/classes/"+c.code, c.teacher, "", nil)
	}
	return res, nil
}

// signInSession signs a token in through the sign-in page and returns
// the Cookie header of its session.
func signInSession(base, token string) (string, error) {
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.Get(base + "/signin")
	if err != nil {
		return "", err
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	var csrfCookie string
	for _, ck := range res.Cookies() {
		if ck.Name == "scs_csrf" {
			csrfCookie = ck.Value
		}
	}
	i := bytes.Index(body, []byte(`name="csrf" value="`))
	if i < 0 || csrfCookie == "" {
		return "", fmt.Errorf("sign-in page: no CSRF token")
	}
	rest := body[i+len(`name="csrf" value="`):]
	csrf := string(rest[:bytes.IndexByte(rest, '"')])
	req, _ := http.NewRequest("POST", base+"/signin", strings.NewReader("token="+token+"&csrf="+csrf))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Cookie", "scs_csrf="+csrfCookie)
	res, err = c.Do(req)
	if err != nil {
		return "", err
	}
	res.Body.Close()
	for _, ck := range res.Cookies() {
		if ck.Name == "scs_session" {
			return "scs_csrf=" + csrfCookie + "; scs_session=" + ck.Value, nil
		}
	}
	return "", fmt.Errorf("sign in: status %d, no session", res.StatusCode)
}

func rng2(name string, round int) int {
	h := 0
	for _, r := range name {
		h = h*31 + int(r)
	}
	return (h + round*7) & 0x7fffffff
}

// startServeB starts `scs serve` through run() for a benchmark or test and
// returns its URL, the admin's token and a stop function.
func startServeB(tb testing.TB) (string, string, func()) {
	db := filepath.Join(tb.TempDir(), "scs.db")
	ctx, cancel := context.WithCancel(context.Background())
	stdout, stderr := &syncBuffer{}, &discardBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"scs", "serve", "--db", db, "--addr", "127.0.0.1:0", "--demo-citizens", "0"},
			func(string) string { return "" }, strings.NewReader(""), stdout, stderr)
	}()
	var url, admin string
	deadline := time.Now().Add(time.Minute)
	for url == "" || admin == "" {
		select {
		case err := <-done:
			tb.Fatalf("scs serve ended: %v\n%s", err, stdout)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			cancel()
			tb.Fatalf("scs serve did not start\n%s", stdout)
		}
		sc := bufio.NewScanner(strings.NewReader(stdout.String()))
		for sc.Scan() {
			line := sc.Text()
			if u, ok := strings.CutPrefix(line, "Listening on "); ok {
				url = strings.TrimSpace(u)
			}
			if f := strings.Fields(line); len(f) == 3 && f[0] == "admin" {
				admin = f[2]
			}
		}
	}
	return url, admin, func() {
		cancel()
		<-done
	}
}

type discardBuffer struct{}

func (discardBuffer) Write(p []byte) (int, error) { return len(p), nil }

// report prints each route's count, p50 and p99 beside the baseline's,
// and returns the largest p99 of a class route.
func (r *loadResult) report(w io.Writer) time.Duration {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "route\trequests\terrors\tp50\tp99\tmax\tp99 / baseline p99\t")
	base := pct(r.lat["GET /healthz (baseline)"], 0.99)
	var routes []string
	for k := range r.lat {
		routes = append(routes, k)
	}
	sort.Strings(routes)
	var worst time.Duration
	for _, k := range routes {
		ds := r.lat[k]
		p99 := pct(ds, 0.99)
		if !strings.Contains(k, "baseline") {
			worst = max(worst, p99)
		}
		ratio := "-"
		if base > 0 {
			ratio = fmt.Sprintf("%.1f×", float64(p99)/float64(base))
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s\t%s\t%s\t\n", k, len(ds), r.errors[k], fmtDur(pct(ds, 0.5)), fmtDur(p99), fmtDur(pct(ds, 1)), ratio)
	}
	tw.Flush()
	return worst
}

// TestClassroomLoadSmall runs the load test small, so that it keeps
// working: every request answers without an error.
func TestClassroomLoadSmall(t *testing.T) {
	url, admin, stop := startServeB(t)
	defer stop()
	res, err := runClassLoad(context.Background(), url, admin, loadConfig{classes: 2, students: 6, rounds: 2, phase: 300 * time.Millisecond, maxInFlight: 16})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	res.report(&buf)
	for route, n := range res.errors {
		if route == "POST /api/v1/classes/{code}/me/reports" {
			continue // a report of someone who has not posted is allowed; one of a watcher is refused
		}
		t.Errorf("%s: %d errors, e.g. %s", route, n, res.sample[route])
	}
	for _, want := range []string{"GET /class/{code}/me (page)", "GET /class/{code}/board (page)", "POST /api/v1/classes/{code}/me/choices", "GET /api/v1/classes/{code}", "GET /healthz (baseline)"} {
		if len(res.lat[want]) == 0 {
			t.Errorf("no %s requests", want)
		}
	}
	if t.Failed() {
		t.Log("\n" + buf.String())
	}
}

// BenchmarkClassroomLoad is the load test of docs/benchmarks.md: 50
// classes of 40 students playing 3 rounds at once, each phase 20 s (set
// SCS_CLASSLOAD=classes,students,rounds,seconds to change it). It prints
// every route's p99 beside the baseline's; run it with -benchtime 1x.
func BenchmarkClassroomLoad(b *testing.B) {
	cfg := loadConfig{classes: 50, students: 40, rounds: 3, phase: 20 * time.Second, maxInFlight: 256}
	if v := os.Getenv("SCS_CLASSLOAD"); v != "" {
		var secs int
		if _, err := fmt.Sscanf(v, "%d,%d,%d,%d", &cfg.classes, &cfg.students, &cfg.rounds, &secs); err != nil {
			b.Fatalf("SCS_CLASSLOAD=%q: want classes,students,rounds,seconds", v)
		}
		cfg.phase = time.Duration(secs) * time.Second
	}
	for i := 0; i < b.N; i++ {
		url, admin, stop := startServeB(b)
		res, err := runClassLoad(context.Background(), url, admin, cfg)
		stop()
		if err != nil {
			b.Fatal(err)
		}
		var buf bytes.Buffer
		fmt.Fprintf(&buf, "%d classes of %d students, %d rounds, %s a phase, SQLite\n", cfg.classes, cfg.students, cfg.rounds, cfg.phase)
		worst := res.report(&buf)
		fmt.Fprintf(&buf, "largest p99 of a class route: %s (goal: under 100 ms)\n", fmtDur(worst))
		fmt.Fprint(os.Stdout, buf.String()) // the whole table: b.Log truncates
		b.ReportMetric(float64(worst)/1e6, "p99-ms")
	}
}
