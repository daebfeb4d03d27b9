package chart

import (
	"math"
	"strings"
	"testing"
)

func TestChartsEscape(t *testing.T) {
	svg := string(LineChart(`<b>&`, []string{"1", "2"}, []Series{{Name: "<script>", Y: []float64{1, math.NaN()}}}, "x"))
	if strings.Contains(svg, "<script>") || strings.Contains(svg, "<b>") || !strings.HasPrefix(svg, "<svg") {
		t.Errorf("unescaped chart: %s", svg)
	}
	bars := string(StackedBars("t", []string{"a"}, []Series{{Name: "s", Y: []float64{0.5}}}, "x"))
	if !strings.Contains(bars, "<rect") {
		t.Error("no bar drawn")
	}
}

func TestNiceTicks(t *testing.T) {
	cases := []struct {
		lo, hi float64
		want   string
	}{
		{0, 1010, "0 500 1,000 1,500"},
		{0, 1, "0.00 0.25 0.50 0.75 1.00"},
		{940, 1060, "900 950 1,000 1,050 1,100"},
		{0, 0, "0.00 0.25 0.50 0.75 1.00"},
		{0, 3.2e6, "0 1,000,000 2,000,000 3,000,000 4,000,000"},
		{math.NaN(), math.Inf(1), "0.00 0.25 0.50 0.75 1.00"},
	}
	for _, c := range cases {
		ticks := niceTicks(c.lo, c.hi)
		var got []string
		for _, v := range ticks {
			got = append(got, tickLabel(v, ticks))
		}
		if s := strings.Join(got, " "); s != c.want {
			t.Errorf("niceTicks(%v, %v) = %s, want %s", c.lo, c.hi, s, c.want)
		}
		for _, l := range got {
			if strings.ContainsAny(l, "e+") {
				t.Errorf("tick %q in exponent form", l)
			}
		}
	}
}

// TestNiceTicksBounded: a range too narrow for its magnitude still gives a
// handful of ticks (the loop once ran away on such a range).
func TestNiceTicksBounded(t *testing.T) {
	for _, c := range [][2]float64{{1e6, 1e6 + 1e-10}, {1e-300, 2e-300}, {-5, 1e300}, {3, 3}} {
		if n := len(niceTicks(c[0], c[1])); n < 2 || n > 21 {
			t.Errorf("niceTicks(%v, %v): %d ticks", c[0], c[1], n)
		}
	}
}

// TestGradeColor: the best grade is the palette's first colour and the
// worst its last, whatever the number of grades, and neighbours differ
// while there are colours enough.
func TestGradeColor(t *testing.T) {
	for n := 2; n <= 10; n++ {
		if GradeColor(0, n) != grades[0] || GradeColor(n-1, n) != grades[len(grades)-1] {
			t.Errorf("%d grades: best %s, worst %s", n, GradeColor(0, n), GradeColor(n-1, n))
		}
		for i := 1; i < n && n <= len(grades); i++ {
			if GradeColor(i, n) == GradeColor(i-1, n) {
				t.Errorf("%d grades: grades %d and %d share %s", n, i-1, i, GradeColor(i, n))
			}
		}
	}
	if GradeColor(0, 1) != grades[0] {
		t.Error("one grade")
	}
}

func TestShareBarsEscapes(t *testing.T) {
	svg := string(ShareBars("x", "<t>", []string{"<g>"}, []ShareRow{{Label: "&", Counts: []int{2}, Total: 2}, {Label: "y", Counts: []int{0}, Total: 0}}, "none <here>"))
	if strings.Contains(svg, "<g>") || strings.Contains(svg, "<here>") || strings.Contains(svg, "<t>") || !strings.Contains(svg, "<rect") {
		t.Errorf("ShareBars: %s", svg)
	}
}

// TestGradeChartsSeparateThousands: the grade charts write their counts
// (the labels beside the bars, the titles a screen reader or a hover reads)
// with thousands separators, as the tables beside them do.
func TestGradeChartsSeparateThousands(t *testing.T) {
	bars := string(GradeBars("g", "per grade", []Count{{Name: "A", Count: 12345, Share: 0.9}, {Name: "B", Count: 1000, Share: 0.1}}))
	share := string(ShareBars("s", "over the years", []string{"A", "B"}, []ShareRow{{Label: "2024", Counts: []int{12345, 1000}, Total: 13345}}, "none"))
	for name, svg := range map[string]string{"GradeBars": bars, "ShareBars": share} {
		if strings.Contains(svg, "12345") || !strings.Contains(svg, "A 12,345") || !strings.Contains(svg, "1,000") {
			t.Errorf("%s: %s", name, svg)
		}
	}
	if !strings.Contains(bars, ">12,345 (") || !strings.Contains(share, "A: 12,345<") {
		t.Errorf("labels: %s\n%s", bars, share)
	}
}
