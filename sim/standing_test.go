package sim

import (
	"testing"

	"scs/schemes"
)

// TestStandTable: live's standing table gives, for every score it holds,
// what standingAt computes (the multiplier of positive acts with the
// stigma's factor, the nearness to a fall, the pretence), and holds each
// grade's range.
func TestStandTable(t *testing.T) {
	for _, name := range []string{"rongcheng", "sesame"} {
		s, err := schemes.Load(name)
		if err != nil {
			t.Fatal(err)
		}
		m, err := prepare(Config{Scheme: s, Citizens: 1000, Years: 1, Seed: 5, End: testEnd})
		if err != nil {
			t.Fatal(err)
		}
		for g, st := range m.stand {
			if st.lo != m.gradeMin[g] {
				t.Errorf("%s: grade %d: table from %d, the grade from %d", name, g, st.lo, m.gradeMin[g])
			}
			if g > 0 && st.lo+int64(len(st.tab)) != m.gradeMin[g-1] {
				t.Errorf("%s: grade %d: table to %d, the grade to %d", name, g, st.lo+int64(len(st.tab)), m.gradeMin[g-1])
			}
			for i, e := range st.tab {
				farm, fall := m.standingAt(g, st.lo+int64(i))
				pos := farm * m.unstigma[g]
				if e.pos != pos || e.fall != fall || e.pret != pretence(pos) {
					t.Fatalf("%s: grade %d, score %d: table %+v, standingAt %v %d", name, g, st.lo+int64(i), e, pos, fall)
				}
			}
		}
	}
}
