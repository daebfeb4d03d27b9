package server

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"scs"
	"scs/schemes"
	"scs/store"
)

// sesameStore serves the pages and the API over a real SQLite store under
// the sesame factor model, holding c-1 with three years of the conduct its
// factors read (more than one page of the file), and returns the base URL
// and the tokens of an admin, of c-1, and of an official of the
// credit-provider.
func sesameStore(t *testing.T) (base, admin, citizen, official string) {
	ctx := context.Background()
	sc := schemes.MustLoad("sesame")
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "scs.db"), sc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	clock := func() time.Time { return pageNow }
	db.SetClock(clock)
	var evs []scs.Event
	add := func(conduct string, at time.Time, q float64) {
		ev := scs.Event{ID: fmt.Sprintf("r%02d", len(evs)), Citizen: "c-1", Rule: conduct, At: at}
		if q != 0 {
			ev.Quantity, ev.HasQuantity = q, true
		}
		evs = append(evs, ev)
	}
	start := time.Date(2023, 12, 10, 10, 0, 0, 0, time.UTC)
	for m := range 36 {
		at := start.AddDate(0, m, 0)
		add("repaid-on-time", at, 1)
		add("steady-payments", at.Add(time.Hour), 1)
		if m%6 == 0 {
			add("high-score-friends", at.Add(2*time.Hour), 2)
		}
	}
	add("details-completed", start.Add(48*time.Hour), 2)
	add("bank-arrears", start.AddDate(2, 3, 0), 2)
	if err := db.Load(ctx, []scs.Citizen{{ID: "c-1", Name: "Wang Fang", Neighbourhood: "Shidao", BirthYear: 1980, Consent: true}}, evs, store.Operator()); err != nil {
		t.Fatal(err)
	}
	tokens := map[string]string{}
	for _, a := range []scs.Account{{Name: "Admin", Role: scs.RoleAdmin}, {Name: "Wang Fang", Role: scs.RoleCitizen, Citizen: "c-1"},
		{Name: "Officer Zhou", Role: scs.RoleOfficial, Department: "credit-provider"}} {
		_, tok, err := db.CreateAccount(ctx, store.Operator(), a)
		if err != nil {
			t.Fatal(err)
		}
		tokens[a.Role] = tok
	}
	s, err := New(Deps{Registry: db, Pinger: db, Settings: db, History: db, Checkpoints: db, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return srv.URL, tokens[scs.RoleAdmin], tokens[scs.RoleCitizen], tokens[scs.RoleOfficial]
}

func getWith(t *testing.T, url, token string) string {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %s", url, resp.StatusCode, b)
	}
	return string(b)
}

// TestFilePageFactorModel checks a factor model's file on the page and in
// the API: how the score is made (every factor's value, sub-score and
// points, adding up to the score shown), the recomputations of the page's
// span with every factor, and each record's value and factor.
func TestFilePageFactorModel(t *testing.T) {
	base, admin, _, _ := sesameStore(t)

	var f scs.File
	if err := json.Unmarshal([]byte(getWith(t, base+"/api/v1/citizens/c-1", admin)), &f); err != nil {
		t.Fatal(err)
	}
	rc := f.Recomputation
	if rc == nil || f.Standing == nil || len(rc.Factors) != 5 || rc.Score != f.Standing.Score {
		t.Fatalf("the API's recomputation %+v, standing %+v", rc, f.Standing)
	}
	sum := 350.0
	for _, fs := range rc.Factors {
		sum += fs.Points
	}
	if math.Round(sum) != float64(rc.Score) || rc.Score <= 565 {
		t.Fatalf("factors add up to %.2f, score %d (three years of good conduct should be above the start 565)", sum, rc.Score)
	}
	if len(f.Recomputations) < 2 || len(f.Recomputations[0].Factors) != 5 {
		t.Fatalf("the API's recomputations: %+v", f.Recomputations)
	}
	for _, e := range f.Trail {
		if e.Factor == "" || e.Value == 0 {
			t.Fatalf("trail entry without its factor and value: %+v", e)
		}
	}

	page := getWith(t, base+"/citizens/c-1", admin)
	if strings.Contains(page, "): .</p>") {
		t.Error("a grade without a description is shown with an empty one")
	}
	score := regexp.MustCompile(`id="file-score">(\d+)<`).FindStringSubmatch(page)
	if score == nil || score[1] != fmt.Sprint(rc.Score) {
		t.Fatalf("the page's score %v, the API's %d", score, rc.Score)
	}
	for _, want := range []string{`<h2 id="factors">How the score is made</h2>`, "the recomputation of 2026-12-01",
		`<tr id="factor-credit-history"><th scope="row">past repayments`, "the last 24 months", "the whole history",
		fmt.Sprintf(`<td class="num">%d</td></tr></tfoot>`, rc.Score),
		`<h3 id="recomputations">Recomputations in the span of this page</h3>`, `<th scope="col" class="num">credit-history <small>35%</small></th>`,
		`<th scope="col" class="num">Value</th>`, "<small>to credit-history</small>", "<small>to behaviour</small>"} {
		if !strings.Contains(page, want) {
			t.Errorf("the file page lacks %q", want)
		}
	}
	if strings.Contains(page, "): .</p>") {
		t.Error("a grade without a description is shown with an empty one")
	}
	for _, fs := range rc.Factors {
		row := fmt.Sprintf(`<td class="num">%.2f</td><td class="num">%s</td></tr>`, fs.SubScore, strings.ReplaceAll(fmt.Sprintf("%+.1f", fs.Points), "+", "&#43;"))
		if !strings.Contains(page, `id="factor-`+fs.Factor+`"`) || !strings.Contains(page, row) {
			t.Errorf("the file page lacks factor %s with %s", fs.Factor, row)
		}
	}
	// The newest recomputation comes first, as the newest record does.
	newest := f.Recomputations[len(f.Recomputations)-1].At.In(rc.At.Location()).Format("2006-01-02")
	i := strings.Index(page, `id="recomputation-table"`)
	if i < 0 || !strings.Contains(page[i:], "<tbody>\n<tr><th scope=\"row\">"+newest+"</th>") {
		t.Errorf("the recomputations are not newest first (%s)", newest)
	}
}

// TestFilePagePointsSchemeHasNoFactors: a points scheme's file shows
// points, not factors.
func TestFilePagePointsSchemeHasNoFactors(t *testing.T) {
	tg := storeTarget(t)
	page := getWith(t, tg.base+"/citizens/"+tg.onList, tg.official)
	if strings.Contains(page, "factor-table") || strings.Contains(page, "recomputation-table") || !strings.Contains(page, `<th scope="col" class="num">Points</th>`) {
		t.Error("a points scheme's file page shows factors, or no points")
	}
}

// TestBrowserFactorFile: the citizen reads, in Chromium, how their score
// under a factor model is made.
func TestBrowserFactorFile(t *testing.T) {
	browser := newBrowser(t)
	base, _, citizen, _ := sesameStore(t)
	p := newPerson(t, browser, base)
	p.SignIn(citizen)
	p.Open("/citizens/c-1")
	score := p.Text("#file-score")
	made := p.Text("#factor-table")
	for _, want := range []string{"credit-history", "ability", "behaviour", "identity", "connections", "35%", "the last 24 months", "Floor 350"} {
		if !strings.Contains(made, want) {
			t.Errorf("the factor table lacks %q: %s", want, made)
		}
	}
	if !strings.HasSuffix(strings.TrimSpace(made), score) {
		t.Errorf("the factor table does not end with the score %s: %s", score, made)
	}
	if rc := p.Text("#recomputation-table"); !strings.Contains(rc, "2026-04-01") || !strings.Contains(rc, "connections") {
		t.Errorf("the recomputations: %s", rc)
	}
	if trail := p.Text("#trail-table"); !strings.Contains(trail, "to credit-history") {
		t.Errorf("the records do not say which factor they feed: %s", trail)
	}
	p.ViewShot("file-factors")
}
