package classroom

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"

	"scs"
	"scs/engine"
	"scs/sim"
)

// Situation kinds: how a situation is asked and answered.
const (
	KindGood       = "good"       // a good deed: do it or not
	KindSpeech     = "speech"     // a post about the council: write it or not
	KindMisconduct = "misconduct" // a temptation: give in or not
	KindBill       = "bill"       // a bill due this week: pay it or pay late
	KindDonation   = "donation"   // donate money, within the card
	KindVolunteer  = "volunteer"  // volunteer hours, within the card
	KindBlood      = "blood"      // give blood or not
	KindInform     = "inform"     // a neighbour's violation: report it or not
)

// The cards: money (yuan a week) and free time (hours a week). Without
// random cards everyone has the middle ones.
var (
	moneyCards  = []int64{200, 800, 5000}
	hourCards   = []int64{2, 8, 20}
	middleMoney = moneyCards[1]
	middleHours = hourCards[1]
)

// Card tiers for the rich-against-poor figures.
const (
	CardPoor   = "poor"
	CardMiddle = "middle"
	CardRich   = "rich"
)

// CardOf names the student's money card.
func CardOf(money int64) string {
	switch {
	case money <= moneyCards[0]:
		return CardPoor
	case money >= moneyCards[2]:
		return CardRich
	}
	return CardMiddle
}

var (
	donationOptions  = []int64{0, 100, 500, 2000}
	volunteerOptions = []int64{0, 2, 5, 10}
	bills            = []int64{300, 500, 700}
)

// Situation is one situation of a round, made from one of the scheme's
// rules. Options are what a student may answer.
type Situation struct {
	Rule        string   `json:"rule"`
	Kind        string   `json:"kind"`
	Description string   `json:"description"` // the rule's words
	Effect      string   `json:"effect"`      // the rule's effect in words
	Visible     bool     `json:"visible"`     // classmates see it and may report it
	Bill        int64    `json:"bill,omitempty"`
	Options     []string `json:"options"`
	detect      float64
	scs.Provenance
}

// rules is a scheme compiled for the game: its situations by kind.
type rules struct {
	eng     *engine.Engine
	scheme  *scs.Scheme
	pool    map[string][]Situation
	kinds   []string // kinds with at least one situation, in a fixed order
	speech  string   // the speech rule, asked every round; "" when none
	inform  string   // the rule that rewards informing; "" when none
	listCap string   // the capability that puts a grade on the public list
}

var allKinds = []string{KindGood, KindSpeech, KindMisconduct, KindBill, KindDonation, KindVolunteer, KindBlood, KindInform}

func compile(eng *engine.Engine) *rules {
	sc := eng.Scheme()
	g := &rules{eng: eng, scheme: sc, pool: map[string][]Situation{}}
	if _, ok := sc.Capability("public-list"); ok {
		g.listCap = "public-list"
	}
	bs := sim.DefaultBehaviours()
	_, idx := sim.Map(sc, bs)
	for i, r := range sc.Rules {
		if idx[i] < 0 {
			continue
		}
		b := bs[idx[i]]
		sit := Situation{Rule: r.ID, Description: r.Description, Effect: r.Effect.Describe(), Provenance: r.Provenance, Options: []string{"yes", "no"}}
		switch b.Kind {
		case sim.KindInforming:
			if g.inform != "" || r.Effect.Kind != scs.EffectFixed || r.Effect.Points <= 0 {
				continue
			}
			// The rule that rewards informing: the reward of a student's
			// report of a classmate, and a situation of its own (a
			// neighbour's violation to report or not).
			g.inform = r.ID
			sit.Kind = KindInform
		case sim.KindGood:
			sit.Kind = KindGood
		case sim.KindSpeech:
			sit.Kind, sit.Visible, sit.detect = KindSpeech, true, b.Detect
			if g.speech == "" {
				g.speech = r.ID
			}
		case sim.KindMisconduct:
			if b.Economic {
				if r.Effect.Kind != scs.EffectFixed {
					continue
				}
				sit.Kind, sit.detect, sit.Options = KindBill, 1, []string{"pay", "late"}
			} else {
				sit.Kind, sit.Visible, sit.detect = KindMisconduct, b.Informable, b.Detect
			}
		case sim.KindDonation:
			sit.Kind = KindDonation
			if r.Effect.NeedsQuantity() {
				sit.Options = amounts(donationOptions)
			}
		case sim.KindVolunteer:
			sit.Kind = KindVolunteer
			if r.Effect.NeedsQuantity() {
				sit.Options = amounts(volunteerOptions)
			}
		case sim.KindBlood:
			sit.Kind = KindBlood
		default:
			continue
		}
		g.pool[sit.Kind] = append(g.pool[sit.Kind], sit)
	}
	// A bill paid late is the mildest of the scheme's economic records:
	// keep only the rules with the fewest points at stake, so that a bill
	// is never a court judgment or a theft.
	if bills := g.pool[KindBill]; len(bills) > 1 {
		least := int64(math.MaxInt64)
		for _, b := range bills {
			r, _ := sc.Rule(b.Rule)
			least = min(least, abs(r.Effect.Points))
		}
		var keep []Situation
		for _, b := range bills {
			if r, _ := sc.Rule(b.Rule); abs(r.Effect.Points) == least {
				keep = append(keep, b)
			}
		}
		g.pool[KindBill] = keep
	}
	for _, k := range allKinds {
		if len(g.pool[k]) > 0 {
			g.kinds = append(g.kinds, k)
		}
	}
	return g
}

func abs(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}

func amounts(vs []int64) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = strconv.FormatInt(v, 10)
	}
	return out
}

// situations returns round's situations for a class seed: the speech
// situation every round (so that criticism can be compared between
// rounds), and 2 to 4 more of other kinds, the same for every student.
func (g *rules) situations(seed int64, round int) []Situation {
	rng := rand.New(rand.NewPCG(uint64(seed), uint64(round)))
	var out []Situation
	if g.speech != "" {
		for _, s := range g.pool[KindSpeech] {
			if s.Rule == g.speech {
				out = append(out, s)
			}
		}
	}
	want := 3 + rng.IntN(3)
	kinds := slices.Clone(g.kinds)
	rng.Shuffle(len(kinds), func(i, j int) { kinds[i], kinds[j] = kinds[j], kinds[i] })
	taken := map[string]bool{g.speech: true}
	for pass := 0; pass < 2 && len(out) < want; pass++ {
		for _, k := range kinds {
			if len(out) >= want {
				break
			}
			var free []Situation
			for _, s := range g.pool[k] {
				if !taken[s.Rule] {
					free = append(free, s)
				}
			}
			if len(free) == 0 || (pass == 0 && k == KindSpeech) {
				continue
			}
			s := free[rng.IntN(len(free))]
			taken[s.Rule] = true
			if s.Kind == KindBill {
				s.Bill = bills[rng.IntN(len(bills))]
			}
			out = append(out, s)
		}
	}
	return out
}

// Spend is what a student's options cost: money and hours.
func spend(s *Situation, option string) (money, hours int64) {
	switch s.Kind {
	case KindBill:
		if option == "pay" {
			return s.Bill, 0
		}
	case KindDonation:
		if n, err := strconv.ParseInt(option, 10, 64); err == nil && len(s.Options) > 2 {
			return n, 0
		}
	case KindVolunteer:
		if n, err := strconv.ParseInt(option, 10, 64); err == nil && len(s.Options) > 2 {
			return 0, n
		}
	}
	return 0, 0
}

// check validates a student's options for the situations: one known
// option for each, within the student's card.
func (g *rules) check(sits []Situation, st *Student, options map[string]string) ([]Choice, error) {
	for k := range options {
		if !slices.ContainsFunc(sits, func(s Situation) bool { return s.Rule == k }) {
			return nil, scs.FieldErrorf(scs.EINVALID, "choices."+k, "not a situation of this round")
		}
	}
	var out []Choice
	var money, hours int64
	for i := range sits {
		s := &sits[i]
		o, ok := options[s.Rule]
		if !ok || o == "" {
			return nil, scs.FieldErrorf(scs.EINVALID, "choices."+s.Rule, "missing: answer every situation (one of %v)", s.Options)
		}
		if !slices.Contains(s.Options, o) {
			return nil, scs.FieldErrorf(scs.EINVALID, "choices."+s.Rule, "%q is not one of %v", o, s.Options)
		}
		m, h := spend(s, o)
		if s.Kind == KindBill && o == "pay" && s.Bill > st.Money {
			return nil, scs.FieldErrorf(scs.EINVALID, "choices."+s.Rule, "the bill is %d yuan and you have %d a week: you cannot pay it on time", s.Bill, st.Money)
		}
		money += m
		hours += h
		out = append(out, Choice{Situation: s.Rule, Option: o})
	}
	if money > st.Money {
		return nil, scs.FieldErrorf(scs.EINVALID, "choices", "these choices cost %d yuan; you have %d a week", money, st.Money)
	}
	if hours > st.Hours {
		return nil, scs.FieldErrorf(scs.EINVALID, "choices", "these choices take %d hours; you have %d free hours a week", hours, st.Hours)
	}
	return out, nil
}

// acts reports whether the option is the act of the situation (the thing
// that can become a record) and its quantity.
func acts(s *Situation, option string) (bool, float64) {
	switch s.Kind {
	case KindBill:
		return option == "late", 1
	case KindDonation, KindVolunteer:
		if len(s.Options) > 2 {
			n, _ := strconv.ParseFloat(option, 64)
			return n > 0, n
		}
	}
	return option == "yes", 1
}

// detected decides, the same way every time, whether an act was seen by
// the department: a hash of the class seed, round, student and rule
// against the behaviour table's detection probability.
func detected(seed int64, round int, student int64, rule string, p float64) bool {
	if p >= 1 {
		return true
	}
	h := fnv.New64a()
	var b [24]byte
	binary.LittleEndian.PutUint64(b[0:], uint64(seed))
	binary.LittleEndian.PutUint64(b[8:], uint64(round))
	binary.LittleEndian.PutUint64(b[16:], uint64(student))
	h.Write(b[:])
	h.Write([]byte(rule))
	return float64(h.Sum64()>>11)/(1<<53) < p
}

// weekStart is the start of round's week: the class's first day, in the
// scheme's zone, plus a week a round.
func (sn *snapshot) weekStart(round int) time.Time {
	loc := sn.rules.scheme.Location
	if loc == nil {
		loc = time.UTC
	}
	y, m, d := sn.class.Created.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, loc).AddDate(0, 0, 7*(round-1))
}

// event makes the event of rule for a student at a time.
func (g *rules) event(id, citizen, rule string, at time.Time, qty float64) scs.Event {
	r, _ := g.scheme.Rule(rule)
	ev := scs.Event{ID: id, Citizen: citizen, Rule: rule, At: at.UTC(), Department: r.Department}
	if r.Effect.NeedsQuantity() {
		ev.Quantity, ev.HasQuantity = qty, true
	}
	if r.Effect.Kind == scs.EffectRange {
		// The game plays the recording official with the middle of the range.
		ev.Points, ev.HasPoints = (r.Effect.Min+r.Effect.Max)/2, true
	}
	return ev
}

// Entry is one line of a student's file in the game: the engine's trail
// entry, the round, the rule's words and source, and how it came about.
type Entry struct {
	Round       int    `json:"round"`
	Via         string `json:"via"` // "choice", "report" (a classmate reported it), "informing" (your report)
	Description string `json:"description"`
	scs.TrailEntry
	scs.Provenance
	// Reasons are the trail entry's reasons as structure (a code and its
	// figures), for a client to word in its own language; Reason has them
	// in English.
	Reasons []scs.Reason `json:"reasons,omitempty"`
}

// Standing is a student's score, grade and lock after a round.
type Standing struct {
	Round        int        `json:"round"`
	Score        int64      `json:"score"`
	Grade        string     `json:"grade"`
	LockedUntil  *time.Time `json:"locked_until,omitempty"`
	Capabilities []string   `json:"capabilities"` // the capabilities the grade has
	OnPublicList bool       `json:"on_public_list"`
}

// result is one student's game as computed.
type result struct {
	student   *Student
	standings []Standing // index r-1: after round r (only rounds played by the class so far)
	entries   []Entry
	visible   map[int][]string // round -> rules of visible acts done
	posted    map[int]bool     // round -> wrote the post (speech)
	recorded  map[int]int      // round -> records from own choices
	played    map[int]bool
	donated   int64
	hours     int64
}

// game is everything computed from a snapshot.
type game struct {
	results []*result
	byID    map[int64]*result
	Rounds  []RoundFigures
}

// play computes the class's game from its snapshot, once per snapshot.
func (sn *snapshot) play() *game {
	sn.once.Do(func() {
		sn.mu.Lock()
		prev, stale := sn.prev, sn.stale
		sn.mu.Unlock()
		sn.game = sn.compute(prev, stale)
		sn.mu.Lock()
		sn.prev, sn.stale = nil, nil
		sn.done.Store(true)
		sn.mu.Unlock()
	})
	return sn.game
}

// compute computes the game: each student's from their choices and the
// reports by and about them, reusing the game of the snapshot this one was
// derived from for every student no write since has touched, then the
// class's figures.
func (sn *snapshot) compute(from *snapshot, stale map[int64]bool) *game {
	g := &game{byID: map[int64]*result{}}
	rounds := sn.class.Round
	sits := make(map[int][]Situation, rounds)
	for r := 1; r <= rounds; r++ {
		sits[r] = sn.rules.situations(sn.class.Seed, r)
	}
	var prev *game
	if from != nil && from.done.Load() && from.class.Round == rounds && from.class.Status == sn.class.Status {
		prev = from.game
	}
	for i := range sn.students {
		st := &sn.students[i]
		var res *result
		if old := prev.result(st.ID); old != nil && !stale[st.ID] {
			cp := *old // its maps and slices are only read
			cp.student = st
			res = &cp
		} else {
			res = sn.result(st, sits)
		}
		g.results = append(g.results, res)
		g.byID[st.ID] = res
	}
	g.Rounds = sn.figures(g, sits)
	return g
}

// result returns the student's result in g (nil when g is nil or has none).
func (g *game) result(id int64) *result {
	if g == nil {
		return nil
	}
	return g.byID[id]
}

// result computes one student's game: the events their choices and the
// reports by and about them make, scored by the engine round by round.
func (sn *snapshot) result(st *Student, sits map[int][]Situation) *result {
	c := &sn.class
	rounds := c.Round
	res := &result{student: st, visible: map[int][]string{}, posted: map[int]bool{}, recorded: map[int]int{}, played: map[int]bool{}}
	var evs []scs.Event
	via := map[string]string{}
	recordedKey := map[string]bool{} // round/rule recorded already
	for _, ch := range sn.choices {
		if ch.Student != st.ID || ch.Round > rounds {
			continue
		}
		res.played[ch.Round] = true
		list := sits[ch.Round]
		k := slices.IndexFunc(list, func(s Situation) bool { return s.Rule == ch.Situation })
		if k < 0 {
			continue
		}
		s := &list[k]
		act, qty := acts(s, ch.Option)
		if !act {
			continue
		}
		if s.Kind == KindSpeech {
			res.posted[ch.Round] = true
		}
		if s.Kind == KindDonation {
			res.donated += int64(qty)
		}
		if s.Kind == KindVolunteer {
			res.hours += int64(qty)
		}
		if s.Visible {
			res.visible[ch.Round] = append(res.visible[ch.Round], s.Rule)
		}
		if s.Kind == KindGood || s.Kind == KindDonation || s.Kind == KindVolunteer || s.Kind == KindBlood || s.Kind == KindInform ||
			detected(c.Seed, ch.Round, ch.Student, s.Rule, s.detect) {
			id := fmt.Sprintf("r%d-%s", ch.Round, s.Rule)
			evs = append(evs, sn.rules.event(id, st.Pseudonym, s.Rule, sn.weekStart(ch.Round).Add(time.Duration(k+9)*time.Hour), qty))
			via[id] = "choice"
			res.recorded[ch.Round]++
			recordedKey[fmt.Sprint(ch.Round, "/", s.Rule)] = true
		}
	}
	for _, rp := range sn.reports {
		if rp.Status == ReportUpheld || rp.Round > rounds || (rp.Target != st.ID && rp.Reporter != st.ID) {
			continue
		}
		at := sn.weekStart(rp.Round).Add(5*24*time.Hour + time.Duration(rp.ID)*time.Second)
		if rp.Target == st.ID {
			key := fmt.Sprint(rp.Round, "/", rp.Rule)
			if !recordedKey[key] {
				recordedKey[key] = true
				id := fmt.Sprintf("report-%d", rp.ID)
				evs = append(evs, sn.rules.event(id, st.Pseudonym, rp.Rule, at, 1))
				via[id] = "report"
			}
		}
		if rp.Reporter == st.ID && sn.rules.inform != "" {
			id := fmt.Sprintf("inform-%d", rp.ID)
			evs = append(evs, sn.rules.event(id, st.Pseudonym, sn.rules.inform, at, 1))
			via[id] = "informing"
		}
	}
	if st.Consent != ConsentGiven {
		return res
	}
	sn.score(res, st, evs, via)
	return res
}

// score applies a consenting student's events through the engine round by
// round, filling res's entries and standings.
func (sn *snapshot) score(res *result, st *Student, evs []scs.Event, via map[string]string) {
	rounds := sn.class.Round
	eng := sn.rules.eng
	sc := sn.rules.scheme
	engine.SortEvents(evs)
	state := eng.NewState(st.Pseudonym)
	k := 0
	for r := 1; r <= rounds; r++ {
		end := sn.weekStart(r + 1).Add(-time.Second)
		for ; k < len(evs) && !evs[k].At.After(end); k++ {
			te, err := eng.Apply(&state, &evs[k])
			if err != nil {
				// The game makes only events the scheme accepts; an error
				// here is a defect, shown in the entry rather than hidden.
				te = scs.TrailEntry{Event: evs[k].ID, Rule: evs[k].Rule, At: evs[k].At, Reason: err.Error()}
			}
			rule, _ := sc.Rule(evs[k].Rule)
			res.entries = append(res.entries, Entry{Round: r, Via: via[evs[k].ID],
				Description: rule.Description, TrailEntry: te, Provenance: rule.Provenance, Reasons: te.Reasons})
		}
		stg := eng.Standing(&state, end)
		s := Standing{Round: r, Score: stg.Score, Grade: stg.Grade}
		if stg.LockedUntil != nil {
			// In the scheme's zone, as the engine's reasons give it.
			t := stg.LockedUntil.In(end.Location())
			s.LockedUntil = &t
		}
		for _, d := range eng.Decisions(&state, end) {
			if d.Allowed {
				s.Capabilities = append(s.Capabilities, d.Capability)
				if d.Capability == sn.rules.listCap {
					s.OnPublicList = true
				}
			}
		}
		res.standings = append(res.standings, s)
	}
}

// start is the standing before any round: the scheme's start score.
func (sn *snapshot) start() Standing {
	sn.startOnce.Do(func() { sn.startV = sn.computeStart() })
	return sn.startV
}

func (sn *snapshot) computeStart() Standing {
	eng := sn.rules.eng
	st := eng.NewState("")
	t := sn.weekStart(1)
	stg := eng.Standing(&st, t)
	s := Standing{Score: stg.Score, Grade: stg.Grade}
	for _, d := range eng.Decisions(&st, t) {
		if d.Allowed {
			s.Capabilities = append(s.Capabilities, d.Capability)
		}
	}
	return s
}
