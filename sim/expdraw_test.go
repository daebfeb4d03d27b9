package sim

import (
	"math/rand/v2"
	"testing"
)

// TestExpDraw: expDraw gives rand.Rand's ExpFloat64, draw for draw, from the
// same stream, through its fast path.
func TestExpDraw(t *testing.T) {
	zigOnce.Do(zigProbe)
	if !zig.ok {
		t.Fatal("the ziggurat's tables read from math/rand/v2 do not reproduce ExpFloat64")
	}
	for seed := range uint64(4) {
		a, b := rand.NewPCG(seed, 7), rand.NewPCG(seed, 7)
		ra, rb := rand.New(a), rand.New(b)
		for n := range 200000 {
			if x, y := expDraw(b, rb), ra.ExpFloat64(); x != y {
				t.Fatalf("seed %d, draw %d: expDraw %v, ExpFloat64 %v", seed, n, x, y)
			}
		}
		if *a != *b {
			t.Fatalf("seed %d: the streams differ after the draws", seed)
		}
	}
}
