package sim

import "math"

// MeanCI returns the mean of xs and its 95% confidence interval (Student's
// t); NaN for an empty sample, the mean itself as both bounds for one value.
func MeanCI(xs []float64) (mean, lo, hi float64) {
	n := len(xs)
	if n == 0 {
		return math.NaN(), math.NaN(), math.NaN()
	}
	for _, x := range xs {
		mean += x
	}
	mean /= float64(n)
	if n == 1 {
		return mean, mean, mean
	}
	var ss float64
	for _, x := range xs {
		ss += (x - mean) * (x - mean)
	}
	se := math.Sqrt(ss/float64(n-1)) / math.Sqrt(float64(n))
	h := tQuantile(n-1) * se
	return mean, mean - h, mean + h
}

// tQuantile returns the 0.975 quantile of Student's t with df degrees of freedom.
func tQuantile(df int) float64 {
	table := []float64{0, 12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
		2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
		2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042}
	if df < len(table) {
		return table[df]
	}
	if df < 60 {
		return 2.00
	}
	if df < 120 {
		return 1.98
	}
	return 1.96
}
