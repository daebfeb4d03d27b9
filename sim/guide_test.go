package sim

import (
	"math"
	"testing"

	"pgregory.net/rapid"
)

// TestGuideTable: a search of a Poisson distribution function started
// where its guide table says finds the same k as a scan from 0 (the first k
// with u < cdf[k], or len(cdf)), for any mean extra uses a table for and any
// uniform, bucket edges and the top of [0, 1) included.
func TestGuideTable(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		mu := rapid.Float64Range(1e-3, 30).Draw(t, "mu")
		cdf := poissonCDF(mu)
		g := guideTable(cdf)
		var u float64
		switch rapid.IntRange(0, 3).Draw(t, "kind") {
		case 0:
			u = rapid.Float64Range(0, 1).Draw(t, "u")
		case 1: // a bucket's edge, or just below it
			u = float64(rapid.IntRange(0, guideBuckets-1).Draw(t, "j")) / guideBuckets
			if rapid.Bool().Draw(t, "below") && u > 0 {
				u = math.Nextafter(u, 0)
			}
		case 2: // at or next to a value of the distribution function
			u = cdf[rapid.IntRange(0, len(cdf)-1).Draw(t, "k")]
			u = math.Nextafter(u, float64(rapid.IntRange(-1, 1).Draw(t, "dir")))
		default:
			u = 1 - 1.0/(1<<53)
		}
		if u >= 1 {
			u = 1 - 1.0/(1<<53)
		}
		want := len(cdf)
		for k, p := range cdf {
			if u < p {
				want = k
				break
			}
		}
		if k := guided(cdf, g, u); k != want {
			t.Fatalf("mu %v, u %v: guided search gives %d, a scan %d", mu, u, k, want)
		}
	})
}
