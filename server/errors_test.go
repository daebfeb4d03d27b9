package server

import "testing"

func TestFieldPrefix(t *testing.T) {
	for msg, want := range map[string]string{
		"records[3].at: bad":                                  "records[3].at",
		"rule: unknown rule \"x\"":                            "rule",
		"points: 5 is outside":                                "points",
		"the record was reversed":                             "",
		"scheme rongcheng: changed":                           "",
		"at:no space":                                         "",
		`records[2] (id "r\"7"): department: rule x belongs`:  "records[2].department",
		`records[2]: rule: unknown`:                           "records[2].rule",
		`records[4] (id "r9"): conflicts with the stored one`: "records[4]",
		`record "r7": at: in the future`:                      "at",
	} {
		if got := fieldPrefix(msg); got != want {
			t.Errorf("fieldPrefix(%q) = %q, want %q", msg, got, want)
		}
	}
}
