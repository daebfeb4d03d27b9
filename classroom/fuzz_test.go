package classroom

import (
	"testing"

	"scs"
)

// FuzzCheck feeds arbitrary answers to a round's situations: check never
// panics, and refuses with an invalid error that names the field.
func FuzzCheck(f *testing.F) {
	s, _ := newService(&testing.T{})
	g, err := s.rulesFor("rongcheng")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(int64(1), 1, "online-criticism-of-government", "yes", "charitable-donation", "100")
	f.Add(int64(7), 3, "x", "", "late-utility-fees", "pay")
	f.Fuzz(func(t *testing.T, seed int64, round int, k1, v1, k2, v2 string) {
		if round < 1 || round > MaxRounds {
			round = 1
		}
		sits := g.situations(seed, round)
		st := &Student{Money: 200, Hours: 2}
		opts := map[string]string{k1: v1, k2: v2}
		for _, si := range sits {
			if _, ok := opts[si.Rule]; !ok {
				opts[si.Rule] = si.Options[len(si.Options)-1]
			}
		}
		cs, err := g.check(sits, st, opts)
		if err != nil {
			if scs.ErrorCode(err) != scs.EINVALID || scs.ErrorField(err) == "" {
				t.Fatalf("error %v: want invalid with a field", err)
			}
			return
		}
		if len(cs) != len(sits) {
			t.Fatalf("%d choices for %d situations", len(cs), len(sits))
		}
	})
}

// FuzzCode: NormalizeCode and ValidCode accept only codes of the alphabet.
func FuzzCode(f *testing.F) {
	f.Add("k7m-2qx")
	f.Add("OOOOOO")
	f.Fuzz(func(t *testing.T, s string) {
		c := NormalizeCode(s)
		if ValidCode(c) && len(c) != CodeLength {
			t.Fatalf("%q valid with length %d", c, len(c))
		}
	})
}
