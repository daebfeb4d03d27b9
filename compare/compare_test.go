package compare

import (
	"math"
	"strings"
	"testing"

	"scs/schemes"
)

func TestSpearman(t *testing.T) {
	tests := []struct {
		x, y []float64
		want float64
	}{
		{[]float64{1, 2, 3, 4}, []float64{10, 20, 30, 40}, 1},
		{[]float64{1, 2, 3, 4}, []float64{4, 3, 2, 1}, -1},
		{[]float64{1, 2, 3, 4, 5}, []float64{2, 1, 4, 3, 5}, 0.8},                      // 1 - 6*4/(5*24)
		{[]float64{1, 2, 2, 3}, []float64{1, 2, 3, 4}, 0.9486832980505138},             // ties share rank 2.5
		{[]float64{5, 5, 5}, []float64{1, 2, 3}, math.NaN()},                           // no spread
		{[]float64{1}, []float64{1}, math.NaN()},                                       // too few
		{[]float64{3, 1, 2}, []float64{300, 100, 200}, 1},                              // order of input does not matter
		{[]float64{1, 2, 3, 4, 5, 6}, []float64{1, 1, 1, 2, 2, 2}, 0.8783100656536799}, // y tied in two groups
	}
	for i, tc := range tests {
		got := Spearman(tc.x, tc.y)
		if math.IsNaN(tc.want) != math.IsNaN(got) || !math.IsNaN(got) && math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("%d: Spearman(%v, %v) = %v, want %v", i, tc.x, tc.y, got, tc.want)
		}
	}
}

func TestTable(t *testing.T) {
	r, s := schemes.MustLoad("rongcheng"), schemes.MustLoad("sesame")
	tab := NewTable(r, s)
	a := func(name string) int { return r.GradeIndex(name) }
	b := func(name string) int { return s.GradeIndex(name) }
	tab.Add(a("A"), 1000, b("fair"), 565)            // both at the start
	tab.Add(a("AAA"), 1100, b("excellent-750"), 900) // both above
	tab.Add(a("D"), 100, b("very-good"), 680)        // below / above: split
	tab.Add(a("C"), 700, b("fair"), 560)             // below / at
	if tab.Total() != 4 || tab.N[a("A")][b("fair")] != 1 || tab.N[a("D")][b("very-good")] != 1 {
		t.Fatalf("counts %v", tab.N)
	}
	if got := tab.Agreement(); got != 0.5 {
		t.Errorf("agreement %v, want 0.5", got)
	}
	if tab.Split() != 1 {
		t.Errorf("split %d, want 1", tab.Split())
	}
	if Level(r, a("A")) != AtStart || Level(r, a("AA")) != Above || Level(r, a("B")) != Below || Level(s, b("poor")) != Below {
		t.Error("levels")
	}
	if rd := tab.Reading(); !strings.Contains(rd, "50% of the 4 people") || !strings.Contains(rd, "holds in part") {
		t.Errorf("reading: %s", rd)
	}
	onlyA, onlyB := Differing([]string{"x", "y"}, []string{"y", "z"})
	if len(onlyA) != 1 || onlyA[0] != "x" || len(onlyB) != 1 || onlyB[0] != "z" {
		t.Errorf("differing: %v %v", onlyA, onlyB)
	}
}

// TestReadingSeparatesThousands: the reading writes its counts as people
// read them ("1,200 people", not "1200 people").
func TestReadingSeparatesThousands(t *testing.T) {
	r, s := schemes.MustLoad("rongcheng"), schemes.MustLoad("sesame")
	tab := NewTable(r, s)
	for i := range 1200 {
		if i%2 == 0 {
			tab.Add(r.GradeIndex("D"), int64(100+i%400), s.GradeIndex("very-good"), int64(660+i%30)) // below / above
		} else {
			tab.Add(r.GradeIndex("A"), int64(1000+i%20), s.GradeIndex("fair"), 565)
		}
	}
	if rd := tab.Reading(); !strings.Contains(rd, "of the 1,200 people") || !strings.Contains(rd, "and 600 stand above") {
		t.Errorf("reading: %s", rd)
	}
}
