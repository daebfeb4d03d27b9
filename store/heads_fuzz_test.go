package store

import (
	"strings"
	"testing"
)

// FuzzParseHead checks that ParseHead never panics and that what it
// accepts prints back as the canonical SEQ:HASH it parses to.
func FuzzParseHead(f *testing.F) {
	f.Add("12:" + strings.Repeat("ab", 32))
	f.Add("0:" + strings.Repeat("0", 64))
	f.Add("-1:zz")
	f.Add(":")
	f.Fuzz(func(t *testing.T, s string) {
		h, err := ParseHead(s)
		if err != nil {
			return
		}
		again, err := ParseHead(h.String())
		if err != nil || again != h {
			t.Fatalf("%q parsed to %s, which parses to %v %v", s, h, again, err)
		}
	})
}

// FuzzParseConsentLog checks that the consent log's reader never panics
// and that what it accepts is written back the same way.
func FuzzParseConsentLog(f *testing.F) {
	f.Add("1@1700000000000000000 0@1700000001000000000")
	f.Add("")
	f.Add("2@x")
	f.Fuzz(func(t *testing.T, s string) {
		cs, err := parseConsentLog(s)
		if err != nil {
			return
		}
		var parts []string
		for _, c := range cs {
			parts = append(parts, consentLogItem(c.Consent, nanos(c.At)))
		}
		again, err := parseConsentLog(strings.Join(parts, " "))
		if err != nil || len(again) != len(cs) {
			t.Fatalf("%q: read %v, written back and read %v %v", s, cs, again, err)
		}
		for i := range cs {
			if !again[i].At.Equal(cs[i].At) || again[i].Consent != cs[i].Consent {
				t.Fatalf("%q: item %d read %v, then %v", s, i, cs[i], again[i])
			}
		}
	})
}
