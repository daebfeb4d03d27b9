package server

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"scs/engine"
	"scs/schemes"
)

// TestSchemePageFactorModel checks the scheme explorer for a factor model:
// the schedule, every factor with its weight, window and sub-score, the
// inputs as rules, and a plain word that the way-out analysis does not
// apply.
func TestSchemePageFactorModel(t *testing.T) {
	eng, err := engine.New(schemes.MustLoad("sesame"))
	if err != nil {
		t.Fatal(err)
	}
	reg := newPageFake(eng)
	s, err := New(Deps{Registry: reg, Settings: reg, History: reg, Engine: eng, Now: func() time.Time { return pageNow }})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/scheme")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	page := string(b)
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %s", resp.StatusCode, page)
	}
	for _, want := range []string{`<h2 id="factors">Factors</h2>`, "recomputed every month", "<code>credit-history</code>", "<td>35%</td>", "the last 24 months",
		"the whole history", "<code>repaid-on-time</code>", "is a factor model"} {
		if !strings.Contains(page, want) {
			t.Errorf("the scheme page lacks %q", want)
		}
	}
}
