package scs

import (
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestAPIDocListsTheLimits: docs/api.md states each limit with the value
// of its constant, so that the two cannot drift apart.
func TestAPIDocListsTheLimits(t *testing.T) {
	b, err := os.ReadFile("docs/api.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	for name, want := range map[string]string{
		"scs.MaxID":        strconv.Itoa(MaxID) + " bytes",
		"scs.MaxEvidence":  strconv.Itoa(MaxEvidence) + " bytes",
		"scs.MaxReason":    strconv.Itoa(MaxReason) + " bytes",
		"scs.MaxName":      strconv.Itoa(MaxName) + " bytes",
		"scs.MaxPoints":    strconv.Itoa(MaxPoints) + " either way",
		"scs.MaxCursor":    strconv.Itoa(MaxCursor) + " bytes",
		"scs.MinBirthYear": "from " + strconv.Itoa(MinBirthYear),
		"scs.MaxYear":      strconv.Itoa(MinYear) + " to " + strconv.Itoa(MaxYear),
		"scs.MaxOffset":    "±" + strconv.Itoa(int(MaxOffset.Hours())) + ":00",
	} {
		i := strings.Index(doc, "`"+name+"`")
		if i < 0 {
			t.Errorf("docs/api.md does not name %s", name)
			continue
		}
		line := doc[i:]
		line = line[:strings.IndexByte(line, '\n')]
		if !strings.Contains(line, want) {
			t.Errorf("docs/api.md's row of %s does not say %q: %s", name, want, line)
		}
	}
}
