package store

import (
	"testing"

	"scs"
)

// FuzzParseTrailCursor: any text is a cursor or an invalid-cursor error
// naming the field, never a panic; a cursor read back prints as it was.
func FuzzParseTrailCursor(f *testing.F) {
	for _, s := range []string{"", "n1.2", "p-5.7", "n9223372036854775807.1", "x", "n1.0", "n\x00", "p1.2.3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := parseTrailCursor(s)
		if err != nil {
			if scs.ErrorCode(err) != scs.EINVALID || scs.ErrorField(err) != "cursor" {
				t.Fatalf("%q: %v", s, err)
			}
			return
		}
		if s == "" {
			if c.set {
				t.Fatal("an empty cursor is set")
			}
			return
		}
		back := "n"
		if c.prev {
			back = "p"
		}
		if c.key.seq < 1 || parseBack(t, back+c.key.String()) != c {
			t.Fatalf("%q read as %+v", s, c)
		}
	})
}

func parseBack(t *testing.T, s string) trailCursor {
	c, err := parseTrailCursor(s)
	if err != nil {
		t.Fatalf("%q: %v", s, err)
	}
	return c
}
