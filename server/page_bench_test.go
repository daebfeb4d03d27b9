package server

import (
	"context"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"scs"
	"scs/classroom"
	"scs/quiz"
	"scs/schemes"
	"scs/sim"
	"scs/store"
)

// BenchmarkPages measures the render time of every page, in process,
// against the SQLite store filled with the simulator's demo city
// (sim.Demo, as scs serve fills an empty registry) of SCS_BENCH_CITIZENS
// citizens (default 20,000, the demo city's size) over SCS_BENCH_YEARS
// years (default 5). Each iteration requests the page and then its baseline,
// the JSON API call that reads the same data from the same registry, so
// both are measured under the same conditions; the benchmark reports the
// p99 of each and their ratio.
//
//	go test ./server -run '^$' -bench Pages -benchtime 400x
//	SCS_BENCH_CITIZENS=700000 go test ./server -run '^$' -bench Pages -benchtime 200x -timeout 60m
func BenchmarkPages(b *testing.B) {
	n := 20000
	if v, err := strconv.Atoi(os.Getenv("SCS_BENCH_CITIZENS")); err == nil && v > 0 {
		n = v
	}
	bc := newBenchCity(b, n)
	// Warm the dashboards: the city's totals, today's visits, and the
	// years replayed in the background, so no measured request waits for them.
	start := time.Now()
	bc.page("", "/")(b)
	bc.page(scs.RoleOfficial, "/desk")(b)
	for bc.srv.cityHistory(time.Now()) == nil {
		time.Sleep(50 * time.Millisecond)
	}
	b.Logf("dashboards warmed (totals, visits, %d past years replayed) in %v", cityYears, time.Since(start).Round(time.Millisecond))
	for _, pg := range bc.pages() {
		b.Run(pg.name, func(b *testing.B) {
			var page, base []time.Duration
			pg.page(b) // warm up: the first city page starts the history replay
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				t0 := time.Now()
				pg.page(b)
				t1 := time.Now()
				pg.base(b)
				page = append(page, t1.Sub(t0))
				base = append(base, time.Since(t1))
			}
			p, q := p99(page), p99(base)
			b.ReportMetric(ms(p), "p99-ms")
			b.ReportMetric(ms(q), "baseline-p99-ms")
			b.ReportMetric(float64(p)/float64(max(q, 1)), "ratio")
		})
	}
}

// p99 returns the 99th percentile (nearest rank) of ds.
func p99(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[max(int(math.Ceil(0.99*float64(len(s))))-1, 0)]
}

func ms(d time.Duration) float64 { return float64(d) / 1e6 }

type benchCity struct {
	srv                  *Server
	db                   *store.DB
	cookie               map[string]*http.Cookie // role -> session cookie
	csrf                 map[string]string
	token                map[string]string
	csrfCookie           map[string]*http.Cookie
	citizen, listCitizen string
	quizForm             url.Values
}

// newBenchCity fills a store with n synthetic citizens and 5 years of
// records drawn from the scheme's rules (seeded, so every run is the same
// city), and signs in one account of each role.
func newBenchCity(b *testing.B, n int) *benchCity {
	b.Helper()
	ctx := context.Background()
	sc := schemes.MustLoad("rongcheng")
	db, err := store.Open(ctx, filepath.Join(b.TempDir(), "bench.db"), sc)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	now := time.Now().UTC().Truncate(time.Second)
	years := 5
	if v, err := strconv.Atoi(os.Getenv("SCS_BENCH_YEARS")); err == nil && v > 0 {
		years = v
	}
	start := time.Now()
	city, err := sim.Demo(ctx, sc, sim.DemoOptions{Citizens: n, Years: years, Seed: 1, End: now})
	if err != nil {
		b.Fatal(err)
	}
	citizens, evs := city.Citizens, city.Events
	b.Logf("simulated %d citizens over %d years in %v", n, years, time.Since(start).Round(time.Millisecond))
	start = time.Now()
	if err := db.Load(ctx, citizens, evs, store.Operator()); err != nil {
		b.Fatal(err)
	}
	b.Logf("loaded %d citizens and %d records in %v", n, len(evs), time.Since(start).Round(time.Millisecond))
	start = time.Now()
	if _, err := db.Stats(ctx, now); err != nil {
		b.Fatal(err)
	}
	b.Logf("the store's Stats (the city's totals) took %v", time.Since(start).Round(time.Millisecond))
	bc := &benchCity{db: db, cookie: map[string]*http.Cookie{}, csrf: map[string]string{}, token: map[string]string{}, csrfCookie: map[string]*http.Cookie{}, citizen: citizens[0].ID}
	for _, a := range []scs.Account{
		{Name: "bench official", Role: scs.RoleOfficial, Department: "courts"},
		{Name: "bench reviewer", Role: scs.RoleReviewer},
		{Name: "bench admin", Role: scs.RoleAdmin},
		{Name: "bench citizen", Role: scs.RoleCitizen, Citizen: citizens[0].ID},
	} {
		_, tok, err := db.CreateAccount(ctx, store.Operator(), a)
		if err != nil {
			b.Fatal(err)
		}
		bc.token[a.Role] = tok
	}
	bc.srv, err = New(Deps{Registry: db, Pinger: db, Settings: db, History: db, Classes: classroom.New(db, nil), Checkpoints: db})
	if err != nil {
		b.Fatal(err)
	}
	bc.srv.SetCitySettings(city.Settings)
	for role, tok := range bc.token {
		bc.signIn(b, role, tok)
	}
	if l, _, err := db.PublicList(ctx, scs.Page{Limit: 1}, now); err == nil && len(l) > 0 {
		bc.listCitizen = l[0].Citizen
	} else {
		bc.listCitizen = citizens[1].ID
	}
	bc.quizForm = url.Values{"consent": {"yes"}, "a-returned-lost-money": {"1"}, "a-charitable-donation": {"5000"},
		"a-blood-donation": {"3"}, "a-volunteer-service": {"100"}, "a-speeding-ticket": {"2"}, "a-other-commercial": {"1"}}
	return bc
}

func (bc *benchCity) do(b *testing.B, req *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	bc.srv.ServeHTTP(w, req)
	if w.Code != http.StatusOK && w.Code != http.StatusSeeOther {
		b.Fatalf("%s %s: %d\n%.500s", req.Method, req.URL, w.Code, w.Body.String())
	}
	return w
}

func (bc *benchCity) signIn(b *testing.B, role, token string) {
	w := bc.do(b, httptest.NewRequest("GET", "/signin", nil))
	var csrfC *http.Cookie
	for _, c := range w.Result().Cookies() {
		if c.Name == csrfCookie {
			csrfC = c
		}
	}
	tok := csrfRE.FindStringSubmatch(w.Body.String())[1]
	req := httptest.NewRequest("POST", "/signin", strings.NewReader(url.Values{"csrf": {tok}, "token": {token}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(csrfC)
	w = bc.do(b, req)
	for _, c := range w.Result().Cookies() {
		if c.Name == sessionCookie {
			bc.cookie[role] = c
		}
	}
	bc.csrfCookie[role] = csrfC
	// The CSRF token of a signed-in form is bound to the session.
	req = httptest.NewRequest("GET", "/quiz?consent=yes", nil)
	req.AddCookie(csrfC)
	req.AddCookie(bc.cookie[role])
	bc.csrf[role] = csrfRE.FindStringSubmatch(bc.do(b, req).Body.String())[1]
}

func (bc *benchCity) page(role, path string) func(b *testing.B) {
	return func(b *testing.B) {
		req := httptest.NewRequest("GET", path, nil)
		if role != "" {
			req.AddCookie(bc.cookie[role])
			req.AddCookie(bc.csrfCookie[role])
		}
		bc.do(b, req)
	}
}

func (bc *benchCity) api(role, path string) func(b *testing.B) {
	return func(b *testing.B) {
		req := httptest.NewRequest("GET", path, nil)
		if role != "" {
			req.Header.Set("Authorization", "Bearer "+bc.token[role])
		}
		bc.do(b, req)
	}
}

type benchPage struct {
	name       string
	page, base func(b *testing.B)
}

func (bc *benchCity) pages() []benchPage {
	eng := bc.db.Engine()
	qt := quiz.New(eng)
	answers := quiz.Answers{}
	for k, v := range bc.quizForm {
		if r, ok := strings.CutPrefix(k, "a-"); ok {
			answers[r], _ = strconv.ParseFloat(v[0], 64)
		}
	}
	return []benchPage{
		// The city page shows the registry's totals from a cache refreshed
		// in the background (a whole-city scan: see the log line of
		// newBenchCity); its baseline is the rest of what it reads.
		{"city", bc.page("", "/"), bc.api("", "/api/v1/lists/public?limit=10")},
		{"file", bc.page(scs.RoleOfficial, "/citizens/"+bc.listCitizen), bc.api(scs.RoleOfficial, "/api/v1/citizens/"+bc.listCitizen)},
		{"own-file", bc.page(scs.RoleCitizen, "/citizens/"+bc.citizen), bc.api(scs.RoleCitizen, "/api/v1/citizens/"+bc.citizen)},
		{"public-list", bc.page("", "/list"), bc.api("", "/api/v1/lists/public")},
		{"desk", bc.page(scs.RoleOfficial, "/desk"), bc.api(scs.RoleOfficial, "/api/v1/lists/watch")},
		{"review", bc.page(scs.RoleReviewer, "/review"), bc.api(scs.RoleReviewer, "/api/v1/objections")},
		{"scheme", bc.page("", "/scheme"), bc.api("", "/api/v1/schemes/rongcheng")},
		{"quiz-form", bc.page("", "/quiz?consent=yes"), bc.api("", "/api/v1/schemes/rongcheng")},
		{"quiz-result", func(b *testing.B) {
			form := url.Values{}
			for k, v := range bc.quizForm {
				form[k] = v
			}
			form.Set("csrf", bc.csrf[scs.RoleCitizen])
			req := httptest.NewRequest("POST", "/quiz", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.AddCookie(bc.cookie[scs.RoleCitizen])
			req.AddCookie(bc.csrfCookie[scs.RoleCitizen])
			bc.do(b, req)
		}, func(b *testing.B) {
			if _, err := qt.Score(answers, time.Now()); err != nil {
				b.Fatal(err)
			}
		}},
	}
}
