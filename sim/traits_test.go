package sim

import (
	"math"
	"slices"
	"testing"

	"pgregory.net/rapid"

	"scs/schemes"
)

// TestStaticRatesAreTraitMultipliers: every citizen's static rate of every
// behaviour is its rate (0 when the citizen lacks what it needs) times
// exp(sum slope*z), and the class sums are their sums; both with the
// factor tables and, for more distinct slopes than a byte indexes, with
// one exp per behaviour. The sums are exactly those in behaviour order.
func TestStaticRatesAreTraitMultipliers(t *testing.T) {
	s, err := schemes.Load("rongcheng")
	if err != nil {
		t.Fatal(err)
	}
	for _, direct := range []bool{false, true} {
		m, err := prepare(Config{Scheme: s, Citizens: 3000, Years: 1, Seed: 5, End: testEnd})
		if err != nil {
			t.Fatal(err)
		}
		if direct {
			for i := range maxFactors {
				b := m.beh[i%len(m.beh)]
				b.slopes[0] = 0.0005 + 0.001*float64(i)
				m.beh = append(m.beh, b)
			}
			recompileTraits(m)
		}
		if m.traits.direct != direct {
			t.Fatalf("direct = %v, want %v", m.traits.direct, direct)
		}
		w := newWorker(m)
		w.begin(0)
		for i := range w.cs {
			c := &w.cs[i]
			var sums [4]float64
			for k, b := range m.beh {
				want := b.rate * math.Exp(b.slopes[0]*c.z[0]+b.slopes[1]*c.z[1]+b.slopes[2]*c.z[2]+b.slopes[3]*c.z[3])
				if b.needs == 1 && !c.driver || b.needs == 2 && !c.parent || b.kd == kdBlood && c.age > 55 {
					want = 0
				}
				if got := c.static[k]; math.Abs(got-want) > 1e-12*want {
					t.Fatalf("direct=%v citizen %d behaviour %d: static rate %v, want %v", direct, i, k, got, want)
				}
				if b.rc != rcNone {
					sums[b.rc] += c.static[k]
				}
			}
			for rc, want := range sums {
				// Bit for bit: summed by class, in behaviour order.
				if got := c.sums[rc]; got != want || c.base[rc] != want {
					t.Fatalf("direct=%v citizen %d class %d: sum %v, want %v", direct, i, rc, got, want)
				}
			}
		}
	}
}

// TestWealthDecile: the decile of z is the number of deciles at or below
// it, at the deciles themselves and between them.
func TestWealthDecile(t *testing.T) {
	zs := []float64{math.Inf(-1), -5, 0, 5, math.Inf(1)}
	for _, q := range decileZ {
		zs = append(zs, q, math.Nextafter(q, math.Inf(-1)), math.Nextafter(q, math.Inf(1)))
	}
	for _, z := range zs {
		want := 0
		for _, q := range decileZ {
			if z >= q {
				want++
			}
		}
		if got := wealthDecile(z); got != want {
			t.Errorf("wealthDecile(%v) = %d, want %d", z, got, want)
		}
	}
}

// TestMergedPlan: the grid tables' steps taken together by depth
// (traitTables.steps) make exactly the factors that each table's plan
// makes in its own order, for random slopes on the grid and random traits.
func TestMergedPlan(t *testing.T) {
	s, err := schemes.Load("rongcheng")
	if err != nil {
		t.Fatal(err)
	}
	m, err := prepare(Config{Scheme: s, Citizens: 100, Years: 1, Seed: 5, End: testEnd})
	if err != nil {
		t.Fatal(err)
	}
	beh := slices.Clone(m.beh)
	rapid.Check(t, func(rt *rapid.T) {
		m.beh = slices.Clone(beh)
		for k := range m.beh {
			for tr := range 3 {
				m.beh[k].slopes[tr] = float64(rapid.IntRange(-maxSteps, maxSteps).Draw(rt, "n")) * slopeStep
			}
		}
		recompileTraits(m)
		w := newWorker(m)
		for range 20 {
			z := [4]float64{rapid.Float64Range(-6, 6).Draw(rt, "z0"), rapid.Float64Range(-6, 6).Draw(rt, "z1"), rapid.Float64Range(-6, 6).Draw(rt, "z2"), 0}
			w.multipliers(&z, 40)
			for tr := range 3 {
				tab := &m.traits.cont[tr]
				if !tab.grid {
					rt.Fatalf("trait %d: not a grid table", tr)
				}
				// Each table's plan in its own order.
				var f [maxFactors]float64
				x := math.Exp(slopeStep * z[tr])
				z0 := uint8(-tab.lo)
				f[z0], f[z0+1], f[z0-1] = 1, x, 1/x
				for i, d := range tab.dst {
					f[d] = f[tab.a[i]] * f[tab.b[i]]
				}
				got := w.factors(tr)
				for n := tab.lo; n <= tab.hi; n++ {
					if i := n - tab.lo; f[i] != 0 && got[i] != f[i] {
						rt.Fatalf("trait %d, z %v, power %d: %v, want %v", tr, z[tr], n, got[i], f[i])
					}
				}
			}
		}
	})
}

// recompileTraits remakes m's slope sets, rate table and trait tables after
// a test changed its behaviours' slopes.
func recompileTraits(m *model) {
	m.slopeSets = nil
	for _, b := range m.beh {
		if b.slopes != [4]float64{} && !slices.Contains(m.slopeSets, b.slopes) {
			m.slopeSets = append(m.slopeSets, b.slopes)
		}
	}
	m.rateTable()
	m.traits = traitTables{}
	m.compileTraits()
}
