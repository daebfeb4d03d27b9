package analyse

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"scs/engine"
	"scs/schemes"
)

// inventedScheme returns a scheme shaped like Rongcheng (start 1000, six
// grades, lock-ins of 2, 3 and 5 years) with n rules that add points, each
// with an act: a third fixed points, a third per unit, a third tiered; a
// half with a yearly cap; a third costing yuan only, a third hours only, a
// third both. The same n gives the same scheme.
func inventedScheme(tb testing.TB, n int) *engine.Engine {
	tb.Helper()
	rng := rand.New(rand.NewPCG(uint64(n), 13))
	var b strings.Builder
	b.WriteString(`name: invented
title: Invented
time_zone: Asia/Shanghai
start: 1000
floor: 0
grades:
  - {name: AAA, min: 1050}
  - {name: AA, min: 1030, max: 1049}
  - {name: A, min: 960, max: 1029}
  - {name: B, min: 850, max: 959, lock_in: 2 years}
  - {name: C, min: 600, max: 849, lock_in: 3 years}
  - {name: D, min: 0, max: 599, lock_in: 5 years}
rules:
  - {id: fine, description: x, category: c, department: d, range: {min: -100, max: -1}, source: t, status: assumed}
`)
	for i := range n {
		var effect string
		switch i % 3 {
		case 0:
			effect = fmt.Sprintf("points: %d", 1+rng.IntN(10))
		case 1:
			effect = fmt.Sprintf("per_unit: {points: %d, per: %d, quantity: q}", 1+rng.IntN(3), 1+rng.IntN(50))
		case 2:
			effect = fmt.Sprintf("tiered: {quantity: q, tiers: [{up_to: %d, per: 1, points: 1}, {per: %d, points: 1}]}", 5+rng.IntN(20), 2+rng.IntN(3))
		}
		if rng.IntN(2) == 0 {
			effect += fmt.Sprintf(", yearly_cap: %d", 5+rng.IntN(40))
		}
		yuan, hours := 0, 0.0
		switch rng.IntN(3) {
		case 0:
			yuan = 1 + rng.IntN(100)
		case 1:
			hours = float64(1+rng.IntN(8)) / 2
		default:
			yuan, hours = 1+rng.IntN(100), float64(1+rng.IntN(8))/2
		}
		fmt.Fprintf(&b, "  - {id: r%d, description: x, category: c, department: d, %s, source: t, status: assumed,\n     act: {yuan: %d, hours: %v, plannable: true, source: t, status: assumed}}\n", i, effect, yuan, hours)
	}
	s, err := schemes.Parse("invented.yaml", []byte(b.String()))
	if err != nil {
		tb.Fatal(err)
	}
	eng, err := engine.New(s)
	if err != nil {
		tb.Fatal(err)
	}
	return eng
}

// BenchmarkAnalyse measures the whole analysis (every grade at its floor,
// middle and top, every higher grade, three people, with and without
// informing, every plan replayed) of the built-in schemes, the baseline,
// and of invented schemes with 10, 30 and 100 rules that add points.
func BenchmarkAnalyse(b *testing.B) {
	start := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	cases := []struct {
		name string
		eng  *engine.Engine
	}{
		{"rongcheng", rongcheng(b)},
		{"invented-10", inventedScheme(b, 10)},
		{"invented-30", inventedScheme(b, 30)},
		{"invented-100", inventedScheme(b, 100)},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			var routes int
			for b.Loop() {
				rs, err := Analyse(c.eng, Options{At: start})
				if err != nil {
					b.Fatal(err)
				}
				routes = len(rs)
			}
			b.ReportMetric(float64(routes), "routes")
		})
	}
}

// TestInventedScheme checks that the benchmark's scheme loads and gives
// routes that replay (Analyse checks every plan).
func TestInventedScheme(t *testing.T) {
	if testing.Short() {
		t.Skip("the 100-rule analysis takes a while")
	}
	rs, err := Analyse(inventedScheme(t, 10), Options{At: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)})
	if err != nil || len(rs) == 0 {
		t.Fatalf("%d routes, %v", len(rs), err)
	}
}
