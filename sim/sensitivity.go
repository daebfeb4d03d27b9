package sim

import (
	"context"
	"math"
	"math/rand/v2"

	"scs"
)

// MorrisLevels is the number of grid levels of the Morris design (SALib's
// default num_levels); the step is Levels/(2(Levels-1)) of each range.
const MorrisLevels = 4

// Effect is the Morris screening of one parameter against one claim's
// metric: mu_star, the mean of the absolute elementary effects (how much the
// metric moves over the parameter's range); mu, their mean (the sign); and
// sigma, their standard deviation (interaction or non-linearity). N is the
// elementary effects behind them (trajectories where the metric could be
// measured at both ends).
type Effect struct {
	Claim     string  `json:"claim"`
	Parameter string  `json:"parameter"`
	MuStar    float64 `json:"mu_star"`
	Mu        float64 `json:"mu"`
	Sigma     float64 `json:"sigma"`
	N         int     `json:"n"`
}

// SensitivityParams returns the parameters the sensitivity analysis varies:
// every assumed parameter (one with a range), in the order of Params.
func SensitivityParams() []Param {
	var out []Param
	for _, p := range Params {
		if p.Assumed() {
			out = append(out, p)
		}
	}
	return out
}

// Sensitivity runs a Morris elementary-effects screening (the method of
// SALib's morris: trajectories on a grid of MorrisLevels levels, one
// parameter moved at a time by the step, effects in units of each
// parameter's range) of every assumed parameter against the metric of
// every claim that applies to the scheme. Every run uses cfg's population
// and seed (common random numbers); the trajectories are drawn from seed,
// so the result is the same for the same arguments whatever the number of
// workers. It makes trajectories x (parameters + 1) runs; progress, when
// set, is called after each with the runs done and the total.
func Sensitivity(ctx context.Context, cfg Config, trajectories int, seed uint64, progress func(done, total int)) ([]Effect, error) {
	if trajectories < 2 || trajectories > 1000 {
		return nil, scs.Errorf(scs.EINVALID, "trajectories: %d is out of range (2 to 1000)", trajectories)
	}
	cfg.OnHood, cfg.Rows, cfg.Events, cfg.Progress = nil, false, NoEvents, nil
	ps := SensitivityParams()
	k := len(ps)
	delta := float64(MorrisLevels) / (2 * float64(MorrisLevels-1))
	rng := rand.New(rand.NewPCG(seed, 0x6d6f72726973))
	run := func(x []float64) (*Result, error) {
		c := cfg
		c.Settings = cfg.Settings.Clone()
		for i, p := range ps {
			c.Settings[p.Name] = p.Lo + x[i]*(p.Hi-p.Lo)
		}
		return c.run(ctx)
	}
	var claims []Claim
	ees := map[string][][]float64{} // claim -> parameter -> effects
	total, done := trajectories*(k+1), 0
	for t := 0; t < trajectories; t++ {
		x := make([]float64, k)
		for i := range x {
			// A level from which the step stays inside [0, 1].
			x[i] = float64(rng.IntN(MorrisLevels/2)) / float64(MorrisLevels-1)
			if rng.IntN(2) == 1 {
				x[i] += delta
			}
		}
		prev, err := run(x)
		if err != nil {
			return nil, err
		}
		done++
		if progress != nil {
			progress(done, total)
		}
		if claims == nil {
			for _, c := range Claims {
				if c.Applies(prev) == "" {
					claims = append(claims, c)
					ees[c.ID] = make([][]float64, k)
				}
			}
		}
		for _, i := range rng.Perm(k) {
			step := delta
			if x[i]+delta > 1+1e-9 {
				step = -delta
			}
			x[i] += step
			next, err := run(x)
			if err != nil {
				return nil, err
			}
			done++
			if progress != nil {
				progress(done, total)
			}
			for _, c := range claims {
				a, b := c.Measure(prev).Value, c.Measure(next).Value
				if !math.IsNaN(a) && !math.IsNaN(b) {
					ees[c.ID][i] = append(ees[c.ID][i], (b-a)/step)
				}
			}
			prev = next
		}
	}
	var out []Effect
	for _, c := range claims {
		for i, p := range ps {
			e := Effect{Claim: c.ID, Parameter: p.Name, N: len(ees[c.ID][i])}
			e.Mu, e.MuStar, e.Sigma = morrisStats(ees[c.ID][i])
			out = append(out, e)
		}
	}
	return out, nil
}

// morrisStats returns the mean, the mean of the absolute values and the
// standard deviation (n-1) of the elementary effects; NaN where undefined.
func morrisStats(ee []float64) (mu, muStar, sigma float64) {
	n := float64(len(ee))
	if n == 0 {
		return math.NaN(), math.NaN(), math.NaN()
	}
	for _, e := range ee {
		mu += e
		muStar += math.Abs(e)
	}
	mu /= n
	muStar /= n
	if n < 2 {
		return mu, muStar, math.NaN()
	}
	for _, e := range ee {
		sigma += (e - mu) * (e - mu)
	}
	return mu, muStar, math.Sqrt(sigma / (n - 1))
}
