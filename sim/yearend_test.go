package sim

import (
	"context"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

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

// TestBitSetNth: nth finds the k-th member from an index on, as counting
// one by one does.
func TestBitSetNth(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{1, 63, 64, 65, 200, 1000} {
		b := make(bitSet, (n+63)/64)
		in := make([]bool, n)
		for i := range n {
			if r.IntN(3) == 0 {
				b.set(i)
				in[i] = true
			}
		}
		for range 200 {
			i, k := r.IntN(n+1), r.IntN(n/4+2)
			want := none
			for j, seen := i, 0; j < n; j++ {
				if in[j] {
					if seen == k {
						want = j
						break
					}
					seen++
				}
			}
			if got := b.nth(i, k); got != want {
				t.Fatalf("n=%d: nth(%d, %d) = %d, want %d", n, i, k, got, want)
			}
		}
		for i := range n {
			b.clear(i)
		}
		if got := b.nth(0, 0); got != none {
			t.Fatalf("n=%d: nth of an empty set = %d", n, got)
		}
	}
}

// TestRunBeforeTheEpoch: a run of the years 1965-1974 counts the same as
// the same run sixty years later (the calendars agree: the same leap
// years, no summer time), although its times are negative unix seconds:
// the time spent listed and the survival episodes in grades included.
func TestRunBeforeTheEpoch(t *testing.T) {
	s, err := schemes.Load("rongcheng")
	if err != nil {
		t.Fatal(err)
	}
	run := func(year int) *Metrics {
		end := time.Date(year, 1, 1, 0, 0, 0, 0, testEnd.Location())
		r, err := Simulate(context.Background(), Config{Scheme: s, Citizens: 5000, Years: 10, Seed: 3, End: end})
		if err != nil {
			t.Fatal(err)
		}
		return r.Metrics
	}
	a, b := run(1975), run(2035)
	if a.ListedSeconds != b.ListedSeconds {
		t.Errorf("time listed: %d s in 1965-1974, %d s in 2025-2034", a.ListedSeconds, b.ListedSeconds)
	}
	if !reflect.DeepEqual(a.Survival, b.Survival) {
		t.Errorf("survival episodes differ: %v in 1965-1974, %v in 2025-2034", a.Survival, b.Survival)
	}
	if !reflect.DeepEqual(a, b) {
		t.Error("the metrics of 1965-1974 differ from those of 2025-2034")
	}
}

// TestYearEndList: after a neighbourhood's year (liveYear), endYear's list
// holds, in citizen order, exactly the citizens its year end does more for
// than halve their speech (reported, with a trust of their own, or scored
// and locked, under a factor model or in another grade than at the year's
// start), informants among them, and every citizen's speech memory is
// halved once.
func TestYearEndList(t *testing.T) {
	for _, name := range []string{"rongcheng", "sesame"} {
		s, err := schemes.Load(name)
		if err != nil {
			t.Fatal(err)
		}
		m, err := prepare(Config{Scheme: s, Citizens: 20000, Years: 6, Seed: 3, End: testEnd,
			Settings: Settings{"informants": 0.05, "hood_size": 2000}})
		if err != nil {
			t.Fatal(err)
		}
		factor := m.eng.IsFactorModel()
		w := newWorker(m)
		var infs, moved int
		for h := range 3 {
			w.begin(h)
			shareLow := 0.0
			for y := range m.cfg.Years {
				w.yearRows(y)
				w.startYear(y, shareLow)
				speech, records := make([]int, len(w.cs)), make([]int32, len(w.cs))
				for i := range w.cs {
					speech[i], records[i] = w.cs[i].speech, w.cs[i].records
				}
				if err := w.liveYear(y); err != nil {
					t.Fatal(err)
				}
				var want []int32
				for i := range w.cs {
					c := &w.cs[i]
					if c.reported > 0 || c.ownTrust || c.consent && (factor || c.st.LockGrade >= 0 || c.grade != w.order[i]) {
						want = append(want, int32(i))
						if c.informant {
							infs++
						}
						if c.grade != w.order[i] {
							moved++
						}
					}
					// Halved once: (before + the year's speech records) / 2,
					// which are at most all the year's records.
					if lo, hi := speech[i]/2, (speech[i]+int(c.records-records[i]))/2; c.speech < lo || c.speech > hi {
						t.Fatalf("%s hood %d year %d citizen %d: speech memory %d after the year, %d before, %d records: want %d to %d",
							name, h, y, i, c.speech, speech[i], c.records-records[i], lo, hi)
					}
				}
				if !slices.Equal(w.later, want) {
					t.Fatalf("%s hood %d year %d: endYear's list %v, want %v", name, h, y, w.later, want)
				}
				shareLow = w.endYear(y)
			}
		}
		if infs == 0 || moved == 0 {
			t.Errorf("%s: %d informants and %d citizens in another grade listed: the test does not test the merge or the moves", name, infs, moved)
		}
	}
}

// TestMergeInto: mergeInto merges two ascending disjoint lists in place, as
// sorting their union does.
func TestMergeInto(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 1000 {
		n := r.IntN(40)
		var a, b []int32
		for i := range int32(n) {
			if r.IntN(3) == 0 {
				b = append(b, i)
			} else {
				a = append(a, i)
			}
		}
		want := slices.Concat(a, b)
		slices.Sort(want)
		got := append(a, make([]int32, len(b))...)
		if k := mergeInto(got, len(a), b); k != len(want) || !slices.Equal(got, want) {
			t.Fatalf("mergeInto(%v, %v) = %v (%d), want %v", a, b, got, k, want)
		}
	}
}

// TestNewYear: a Jan 1 starts the yearly limits again for every citizen,
// and unblocks a citizen's blocked behaviours (their class sums back to
// none blocked, their rates to recompute); a citizen with nothing blocked
// keeps their rates.
func TestNewYear(t *testing.T) {
	m, err := prepare(Config{Scheme: rongcheng(t), Citizens: 200, Years: 1, Seed: 4, End: testEnd})
	if err != nil {
		t.Fatal(err)
	}
	w := newWorker(m)
	w.begin(0)
	t0 := m.yearB[0]
	k := m.byClass[rcPositive][0]
	for i := range w.cs[:20] {
		c := &w.cs[i]
		c.spent, c.hours, c.blood = 100, 5, 1
		blocked := i%2 == 0
		if blocked {
			w.block(c, k)
		}
		w.dirty = false
		w.newYear(c, t0)
		if c.limits != (limits{}) {
			t.Errorf("citizen %d: limits %+v after a Jan 1, want none", i, c.limits)
		}
		if c.nblocked != 0 || c.blocked[k] || c.sums != c.base {
			t.Errorf("citizen %d: %d blocked (behaviour %d: %v), sums %v after a Jan 1, want none and %v", i, c.nblocked, k, c.blocked[k], c.sums, c.base)
		}
		if w.dirty != blocked {
			t.Errorf("citizen %d (blocked %v): rates to recompute %v", i, blocked, w.dirty)
		}
	}
}
