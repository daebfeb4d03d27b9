// Package arith is the small arithmetic the simulator's metrics and the
// report's tables share: totals, and quotients that are NaN ("could not be
// measured") when there is nothing to divide by.
package arith

import "math"

// Sum returns the total of xs.
func Sum(xs []int64) int64 {
	var n int64
	for _, x := range xs {
		n += x
	}
	return n
}

// Div returns a/b, or NaN when b is 0.
func Div(a, b float64) float64 {
	if b == 0 {
		return math.NaN()
	}
	return a / b
}

// Ratio returns a/b as a float, or NaN when b is 0.
func Ratio(a, b int64) float64 { return Div(float64(a), float64(b)) }
