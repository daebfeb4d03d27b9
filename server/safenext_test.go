package server

import (
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// knownBypasses are redirect targets that have taken sign-in forms off
// their site.
var knownBypasses = []string{
	"//evil.example", "///evil.example", "/\\evil.example", "\\\\evil.example", "/\t/evil.example",
	"/\n/evil.example", "/\r/evil.example", "/\x00/evil.example", " /evil.example", "/ /evil.example",
	"https://evil.example", "http:evil.example", "javascript:alert(1)", "evil.example", "/\\/evil.example",
	"/%0a", "\t//evil.example", "/\u3000/evil.example", "/\x7f/evil.example", "./evil", "",
}

func TestSafeNextRefusesKnownBypasses(t *testing.T) {
	for _, n := range knownBypasses {
		got := safeNext(n)
		if got != "/" && got == n && !strings.HasPrefix(n, "/%") {
			t.Errorf("safeNext(%q) = %q", n, got)
		}
		if offSite(got) {
			t.Errorf("safeNext(%q) = %q leaves the site", n, got)
		}
	}
	for _, n := range []string{"/", "/citizens/c-17?at=2024-01-01T00:00:00%2B08:00", "/desk#trail", "/%0a"} {
		if got := safeNext(n); got != n {
			t.Errorf("safeNext(%q) = %q, want it kept", n, got)
		}
	}
}

// offSite reports whether a browser following Location: n could leave the
// site: as Go's URL parser reads it, and as a browser does after dropping
// tabs and line breaks and reading backslashes as slashes.
func offSite(n string) bool {
	u, err := url.Parse(n)
	if err != nil || u.Scheme != "" || u.Host != "" || u.Opaque != "" || u.User != nil {
		return true
	}
	b := strings.NewReplacer("\t", "", "\n", "", "\r", "", "\\", "/").Replace(n)
	b = strings.TrimLeft(b, "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f ")
	return !strings.HasPrefix(b, "/") || strings.HasPrefix(b, "//")
}

func FuzzSafeNext(f *testing.F) {
	for _, n := range knownBypasses {
		f.Add(n)
	}
	f.Add("/citizens/c-17")
	f.Fuzz(func(t *testing.T, n string) {
		got := safeNext(n)
		if got != "/" && got != n {
			t.Fatalf("safeNext(%q) = %q: neither kept nor /", n, got)
		}
		if offSite(got) {
			t.Fatalf("safeNext(%q) = %q leaves the site", n, got)
		}
	})
}

// TestNosniffEverywhere: every response says X-Content-Type-Options:
// nosniff, static files, metrics, redirects and errors included.
func TestNosniffEverywhere(t *testing.T) {
	s, _, _ := newStub(t, Options{})
	for _, c := range []struct{ method, path string }{
		{"GET", "/static/scs.css"}, {"GET", "/metrics"}, {"GET", "/healthz"}, {"GET", "/api/v1/openapi.json"},
		{"GET", "/no-such-page"}, {"GET", "/api/v1/no-such"}, {"BREW", "/"}, {"GET", "/api/v1/stats"}, {"GET", "/signin"},
	} {
		a := do(s, c.method, c.path, "", "", "")
		if got := a.header.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("%s %s (%d): X-Content-Type-Options %q", c.method, c.path, a.status, got)
		}
	}
}

// TestCrossOriginRefused: a browser's POST from another site is refused
// before the handler, whatever the form holds; a client that is not a
// browser (no Sec-Fetch-Site, no Origin) is not affected.
func TestCrossOriginRefused(t *testing.T) {
	s, reg, _ := newStub(t, Options{})
	req := httptest.NewRequest("POST", "/api/v1/records", strings.NewReader(`{}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer good")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	w := httptest.NewRecorder()
	s.ServeHTTP(w, req)
	if w.Code != 403 || reg.got != nil {
		t.Errorf("cross-site POST: %d %s", w.Code, w.Body)
	}
	if a := do(s, "POST", "/api/v1/records", "good", "application/json", `{}`); a.status != 400 {
		t.Errorf("a POST without browser headers: %d", a.status)
	}
}
