package analyse

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"time"

	"scs"
)

// cost is what a plan costs; plans compare by yuan, then hours.
type cost struct{ yuan, hours float64 }

var infCost = cost{math.Inf(1), math.Inf(1)}

func (a cost) less(b cost) bool { return a.yuan < b.yuan || a.yuan == b.yuan && a.hours < b.hours }
func (a cost) plus(b cost) cost { return cost{a.yuan + b.yuan, a.hours + b.hours} }

// entry is one Pareto-optimal combination of options for the acts so far
// that gives a number of points in a year: its cost, and where it came
// from in the previous layer (points, index) with the option of this act.
type entry struct {
	cost
	prevP, prevI, opt int32
}

// best is, for one limit on a year's hours, the cheapest combination for
// at least q points: its cost and where it is in the last layer.
type best struct {
	cost []cost
	p, i []int32
	max  int // the most points the limit allows
}

// solver answers routes for one person and one choice about informing.
type solver struct {
	acts    []act
	person  Person
	segs    []segment
	maxNeed int
	layers  [][][]entry // layers[a][p]: the Pareto set after acts 0..a-1
	bests   map[float64]*best
	// d[k][p] is the cheapest cost of at least p points from segments
	// 0..k-1 at their whole hours; arg[k][p] the points asked of segment k-1.
	d   [][]cost
	arg [][]int32
}

// newSolver builds the Pareto sets of one calendar year for the acts.
func newSolver(acts []act, person Person, segs []segment, maxNeed int) *solver {
	sv := &solver{acts: acts, person: person, segs: segs, maxNeed: maxNeed, bests: map[float64]*best{}}
	var yearHours float64
	for _, sg := range segs {
		yearHours = max(yearHours, hoursBetween(person.HoursPerWeek, sg.from, sg.end))
	}
	cur := make([][]entry, maxNeed+1)
	cur[0] = []entry{{prevP: -1, prevI: -1, opt: -1}}
	sv.layers = append(sv.layers, cur)
	limit := cost{person.YuanPerYear + eps, yearHours + eps}
	for _, a := range acts {
		sv.layers = append(sv.layers, sv.addAct(cur, a, limit))
		cur = sv.layers[len(sv.layers)-1]
	}
	return sv
}

// addAct returns the Pareto sets after one more act: for each number of
// points np, from the most down, every way to reach it from the sets
// before (prev) with one of the act's options, less every entry that an
// entry for np or more points beats or equals in both yuan and hours.
// Every question asked of the sets is about at least some number of
// points, and an entry for more points stays ahead of the one it beats
// when the same options are added to both, so no answer needs those.
// Going down lets that test run before a candidate is stored.
func (sv *solver) addAct(prev [][]entry, a act, limit cost) [][]entry {
	n := sv.maxNeed
	next := make([][]entry, n+1)
	var stair []cost // the union of next[np+1:], by yuan, hours falling
	beaten := func(c cost) bool {
		i := sort.Search(len(stair), func(i int) bool { return stair[i].yuan > c.yuan })
		return i > 0 && stair[i-1].hours <= c.hours
	}
	var acc, run, merged []entry
	for np := n; np >= 0; np-- {
		acc = acc[:0]
		for oi, o := range a.options {
			lo, hi := np-o.points, np-o.points
			if np == n {
				lo, hi = max(0, n-o.points), n
			}
			if lo < 0 {
				continue
			}
			for p := lo; p <= hi; p++ {
				// prev[p] is sorted by yuan with hours falling, and so is
				// what is left of it plus one option: merge, no sort.
				run = run[:0]
				for i, e := range prev[p] {
					c := e.cost.plus(o.cost())
					if c.yuan > limit.yuan || c.hours > limit.hours || beaten(c) {
						continue
					}
					run = append(run, entry{cost: c, prevP: int32(p), prevI: int32(i), opt: int32(oi)})
				}
				if len(run) > 0 {
					merged = mergeStairs(merged[:0], acc, run)
					acc, merged = merged, acc
				}
			}
		}
		next[np] = slices.Clone(acc)
		for _, e := range next[np] {
			i := sort.Search(len(stair), func(i int) bool { return stair[i].yuan >= e.yuan })
			j := i
			for j < len(stair) && stair[j].hours >= e.hours {
				j++
			}
			stair = slices.Replace(stair, i, j, e.cost)
		}
	}
	return next
}

// mergeStairs appends to dst the Pareto union of a and b, each sorted by
// yuan with hours falling; the result is sorted the same way.
func mergeStairs(dst, a, b []entry) []entry {
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		var e entry
		if j >= len(b) || i < len(a) && (a[i].yuan < b[j].yuan || a[i].yuan == b[j].yuan && a[i].hours <= b[j].hours) {
			e, i = a[i], i+1
		} else {
			e, j = b[j], j+1
		}
		if len(dst) == 0 || e.hours < dst[len(dst)-1].hours {
			dst = append(dst, e)
		}
	}
	return dst
}

func (o option) cost() cost { return cost{o.yuan, o.hours} }

// bestFor returns the cheapest combination for at least q points, for
// every q, when the year's hours are at most h.
func (sv *solver) bestFor(h float64) *best {
	if b, ok := sv.bests[h]; ok {
		return b
	}
	last := sv.layers[len(sv.layers)-1]
	n := sv.maxNeed + 1
	b := &best{cost: make([]cost, n), p: make([]int32, n), i: make([]int32, n), max: -1}
	run, rp, ri := infCost, int32(-1), int32(-1)
	for p := n - 1; p >= 0; p-- {
		for i, e := range last[p] {
			if e.hours <= h+eps && e.less(run) {
				run, rp, ri = e.cost, int32(p), int32(i)
			}
		}
		if b.max < 0 && rp >= 0 {
			b.max = int(rp)
		}
		b.cost[p], b.p[p], b.i[p] = run, rp, ri
	}
	if len(sv.bests) < 64 {
		sv.bests[h] = b
	}
	return b
}

// minHours returns the fewest hours of a year that give at least q points.
func (sv *solver) minHours(q int, hmax float64) float64 {
	last := sv.layers[len(sv.layers)-1]
	m := math.Inf(1)
	for p := q; p <= sv.maxNeed; p++ {
		for _, e := range last[p] {
			if e.hours <= hmax+eps {
				m = min(m, e.hours)
			}
		}
	}
	return m
}

// fullHours is the hours a whole segment k allows: up to its last second,
// so that every event stays in its calendar year.
func (sv *solver) fullHours(k int) float64 {
	sg := sv.segs[k]
	return hoursBetween(sv.person.HoursPerWeek, sg.from, sg.end.Add(-time.Second))
}

// grow extends d and arg to k segments.
func (sv *solver) grow(k int) {
	n := sv.maxNeed + 1
	if len(sv.d) == 0 {
		d0 := make([]cost, n)
		for p := 1; p < n; p++ {
			d0[p] = infCost
		}
		sv.d, sv.arg = [][]cost{d0}, [][]int32{make([]int32, n)}
	}
	for len(sv.d) <= k {
		j := len(sv.d) - 1
		prev, b := sv.d[j], sv.bestFor(sv.fullHours(j))
		cur, arg := make([]cost, n), make([]int32, n)
		for p := range n {
			bc, bq := infCost, int32(0)
			for q := 0; q <= p && q <= max(b.max, 0); q++ {
				c := prev[p-q].plus(b.cost[q])
				if c.less(bc) {
					bc, bq = c, int32(q)
				}
			}
			cur[p], arg[p] = bc, bq
		}
		sv.d, sv.arg = append(sv.d, cur), append(sv.arg, arg)
	}
}

// plan is a solved route.
type plan struct {
	at          time.Time
	yuan, hours float64
	steps       []Step
	events      []scs.Event
}

// solve returns the earliest time at least need points can be gained and
// the lock (if any) has ended, with the cheapest plan for that time; nil
// when out of reach within the horizon.
func (sv *solver) solve(need int, lockEnd *time.Time) *plan {
	if need <= 0 || need > sv.maxNeed {
		return nil
	}
	h := sv.person.HoursPerWeek
	cum, kmin := 0, -1
	for k := range sv.segs {
		m := sv.bestFor(sv.fullHours(k)).max
		if cum+m >= need {
			kmin = k
			break
		}
		cum += m
	}
	if kmin < 0 {
		return nil
	}
	hmin := sv.minHours(need-cum, sv.fullHours(kmin))
	at := sv.segs[kmin].from
	if hmin > 0 {
		at = after(at, h, hmin)
	}
	if lockEnd != nil && lockEnd.After(at) {
		at = *lockEnd
	}
	kf := -1
	for k, sg := range sv.segs {
		if !at.Before(sg.from) && at.Before(sg.end) {
			kf = k
			break
		}
	}
	if kf < 0 {
		return nil
	}
	sv.grow(kf)
	hf := min(hoursBetween(h, sv.segs[kf].from, at), sv.fullHours(kf))
	bf := sv.bestFor(hf)
	bc, bq := infCost, -1
	for q := 0; q <= need; q++ {
		if bf.p[q] < 0 {
			break
		}
		c := sv.d[kf][need-q].plus(bf.cost[q])
		if c.less(bc) {
			bc, bq = c, q
		}
	}
	if bq < 0 {
		return nil
	}
	pl := &plan{at: at, yuan: bc.yuan, hours: bc.hours}
	asks := make([]int, kf+1)
	asks[kf] = bq
	p := need - bq
	for k := kf; k >= 1; k-- {
		q := int(sv.arg[k][p])
		asks[k-1] = q
		p = max(0, p-q)
	}
	id := 0
	for k := 0; k <= kf; k++ {
		if asks[k] == 0 {
			continue
		}
		hk := sv.fullHours(k)
		if k == kf {
			hk = hf
		}
		b := sv.bestFor(hk)
		units := sv.units(int(b.p[asks[k]]), int(b.i[asks[k]]))
		end := sv.segs[k].end.Add(-time.Second)
		if k == kf {
			end = at
		}
		pl.addYear(sv.segs[k], units, sv.acts, h, end, &id)
	}
	return pl
}

// units walks back through the layers from entry (p, i) of the last and
// returns the option chosen for each act.
func (sv *solver) units(p, i int) []int {
	out := make([]int, len(sv.acts))
	for a := len(sv.acts); a >= 1; a-- {
		e := sv.layers[a][p][i]
		out[a-1] = int(e.opt)
		p, i = int(e.prevP), int(e.prevI)
	}
	return out
}

// addYear appends the events of one segment: acts that take no hours at
// its first instant, then the others, each reported when its hours are
// done, never after end.
func (pl *plan) addYear(sg segment, opts []int, acts []act, perWeek float64, end time.Time, id *int) {
	var done float64
	emit := func(a *act, o option) {
		pl.steps = append(pl.steps, Step{Year: sg.year, Rule: a.rule.ID, Units: o.units, Yuan: o.yuan, Hours: o.hours})
		per := a.rule.Act.Hours
		ev := func(at time.Time, qty float64, hasQty bool) {
			*id++
			if at.After(end) {
				at = end
			}
			pl.events = append(pl.events, scs.Event{ID: fmt.Sprintf("p%d", *id), Citizen: Citizen, Rule: a.rule.ID, At: at,
				Quantity: qty, HasQuantity: hasQty, Evidence: fmt.Sprintf("plan: year %d", sg.year)})
		}
		if a.rule.Effect.Kind == scs.EffectFixed {
			for n := 1; n <= int(o.units); n++ {
				ev(after(sg.from, perWeek, done+float64(n)*per), 0, false)
			}
		} else {
			ev(after(sg.from, perWeek, done+o.hours), o.units, true)
		}
		done += o.hours
	}
	for pass := range 2 {
		for ai := range acts {
			a := &acts[ai]
			if o := a.options[opts[ai]]; o.units > 0 && (a.rule.Act.Hours == 0) == (pass == 0) {
				emit(a, o)
			}
		}
	}
}
