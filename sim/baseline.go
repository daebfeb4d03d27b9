package sim

import (
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"

	"scs"
)

// Baseline is the records-only limit the simulator is measured against: a
// plain loop that draws events random events (a rule and a waiting time
// each) and adds their points, with no model, no engine and no output,
// spread over workers goroutines like a run. It returns the sum of the
// points so that the loop cannot be optimised away. Rules without fixed
// points count 1.
func Baseline(s *scs.Scheme, events int64, workers int, seed uint64) int64 {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	pts := rulePoints(s)
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

// SpeedOfLightActs is the acts per citizen-year of the speed-of-light loop.
const SpeedOfLightActs = 3

// SpeedOfLight is the event loop the simulator's speed is measured against
// (docs/benchmarks.md): for every citizen-year it draws acts as a Poisson
// process of SpeedOfLightActs a year (exponential waiting times, as the
// model draws them), picks a rule for each and adds its points, with no
// model, no engine and no output. The citizens are shared out in
// neighbourhoods of 780 among workers goroutines, as in a run. It returns
// the acts drawn and the sum of the points (which does not depend on
// workers), so that the loop cannot be optimised away. Rules without fixed
// points count 1.
func SpeedOfLight(s *scs.Scheme, citizens, years, workers int, seed uint64) (acts, points int64) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	const hood = 780
	pts := rulePoints(s)
	hoods := (citizens + hood - 1) / hood
	var next atomic.Int64
	var tActs, tPoints atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			src := rand.NewPCG(0, 0)
			r := rand.New(src)
			var a, p int64
			for {
				h := int(next.Add(1) - 1)
				if h >= hoods {
					break
				}
				k := splitmix64(seed ^ splitmix64(uint64(h)+1))
				src.Seed(k, splitmix64(k))
				n := min(hood, citizens-h*hood)
				for range n * years {
					for t := r.ExpFloat64(); t < SpeedOfLightActs; t += r.ExpFloat64() {
						p += pts[r.IntN(len(pts))]
						a++
					}
				}
			}
			tActs.Add(a)
			tPoints.Add(p)
		}()
	}
	wg.Wait()
	return tActs.Load(), tPoints.Load()
}

func rulePoints(s *scs.Scheme) []int64 {
	pts := make([]int64, len(s.Rules))
	for i, r := range s.Rules {
		pts[i] = r.Effect.Points
		if pts[i] == 0 {
			pts[i] = 1
		}
	}
	return pts
}
