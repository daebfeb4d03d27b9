package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"scs"
	"scs/schemes"
)

// stubRegistry answers the HTTP-mechanics tests below: it knows one token
// and returns what the test sets. It holds no business logic; the API's
// behaviour with the real registry is tested end to end in cmd/scs.
type stubRegistry struct {
	scs.Registry
	scheme *scs.Scheme
	err    error        // returned by every call when set
	got    []scs.Event  // the events last reported
	by     *scs.Account // the account last seen
}

var stubAdmin = &scs.Account{ID: 1, Name: "admin", Role: scs.RoleAdmin}

func (r *stubRegistry) Scheme() *scs.Scheme { return r.scheme }

func (r *stubRegistry) Authenticate(ctx context.Context, token string) (*scs.Account, error) {
	if token == "good" {
		return stubAdmin, nil
	}
	return nil, scs.Errorf(scs.EUNAUTHORIZED, "unknown token")
}

func (r *stubRegistry) ReportRecords(ctx context.Context, by *scs.Account, evs []scs.Event) ([]scs.Record, error) {
	r.by, r.got = by, evs
	if r.err != nil {
		return nil, r.err
	}
	out := make([]scs.Record, len(evs))
	for i := range evs {
		out[i] = scs.Record{Seq: int64(i + 1), Event: evs[i], Account: by.ID, RecordedAt: time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)}
	}
	return out, nil
}

func (r *stubRegistry) Stats(ctx context.Context, at time.Time) (scs.Stats, error) {
	return scs.Stats{AsOf: at}, r.err
}

func newStub(t *testing.T, opts Options) (*Server, *stubRegistry, *bytes.Buffer) {
	t.Helper()
	sc, err := schemes.Load("rongcheng")
	if err != nil {
		t.Fatal(err)
	}
	reg := &stubRegistry{scheme: sc}
	var logs bytes.Buffer
	s, err := New(Deps{Registry: reg, Logger: slog.New(slog.NewTextHandler(&logs, nil)), Options: opts,
		Now: func() time.Time { return time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	return s, reg, &logs
}

type answer struct {
	status int
	header http.Header
	body   string
	err    ErrorDetail
}

func do(s http.Handler, method, path, token, ctype, body string) answer {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	w := httptest.NewRecorder()
	s.ServeHTTP(w, req)
	a := answer{status: w.Code, header: w.Header(), body: w.Body.String()}
	if w.Code >= 400 {
		var eb ErrorBody
		json.Unmarshal(w.Body.Bytes(), &eb)
		a.err = eb.Error
	}
	return a
}

// firstRule returns a fixed-points rule of the scheme.
func firstRule(t *testing.T, sc *scs.Scheme) *scs.Rule {
	for i := range sc.Rules {
		if sc.Rules[i].Effect.Kind == scs.EffectFixed {
			return &sc.Rules[i]
		}
	}
	t.Fatal("no fixed rule")
	return nil
}

func TestHTTPMechanics(t *testing.T) {
	s, reg, logs := newStub(t, Options{MaxBody: 512})
	rule := firstRule(t, reg.scheme).ID
	rec := `{"id":"r1","citizen":"c1","rule":"` + rule + `","at":"2024-03-01T09:00:00+08:00"}`
	const js = "application/json"
	tests := []struct {
		name, method, path, token, ctype, body string
		status                                 int
		code, field                            string
	}{
		{"no token on a signed-in route", "POST", "/api/v1/records", "", js, rec, 401, "unauthorized", ""},
		{"unknown token", "GET", "/api/v1/stats", "bad", "", "", 401, "unauthorized", ""},
		{"unknown token on a public route", "GET", "/api/v1/schemes", "bad", "", "", 401, "unauthorized", ""},
		{"wrong content type", "POST", "/api/v1/records", "good", "text/plain", rec, 415, "unsupported_media_type", ""},
		{"no content type", "POST", "/api/v1/records", "good", "", rec, 415, "unsupported_media_type", ""},
		{"body over the limit", "POST", "/api/v1/records", "good", js, `{"id":"` + strings.Repeat("x", 600) + `"}`, 413, "too_large", ""},
		{"unknown field", "POST", "/api/v1/records", "good", js, strings.Replace(rec, `"id"`, `"colour":1,"id"`, 1), 400, "invalid", "colour"},
		{"unknown rule", "POST", "/api/v1/records", "good", js, strings.Replace(rec, rule, "no-such-rule", 1), 400, "invalid", "rule"},
		{"bad at", "GET", "/api/v1/stats?at=tomorrow", "good", "", "", 400, "invalid", "at"},
		{"bad limit", "GET", "/api/v1/lists/public?limit=0", "", "", "", 400, "invalid", "limit"},
		{"bad objection id", "POST", "/api/v1/objections/x/decision", "good", js, `{}`, 400, "invalid", "id"},
		{"bad day", "GET", "/api/v1/visits?day=someday", "good", "", "", 400, "invalid", "day"},
		{"bad status", "GET", "/api/v1/objections?status=pending", "good", "", "", 400, "invalid", "status"},
		{"unknown path", "GET", "/api/v1/nothing", "", "", "", 404, "not_found", ""},
		{"wrong method", "DELETE", "/api/v1/records", "good", "", "", 405, "method_not_allowed", ""},
		{"unknown scheme", "GET", "/api/v1/schemes/atlantis", "", "", "", 404, "not_found", ""},
		{"a good record", "POST", "/api/v1/records", "good", js, rec, 201, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := do(s, tt.method, tt.path, tt.token, tt.ctype, tt.body)
			if a.status != tt.status {
				t.Fatalf("status %d, want %d: %s", a.status, tt.status, a.body)
			}
			if a.err.Code != tt.code || a.err.Field != tt.field {
				t.Errorf("error %+v, want code %q field %q", a.err, tt.code, tt.field)
			}
			if tt.status >= 400 && a.err.Message == "" {
				t.Errorf("no message: %s", a.body)
			}
			if tt.status == 401 && a.header.Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
			if tt.status == 405 && a.header.Get("Allow") != "POST" {
				t.Errorf("Allow = %q, want POST", a.header.Get("Allow"))
			}
		})
	}
	if reg.by != stubAdmin || len(reg.got) != 1 || reg.got[0].ID != "r1" {
		t.Errorf("the registry got %+v from %+v", reg.got, reg.by)
	}
	req := httptest.NewRequest("GET", "/api/v1/stats", nil)
	req.Header.Set("Authorization", "Basic YTpi")
	w := httptest.NewRecorder()
	s.ServeHTTP(w, req)
	if w.Code != 401 {
		t.Errorf("Basic authorization: status %d, want 401", w.Code)
	}
	if strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("errors logged for client mistakes:\n%s", logs)
	}
}

func TestInternalErrorsAreLoggedNotShown(t *testing.T) {
	s, reg, logs := newStub(t, Options{})
	reg.err = errors.New("disk on fire at /var/secret")
	a := do(s, "GET", "/api/v1/stats", "good", "", "")
	if a.status != 500 || a.err.Code != "internal" {
		t.Fatalf("status %d %+v", a.status, a.err)
	}
	if strings.Contains(a.body, "secret") {
		t.Errorf("the answer shows the internal error: %s", a.body)
	}
	if !strings.Contains(logs.String(), "disk on fire") {
		t.Errorf("the internal error was not logged: %s", logs)
	}
	for code, status := range map[string]int{scs.EINVALID: 400, scs.ENOTFOUND: 404, scs.ECONFLICT: 409, scs.EFORBIDDEN: 403, scs.EUNAUTHORIZED: 401} {
		reg.err = scs.Errorf(code, "because %s", code)
		a := do(s, "GET", "/api/v1/stats", "good", "", "")
		if a.status != status || a.err.Code != code || a.err.Message != "because "+code {
			t.Errorf("%s: status %d %+v, want %d", code, a.status, a.err, status)
		}
	}
}

func TestBatchNamesTheBadRecord(t *testing.T) {
	s, reg, _ := newStub(t, Options{})
	rule := firstRule(t, reg.scheme).ID
	body := `{"records":[{"id":"r1","citizen":"c1","rule":"` + rule + `","at":"2024-03-01T09:00:00Z"},` +
		`{"id":"r2","citizen":"c1","rule":"` + rule + `","at":"2024-03-01T09:00:00Z","quantity":3}]}`
	a := do(s, "POST", "/api/v1/records/batch", "good", "application/json", body)
	if a.status != 400 || a.err.Field != "records[1].quantity" {
		t.Fatalf("status %d %+v", a.status, a.err)
	}
	if reg.got != nil {
		t.Errorf("a bad batch reached the registry: %+v", reg.got)
	}
}

func TestMetrics(t *testing.T) {
	s, reg, _ := newStub(t, Options{})
	rule := firstRule(t, reg.scheme).ID
	rec := `{"records":[{"id":"r1","citizen":"c1","rule":"` + rule + `","at":"2024-03-01T09:00:00Z"},{"id":"r2","citizen":"c1","rule":"` + rule + `","at":"2024-03-01T09:00:00Z"}]}`
	do(s, "POST", "/api/v1/records/batch", "good", "application/json", rec)
	do(s, "GET", "/api/v1/stats", "", "", "")
	do(s, "GET", "/api/v1/stats", "", "", "")
	a := do(s, "GET", "/metrics", "", "", "")
	if a.status != 200 || !strings.HasPrefix(a.header.Get("Content-Type"), "text/plain; version=0.0.4") {
		t.Fatalf("status %d, content type %q", a.status, a.header.Get("Content-Type"))
	}
	for _, want := range []string{
		`scs_http_requests_total{method="GET",route="GET /api/v1/stats",status="4xx"} 2`,
		`scs_http_requests_total{method="POST",route="POST /api/v1/records/batch",status="2xx"} 1`,
		`scs_http_request_duration_seconds_bucket{route="GET /api/v1/stats",le="+Inf"} 2`,
		`scs_http_request_duration_seconds_count{route="GET /api/v1/stats"} 2`,
		"scs_records_ingested_total 2\n",
		"# TYPE scs_http_request_duration_seconds histogram\n",
		"go_goroutines ", "process_start_time_seconds ",
	} {
		if !strings.Contains(a.body, want) {
			t.Errorf("/metrics lacks %q:\n%s", want, a.body)
		}
	}
	checkExposition(t, a.body)
}

// checkExposition checks the text format's grammar: every sample line is
// "name{labels} value", names are declared by a TYPE line, and histogram
// buckets are cumulative.
func checkExposition(t *testing.T, text string) {
	t.Helper()
	types := map[string]string{}
	var last float64
	lastSeries := ""
	for _, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		if strings.HasPrefix(line, "# TYPE ") {
			f := strings.Fields(line)
			types[f[2]] = f[3]
			continue
		}
		if strings.HasPrefix(line, "#") {
			continue
		}
		sp := strings.LastIndexByte(line, ' ')
		if sp < 0 {
			t.Errorf("bad line %q", line)
			continue
		}
		var v float64
		if err := json.Unmarshal([]byte(line[sp+1:]), &v); err != nil {
			t.Errorf("bad value in %q", line)
		}
		name := line[:sp]
		labels := ""
		if i := strings.IndexByte(name, '{'); i >= 0 {
			name, labels = name[:i], name[i:]
		}
		base := name
		for _, suf := range []string{"_bucket", "_sum", "_count"} {
			if b, ok := strings.CutSuffix(name, suf); ok && (types[b] == "histogram" || types[b] == "summary") {
				base = b
			}
		}
		if types[base] == "" {
			t.Errorf("%q has no TYPE line", name)
		}
		if strings.HasSuffix(name, "_bucket") {
			series := name + labels[:strings.Index(labels, "le=")]
			if series == lastSeries && v < last {
				t.Errorf("bucket %q is below the one before (%g)", line, last)
			}
			lastSeries, last = series, v
		}
	}
}

func TestHealthAndOpenAPI(t *testing.T) {
	s, _, _ := newStub(t, Options{})
	if a := do(s, "GET", "/healthz", "", "", ""); a.status != 200 || !strings.Contains(a.body, `"ok"`) {
		t.Errorf("healthz: %d %s", a.status, a.body)
	}
	a := do(s, "GET", "/api/v1/openapi.json", "", "", "")
	if a.status != 200 || !json.Valid([]byte(a.body)) || !strings.Contains(a.body, `"openapi"`) {
		t.Errorf("openapi: %d", a.status)
	}
	a = do(s, "GET", "/api/v1/schemes/rongcheng", "", "", "")
	if a.status != 200 || !strings.Contains(a.body, `"rules"`) {
		t.Errorf("scheme: %d %s", a.status, a.body[:min(len(a.body), 200)])
	}
	resp := do(s, "GET", "/api/v1/schemes", "", "", "")
	var list struct {
		Active  string
		Schemes []SchemeSummary
	}
	json.Unmarshal([]byte(resp.body), &list)
	if list.Active != "rongcheng" || len(list.Schemes) == 0 || !list.Schemes[0].Active {
		t.Errorf("schemes: %s", resp.body)
	}
}

// TestMetricsBounded: requests with invented methods and paths add no
// series; /metrics stays the same size however many are sent.
func TestMetricsBounded(t *testing.T) {
	s, _, _ := newStub(t, Options{})
	series := func() int {
		n := 0
		for _, l := range strings.Split(do(s, "GET", "/metrics", "", "", "").body, "\n") {
			if strings.HasPrefix(l, "scs_http_") {
				n++
			}
		}
		return n
	}
	do(s, "FOO", "/x", "", "", "")
	series() // the first call adds GET /metrics's own series
	before := series()
	for i := range 300 {
		m := "M" + strings.Repeat("X", i%50) + strconv.Itoa(i)
		if a := do(s, m, "/no/such/"+strconv.Itoa(i), "", "", ""); a.status < 400 {
			t.Fatalf("%s: %d", m, a.status)
		}
	}
	if after := series(); after != before {
		t.Errorf("invented methods and paths grew the scs_http_ series from %d to %d", before, after)
	}
	if body := do(s, "GET", "/metrics", "", "", "").body; !strings.Contains(body, `method="other"`) || strings.Contains(body, "MXX") {
		t.Errorf("an invented method is not counted as other:\n%s", body)
	}
}

func TestGroupCommitMetrics(t *testing.T) {
	s, _, _ := newStub(t, Options{})
	s.Metrics().ObserveGroupCommit(3, 120, 2*time.Millisecond)
	s.Metrics().ObserveGroupCommit(1, 1, 500*time.Microsecond)
	a := do(s, "GET", "/metrics", "", "", "")
	for _, want := range []string{
		`scs_store_group_commit_writes_bucket{le="1"} 1`,
		`scs_store_group_commit_writes_bucket{le="4"} 2`,
		"scs_store_group_commit_writes_sum 4\n",
		`scs_store_group_commit_entries_bucket{le="64"} 1`,
		`scs_store_group_commit_entries_bucket{le="128"} 2`,
		"scs_store_group_commit_entries_count 2\n",
		`scs_store_group_commit_seconds_bucket{le="0.001"} 1`,
	} {
		if !strings.Contains(a.body, want) {
			t.Errorf("/metrics lacks %q:\n%s", want, a.body)
		}
	}
	checkExposition(t, a.body)
}

func TestBatchAnswer(t *testing.T) {
	s, reg, _ := newStub(t, Options{})
	rule := firstRule(t, reg.scheme).ID
	body := `{"records":[{"id":"r\"1","citizen":"c1","rule":"` + rule + `","at":"2024-03-01T09:00:00Z"},{"id":"r2","citizen":"c1","rule":"` + rule + `","at":"2024-03-01T09:00:00Z"}]}`
	a := do(s, "POST", "/api/v1/records/batch", "good", "application/json", body)
	if a.status != 201 {
		t.Fatalf("status %d: %s", a.status, a.body)
	}
	var out BatchResponse
	if err := json.Unmarshal([]byte(a.body), &out); err != nil {
		t.Fatalf("%v: %s", err, a.body)
	}
	if len(out.Records) != 2 || out.Records[0].ID != `r"1` || out.Records[0].Seq != 1 || out.Records[1].ID != "r2" || out.Records[1].Seq != 2 {
		t.Errorf("answer %+v", out)
	}
}
