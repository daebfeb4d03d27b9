package sim

import (
	"math/rand/v2"
	"runtime"
	"sync"

	"scs"
)

// Baseline is the speed limit the simulator is measured against: a plain
// loop that draws events random events (a rule and a waiting time each) and
// adds their points, with no model, no engine and no output, spread over
// workers goroutines like a run. It returns the sum of the points so that
// the loop cannot be optimised away. Rules without fixed points count 1.
func Baseline(s *scs.Scheme, events int64, workers int, seed uint64) int64 {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	pts := make([]int64, len(s.Rules))
	for i, r := range s.Rules {
		pts[i] = r.Effect.Points
		if pts[i] == 0 {
			pts[i] = 1
		}
	}
	var wg sync.WaitGroup
	sums := make([]int64, workers)
	for w := 0; w < workers; w++ {
		n := events / int64(workers)
		if int64(w) < events%int64(workers) {
			n++
		}
		wg.Add(1)
		go func(w int, n int64) {
			defer wg.Done()
			r := rand.New(rand.NewPCG(seed, uint64(w)))
			var total int64
			var t float64
			for range n {
				t += r.ExpFloat64()
				total += pts[r.IntN(len(pts))]
			}
			if t < 0 {
				total++
			}
			sums[w] = total
		}(w, n)
	}
	wg.Wait()
	var total int64
	for _, v := range sums {
		total += v
	}
	return total
}
