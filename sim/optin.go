package sim

import "math"

// The consent draw: a citizen opts in when a uniform u is below the
// logistic of their log-odds, u < 1/(1+exp(-logit)). optIn decides it
// without the exp for almost every citizen, and always as that expression
// does.
//
// For log-odds in [-optInRange, optInRange), a bucket of width
// 1/optInScale holds bounds lo <= p <= hi of the expression's value p for
// every log-odds in it: u < lo decides opting in, u >= hi staying out, and
// only a u between them (about 1 in 250 in Rongcheng) needs p itself. The
// bounds are the logistic at the bucket's ends, less and plus optInMargin:
// the logistic rises, by at most 1/4 per unit of log-odds; the bucket of a
// log-odds is found with an error below 2^-46 (logit*optInScale is exact,
// the sum with optInRange*optInScale below 1024 rounds by at most 2^-43),
// and math.Exp and the two roundings after it are within a few units in
// the last place of p <= 1. 1e-9 is far above both. TestOptIn checks the
// bounds against the expression at and around every bucket's ends.
const (
	optInScale   = 16 // buckets per unit of log-odds, a power of two
	optInRange   = 32
	optInBuckets = 2 * optInRange * optInScale
	optInMargin  = 1e-9
)

// optInBounds[i] is {lo, hi} of the bucket of log-odds
// [i/optInScale-optInRange, (i+1)/optInScale-optInRange).
var optInBounds = func() (t [optInBuckets][2]float64) {
	for i := range t {
		a := float64(i)/optInScale - optInRange
		b := float64(i+1)/optInScale - optInRange
		t[i] = [2]float64{logistic(a) - optInMargin, logistic(b) + optInMargin}
	}
	return t
}()

// logistic is the consent draw's probability of opting in.
func logistic(logit float64) float64 { return 1 / (1 + math.Exp(-logit)) }

// optIn returns u < logistic(logit).
func optIn(u, logit float64) bool {
	x := logit*optInScale + optInRange*optInScale
	if x >= 0 && x < optInBuckets { // false for NaN
		b := &optInBounds[int(x)]
		in, out := u < b[0], u >= b[1]
		if in || out {
			return in
		}
	}
	return u < logistic(logit)
}
