package server

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// TestAPITimesInSchemeZone: the API writes every time with the offset of
// the scheme's zone (Asia/Shanghai for Rongcheng), not in UTC (issue 17,
// point 8): a record reported at 23:30 Shanghai time is echoed as such.
func TestAPITimesInSchemeZone(t *testing.T) {
	s, _, _ := newStub(t, Options{})
	rule := firstFixedRule(t, s)
	a := do(s, "POST", "/api/v1/records", "good", "application/json",
		`{"id":"r1","citizen":"c1","rule":"`+rule+`","at":"2023-12-31T23:30:00+08:00","evidence":"2023-12-31T15:30:00Z is in the text"}`)
	if a.status != 201 {
		t.Fatalf("%d %s", a.status, a.body)
	}
	if !strings.Contains(a.body, `"at":"2023-12-31T23:30:00+08:00"`) || strings.Contains(a.body, `"at":"2023-12-31T15:30:00Z"`) {
		t.Errorf("the record's time is not in the scheme's zone:\n%s", a.body)
	}
	// A string that only contains a time is not a time.
	if !strings.Contains(a.body, `2023-12-31T15:30:00Z is in the text`) {
		t.Errorf("evidence text rewritten:\n%s", a.body)
	}
	// The batch's answer is written by hand, with its times in the zone too.
	a = do(s, "POST", "/api/v1/records/batch", "good", "application/json",
		`{"records":[{"id":"r2","citizen":"c1","rule":"`+rule+`","at":"2023-12-31T23:30:00+08:00"}]}`)
	if a.status != 201 || !strings.Contains(a.body, `"recorded_at":"2024-05-01T08:00:00+08:00"`) {
		t.Errorf("batch: %d %s", a.status, a.body)
	}
	a = do(s, "GET", "/api/v1/stats?at=2024-01-01T00:00:00Z", "good", "", "")
	if !strings.Contains(a.body, `"as_of":"2024-01-01T08:00:00+08:00"`) {
		t.Errorf("stats as_of:\n%s", a.body)
	}
}

func firstFixedRule(t *testing.T, s *Server) string {
	t.Helper()
	for _, r := range s.reg.Scheme().Rules {
		if !r.Effect.NeedsQuantity() {
			return r.ID
		}
	}
	t.Fatal("no rule without a quantity")
	return ""
}

func TestInZone(t *testing.T) {
	sh, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ in, want string }{
		{`{"at":"2023-12-31T15:30:00Z"}`, `{"at":"2023-12-31T23:30:00+08:00"}`},
		{`{"at":"2023-12-31T15:30:00.123456789Z","n":1}`, `{"at":"2023-12-31T23:30:00.123456789+08:00","n":1}`},
		{`["2023-12-31T15:30:00Z", "x", "2024-06-30T16:00:00Z"]`, `["2023-12-31T23:30:00+08:00", "x", "2024-07-01T00:00:00+08:00"]`},
		{`{"2023-12-31T15:30:00Z":"key"}`, `{"2023-12-31T15:30:00Z":"key"}`},         // a key stays
		{`{"2023-12-31T15:30:00Z" : 1}`, `{"2023-12-31T15:30:00Z" : 1}`},             // a key with space
		{`{"at":"2023-12-31T23:30:00+08:00"}`, `{"at":"2023-12-31T23:30:00+08:00"}`}, // has its offset
		{`{"e":"on 2023-12-31T15:30:00Z"}`, `{"e":"on 2023-12-31T15:30:00Z"}`},       // text with a time
		{`{"e":"2023-13-31T15:30:00Z"}`, `{"e":"2023-13-31T15:30:00Z"}`},             // not a time
		{`{"e":"a\"b","at":"2023-12-31T15:30:00Z"}`, `{"e":"a\"b","at":"2023-12-31T23:30:00+08:00"}`},
		{`{"e":"\\","at":"2023-12-31T15:30:00Z"}`, `{"e":"\\","at":"2023-12-31T23:30:00+08:00"}`},
		{`"0001-01-01T00:00:00Z"`, `"0001-01-01T00:00:00Z"`}, // the zero time stands for none
		{`"1900-06-01T00:00:00Z"`, `"1900-06-01T00:00:00Z"`}, // Shanghai's local mean time: +08:05:43 has no RFC 3339 form
	} {
		if got := string(inZone([]byte(c.in), sh)); got != c.want {
			t.Errorf("inZone(%s)\n got %s\nwant %s", c.in, got, c.want)
		}
	}
	if got := string(inZone([]byte(`{"at":"2023-12-31T15:30:00Z"}`), time.UTC)); got != `{"at":"2023-12-31T15:30:00Z"}` {
		t.Errorf("UTC: %s", got)
	}
}

// FuzzInZone: valid JSON stays valid JSON with the same shape, and every
// string that changed is the same instant as before.
func FuzzInZone(f *testing.F) {
	sh, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{`{"at":"2023-12-31T15:30:00Z"}`, `["2023-12-31T15:30:00.5Z",{"k":"\"2023-12-31T15:30:00Z"}]`, `{"a\\":"2023-12-31T15:30:00Z"}`, `"x"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var before any
		if json.Unmarshal(b, &before) != nil {
			return
		}
		out := inZone(b, sh)
		var after any
		if err := json.Unmarshal(out, &after); err != nil {
			t.Fatalf("inZone(%q) = %q: not JSON: %v", b, out, err)
		}
		same(t, before, after)
	})
}

func same(t *testing.T, a, b any) {
	switch a := a.(type) {
	case map[string]any:
		bm, ok := b.(map[string]any)
		if !ok || len(a) != len(bm) {
			t.Fatalf("%v became %v", a, b)
		}
		for k, v := range a {
			same(t, v, bm[k])
		}
	case []any:
		bl, ok := b.([]any)
		if !ok || len(a) != len(bl) {
			t.Fatalf("%v became %v", a, b)
		}
		for i := range a {
			same(t, a[i], bl[i])
		}
	case string:
		bs, ok := b.(string)
		if !ok {
			t.Fatalf("%q became %v", a, b)
		}
		if a != bs {
			ta, err1 := time.Parse(time.RFC3339Nano, a)
			tb, err2 := time.Parse(time.RFC3339Nano, bs)
			if err1 != nil || err2 != nil || !ta.Equal(tb) || !strings.HasSuffix(a, "Z") {
				t.Fatalf("%q became %q", a, bs)
			}
		}
	default:
		if a != b {
			t.Fatalf("%v became %v", a, b)
		}
	}
}
