package report

import (
	"bytes"
	"math"
	"strings"
	"testing"
)

func TestMeanCI(t *testing.T) {
	m, lo, hi := MeanCI([]float64{1, 2, 3})
	// mean 2, sd 1, se 1/sqrt(3), t(2) = 4.303
	h := 4.303 / math.Sqrt(3)
	if m != 2 || math.Abs(lo-(2-h)) > 1e-9 || math.Abs(hi-(2+h)) > 1e-9 {
		t.Errorf("MeanCI = %v %v %v", m, lo, hi)
	}
	if m, lo, hi := MeanCI([]float64{5}); m != 5 || lo != 5 || hi != 5 {
		t.Errorf("one value: %v %v %v", m, lo, hi)
	}
	if m, _, _ := MeanCI(nil); !math.IsNaN(m) {
		t.Errorf("empty: %v", m)
	}
}

func TestAggregate(t *testing.T) {
	mk := func(a, b float64) *Table {
		return &Table{Name: "x", Keys: []string{"k"}, Values: []string{"v"}, Rows: []Row{{Keys: []string{"a"}, Vals: []float64{a}}, {Keys: []string{"b"}, Vals: []float64{b}}}}
	}
	one := Aggregate([]*Table{mk(1, 2)}, "", "")
	if len(one.Values) != 1 || one.Rows[1].Vals[0] != 2 {
		t.Errorf("one replication: %+v", one)
	}
	agg := Aggregate([]*Table{mk(1, 10), mk(3, math.NaN())}, "sweep", "s=1")
	if strings.Join(agg.Keys, ",") != "sweep,k" || strings.Join(agg.Values, ",") != "v,v_ci95_low,v_ci95_high" {
		t.Fatalf("columns %v %v", agg.Keys, agg.Values)
	}
	if agg.Rows[0].Keys[0] != "s=1" || agg.Rows[0].Vals[0] != 2 || agg.Rows[1].Vals[0] != 10 {
		t.Errorf("rows %+v", agg.Rows)
	}
}

func TestWriteCSV(t *testing.T) {
	tb := &Table{Keys: []string{"name"}, Values: []string{"v"}, Rows: []Row{{Keys: []string{`a,"b"`}, Vals: []float64{math.NaN()}}, {Keys: []string{"c"}, Vals: []float64{0.5}}}}
	var b bytes.Buffer
	if err := WriteCSV(&b, tb); err != nil {
		t.Fatal(err)
	}
	if got, want := b.String(), "name,v\n\"a,\"\"b\"\"\",\nc,0.5\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestChartsEscape(t *testing.T) {
	svg := LineChart(`<b>&`, []string{"1", "2"}, []Series{{Name: "<script>", Y: []float64{1, math.NaN()}}}, "x")
	if strings.Contains(svg, "<script>") || strings.Contains(svg, "<b>") || !strings.HasPrefix(svg, "<svg") {
		t.Errorf("unescaped chart: %s", svg)
	}
	bars := StackedBars("t", []string{"a"}, []Series{{Name: "s", Y: []float64{0.5}}}, "x")
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
