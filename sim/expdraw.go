package sim

import (
	"math/rand/v2"
	"sync"
)

// The exponential draw of live (expDraw): rand.Rand's ExpFloat64, the same
// value from the same stream, with its common case (about 99 draws in 100)
// taken straight from the PCG instead of through the Source interface.
//
// ExpFloat64 is Marsaglia and Tsang's ziggurat: a draw u picks a layer
// i = bits 32-39 and j = the low 32 bits, and when j < ke[i] it returns
// j*we[i] without another draw. expDraw does that step itself (zigAt) on a
// copy of the stream; otherwise it leaves the stream as it was and lets
// ExpFloat64 draw. The tables ke and we are
// math/rand/v2's own, read out of ExpFloat64 once (zigProbe), and checked
// against it draw for draw; if they do not agree, expDraw always calls it.
// prepare reads them (zigOnce), once per process, in about 0.3 ms.
var zig struct {
	k  [256]uint32  // ke: j below it is accepted at once
	w  [256]float64 // we, as float64
	ok bool         // the tables reproduce ExpFloat64
}

var zigOnce sync.Once

// probeSource gives ExpFloat64 a first draw u, then zeros, and counts the
// draws made.
type probeSource struct {
	u uint64
	n int
}

func (p *probeSource) Uint64() uint64 {
	p.n++
	if p.n == 1 {
		return p.u
	}
	return 0
}

// zigProbe reads the ziggurat's tables out of ExpFloat64: ke[i] is the
// least j whose draw is not returned at once (by bisection: the draws below
// it are), and we[i] the value returned for j = 1.
func zigProbe() {
	src := &probeSource{}
	r := rand.New(src)
	draw := func(i int, j uint64) (float64, bool) {
		src.u, src.n = uint64(i)<<32|j, 0
		x := r.ExpFloat64()
		return x, src.n == 1
	}
	for i := range 256 {
		lo, hi := uint64(0), uint64(1)<<32 // the least j not accepted at once is in [lo, hi]
		for lo < hi {
			mid := (lo + hi) / 2
			if _, once := draw(i, mid); once {
				lo = mid + 1
			} else {
				hi = mid
			}
		}
		if lo == 1<<32 {
			return // every j accepted: not the ziggurat expected
		}
		zig.k[i] = uint32(lo)
		if lo > 1 {
			zig.w[i], _ = draw(i, 1)
		}
	}
	// The same draws as ExpFloat64, from the same stream, or none of them.
	a, b := rand.NewPCG(1, 2), rand.NewPCG(1, 2)
	ra, rb := rand.New(a), rand.New(b)
	zig.ok = true
	for range 1 << 14 {
		if expDraw(b, rb) != ra.ExpFloat64() {
			zig.ok = false
			return
		}
	}
}

// expDraw returns r.ExpFloat64(), where r draws from p. (live does the
// same without the call.)
func expDraw(p *rand.PCG, r *rand.Rand) float64 {
	q := *p
	if x, ok := zigAt(q.Uint64()); ok {
		*p = q
		return x
	}
	return r.ExpFloat64()
}

// zigAt returns what ExpFloat64 returns for the draw u when it returns it
// without another draw (ok), the ziggurat's common case.
func zigAt(u uint64) (float64, bool) {
	j, i := uint32(u), uint8(u>>32)
	return float64(j) * zig.w[i], zig.ok && j < zig.k[i]
}
