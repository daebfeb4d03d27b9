package sim

import (
	"context"
	"testing"

	"scs/schemes"
)

// TestYearEndCounts: the year-end counts agree with each other, for a
// points scheme and a factor-model one: each year's mobility matrix has
// the grade counts at its start as row sums and those at its end as column
// sums, every count sums to the scored citizens, and trust in neighbours
// stays where it started without loss and falls with it.
func TestYearEndCounts(t *testing.T) {
	for _, name := range []string{"rongcheng", "sesame"} {
		s, err := schemes.Load(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, loss := range []float64{0, 0.05} {
			cfg := Config{Scheme: s, Citizens: 4000, Years: 4, Seed: 9, End: testEnd, Settings: Settings{"trust_loss": loss}}
			r, err := Simulate(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			met, nG := r.Metrics, len(r.Scheme.Grades)
			for y := range cfg.Years {
				for g := range nG {
					var from, to int64
					for k := range nG {
						from += met.Mobility[y][g*nG+k]
						to += met.Mobility[y][k*nG+g]
					}
					if from != met.GradeCounts[y][g] || to != met.GradeCounts[y+1][g] {
						t.Errorf("%s year %d grade %d: mobility rows %d, columns %d; counts %d at the start, %d at the end",
							name, y, g, from, to, met.GradeCounts[y][g], met.GradeCounts[y+1][g])
					}
				}
				if n := sum(met.GradeCounts[y+1]); n != met.Scored {
					t.Errorf("%s year %d: %d counted, %d scored", name, y, n, met.Scored)
				}
				mean := float64(met.TrustMicro[y]) / 1e6 / float64(met.Citizens)
				if loss == 0 && met.TrustMicro[y] != met.Citizens*micro(0.7) {
					t.Errorf("%s year %d without loss: trust %d millionths, want %d", name, y, met.TrustMicro[y], met.Citizens*micro(0.7))
				}
				if loss > 0 && sum(met.ViaInformant[y]) > 0 && !(mean > 0 && mean < 0.7) {
					t.Errorf("%s year %d: mean trust %v with reports, want below its start 0.7", name, y, mean)
				}
			}
		}
	}
}
