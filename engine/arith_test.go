package engine

import (
	"math"
	"math/big"
	"testing"

	"pgregory.net/rapid"
)

// satMul is the product clamped to ±MaxPoints, its fast path for small
// factors included; toMicro is math.Round of f millionths, its path for
// whole numbers included.
func TestArithmetic(t *testing.T) {
	want := func(a, b int64) int64 {
		p := new(big.Int).Mul(big.NewInt(a), big.NewInt(b))
		switch {
		case p.Cmp(big.NewInt(MaxPoints)) > 0:
			return MaxPoints
		case p.Cmp(big.NewInt(-MaxPoints)) < 0:
			return -MaxPoints
		}
		return p.Int64()
	}
	var edges []int64
	for _, x := range []int64{0, 1, 3 << 23, 1<<25 - 1, 1 << 25, 1<<25 + 1, 3 << 24, 1<<26 - 1, 1 << 26, 1 << 50, math.MaxInt64} {
		edges = append(edges, x, -x)
	}
	edges = append(edges, math.MinInt64)
	for _, a := range edges {
		for _, b := range edges {
			if got := satMul(a, b); got != want(a, b) {
				t.Fatalf("satMul(%d, %d) = %d, want %d", a, b, got, want(a, b))
			}
		}
	}
	near := rapid.OneOf(rapid.Int64(), rapid.Int64Range(-1<<26, 1<<26),
		rapid.SampledFrom([]int64{0, 1, -1, 1 << 25, 1<<25 - 1, -1 << 25, -1<<25 - 1, 1 << 50, -1 << 50, math.MaxInt64, math.MinInt64}))
	rapid.Check(t, func(t *rapid.T) {
		a, b := near.Draw(t, "a"), near.Draw(t, "b")
		if got := satMul(a, b); got != want(a, b) {
			t.Fatalf("satMul(%d, %d) = %d, want %d", a, b, got, want(a, b))
		}
		f := rapid.OneOf(rapid.Float64Range(0, MaxQuantity), rapid.Float64Range(-1e6, 1e6),
			rapid.Map(rapid.Int64Range(0, 1e12), func(n int64) float64 { return float64(n) }),
			rapid.Map(rapid.Int64Range(-1e12, 1e12), func(n int64) float64 { return float64(n) / 1e6 })).Draw(t, "f")
		if got, want := toMicro(f), int64(math.Round(f*micro)); got != want {
			t.Fatalf("toMicro(%v) = %d, want %d", f, got, want)
		}
	})
}
