package server

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/url"
	"strings"
	"testing"
	"time"

	"scs/schemes"
)

// TestAtPlusHint: ?at= with its + left unencoded (read as a space) is
// answered with a hint to write %2B.
func TestAtPlusHint(t *testing.T) {
	s, _, _ := newStub(t, Options{})
	a := do(s, "GET", "/api/v1/stats?at=2026-01-15T00:00:00+08:00", "good", "", "")
	if a.status != 400 || a.err.Field != "at" || !strings.Contains(a.err.Message, "%2B") || !strings.Contains(a.err.Message, "at=2026-01-15T00:00:00%2B08:00") {
		t.Errorf("%d %+v", a.status, a.err)
	}
	if a := do(s, "GET", "/api/v1/stats?at=2026-01-15T00:00:00%2B08:00", "good", "", ""); a.status != 200 {
		t.Errorf("encoded: %d %s", a.status, a.body)
	}
}

// TestRequestLog: one line per request with method, route pattern, status
// and duration; never the query or the token.
func TestRequestLog(t *testing.T) {
	sc, err := schemes.Load("rongcheng")
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	s, err := New(Deps{Registry: &stubRegistry{scheme: sc}, RequestLog: slog.New(slog.NewJSONHandler(&logs, nil)),
		Now: func() time.Time { return time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	do(s, "GET", "/api/v1/stats?at=2024-01-01T00:00:00Z", "good", "", "")
	do(s, "GET", "/no/such/secret-path", "", "", "")
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("want 2 lines:\n%s", logs.String())
	}
	var first struct {
		Msg, Method, Route string
		Status             int
		Duration           float64
	}
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil {
		t.Fatal(err)
	}
	if first.Msg != "request" || first.Method != "GET" || first.Route != "GET /api/v1/stats" || first.Status != 200 {
		t.Errorf("%+v", first)
	}
	for _, secret := range []string{"good", "2024-01-01", "secret-path"} {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("the log shows %q:\n%s", secret, logs.String())
		}
	}
}

// TestQuizAssumptionsPage: the self-test asks eligibility first, offers
// "does not apply to me" for every question, and its result says how the
// answers were placed in time, which calendar years' caps applied, and
// that it is linked to no government.
func TestQuizAssumptionsPage(t *testing.T) {
	env := newPageEnv(t)
	b := env.browser()
	_, body := b.get("/quiz")
	mustContain(t, "consent page", body, "not linked to the Chinese government")
	_, body = b.get("/quiz?consent=yes")
	if i, j := strings.Index(body, `id="eligibility"`), strings.Index(body, `id="a-returned-lost-money"`); i < 0 || j < 0 || i > j {
		t.Errorf("eligibility is not asked first (%d, %d)", i, j)
	}
	if n, q := strings.Count(body, ">Does not apply to me<"), len(schemes.MustLoad("rongcheng").Rules); n != q {
		t.Errorf("%d \"does not apply\" answers for %d questions", n, q)
	}
	// A question that does not apply is not checked, even with junk in it.
	code, body := b.post("/quiz?consent=yes", "/quiz", url.Values{"consent": {"yes"}, "eligible": {"no"},
		"a-tax-evasion": {"junk"}, "na-tax-evasion": {"1"}, "a-returned-lost-money": {"1"}})
	if code != 200 {
		t.Fatalf("result: %d", code)
	}
	mustContain(t, "result", body, `id="quiz-score">1020<`, `id="quiz-ineligible"`, `id="quiz-placement"`, "additions first",
		"calendar years 2025 and 2026", "1 questions did not apply", "not linked to the Chinese government")
}

// TestBrowserErrorsArePages: what a browser asks for outside the API and
// no route serves is answered with an error page, the API's with JSON.
func TestBrowserErrorsArePages(t *testing.T) {
	env := newPageEnv(t)
	b := env.browser()
	for _, tc := range []struct {
		path   string
		status int
	}{{"/citizens", 401}, {"/citizens/", 404}, {"/favicon.ico", 404}, {"/signout", 405}} {
		code, body := b.get(tc.path)
		if code != tc.status || !strings.Contains(body, "<html") || strings.Contains(body, `"error"`) {
			t.Errorf("GET %s: %d\n%.200s", tc.path, code, body)
		}
	}
	s, _, _ := newStub(t, Options{})
	if a := do(s, "GET", "/api/v1/nothing", "", "", ""); a.status != 404 || a.err.Code != "not_found" {
		t.Errorf("API path: %d %s", a.status, a.body)
	}
}

func TestGroupThousands(t *testing.T) {
	for in, want := range map[any]string{0: "0", 999: "999", 1000: "1,000", int64(113063): "113,063", -20000: "-20,000", int64(1234567): "1,234,567"} {
		if got := groupThousands(in); got != want {
			t.Errorf("%v: %q, want %q", in, got, want)
		}
	}
}
