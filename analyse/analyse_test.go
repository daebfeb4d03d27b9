package analyse

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"

	"scs"
	"scs/engine"
	"scs/schemes"
)

// at is the start of the Rongcheng cases: 1 March 2026, 17:00 in Rongcheng.
var at = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

func rongcheng(t testing.TB) *engine.Engine {
	t.Helper()
	eng, err := engine.New(schemes.MustLoad("rongcheng"))
	if err != nil {
		t.Fatal(err)
	}
	return eng
}

func find(t *testing.T, rs []Route, from string, score int64, target, person string, informing bool) Route {
	t.Helper()
	for _, r := range rs {
		if r.From.Grade == from && r.From.Score == score && r.Target == target && r.Person.Name == person && r.Informing == informing {
			return r
		}
	}
	t.Fatalf("no route from %s at %d to %s for %s (informing %v)", from, score, target, person, informing)
	return Route{}
}

func stepsOf(r Route) string {
	var b []string
	for _, s := range r.Steps {
		b = append(b, s.String())
	}
	return strings.Join(b, ", ")
}

// TestRongchengByHand checks routes worked out by hand. The person gives 4
// hours a week: 4 × 306/7 = 174.9 hours from 1 March to the end of 2026,
// 4 × 365/7 = 208.6 in 2027 (209.1 in 2028). A year's best without money
// or informing: two blood donations (6 hours, +20) and volunteering,
// whose first 20 hours give a point an hour, the next 60 a point per 2
// hours, the next 120 a point per 3: 110 points in a whole year (6 hours
// of blood and 202 of service, f(202) = 90), 99 in the rest of 2026
// (f(168) = 79).
func TestRongchengByHand(t *testing.T) {
	eng := rongcheng(t)
	rs, err := Analyse(eng, Options{At: at})
	if err != nil {
		t.Fatal(err)
	}
	sh, _ := time.LoadLocation("Asia/Shanghai")

	// From B at its floor (850) to A (960) with no money: 110 points, and
	// B's lock-in holds the grade until 1 March 2028 whatever is done. The
	// cheapest 110 points by then take the cheapest hours of each of the
	// three calendar years: blood (20 points for 6 hours) and the first 20
	// hours of service (20 points), 40 points for 26 hours in 2026 and
	// 2027, and 30 for 16 hours in 2028: 68 hours, 0 yuan.
	r := find(t, rs, "B", 850, "A", "no-money", false)
	if r.Earliest == nil || !r.Earliest.Equal(time.Date(2028, 3, 1, 9, 0, 0, 0, time.UTC)) || r.Yuan != 0 || r.Hours != 68 {
		t.Errorf("B 850 -> A, no money: earliest %v, %v yuan, %v hours; want the end of the lock-in (2028-03-01T09:00Z), 0 yuan, 68 hours", r.Earliest, r.Yuan, r.Hours)
	}
	for _, s := range r.Steps {
		if s.Rule != "blood-donation" && s.Rule != "volunteer-service" {
			t.Errorf("B 850 -> A, no money: step %s; want only blood donation and volunteering", s)
		}
	}

	// From D at the floor (0) to C (600) with no money and no informing:
	// 99 + 4 × 110 = 539 points by the end of 2030, 61 more in 2031: blood
	// (20 points, 6 hours) and 62 hours of service (f(62) = 41): 68 hours
	// from 1 January, 17 weeks, so 30 April 2031 00:00 in Rongcheng, after
	// D's five-year lock-in (1 March 2031).
	r = find(t, rs, "D", 0, "C", "no-money", false)
	if want := time.Date(2031, 4, 30, 0, 0, 0, 0, sh); r.Earliest == nil || !r.Earliest.Equal(want) || r.Yuan != 0 {
		t.Errorf("D 0 -> C, no money: earliest %v, %v yuan; want %v, 0 yuan (%s)", r.Earliest, r.Yuan, want, stepsOf(r))
	}
	// Informing on neighbours (+3 for 2 hours, no cap) gets the same person
	// there by the end of the lock-in.
	r = find(t, rs, "D", 0, "C", "no-money", true)
	if r.Earliest == nil || !r.Earliest.Equal(time.Date(2031, 3, 1, 9, 0, 0, 0, time.UTC)) {
		t.Errorf("D 0 -> C, no money, informing: earliest %v; want the end of the lock-in", r.Earliest)
	}
	// Money buys the same time: 12 diapers a year for 720 yuan are 12
	// points, so the middle budget reaches C at the end of the lock-in.
	r = find(t, rs, "D", 0, "C", "middle", false)
	if r.Earliest == nil || !r.Earliest.Equal(time.Date(2031, 3, 1, 9, 0, 0, 0, time.UTC)) || r.Yuan <= 0 {
		t.Errorf("D 0 -> C, middle budget: earliest %v, %v yuan; want the end of the lock-in, for some yuan", r.Earliest, r.Yuan)
	}
	// From C at its floor (600) to A (960): 360 points; 99 + 110 + 110 by
	// the end of 2028 and 43 possible in 2029 before the lock-in ends on
	// 1 March (33.7 hours: blood 20 and 27 hours of service, 23): exactly
	// at the end of the lock-in.
	r = find(t, rs, "C", 600, "A", "no-money", false)
	if r.Earliest == nil || !r.Earliest.Equal(time.Date(2029, 3, 1, 9, 0, 0, 0, time.UTC)) {
		t.Errorf("C 600 -> A, no money: earliest %v; want the end of the lock-in, 2029-03-01T09:00Z", r.Earliest)
	}
}

// TestRoutesReplay replays every route's events as scs score would and
// checks that the citizen stands in the target grade at the earliest time
// and not a second before, that no route ends before its lock-in, and
// that routes without informing never use an act that harms others.
func TestRoutesReplay(t *testing.T) {
	for _, name := range schemes.Names() {
		eng, err := engine.New(schemes.MustLoad(name))
		if err != nil {
			t.Fatal(err)
		}
		if eng.IsFactorModel() {
			if _, err := Analyse(eng, Options{At: at}); err == nil || !strings.Contains(err.Error(), "does not apply") {
				t.Errorf("%s: a factor model: %v", name, err)
			}
			continue
		}
		rs, err := Analyse(eng, Options{At: at})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(rs) == 0 {
			t.Fatalf("%s: no routes", name)
		}
		s := eng.Scheme()
		for _, r := range rs {
			if r.Earliest == nil {
				continue
			}
			if r.LockedUntil != nil && r.Earliest.Before(*r.LockedUntil) {
				t.Errorf("%s: %s %d -> %s at %v, before the lock-in ends %v", name, r.From.Grade, r.From.Score, r.Target, r.Earliest, r.LockedUntil)
			}
			grade := func(asOf time.Time) int {
				res, err := eng.ScoreEvents(r.Events, asOf, false)
				if err != nil || len(res) != 1 {
					t.Fatalf("%s: replay: %v", name, err)
				}
				return s.GradeIndex(res[0].Standing.Grade)
			}
			tg := s.GradeIndex(r.Target)
			if g := grade(*r.Earliest); g > tg {
				t.Errorf("%s: %s %d -> %s (%s): replay at %v gives %s", name, r.From.Grade, r.From.Score, r.Target, r.Person.Name, r.Earliest, s.Grades[g].Name)
			}
			if g := grade(r.Earliest.Add(-time.Second)); g <= tg {
				t.Errorf("%s: %s %d -> %s (%s): already in %s a second before the claimed earliest %v", name, r.From.Grade, r.From.Score, r.Target, r.Person.Name, s.Grades[g].Name, r.Earliest)
			}
			var yuan, hours float64
			for _, ev := range r.Events[r.Setup:] {
				rule, _ := s.Rule(ev.Rule)
				if rule.Act == nil || !rule.Act.Plannable || (rule.Act.HarmsOthers && !r.Informing) {
					t.Errorf("%s: plan uses %s, which this route may not plan", name, ev.Rule)
					continue
				}
				units := 1.0
				if ev.HasQuantity {
					units = ev.Quantity
				}
				yuan += units * rule.Act.Yuan
				hours += units * rule.Act.Hours
			}
			if math.Abs(yuan-r.Yuan) > 1e-6 || math.Abs(hours-r.Hours) > 1e-6 {
				t.Errorf("%s: plan events cost %v yuan and %v hours; the route says %v and %v", name, yuan, hours, r.Yuan, r.Hours)
			}
		}
	}
}

func TestStartsErrors(t *testing.T) {
	s := schemes.MustLoad("rongcheng")
	for _, tc := range []struct {
		opt  Options
		want string
	}{
		{Options{FromGrade: "Q"}, `"Q" is neither a grade of scheme rongcheng`},
		{Options{FromGrade: "AAA"}, "AAA is the highest grade"},
		{Options{FromScore: -5, HasFromScore: true}, "score -5 is outside"},
		{Options{FromScore: 1100, HasFromScore: true}, "score 1100 is in AAA, the highest grade"},
	} {
		_, err := Starts(s, tc.opt)
		if err == nil || !strings.Contains(err.Error(), tc.want) || scs.ErrorCode(err) != scs.EINVALID {
			t.Errorf("%+v: err %v, want invalid containing %q", tc.opt, err, tc.want)
		}
	}
	st, err := Starts(s, Options{FromScore: 700, HasFromScore: true})
	if err != nil || len(st) != 1 || st[0].Grade != "C" || st[0].Score != 700 {
		t.Errorf("from 700: %+v, %v", st, err)
	}
	st, _ = Starts(s, Options{FromGrade: "C"})
	if len(st) != 3 || st[0].Score != 600 || st[1].Score != 724 || st[2].Score != 849 {
		t.Errorf("from C: %+v", st)
	}
}

// TestRapidAgainstBruteForce builds small schemes with one or two acts of
// every effect kind, yearly caps, units a year, yuan and hours, and a
// lower grade with or without a lock-in, and checks the analysis against a
// search over every plan: every number of units of every act in each of
// the three calendar years the horizon spans, each plan scored by the
// engine. No plan may reach the target earlier than the analysis says, and
// none that reaches it as early may cost less (yuan, then hours).
func TestRapidAgainstBruteForce(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		top := rapid.Int64Range(3, 30).Draw(t, "top")
		lock := rapid.SampledFrom([]string{"none", "6 months", "1 year"}).Draw(t, "lock")
		var b strings.Builder
		fmt.Fprintf(&b, "name: p\ntitle: P\ntime_zone: UTC\nstart: 50\nfloor: 0\ngrades:\n  - {name: A, min: %d, source: t, status: assumed}\n  - {name: B, min: 0, max: %d, lock_in: %s, source: t, status: assumed}\n", top, top-1, lock)
		b.WriteString("rules:\n  - {id: adjust, description: x, category: c, department: d, range: {min: -100, max: -1}, source: t, status: assumed}\n")
		n := rapid.IntRange(1, 2).Draw(t, "acts")
		maxUnits := make([]int, n)
		for i := range n {
			var effect string
			switch rapid.IntRange(0, 2).Draw(t, "kind") {
			case 0:
				effect = fmt.Sprintf("points: %d", rapid.IntRange(1, 5).Draw(t, "points"))
			case 1:
				effect = fmt.Sprintf("per_unit: {points: %d, per: 1, quantity: q}", rapid.IntRange(1, 3).Draw(t, "points"))
			case 2:
				effect = fmt.Sprintf("tiered: {quantity: q, tiers: [{up_to: %d, per: 1, points: %d}, {per: %d, points: %d}]}",
					rapid.IntRange(1, 3).Draw(t, "upTo"), rapid.IntRange(0, 2).Draw(t, "p1"), rapid.IntRange(1, 2).Draw(t, "per2"), rapid.IntRange(1, 3).Draw(t, "p2"))
			}
			capLine := ""
			if c := rapid.IntRange(0, 8).Draw(t, "cap"); c > 0 {
				capLine = fmt.Sprintf(", yearly_cap: %d", c)
			}
			maxUnits[i] = rapid.IntRange(1, 4).Draw(t, "maxPerYear")
			fmt.Fprintf(&b, "  - {id: r%d, description: x, category: c, department: d, %s%s, source: t, status: assumed,\n     act: {yuan: %d, hours: %v, max_per_year: %d, plannable: true, harms_others: %v, source: t, status: assumed}}\n",
				i, effect, capLine, rapid.IntRange(0, 5).Draw(t, "yuan"), rapid.SampledFrom([]float64{0, 0.5, 1, 2, 5}).Draw(t, "hours"),
				maxUnits[i], rapid.Bool().Draw(t, "harms"))
		}
		s, err := schemes.Parse("p.yaml", []byte(b.String()))
		if err != nil {
			t.Fatalf("%v\n%s", err, b.String())
		}
		eng, err := engine.New(s)
		if err != nil {
			t.Fatal(err)
		}
		person := Person{Name: "p", YuanPerYear: rapid.SampledFrom([]float64{0, 3, 10, 1000}).Draw(t, "budget"),
			HoursPerWeek: rapid.SampledFrom([]float64{0, 0.02, 0.1, 0.5}).Draw(t, "hoursPerWeek")}
		from := rapid.Int64Range(0, top-1).Draw(t, "from")
		start := time.Date(2026, time.Month(rapid.IntRange(1, 12).Draw(t, "month")), 15, 6, 0, 0, 0, time.UTC)
		rs, err := Analyse(eng, Options{At: start, FromScore: from, HasFromScore: true, People: []Person{person}, Horizon: 2})
		if err != nil {
			t.Fatal(err)
		}
		st, _ := Starts(s, Options{FromScore: from, HasFromScore: true})
		setup, err := setupEvents(eng, st[0], start, start)
		if err != nil {
			t.Fatal(err)
		}
		segs := segments(s.Location, start, 2)
		for _, r := range rs {
			bestT, bestC := bruteForce(t, eng, s, r, setup, segs, maxUnits, person)
			switch {
			case r.Earliest == nil && bestT != nil:
				t.Fatalf("informing %v: the analysis finds no route; a plan reaches A at %v costing %v\n%s", r.Informing, bestT, bestC, b.String())
			case r.Earliest != nil && bestT == nil:
				t.Fatalf("informing %v: the analysis claims %v; no plan reaches A\n%s", r.Informing, r.Earliest, b.String())
			case r.Earliest != nil && !r.Earliest.Equal(*bestT):
				t.Fatalf("informing %v: the analysis claims %v; the best plan reaches A at %v\n%s", r.Informing, r.Earliest, bestT, b.String())
			case r.Earliest != nil && (math.Abs(r.Yuan-bestC.yuan) > 1e-9 || math.Abs(r.Hours-bestC.hours) > 1e-9):
				t.Fatalf("informing %v: at %v the analysis costs %v yuan %v hours; a plan costs %v\n%s\n%s", r.Informing, r.Earliest, r.Yuan, r.Hours, bestC, stepsOf(r), b.String())
			}
		}
	})
}

// bruteForce tries every plan: units 0..max_per_year of every act the
// route may use in every segment, within each year's yuan and hours. A
// plan reaches the target when the last of its acts is done (its hours in
// its last year accrued) or when the lock-in ends, whichever is later.
func bruteForce(t *rapid.T, eng *engine.Engine, s *scs.Scheme, r Route, setup []scs.Event, segs []segment, maxUnits []int, person Person) (*time.Time, cost) {
	var acts []*scs.Rule
	var limits []int
	for i := range maxUnits {
		rule, _ := s.Rule(fmt.Sprintf("r%d", i))
		if rule.Act.HarmsOthers && !r.Informing {
			continue
		}
		acts = append(acts, rule)
		limits = append(limits, maxUnits[i])
	}
	slots := len(acts) * len(segs)
	units := make([]int, slots)
	var bestT *time.Time
	bestC := infCost
	for {
		var total cost
		ok := true
		reached := r.Start
		evs := append([]scs.Event(nil), setup...)
		for k, sg := range segs {
			var yc cost
			for a, rule := range acts {
				u := units[k*len(acts)+a]
				if u == 0 {
					continue
				}
				yc = yc.plus(cost{float64(u) * rule.Act.Yuan, float64(u) * rule.Act.Hours})
				if rule.Effect.Kind == scs.EffectFixed {
					for range u {
						evs = append(evs, scs.Event{ID: fmt.Sprintf("b%d", len(evs)), Citizen: Citizen, Rule: rule.ID, At: sg.from})
					}
				} else {
					evs = append(evs, scs.Event{ID: fmt.Sprintf("b%d", len(evs)), Citizen: Citizen, Rule: rule.ID, At: sg.from, Quantity: float64(u), HasQuantity: true})
				}
			}
			if yc.yuan > person.YuanPerYear+eps || yc.hours > hoursBetween(person.HoursPerWeek, sg.from, sg.end.Add(-time.Second))+eps {
				ok = false
				break
			}
			if yc != (cost{}) || hasUnits(units[k*len(acts):(k+1)*len(acts)]) {
				reached = after(sg.from, person.HoursPerWeek, yc.hours)
			}
			total = total.plus(yc)
		}
		if ok {
			if r.LockedUntil != nil && r.LockedUntil.After(reached) {
				reached = *r.LockedUntil
			}
			res, err := eng.ScoreEvents(evs, reached, false)
			if err != nil {
				t.Fatal(err)
			}
			if s.GradeIndex(res[0].Standing.Grade) == 0 && (bestT == nil || reached.Before(*bestT) || reached.Equal(*bestT) && total.less(bestC)) {
				tt := reached
				bestT, bestC = &tt, total
			}
		}
		i := 0
		for ; i < slots; i++ {
			units[i]++
			if units[i] <= limits[i%len(acts)] {
				break
			}
			units[i] = 0
		}
		if i == slots {
			return bestT, bestC
		}
	}
}

func hasUnits(u []int) bool {
	for _, x := range u {
		if x > 0 {
			return true
		}
	}
	return false
}
