package server

import (
	"regexp"
	"strings"
	"testing"
)

// TestSchemePageWayOut checks the scheme page's summary of scs scheme
// analyse. pageNow is 20 December 2026 in Rongcheng; from the middle of C
// (724), A is 236 points away, which blood donation and volunteering
// gather within C's three-year lock-in: back in A on 20 December 2029 for
// every person.
func TestSchemePageWayOut(t *testing.T) {
	b := newPageEnv(t).browser()
	_, body := b.get("/scheme")
	mustContain(t, "scheme page", body, `id="way-out"`, "fell into the grade today (2026-12-20)", "no money to spare", "3,000 yuan a year", "100,000 yuan a year",
		`<span class="grade g-C">C</span> at 724<br><small>locked in for 3 years</small>`)
	row := regexp.MustCompile(`(?s)<span class="grade g-C">C</span> at 724.*?</tr>`).FindString(body)
	if !strings.Contains(row, "<strong>3.0 years</strong> (20 December 2029)") || strings.Count(row, "yuan,") != 3 {
		t.Errorf("the row from C lacks the three people's 3.0 years to 20 December 2029:\n%s", row)
	}
	if strings.Contains(body, "No analysis for this scheme") {
		t.Error("the analysis failed")
	}
}
