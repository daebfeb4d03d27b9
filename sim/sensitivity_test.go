package sim

import (
	"context"
	"fmt"
	"math"
	"testing"
)

// TestSensitivity: the Morris screening is deterministic for a seed and
// independent of the workers, covers every assumed parameter for every
// claim that applies, and finds each assumed mechanism's own parameter
// driving its claim.
func TestSensitivity(t *testing.T) {
	cfg := Config{Scheme: rongcheng(t), Citizens: 3000, Years: 3, Seed: 4, End: testEnd, Settings: Settings{"hood_size": 300}}
	cfg.Workers = 1
	a, err := Sensitivity(context.Background(), cfg, 2, 9, nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Workers = 3
	b, err := Sensitivity(context.Background(), cfg, 2, 9, nil)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(a) != fmt.Sprint(b) { // NaN != NaN for DeepEqual
		t.Error("the screening differs between 1 and 3 workers")
	}
	ps := SensitivityParams()
	if len(ps) < 20 {
		t.Fatalf("only %d assumed parameters", len(ps))
	}
	by := map[string]map[string]Effect{}
	for _, e := range a {
		if by[e.Claim] == nil {
			by[e.Claim] = map[string]Effect{}
		}
		by[e.Claim][e.Parameter] = e
	}
	for _, id := range []string{"stigma", "chilled-speech", "informants", "surface-honesty", "opt-in-fear"} {
		if len(by[id]) != len(ps) {
			t.Fatalf("%s: %d parameters screened, want %d", id, len(by[id]), len(ps))
		}
	}
	for claim, param := range map[string]string{"chilled-speech": "chill", "surface-honesty": "deterrence", "opt-in-fear": "participation_fear", "informants": "trust_loss"} {
		own := by[claim][param]
		if !(own.MuStar > 0) || own.N != 2 {
			t.Errorf("%s: %s has mu_star %v from %d effects", claim, param, own.MuStar, own.N)
		}
		if other := by[claim]["parents"]; !(own.MuStar > other.MuStar) {
			t.Errorf("%s: %s (%v) does not drive it more than parents (%v)", claim, param, own.MuStar, other.MuStar)
		}
	}
	if _, err := Sensitivity(context.Background(), cfg, 1, 9, nil); err == nil {
		t.Error("one trajectory accepted")
	}
}

func TestMorrisStats(t *testing.T) {
	mu, ms, sd := morrisStats([]float64{1, -3, 2})
	if mu != 0 || ms != 2 || math.Abs(sd-math.Sqrt(7)) > 1e-12 {
		t.Errorf("got %v %v %v", mu, ms, sd)
	}
	if mu, _, _ := morrisStats(nil); !math.IsNaN(mu) {
		t.Error("no effects gave a number")
	}
}
