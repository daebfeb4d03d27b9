package sim

import (
	"math"
	"math/rand/v2"
	"testing"

	"pgregory.net/rapid"
)

// TestOptIn: optIn(u, logit) is u < 1/(1+exp(-logit)), the consent draw's
// decision, for every bucket's ends and the floats next to them, uniforms at
// and next to the probability and the bucket's bounds, and random log-odds.
func TestOptIn(t *testing.T) {
	check := func(u, logit float64) {
		t.Helper()
		if got, want := optIn(u, logit), u < 1/(1+math.Exp(-logit)); got != want {
			t.Fatalf("optIn(%v, %v) = %v, want %v", u, logit, got, want)
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	up, down := math.Inf(1), math.Inf(-1)
	for i := range optInBuckets + 1 {
		a := float64(i)/optInScale - optInRange
		b := float64(i+1)/optInScale - optInRange
		logits := []float64{a, math.Nextafter(a, up), math.Nextafter(a, down), math.Nextafter(b, down), (a + b) / 2}
		for range 50 {
			logits = append(logits, a+r.Float64()/optInScale)
		}
		for _, x := range logits {
			p := logistic(x)
			us := []float64{0, p, math.Nextafter(p, 0), math.Nextafter(p, 1), r.Float64()}
			if i < optInBuckets {
				lo, hi := optInBounds[i][0], optInBounds[i][1]
				if !(lo <= p && p <= hi) && x >= a && x < b {
					t.Fatalf("bucket %d: the logistic of %v is %v, outside [%v, %v]", i, x, p, lo, hi)
				}
				us = append(us, lo, hi, math.Nextafter(lo, 0), math.Nextafter(hi, 1))
			}
			for _, u := range us {
				if u >= 0 && u < 1 {
					check(u, x)
				}
			}
		}
	}
	for _, x := range []float64{math.NaN(), up, down, 0, math.Copysign(0, -1), 1e300, -1e300, 745, -745, 710, -710} {
		for _, u := range []float64{0, 0.5, math.Nextafter(1, 0)} {
			check(u, x)
		}
	}
	// Draws as Rongcheng's: log-odds about 3 +- 1.2.
	slow := 0
	for range 1 << 20 {
		x, u := 3+1.2*r.NormFloat64(), r.Float64()
		check(u, x)
		if i := int(x*optInScale + optInRange*optInScale); u >= optInBounds[i][0] && u < optInBounds[i][1] {
			slow++
		}
	}
	t.Logf("%d of %d consent draws needed the exp", slow, 1<<20)
	rapid.Check(t, func(t *rapid.T) {
		x := rapid.OneOf(rapid.Float64Range(-40, 40), rapid.Float64()).Draw(t, "logit")
		u := float64(rapid.Uint64Range(0, 1<<53-1).Draw(t, "u")) / (1 << 53)
		if got, want := optIn(u, x), u < 1/(1+math.Exp(-x)); got != want {
			t.Fatalf("optIn(%v, %v) = %v, want %v", u, x, got, want)
		}
	})
}
