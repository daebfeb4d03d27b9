package sim

import (
	"math"
	"testing"

	"pgregory.net/rapid"
)

// TestPickIn: act's pick within a class for a citizen with nothing blocked
// (pickIn, which passes over a behaviour without rate without a test of its
// own) picks the same behaviour with the same residual, bit for bit, as the
// pick that tests each rate (pickBlocked with nothing blocked), for rates
// with zeros among them, any multiplier and any draw: at the rates' edges,
// just below them, and past the end by rounding.
func TestPickIn(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(1, 30).Draw(t, "n")
		static := make([]float64, n)
		for k := range static {
			switch rapid.IntRange(0, 3).Draw(t, "kind") {
			case 0:
				static[k] = 0
			case 1:
				static[k] = math.SmallestNonzeroFloat64 * float64(rapid.IntRange(1, 3).Draw(t, "tiny"))
			default:
				static[k] = rapid.Float64Range(1e-6, 5).Draw(t, "rate")
			}
		}
		all := make([]int, n)
		for k := range all {
			all[k] = k
		}
		ks := rapid.Permutation(all).Draw(t, "ks")[:rapid.IntRange(0, n).Draw(t, "m")]
		f := 0.0
		if rapid.IntRange(0, 9).Draw(t, "f0") > 0 {
			f = rapid.Float64Range(1e-3, 10).Draw(t, "f")
		}
		total := 0.0
		var edges []float64
		for _, k := range ks {
			total += static[k] * f
			edges = append(edges, total)
		}
		var u float64
		switch rapid.IntRange(0, 3).Draw(t, "where") {
		case 0:
			u = rapid.Float64Range(0, 1).Draw(t, "x") * total
		case 1: // at an edge or next to it
			if len(edges) > 0 {
				u = math.Nextafter(edges[rapid.IntRange(0, len(edges)-1).Draw(t, "e")], float64(rapid.IntRange(-1, 1).Draw(t, "dir")))
				u = max(u, 0)
			}
		case 2: // past the end (a draw that rounding left beyond it)
			u = total * (1 + rapid.Float64Range(0, 1e-9).Draw(t, "past"))
		default:
			u = 0
		}
		c := &citizen{static: static, blocked: make([]bool, n)}
		k1, v1 := pickIn(static, ks, f, u)
		k2, v2 := pickBlocked(c, ks, f, u)
		if k1 != k2 || math.Float64bits(v1) != math.Float64bits(v2) {
			t.Fatalf("static %v, ks %v, f %v, u %v: pickIn %d, %v; pickBlocked %d, %v", static, ks, f, u, k1, v1, k2, v2)
		}
	})
}
