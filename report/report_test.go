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
