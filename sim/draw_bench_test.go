package sim

import (
	"testing"

	"scs/schemes"
)

// BenchmarkDraw: drawing Rongcheng's citizens, a neighbourhood at a time
// (begin: traits, multipliers, static rates and the first year's start),
// in CPU nanoseconds per citizen. Compare binaries alternately (ab.sh-style):
// one run's figure alone says little on a shared machine.
func BenchmarkDraw(b *testing.B) {
	s, err := schemes.Load("rongcheng")
	if err != nil {
		b.Fatal(err)
	}
	m, err := prepare(Config{Scheme: s, Citizens: 100000, Years: 1, Seed: 5, End: testEnd})
	if err != nil {
		b.Fatal(err)
	}
	w := newWorker(m)
	n := 0
	cpu := cpuSeconds()
	for i := 0; b.Loop(); i++ {
		w.begin(i % m.hoods)
		n += len(w.cs)
	}
	b.ReportMetric((cpuSeconds()-cpu)*1e9/float64(n), "cpu-ns/citizen")
}
