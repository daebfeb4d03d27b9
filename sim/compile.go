package sim

import (
	"cmp"
	"math"
	"slices"
	"strconv"
	"time"

	"scs"
	"scs/engine"
)

const secondsPerYear = 365.2425 * 86400

// classes of behaviour for the response multipliers.
const (
	clMisconduct = iota
	clSpeech
	clPositive
	clInforming
)

// The kinds of positive act that act treats apart, as numbers.
const (
	kdOther = iota
	kdDonation
	kdBlood
	kdVolunteer
)

type cbeh struct {
	// What an act of it reads (act, offend, give, extra, record) first,
	// together, so that an act touches one or two of its cache lines
	// instead of four.
	op         uint8 // what act does with an act of it (opOffend, ...)
	needsQty   bool
	isRange    bool
	capped     bool // the rule has a yearly cap
	capBlocks  bool // a positive act under a capped rule: earning nothing blocks it (record)
	informable bool
	ruleIdx    int
	detect     float64
	mu         float64   // mean of the Poisson draw of extra units (quantity-1)
	cdf        []float64 // its distribution function, for mu up to 30
	guide      []uint8   // where extra's search of cdf starts, by the uniform's bucket (guideTable)
	class      int
	min, max   int64
	rule       string
	dept       string
	kind       string
	kd         int // kind as a number (kdOther, ...)
	rate       float64
	rc         int
	economic   bool
	needs      int // 0 none, 1 driver, 2 child
	qty        float64
	slopes     [4]float64 // conscientiousness, outspokenness, income, age
	slopeSet   int        // index of slopes in model.slopeSets, -1 when all 0
}

// What act does with an act of a behaviour (cbeh.op), from its class and
// kind: one byte, so that act tells them apart with one load.
const (
	opOffend   = iota // misconduct or speech: offend
	opRecord          // a positive act of no kind of its own: recorded with its extra units
	opDonation        // give's kinds
	opBlood
	opVolunteer
	opNone // informing: never an act of its own (stopped records the reports)
)

// What a citizen has that a behaviour may need (rateEntry.need).
const (
	haveAll    = 1 << iota // every citizen
	haveDriver             // a driver
	haveChild              // a parent
	haveAge                // 55 or younger (blood donation)
)

// rateEntry is what drawing a citizen needs of a behaviour (staticRates),
// compact; its rate is in model.rates.
type rateEntry struct {
	ix [4]uint8 // its factors' indices in worker.fac (compileTraits)
	rc uint8    // rate class (rcNone: never spontaneous)
}

type model struct {
	cfg        Config
	scheme     *scs.Scheme
	eng        *engine.Engine
	mapping    []Mapping
	beh        []cbeh
	inform     int // index in beh of the informing behaviour, -1 none
	start, end time.Time
	yearB      []int64   // Years+1 run-year boundaries, unix seconds
	cuts       [][]int64 // per year: cut points (year start, Jan 1s inside, year end)
	jan1       []bool    // per year: the year starts on Jan 1 in the scheme's zone
	hoods      int
	inSample   []bool // per neighbourhood, with Config.Sample
	list       []int  // the neighbourhoods simulated, in order (nil: lo to hi-1)
	lo, hi     int    // the shard's neighbourhoods (all without a shard)
	base       int
	extra      int
	nG         int
	gradeMin   []int64
	stigmaK    []float64
	unstigma   []float64 // per grade: 1/(1+stigma*stigmaK), the stigma's factor on positive acts
	lowGrade   []bool    // grades without job security
	lists      []List
	jobCap     string
	fearful    bool // the scheme has consequences to fear
	offers     bool // the scheme has something to gain
	startGrade int
	idWidth    int
	expTab     []float64         // exp(-d/farm_scale), d = 0, 1, ...
	fallTab    []float64         // expTab and a last 0 (decay beyond the table)
	speechPow  []float64         // exp(-0.3*chill*n): the chill of n of one's own speech records
	byClass    [4][]int          // behaviours by rate class
	rateTab    []rateEntry       // per behaviour by rate class, in order within a class, for staticRates
	rateK      []int32           // per rateTab entry: its behaviour
	rcEnd      [rcNone + 1]int   // where each rate class's behaviours end in rateTab
	rates      [8][]float64      // per have bits>>1 and behaviour: its rate, 0 when what it needs is lacking
	slopeSets  [][4]float64      // the distinct non-zero trait slopes of the behaviours
	traits     traitTables       // their multipliers' tables
	failHood   func(h int) error // tests: makes the worker of neighbourhood h fail
	p          struct {
		incMedian, incSigma, wSigma, wCorr, drivers, parents                float64
		informants, reach, recruit, detection, deter, farming, farmScale    float64
		stigma, jobLoss, jobIncomeLoss, econEl, chill, donBudget, donMedian float64
		volHours, adapt, quit, trust0, trustLoss, trustRecovery             float64
		partBase, partTrust, partFear, partStability, partOffer             float64
	}

	// Per grade: standingAt by score (standTable).
	stand []standGrade
}

// prepare validates cfg and compiles the model.
func prepare(cfg Config) (*model, error) {
	if err := checkConfig(&cfg); err != nil {
		return nil, err
	}
	m := &model{cfg: cfg, inform: -1}
	zigOnce.Do(zigProbe) // live's exponential draw
	m.params(cfg.Settings)
	m.scheme = cfg.Scheme
	if cfg.Settings.Get("lockins") == 0 {
		m.scheme = withoutLockIns(cfg.Scheme)
	}
	eng, err := engine.New(m.scheme)
	if err != nil {
		return nil, err
	}
	m.eng = eng
	m.nG = len(m.scheme.Grades)
	for _, g := range m.scheme.Grades {
		m.gradeMin = append(m.gradeMin, g.Min)
	}
	st := eng.NewState("")
	m.startGrade = eng.GradeAt(&st, cfg.End)
	if err := m.mechanisms(); err != nil {
		return nil, err
	}
	m.behaviours()
	m.calendar()
	if err := m.neighbourhoods(); err != nil {
		return nil, err
	}
	return m, nil
}

// checkConfig checks cfg and fills in its defaults.
func checkConfig(cfg *Config) error {
	if cfg.Scheme == nil {
		return scs.Errorf(scs.EINVALID, "scheme: missing")
	}
	if cfg.Citizens < 1 || cfg.Citizens > MaxCitizens {
		return scs.Errorf(scs.EINVALID, "citizens: %d is out of range (1 to %d)", cfg.Citizens, MaxCitizens)
	}
	if cfg.Years < 1 || cfg.Years > MaxYears {
		return scs.Errorf(scs.EINVALID, "years: %d is out of range (1 to %d)", cfg.Years, MaxYears)
	}
	if cfg.End.IsZero() {
		return scs.Errorf(scs.EINVALID, "end: missing")
	}
	if cfg.Settings == nil {
		cfg.Settings = Settings{}
	}
	for name, v := range cfg.Settings {
		p, ok := LookupParam(name)
		if !ok {
			return scs.Errorf(scs.EINVALID, "set: unknown parameter %q", name)
		}
		if math.IsNaN(v) || v < p.Min || v > p.Max {
			return scs.Errorf(scs.EINVALID, "set: %s: %v is out of range (%v to %v)", name, v, p.Min, p.Max)
		}
	}
	if cfg.Behaviours == nil {
		cfg.Behaviours = DefaultBehaviours()
	}
	if cfg.Responses == nil {
		cfg.Responses = DefaultResponses()
	}
	if cfg.Sample < 0 || cfg.Sample > 1 || math.IsNaN(cfg.Sample) {
		return scs.Errorf(scs.EINVALID, "sample: %v is not a share from 0 to 1", cfg.Sample)
	}
	if cfg.Shards < 0 || cfg.Shards > MaxShards || (cfg.Shards > 0 && (cfg.Shard < 0 || cfg.Shard >= cfg.Shards)) || (cfg.Shards == 0 && cfg.Shard != 0) {
		return scs.Errorf(scs.EINVALID, "shard: %d/%d is not a shard K/N with 0 <= K < N <= %d", cfg.Shard, cfg.Shards, MaxShards)
	}
	if cfg.SampleOnly && cfg.OnHood != nil && cfg.Sample > 0 && cfg.Sample < 1 {
		return scs.Errorf(scs.EINVALID, "sample: a run of the sample only hands out no neighbourhoods")
	}
	return nil
}

// params reads the model's parameters from the settings.
func (m *model) params(s Settings) {
	m.p.adapt = s.Get("adaptation")
	m.p.quit = s.Get("informant_quit")
	m.p.trust0 = s.Get("trust_start")
	m.p.trustLoss = s.Get("trust_loss")
	m.p.trustRecovery = s.Get("trust_recovery")
	m.p.partBase = s.Get("participation_base")
	m.p.partTrust = s.Get("participation_trust")
	m.p.partFear = s.Get("participation_fear")
	m.p.partStability = s.Get("participation_stability")
	m.p.partOffer = s.Get("participation_offer")
	m.p.incMedian = s.Get("income_median")
	m.p.incSigma = s.Get("income_sigma")
	m.p.wSigma = s.Get("wealth_sigma")
	m.p.wCorr = s.Get("wealth_income_corr")
	m.p.drivers = s.Get("drivers")
	m.p.parents = s.Get("parents")
	m.p.informants = s.Get("informants")
	m.p.reach = s.Get("informant_reach")
	m.p.recruit = s.Get("informant_recruit")
	m.p.detection = s.Get("detection")
	m.p.deter = s.Get("deterrence")
	m.p.farming = s.Get("farming")
	m.p.farmScale = s.Get("farm_scale")
	m.p.stigma = s.Get("stigma")
	m.p.jobLoss = s.Get("job_loss")
	m.p.jobIncomeLoss = s.Get("job_income_loss")
	m.p.econEl = s.Get("econ_elasticity")
	m.p.chill = s.Get("chill")
	m.p.donBudget = s.Get("donation_budget")
	m.p.donMedian = s.Get("donation_median")
	m.p.volHours = s.Get("volunteer_hours")
}

// mechanisms reads what the scheme gives the model to act on: something
// to gain, the lists, job security and something to fear.
func (m *model) mechanisms() error {
	sc, cfg := m.scheme, m.cfg
	for _, c := range sc.Capabilities {
		// Something to gain: a privilege of a grade above the start.
		start := c.Kind != scs.Privilege || c.Has(sc.Grades[m.startGrade].Name)
		for g := 0; g < m.startGrade && !start; g++ {
			if c.Has(sc.Grades[g].Name) {
				m.offers = true
			}
		}
	}
	// Lists and job security come only from the capabilities the scheme
	// declares, through the behaviour table's capability responses: a
	// scheme without them has no stigma and no job loss in the model.
	m.stigmaK = make([]float64, m.nG)
	m.lowGrade = make([]bool, m.nG)
	for _, resp := range cfg.Responses {
		c, ok := sc.Capability(resp.Capability)
		if !ok {
			continue
		}
		// A list is a sanction; job security an entitlement that low
		// grades lose (the capability kinds of the scheme format).
		want := scs.Sanction
		if resp.Response == ResponseJobSecurity {
			want = scs.Entitlement
		}
		if c.Kind != want {
			return scs.Errorf(scs.EINVALID, "responses: capability %s of scheme %s is a %s; the %s response needs a %s", c.Name, sc.Name, c.Kind, resp.Response, want)
		}
		switch resp.Response {
		case ResponseStigma:
			l := List{Capability: c.Name, Public: resp.Public, Weight: resp.Weight}
			for i, g := range sc.Grades {
				if c.Has(g.Name) {
					l.Grades = append(l.Grades, i)
					m.stigmaK[i] = math.Max(m.stigmaK[i], resp.Weight)
				}
			}
			m.lists = append(m.lists, l)
		case ResponseJobSecurity:
			if m.jobCap == "" {
				m.jobCap = c.Name
				for i, g := range sc.Grades {
					m.lowGrade[i] = !c.Has(g.Name)
				}
			}
		}
	}
	// Something to fear: a sanction some grade has, an entitlement some
	// grade loses, or a lock-in.
	for _, c := range sc.Capabilities {
		switch c.Kind {
		case scs.Sanction:
			m.fearful = m.fearful || len(c.Grades) > 0
		case scs.Entitlement:
			m.fearful = m.fearful || len(c.Grades) < m.nG
		}
	}
	for _, g := range cfg.Scheme.Grades {
		// The scheme as given: the lockins=0 counterfactual removes the
		// lock-ins, not the fear of them.
		if !g.LockIn.IsZero() {
			m.fearful = true
		}
	}
	return nil
}

// behaviours compiles the behaviour table against the scheme's rules, and
// the tables of the responses.
func (m *model) behaviours() {
	sc, cfg, s := m.scheme, m.cfg, m.cfg.Settings
	var idx []int
	m.mapping, idx = Map(sc, cfg.Behaviours)
	for i, j := range idx {
		if j < 0 {
			continue
		}
		b := &cfg.Behaviours[j]
		r := &sc.Rules[i]
		c := cbeh{rule: r.ID, ruleIdx: i, dept: r.Department, kind: b.Kind, rate: b.Rate, detect: math.Min(1, b.Detect*m.p.detection),
			informable: b.Informable, economic: b.Economic, qty: b.Quantity,
			needsQty: r.Effect.NeedsQuantity(), isRange: r.Effect.Kind == scs.EffectRange, min: r.Effect.Min, max: r.Effect.Max, capped: r.YearlyCap > 0}
		c.rate *= s.Get("rate." + r.ID)
		switch b.Kind {
		case KindMisconduct:
			c.class = clMisconduct
		case KindSpeech:
			c.class = clSpeech
		case KindInforming:
			c.class = clInforming
			c.rate = 0
			if m.inform < 0 {
				m.inform = len(m.beh)
			}
		case KindDonation:
			c.class, c.kd = clPositive, kdDonation
			c.rate *= s.Get("donations")
		case KindBlood:
			c.class, c.kd = clPositive, kdBlood
		case KindVolunteer:
			c.class, c.kd = clPositive, kdVolunteer
		default:
			c.class = clPositive
		}
		switch b.Needs {
		case "driver":
			c.needs = 1
		case "child":
			c.needs = 2
		}
		for k, t := range Traits {
			c.slopes[k] = b.Traits[t]
		}
		c.slopeSet = -1
		if c.slopes != [4]float64{} {
			c.slopeSet = slices.Index(m.slopeSets, c.slopes)
			if c.slopeSet < 0 {
				c.slopeSet = len(m.slopeSets)
				m.slopeSets = append(m.slopeSets, c.slopes)
			}
		}
		c.op = c.opOf()
		c.capBlocks = c.class == clPositive && c.capped
		c.mu = max(c.qty, 1) - 1
		if c.mu > 0 && c.mu <= 30 {
			c.cdf = poissonCDF(c.mu)
			c.guide = guideTable(c.cdf)
		}
		c.rc = c.rclass()
		if c.rc != rcNone {
			m.byClass[c.rc] = append(m.byClass[c.rc], len(m.beh))
		}
		m.beh = append(m.beh, c)
	}
	m.rateTable()
	for rc := range m.byClass {
		// The largest rates first: pick's search within a class ends sooner.
		slices.SortStableFunc(m.byClass[rc], func(a, b int) int { return cmp.Compare(m.beh[b].rate, m.beh[a].rate) })
	}
	m.compileTraits()
	for _, k := range m.stigmaK {
		m.unstigma = append(m.unstigma, 1/(1+m.p.stigma*k))
	}
	for d := 0; d < 1<<16; d++ {
		v := math.Exp(-float64(d) / m.p.farmScale)
		if v < 1e-9 {
			break
		}
		m.expTab = append(m.expTab, v)
	}
	m.fallTab = append(slices.Clone(m.expTab), 0)
	m.standTable()
	for i := 0; i < 64; i++ {
		m.speechPow = append(m.speechPow, math.Exp(-0.3*m.p.chill*float64(i)))
	}
}

// calendar computes the run's year boundaries and the calendar years
// inside each run year, in the scheme's zone.
func (m *model) calendar() {
	cfg := m.cfg
	m.end = cfg.End
	m.start = cfg.End.AddDate(-cfg.Years, 0, 0)
	for y := 0; y <= cfg.Years; y++ {
		m.yearB = append(m.yearB, cfg.End.AddDate(y-cfg.Years, 0, 0).Unix())
	}
	loc := m.scheme.Location
	if loc == nil {
		loc = time.UTC
	}
	for y := 0; y < cfg.Years; y++ {
		a, b := m.yearB[y], m.yearB[y+1]
		cuts := []int64{a}
		for yr := time.Unix(a, 0).In(loc).Year(); ; yr++ {
			j := time.Date(yr+1, 1, 1, 0, 0, 0, 0, loc).Unix()
			if j >= b {
				break
			}
			if j > a {
				cuts = append(cuts, j)
			}
		}
		m.cuts = append(m.cuts, append(cuts, b))
		t := time.Unix(a, 0).In(loc)
		m.jan1 = append(m.jan1, t.YearDay() == 1 && t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0)
	}
}

// neighbourhoods divides the population into neighbourhoods and draws the
// sample of them.
func (m *model) neighbourhoods() error {
	cfg := m.cfg
	hs := int(cfg.Settings.Get("hood_size"))
	m.hoods = (cfg.Citizens + hs - 1) / hs
	m.base = cfg.Citizens / m.hoods
	m.extra = cfg.Citizens % m.hoods
	m.idWidth = len(strconv.Itoa(cfg.Citizens))
	m.lo, m.hi = 0, m.hoods
	if cfg.Shards > 1 {
		if cfg.Shards > m.hoods {
			return scs.Errorf(scs.EINVALID, "shards: %d shards of %d neighbourhoods: at most one shard per neighbourhood", cfg.Shards, m.hoods)
		}
		m.lo = int(int64(cfg.Shard) * int64(m.hoods) / int64(cfg.Shards))
		m.hi = int(int64(cfg.Shard+1) * int64(m.hoods) / int64(cfg.Shards))
	}
	if cfg.Sample > 0 && cfg.Sample < 1 {
		m.inSample = make([]bool, m.hoods)
		k := splitmix64(cfg.Seed ^ 0x73616d706c65)
		any := false
		for h := range m.hoods {
			u := float64(splitmix64(k^splitmix64(uint64(h)+1))>>11) / (1 << 53)
			m.inSample[h] = u < cfg.Sample
			any = any || m.inSample[h]
		}
		if !any {
			m.inSample[0] = true
		}
		if cfg.SampleOnly {
			for h := m.lo; h < m.hi; h++ {
				if m.inSample[h] {
					m.list = append(m.list, h)
				}
			}
			if m.list == nil {
				m.list = []int{} // a shard without a sampled neighbourhood
			}
		}
	}
	return nil
}

// withoutLockIns returns a copy of s in which no grade has a lock-in.
func withoutLockIns(s *scs.Scheme) *scs.Scheme {
	c := *s
	c.Grades = slices.Clone(s.Grades)
	for i := range c.Grades {
		c.Grades[i].LockIn = scs.Period{}
	}
	c.Index()
	return &c
}

// Rate classes: the static rates of a citizen's behaviours are summed by
// class, so that the total rate is four products however many rules the
// scheme has.
const (
	rcMisconduct = iota // misconduct, not economic
	rcEconomic          // economic misconduct
	rcSpeech
	rcPositive
	rcNone // informing: never spontaneous
)

// opOf returns what act does with an act of b (cbeh.op).
func (b *cbeh) opOf() uint8 {
	switch {
	case b.class == clMisconduct || b.class == clSpeech:
		return opOffend
	case b.class != clPositive:
		return opNone
	}
	return [...]uint8{kdOther: opRecord, kdDonation: opDonation, kdBlood: opBlood, kdVolunteer: opVolunteer}[b.kd]
}

func (b *cbeh) rclass() int {
	switch b.class {
	case clMisconduct:
		if b.economic {
			return rcEconomic
		}
		return rcMisconduct
	case clSpeech:
		return rcSpeech
	case clPositive:
		return rcPositive
	}
	return rcNone
}

// poissonCDF returns P(X <= k) for k = 0, 1, ... until it reaches 1 to
// within 1e-12, for X Poisson with mean mu.
func poissonCDF(mu float64) []float64 {
	var out []float64
	p := math.Exp(-mu)
	c := 0.0
	for k := 0; c < 1-1e-12 && k < 200; k++ {
		if k > 0 {
			p *= mu / float64(k)
		}
		c += p
		out = append(out, c)
	}
	return out
}

// guideBuckets is the number of buckets of a guide table, a power of two
// so that a uniform times it is exact.
const guideBuckets = 64

// guideTable returns the guide table of a distribution function cdf (at
// most 255 entries): for each bucket j of [0, 1), the first k with
// cdf[k] > j/guideBuckets. A uniform u in bucket j = int(u*guideBuckets)
// has u >= cdf[k] for every k below it, so the first k with u < cdf[k] is
// found by a search that starts there (usually at once) instead of at 0.
func guideTable(cdf []float64) []uint8 {
	g := make([]uint8, guideBuckets)
	k := 0
	for j := range g {
		for k < len(cdf) && cdf[k] <= float64(j)/guideBuckets {
			k++
		}
		g[j] = uint8(k)
	}
	return g
}

// guided returns the first k with u < cdf[k] (len(cdf) when there is
// none) for a uniform u in [0, 1), searched from where g, cdf's guide
// table, starts u's bucket.
func guided(cdf []float64, g []uint8, u float64) int {
	k := int(g[int(u*guideBuckets)&(guideBuckets-1)])
	for k < len(cdf) && u >= cdf[k] {
		k++
	}
	return k
}

func (m *model) size(h int) int {
	if h < m.extra {
		return m.base + 1
	}
	return m.base
}

func (m *model) offset(h int) int { return h*m.base + min(h, m.extra) }

// splitmix64 derives independent stream seeds from the run's seed.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// rateTable makes m.rateTab, m.rcEnd and m.rates from m.beh: the
// behaviours grouped by rate class, in their order within a class, so
// that staticRates sums a class in order in a register.
func (m *model) rateTable() {
	m.rateTab, m.rateK = m.rateTab[:0], m.rateK[:0]
	for h := range m.rates {
		m.rates[h] = m.rates[h][:0]
	}
	for rc := range m.rcEnd {
		for k, b := range m.beh {
			if b.rc == rc {
				m.rate(k)
			}
		}
		m.rcEnd[rc] = len(m.rateTab)
	}
}

// rate adds behaviour k to m.rateTab and m.rates.
func (m *model) rate(k int) {
	b := &m.beh[k]
	m.rateTab, m.rateK = append(m.rateTab, rateEntry{rc: uint8(b.rc)}), append(m.rateK, int32(k))
	need := uint8(haveAll)
	switch b.needs {
	case 1:
		need |= haveDriver
	case 2:
		need |= haveChild
	}
	if b.kd == kdBlood {
		need |= haveAge
	}
	for h := range m.rates {
		r := b.rate
		if have := uint8(h<<1 | haveAll); need&have != need {
			r = 0
		}
		m.rates[h] = append(m.rates[h], r)
	}
}
