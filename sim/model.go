// Package sim is the population simulator: a synthetic city (or country) of
// citizens with traits, the conduct behind each rule of a scheme, the
// citizens' responses to the scheme (deterrence, farming, stigma, job loss,
// chilled speech, informants), and the metrics of a run.
//
// Points are decided only by the engine: the simulator makes events, calls
// engine.Step (Apply without the trail text) on each citizen's State in time
// order, and reads the standing back with GradeAt to decide how people
// respond. Neighbourhoods
// are simulated independently, each with its own random streams, so a run
// gives the same results whatever the number of workers, and a population
// too large for memory is streamed one neighbourhood at a time.
// docs/model.md describes the model in the ODD form.
package sim

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"scs"
	"scs/engine"
)

// MaxCitizens is the largest population a run accepts (China: 1.41e9).
const MaxCitizens = 2_000_000_000

// MaxYears is the longest horizon a run accepts.
const MaxYears = 100

// EventMode says which records a run hands to Config.OnHood.
type EventMode int

// The event modes.
const (
	NoEvents     EventMode = iota
	ScoredEvents           // records of citizens who opted in
	AllEvents              // every record, opted in or not
)

// Config is one run of the model.
type Config struct {
	Scheme     *scs.Scheme
	Behaviours []Behaviour // nil: DefaultBehaviours()
	Responses  []Response  // nil: DefaultResponses(); the capability responses
	Settings   Settings
	Citizens   int
	Years      int
	Seed       uint64
	End        time.Time // the run ends here and starts Years before
	Workers    int       // 0: GOMAXPROCS

	// Rows asks for one CitizenRow per citizen in HoodOutput; Events for
	// the records. OnHood, when set, receives every neighbourhood's
	// output, from one goroutine, in neighbourhood order.
	Rows   bool
	Events EventMode
	OnHood func(*HoodOutput) error
	// Progress, when set, is called from one goroutine now and then with
	// the citizens done so far.
	Progress func(done int64)
	// Sample, above 0 and below 1, names a random sample of about that
	// share of the neighbourhoods, drawn from Seed (so the same for every
	// run of a seed); the Result carries the sample's metrics apart
	// (SampleMetrics). With SampleOnly only the sample is simulated, and
	// Metrics and Citizens are the sample's.
	Sample     float64
	SampleOnly bool
}

// HoodOutput is what one neighbourhood hands to Config.OnHood.
type HoodOutput struct {
	Index  int
	Name   string
	Rows   []CitizenRow
	Events []scs.Event // in the order the engine applied them per citizen
}

// CitizenRow is one citizen's traits and final state at the end of a run.
type CitizenRow struct {
	ID            string  `parquet:"id" json:"id"`
	Name          string  `parquet:"name" json:"name"`
	Neighbourhood string  `parquet:"neighbourhood" json:"neighbourhood"`
	BirthYear     int32   `parquet:"birth_year" json:"birth_year"`
	Income0       float64 `parquet:"income_start" json:"income_start"`
	Income        float64 `parquet:"income_end" json:"income_end"`
	Wealth        float64 `parquet:"wealth" json:"wealth"`
	WealthDecile  int32   `parquet:"wealth_decile" json:"wealth_decile"`
	Conscientious float64 `parquet:"conscientiousness" json:"conscientiousness"`
	Outspoken     float64 `parquet:"outspokenness" json:"outspokenness"`
	Driver        bool    `parquet:"driver" json:"driver"`
	Parent        bool    `parquet:"parent" json:"parent"`
	Consent       bool    `parquet:"consent" json:"consent"`
	Informant     bool    `parquet:"informant" json:"informant"`
	JobLost       bool    `parquet:"job_lost" json:"job_lost"`
	Records       int32   `parquet:"records" json:"records"`
	Score         int64   `parquet:"score,optional" json:"score"`
	Grade         string  `parquet:"grade" json:"grade"`         // "" when unscored
	LockedUntil   int64   `parquet:"locked_until_unix" json:"-"` // 0 when none
}

// Result is what a run returns.
type Result struct {
	Scheme     *scs.Scheme // the scheme as run (lock-ins removed when lockins=0)
	Given      *scs.Scheme // the scheme as given
	Settings   Settings
	Citizens   int
	Years      int
	Seed       uint64
	Start, End time.Time
	Hoods      int
	Mapping    []Mapping
	Metrics    *Metrics
	Elapsed    time.Duration
	Events     int64 // records applied or counted
	// Mechanisms: what the scheme, through the capability responses,
	// gives the model to act on.
	Lists         []List // the scheme's capabilities that are lists (response stigma)
	Listed        []bool // per grade: on at least one list
	JobSecurity   string // the capability whose lack risks the job, "" for none
	NoJobSecurity []bool // per grade: falling into it risks the job
	Consequences  bool   // the scheme has lock-ins, lists or job loss (fear has an object)
	Offers        bool   // a grade above the start has a capability the start lacks
	// With Config.Sample: the sample's metrics, citizens and
	// neighbourhoods (nil, 0, 0 without a sample).
	SampleMetrics               *Metrics
	SampleCitizens, SampleHoods int
}

// SampleView returns the run as seen on its sample of neighbourhoods: r
// itself when the run has no separate sample.
func (r *Result) SampleView() *Result {
	if r.SampleMetrics == nil {
		return r
	}
	v := *r
	v.Metrics, v.Citizens, v.Hoods = r.SampleMetrics, r.SampleCitizens, r.SampleHoods
	v.SampleMetrics = nil
	return &v
}

// List is one capability of the scheme that the model treats as a list.
type List struct {
	Capability string
	Public     bool
	Weight     float64
	Grades     []int
}

const secondsPerYear = 365.2425 * 86400

// classes of behaviour for the response multipliers.
const (
	clMisconduct = iota
	clSpeech
	clPositive
	clInforming
)

type cbeh struct {
	rule       string
	ruleIdx    int
	dept       string
	kind       string
	class      int
	rate       float64
	mu         float64   // mean of the Poisson draw of extra units (quantity-1)
	cdf        []float64 // its distribution function, for mu up to 30
	rc         int
	detect     float64
	informable bool
	economic   bool
	needs      int // 0 none, 1 driver, 2 child
	qty        float64
	slopes     [4]float64 // conscientiousness, outspokenness, income, age
	needsQty   bool
	isRange    bool
	capped     bool // the rule has a yearly cap
	min, max   int64
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
	list       []int  // the neighbourhoods simulated, in order (nil: all)
	base       int
	extra      int
	nG         int
	gradeMin   []int64
	stigmaK    []float64
	lowGrade   []bool // grades without job security
	lists      []List
	jobCap     string
	fearful    bool // the scheme has consequences to fear
	offers     bool // the scheme has something to gain
	startGrade int
	idWidth    int
	expTab     []float64 // exp(-d/farm_scale), d = 0, 1, ...
	speechPow  []float64 // exp(-0.3*chill*n): the chill of n of one's own speech records
	byClass    [4][]int  // behaviours by rate class
	p          struct {
		incMedian, incSigma, wSigma, wCorr, drivers, parents                float64
		informants, reach, recruit, detection, deter, farming, farmScale    float64
		stigma, jobLoss, jobIncomeLoss, econEl, chill, donBudget, donMedian float64
		volHours, adapt, quit, trust0, trustLoss, trustRecovery             float64
		partBase, partTrust, partFear, partStability, partOffer             float64
	}
}

// prepare validates cfg and compiles the model.
func prepare(cfg Config) (*model, error) {
	if cfg.Scheme == nil {
		return nil, scs.Errorf(scs.EINVALID, "scheme: missing")
	}
	if cfg.Citizens < 1 || cfg.Citizens > MaxCitizens {
		return nil, scs.Errorf(scs.EINVALID, "citizens: %d is out of range (1 to %d)", cfg.Citizens, MaxCitizens)
	}
	if cfg.Years < 1 || cfg.Years > MaxYears {
		return nil, scs.Errorf(scs.EINVALID, "years: %d is out of range (1 to %d)", cfg.Years, MaxYears)
	}
	if cfg.End.IsZero() {
		return nil, scs.Errorf(scs.EINVALID, "end: missing")
	}
	if cfg.Settings == nil {
		cfg.Settings = Settings{}
	}
	for name, v := range cfg.Settings {
		p, ok := LookupParam(name)
		if !ok {
			return nil, scs.Errorf(scs.EINVALID, "set: unknown parameter %q", name)
		}
		if math.IsNaN(v) || v < p.Min || v > p.Max {
			return nil, scs.Errorf(scs.EINVALID, "set: %s: %v is out of range (%v to %v)", name, v, p.Min, p.Max)
		}
	}
	if cfg.Behaviours == nil {
		cfg.Behaviours = DefaultBehaviours()
	}
	m := &model{cfg: cfg, inform: -1}
	s := cfg.Settings
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

	m.scheme = cfg.Scheme
	if s.Get("lockins") == 0 {
		m.scheme = withoutLockIns(cfg.Scheme)
	}
	eng, err := engine.New(m.scheme)
	if err != nil {
		return nil, err
	}
	m.eng = eng
	sc := m.scheme
	m.nG = len(sc.Grades)
	for _, g := range sc.Grades {
		m.gradeMin = append(m.gradeMin, g.Min)
	}
	st := eng.NewState("")
	m.startGrade = eng.GradeAt(&st, cfg.End)
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
	if cfg.Responses == nil {
		cfg.Responses = DefaultResponses()
		m.cfg.Responses = cfg.Responses
	}
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
			return nil, scs.Errorf(scs.EINVALID, "responses: capability %s of scheme %s is a %s; the %s response needs a %s", c.Name, sc.Name, c.Kind, resp.Response, want)
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
		default:
			c.class = clPositive
		}
		if b.Kind == KindDonation {
			c.rate *= s.Get("donations")
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
		c.mu = max(c.qty, 1) - 1
		if c.mu > 0 && c.mu <= 30 {
			c.cdf = poissonCDF(c.mu)
		}
		c.rc = c.rclass()
		if c.rc != rcNone {
			m.byClass[c.rc] = append(m.byClass[c.rc], len(m.beh))
		}
		m.beh = append(m.beh, c)
	}
	for d := 0; d < 1<<16; d++ {
		v := math.Exp(-float64(d) / m.p.farmScale)
		if v < 1e-9 {
			break
		}
		m.expTab = append(m.expTab, v)
	}
	for i := 0; i < 64; i++ {
		m.speechPow = append(m.speechPow, math.Exp(-0.3*m.p.chill*float64(i)))
	}

	m.end = cfg.End
	m.start = cfg.End.AddDate(-cfg.Years, 0, 0)
	for y := 0; y <= cfg.Years; y++ {
		m.yearB = append(m.yearB, cfg.End.AddDate(y-cfg.Years, 0, 0).Unix())
	}
	loc := sc.Location
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
	hs := int(s.Get("hood_size"))
	m.hoods = (cfg.Citizens + hs - 1) / hs
	m.base = cfg.Citizens / m.hoods
	m.extra = cfg.Citizens % m.hoods
	m.idWidth = len(strconv.Itoa(cfg.Citizens))
	if cfg.Sample < 0 || cfg.Sample > 1 || math.IsNaN(cfg.Sample) {
		return nil, scs.Errorf(scs.EINVALID, "sample: %v is not a share from 0 to 1", cfg.Sample)
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
			if cfg.OnHood != nil {
				return nil, scs.Errorf(scs.EINVALID, "sample: a run of the sample only hands out no neighbourhoods")
			}
			for h, in := range m.inSample {
				if in {
					m.list = append(m.list, h)
				}
			}
		}
	}
	return m, nil
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

// Simulate runs the model. It returns an scs.EINVALID error for a bad
// configuration, ctx's error when cancelled, and the first error OnHood
// returns.
func Simulate(ctx context.Context, cfg Config) (*Result, error) {
	m, err := prepare(cfg)
	if err != nil {
		return nil, err
	}
	return m.run(ctx)
}

func (m *model) run(ctx context.Context) (*Result, error) {
	began := time.Now()
	workers := m.cfg.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	count := m.hoods
	if m.list != nil {
		count = len(m.list)
	}
	workers = min(workers, count)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	var next atomic.Int64
	var done atomic.Int64
	var events atomic.Int64
	ordered := m.cfg.OnHood != nil
	outs := make(chan *HoodOutput, 4*workers)
	var firstErr error
	var errOnce sync.Once
	fail := func(err error) {
		errOnce.Do(func() { firstErr = err; cancel() })
	}
	total := newMetrics(m.cfg.Years, m.nG, len(m.scheme.Rules), m.scheme.Floor)
	sample := newMetrics(m.cfg.Years, m.nG, len(m.scheme.Rules), m.scheme.Floor)
	var mu sync.Mutex
	var wg sync.WaitGroup
	// The window bounds how far workers may run ahead of the neighbourhood
	// the ordered writer waits for, so that memory stays bounded.
	window := make(chan struct{}, 8*workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			wk := newWorker(m)
			for {
				if ctx.Err() != nil {
					break
				}
				if ordered {
					select {
					case window <- struct{}{}:
					case <-ctx.Done():
					}
					if ctx.Err() != nil {
						break
					}
				}
				h := int(next.Add(1) - 1)
				if h >= count {
					if ordered {
						<-window
					}
					break
				}
				if m.list != nil {
					h = m.list[h]
				}
				out, err := wk.hood(h)
				if err != nil {
					fail(err)
					break
				}
				done.Add(int64(m.size(h)))
				if ordered {
					select {
					case outs <- out:
					case <-ctx.Done():
					}
				}
			}
			events.Add(wk.events)
			mu.Lock()
			total.Merge(wk.metAll)
			total.Merge(wk.metSample)
			sample.Merge(wk.metSample)
			mu.Unlock()
		}()
	}
	go func() { wg.Wait(); close(outs) }()

	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	pending := map[int]*HoodOutput{}
	want := 0
	for open := true; open; {
		select {
		case out, ok := <-outs:
			if !ok {
				open = false
				break
			}
			pending[out.Index] = out
			for {
				o, ok := pending[want]
				if !ok {
					break
				}
				delete(pending, want)
				want++
				<-window
				if firstErr == nil {
					if err := m.cfg.OnHood(o); err != nil {
						fail(err)
					}
				}
			}
		case <-tick.C:
			if m.cfg.Progress != nil {
				m.cfg.Progress(done.Load())
			}
		}
	}
	if firstErr != nil {
		return nil, firstErr
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if m.cfg.Progress != nil {
		m.cfg.Progress(done.Load())
	}
	res := &Result{Scheme: m.scheme, Given: m.cfg.Scheme, Settings: m.cfg.Settings, Citizens: m.cfg.Citizens, Years: m.cfg.Years, Seed: m.cfg.Seed,
		Start: m.start, End: m.end, Hoods: m.hoods, Mapping: m.mapping, Metrics: total, Elapsed: time.Since(began), Events: events.Load(),
		Lists: m.lists, JobSecurity: m.jobCap, Consequences: m.fearful, Offers: m.offers}
	res.Listed = make([]bool, m.nG)
	for g, k := range m.stigmaK {
		res.Listed[g] = k > 0
	}
	if m.jobCap != "" {
		res.NoJobSecurity = slices.Clone(m.lowGrade)
	} else {
		res.NoJobSecurity = make([]bool, m.nG)
	}
	if m.inSample != nil {
		for h, in := range m.inSample {
			if in {
				res.SampleHoods++
				res.SampleCitizens += m.size(h)
			}
		}
		if m.list != nil {
			res.Citizens, res.Hoods = res.SampleCitizens, res.SampleHoods
		} else {
			res.SampleMetrics = sample
		}
	}
	return res, nil
}

func (m *model) size(h int) int {
	if h < m.extra {
		return m.base + 1
	}
	return m.base
}

func (m *model) offset(h int) int { return h*m.base + min(h, m.extra) }

// citizen is one person during a run.
type citizen struct {
	st                    scs.State
	idx                   int
	age                   int
	income0, income, econ float64
	wealth                float64
	z                     [4]float64 // conscientiousness, outspokenness, income, age
	zWealth               float64
	decile                int
	driver, parent        bool
	consent, informant    bool
	employed, jobLost     bool
	everLow               bool    // fell into a grade without job security
	reported              int     // acts of theirs reported by an informant this year
	trust                 float64 // trust in neighbours, 0 to 1
	listedSince           int64   // when they entered a listed grade, -1 when not listed
	grade                 int     // current grade, -1 unscored
	records               int32
	speech                int // own speech records, halved each year (memory)
	spent, hours          float64
	donScale              float64 // median donation at the current income, 0 until needed
	blood                 int
	static                []float64
	blocked               []bool
	sums                  [4]float64 // unblocked static rates by rate class
	nblocked              int
	entered               []int64
}

type report struct {
	who int
	at  int64
}

// worker simulates neighbourhoods one at a time, reusing its buffers.
type worker struct {
	m                 *model
	met               *Metrics // metAll or metSample: where the current neighbourhood counts
	metAll, metSample *Metrics
	rt, rd            *rand.Rand
	pt, pd            *rand.PCG
	cs                []citizen
	static            []float64
	blocked           []bool
	entered           []int64
	cw                [4]float64
	total             float64
	dirty             bool
	reports           []report
	order             []int
	infs              []int
	events            int64
	out               *HoodOutput
	seq               int
	hi                int
	year              int
	// neighbourhood aggregates for the current year
	pInf, risk, speechMult float64
	cost                   float64 // the speech cost citizens perceive (damped)
	speechRecs             int
	posMult                float64 // the positive-act multiplier of the citizen whose rates are current
}

func newWorker(m *model) *worker {
	w := &worker{m: m, metAll: newMetrics(m.cfg.Years, m.nG, len(m.scheme.Rules), m.scheme.Floor),
		metSample: newMetrics(m.cfg.Years, m.nG, len(m.scheme.Rules), m.scheme.Floor)}
	w.met = w.metAll
	w.pt = rand.NewPCG(0, 0)
	w.pd = rand.NewPCG(0, 0)
	w.rt = rand.New(w.pt)
	w.rd = rand.New(w.pd)
	return w
}

// splitmix64 derives independent stream seeds from the run's seed.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

func (w *worker) seed(h int) {
	s := w.m.cfg.Seed
	k := splitmix64(s ^ splitmix64(uint64(h)+1))
	w.pt.Seed(splitmix64(k^1), splitmix64(k^2))
	w.pd.Seed(splitmix64(k^3), splitmix64(k^4))
}

// HoodName returns the name of neighbourhood h.
func HoodName(h int) string { return fmt.Sprintf("n-%05d", h+1) }

func (m *model) citizenID(i int) string {
	b := make([]byte, 0, 2+m.idWidth)
	b = append(b, 'c', '-')
	s := strconv.Itoa(i + 1)
	for k := len(s); k < m.idWidth; k++ {
		b = append(b, '0')
	}
	return string(append(b, s...))
}

func (w *worker) hood(h int) (*HoodOutput, error) {
	m := w.m
	n := m.size(h)
	w.seed(h)
	w.hi = h
	w.seq = 0
	w.speechRecs = 0
	w.cost = 0.3
	K := len(m.beh)
	if cap(w.cs) < n {
		w.cs = make([]citizen, n)
		w.static = make([]float64, n*K)
		w.blocked = make([]bool, n*K)
		w.entered = make([]int64, n*m.nG)
	}
	w.cs = w.cs[:n]
	w.out = nil
	if m.cfg.OnHood != nil {
		w.out = &HoodOutput{Index: h, Name: HoodName(h)}
	}
	w.traits(h, n)
	w.met = w.metAll
	if m.inSample != nil && m.inSample[h] {
		w.met = w.metSample
	}
	met := w.met
	met.Citizens += int64(n)
	for i := range w.cs {
		c := &w.cs[i]
		if c.consent {
			met.Scored++
			met.GradeCounts[0][c.grade]++
		}
	}
	shareLow := 0.0
	for y := 0; y < m.cfg.Years; y++ {
		w.year = y
		// Recruitment of informants at the start of each later year, and
		// informants who stop.
		if y > 0 && (m.p.recruit > 0 || m.p.quit > 0) {
			for i := range w.cs {
				c := &w.cs[i]
				if c.informant {
					if m.p.quit > 0 && w.rd.Float64() < m.p.quit {
						c.informant = false
					}
				} else if c.consent && m.p.recruit > 0 {
					if w.rd.Float64() < m.p.recruit*w.farm(c) {
						c.informant = true
					}
				}
			}
		}
		w.infs = w.infs[:0]
		for i := range w.cs {
			c := &w.cs[i]
			if c.informant {
				w.infs = append(w.infs, i)
			}
			c.speech >>= 1
			c.reported = 0
		}
		w.pInf = 1 - math.Pow(1-m.p.reach, float64(len(w.infs)))
		// The aggregates citizens perceive move part of the way (adaptation)
		// towards what they saw last year, so that responses settle instead
		// of swinging from year to year.
		risk := 0.3 + w.pInf + 2*shareLow
		cost := 0.3 + 20*float64(w.speechRecs)/float64(n)
		if y == 0 {
			w.risk = risk
		} else {
			w.risk += m.p.adapt * (risk - w.risk)
			w.cost += m.p.adapt * (cost - w.cost)
		}
		w.speechMult = math.Exp(-m.p.chill * w.cost)
		w.speechRecs = 0
		// Start-of-year grades for the mobility matrix.
		gStart := w.order[:0]
		for i := range w.cs {
			c := &w.cs[i]
			// c.grade is the grade at the start of the year: the year-end
			// count below refreshed it from the engine.
			gStart = append(gStart, c.grade)
		}
		w.order = gStart
		w.reports = w.reports[:0]
		// Non-informants first: their acts can be reported by informants,
		// whose reports are applied after, in time order.
		for i := range w.cs {
			if !w.cs[i].informant {
				if err := w.live(&w.cs[i], y, nil); err != nil {
					return nil, err
				}
			}
		}
		slices.SortStableFunc(w.reports, func(a, b report) int {
			if a.who != b.who {
				return a.who - b.who
			}
			return int(a.at - b.at)
		})
		ri := 0
		for _, i := range w.infs {
			lo := ri
			for ri < len(w.reports) && w.reports[ri].who == i {
				ri++
			}
			if err := w.live(&w.cs[i], y, w.reports[lo:ri]); err != nil {
				return nil, err
			}
		}
		// Trust in neighbours: falls with the informant reports made in the
		// neighbourhood this year (per 100 citizens) and with being reported
		// oneself, and recovers part of the way to where it started.
		exposure := 100 * float64(len(w.reports)) / float64(n)
		var trust int64
		for i := range w.cs {
			c := &w.cs[i]
			if m.p.trustLoss > 0 && (exposure > 0 || c.reported > 0) {
				c.trust *= math.Exp(-m.p.trustLoss * (exposure + 10*float64(c.reported)))
			}
			c.trust += m.p.trustRecovery * (m.p.trust0 - c.trust)
			trust += int64(math.Round(1e6 * c.trust))
		}
		met.TrustMicro[y] += trust
		// Year-end counts.
		end := time.Unix(m.yearB[y+1], 0)
		low := 0
		scored := 0
		for i := range w.cs {
			c := &w.cs[i]
			if !c.consent {
				continue
			}
			scored++
			g := c.grade
			if c.st.LockGrade >= 0 {
				// Only a lock can change the grade without a record.
				g = m.eng.GradeAt(&c.st, end)
			}
			if g != c.grade {
				w.transition(c, g, m.yearB[y+1])
			}
			met.GradeCounts[y+1][g]++
			met.Mobility[y][w.order[i]*m.nG+g]++
			if m.stigmaK[g] > 0 {
				low++
			}
		}
		if scored > 0 {
			shareLow = float64(low) / float64(scored)
		}
		infs := 0
		for i := range w.cs {
			if w.cs[i].informant {
				infs++
			}
		}
		met.Informants[y] += int64(infs)
		if infs > 0 {
			met.InformantHoods[y] += int64(n)
		}
	}
	// Final state.
	endS := m.yearB[m.cfg.Years]
	for i := range w.cs {
		c := &w.cs[i]
		if c.listedSince >= 0 {
			met.ListedSeconds += endS - c.listedSince
		}
		if c.everLow {
			met.FellCount++
			met.FellIncome0 += int64(c.income0)
			met.FellIncome += int64(c.income)
		}
		if c.consent {
			for g := range m.nG {
				if t := c.entered[g]; t >= 0 {
					mo := months(endS - t)
					met.Survival[g][mo*2+1]++
				}
			}
			g := c.grade
			met.DecileCount[c.decile]++
			met.DecileScore[c.decile] += c.st.Score
			met.DecileGrade[c.decile*m.nG+g]++
			b := c.st.Score - m.scheme.Floor
			b = max(0, min(b, scoreHistLen-1))
			met.ScoreHist[b]++
			if m.lowGrade[g] {
				met.LowCount++
				met.LowIncome0 += int64(c.income0)
				met.LowIncome += int64(c.income)
			}
		}
		if c.jobLost {
			met.JobLosses++
		}
		if w.out != nil && m.cfg.Rows {
			w.out.Rows = append(w.out.Rows, w.row(h, c))
		}
	}
	return w.out, nil
}

func months(d int64) int { return int(float64(d) / (secondsPerYear / 12)) }

func (w *worker) row(h int, c *citizen) CitizenRow {
	m := w.m
	r := CitizenRow{ID: m.citizenID(m.offset(h) + c.idx), Name: syntheticName(w.rt), Neighbourhood: HoodName(h),
		BirthYear: int32(time.Unix(m.yearB[0], 0).UTC().Year() - c.age), Income0: math.Round(c.income0), Income: math.Round(c.income),
		Wealth: math.Round(c.wealth), WealthDecile: int32(c.decile + 1), Conscientious: c.z[0], Outspoken: c.z[1],
		Driver: c.driver, Parent: c.parent, Consent: c.consent, Informant: c.informant, JobLost: c.jobLost, Records: c.records}
	if c.consent {
		r.Score = c.st.Score
		r.Grade = m.scheme.Grades[c.grade].Name
		if c.st.LockGrade >= 0 && m.end.Before(c.st.LockedUntil) {
			r.LockedUntil = c.st.LockedUntil.Unix()
		}
	}
	return r
}

// traits draws the neighbourhood's citizens from the traits stream.
func (w *worker) traits(h, n int) {
	m := w.m
	r := w.rt
	K := len(m.beh)
	zeal := math.Exp(0.5*r.NormFloat64() - 0.125)
	rho := m.p.wCorr
	for i := range n {
		c := &w.cs[i]
		*c = citizen{idx: i, grade: -1, static: w.static[i*K : (i+1)*K], blocked: w.blocked[i*K : (i+1)*K], entered: w.entered[i*m.nG : (i+1)*m.nG]}
		age := 18 + int(r.Float64()*62)
		if age > 60 && r.Float64() < float64(age-60)/25 {
			age = 18 + int(r.Float64()*62)
		}
		c.age = age
		zi := r.NormFloat64()
		c.zWealth = rho*zi + math.Sqrt(1-rho*rho)*r.NormFloat64()
		c.z = [4]float64{r.NormFloat64(), r.NormFloat64(), zi, float64(age-45) / 15}
		c.income0 = m.p.incMedian * math.Exp(m.p.incSigma*zi)
		c.income = c.income0
		c.econ = 1
		c.wealth = 3 * m.p.incMedian * math.Exp(m.p.wSigma*c.zWealth)
		c.decile = min(9, int(10*normCDF(c.zWealth)))
		pd := m.p.drivers * (1 + 0.3*zi)
		if age > 70 {
			pd /= 2
		}
		c.driver = r.Float64() < pd
		c.parent = age >= 22 && age <= 40 && r.Float64() < m.p.parents
		// Opting in: the essay's three reasons (trust in the state, fear of
		// the consequences, the weight of social stability) and what the
		// scheme offers, on the log-odds scale.
		zt, zf, zs := r.NormFloat64(), r.NormFloat64(), r.NormFloat64()
		logit := m.p.partBase + m.p.partTrust*(1+zt) + m.p.partStability*(1+zs)
		if m.fearful {
			logit += m.p.partFear * (1 + zf)
		}
		if m.offers {
			logit += m.p.partOffer
		}
		c.consent = r.Float64() < 1/(1+math.Exp(-logit))
		c.trust = m.p.trust0
		c.listedSince = -1
		c.informant = r.Float64() < m.p.informants*zeal
		c.employed = age < 60
		for k := range m.beh {
			b := &m.beh[k]
			s := b.rate
			if (b.needs == 1 && !c.driver) || (b.needs == 2 && !c.parent) || (b.kind == KindBlood && age > 55) {
				s = 0
			}
			if s > 0 {
				e := 0.0
				for t := range 4 {
					e += b.slopes[t] * c.z[t]
				}
				s *= math.Exp(e)
			}
			c.static[k] = s
			c.blocked[k] = false
		}
		m.resum(c)
		for g := range c.entered {
			c.entered[g] = -1
		}
		if c.consent {
			c.st = m.eng.NewState("")
			c.grade = m.startGrade
			if m.stigmaK[c.grade] > 0 {
				c.listedSince = m.yearB[0]
			}
		}
	}
}

func normCDF(z float64) float64 { return 0.5 * math.Erfc(-z/math.Sqrt2) }

// farm is the farming multiplier of positive acts: 1 far from any grade
// boundary, up to 1+6*farming just below the next grade or just above a fall.
func (w *worker) farm(c *citizen) float64 {
	m := w.m
	if m.p.farming == 0 || !c.consent {
		return 1
	}
	s := c.st.Score
	g := c.grade
	f := 0.0
	if g > 0 {
		if gap := m.gradeMin[g-1] - s; gap >= 0 {
			f += m.decay(gap)
		}
	}
	if g < m.nG-1 {
		if margin := s - m.gradeMin[g]; margin >= 0 {
			f += m.decay(margin)
		}
	}
	return 1 + 3*m.p.farming*f
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

// resum recomputes c's class sums of unblocked static rates.
func (m *model) resum(c *citizen) {
	c.sums = [4]float64{}
	for k := range m.beh {
		if rc := m.beh[k].rc; rc != rcNone && !c.blocked[k] {
			c.sums[rc] += c.static[k]
		}
	}
}

// block stops behaviour k of c until the next calendar year.
func (w *worker) block(c *citizen, k int) {
	if !c.blocked[k] {
		w.dirty = true
		c.nblocked++
		c.blocked[k] = true
		if rc := w.m.beh[k].rc; rc != rcNone {
			c.sums[rc] = max(0, c.sums[rc]-c.static[k])
		}
	}
}

// decay returns exp(-d/farm_scale) for d >= 0 points, from a table.
func (m *model) decay(d int64) float64 {
	if d < 0 {
		return 1
	}
	if d >= int64(len(m.expTab)) {
		return 0
	}
	return m.expTab[d]
}

// rates sets w.cw to the citizen's total rate of each class and returns
// their sum.
func (w *worker) rates(c *citizen) float64 {
	m := w.m
	mis, spe, pos := 1.0, 1.0, 1.0
	if c.consent {
		g := c.grade
		fear := 0.0
		if g < m.nG-1 {
			fear = 0.5 * m.decay(c.st.Score-m.gradeMin[g])
		}
		mis = 1 / (1 + m.p.deter*(w.risk+fear))
		if m.p.chill > 0 {
			spe = w.speechMult
			if c.speech > 0 {
				spe *= m.speechPow[min(c.speech, len(m.speechPow)-1)]
			}
		}
		pos = w.farm(c) / (1 + m.p.stigma*m.stigmaK[g])
	}
	w.posMult = pos
	w.cw[rcMisconduct] = mis * c.sums[rcMisconduct]
	w.cw[rcEconomic] = mis * c.econ * c.sums[rcEconomic]
	w.cw[rcSpeech] = spe * c.sums[rcSpeech]
	w.cw[rcPositive] = pos * c.sums[rcPositive]
	return w.cw[0] + w.cw[1] + w.cw[2] + w.cw[3]
}

// live simulates citizen c through year y; reports are the informant
// reports the citizen makes this year, sorted by time.
func (w *worker) live(c *citizen, y int, reports []report) error {
	m := w.m
	cuts := m.cuts[y]
	for seg := 0; seg+1 < len(cuts); seg++ {
		a, b := cuts[seg], cuts[seg+1]
		if seg > 0 || m.jan1[y] {
			if c.nblocked > 0 {
				clear(c.blocked)
				m.resum(c)
				c.nblocked = 0
			}
			c.spent, c.hours, c.blood = 0, 0, 0
		}
		t := a
		if c.consent && c.st.LockGrade >= 0 {
			if g := m.eng.GradeAt(&c.st, time.Unix(t, 0)); g != c.grade {
				w.transition(c, g, t)
			}
		}
		w.dirty = true
		for {
			if w.dirty {
				w.total = w.rates(c)
				w.dirty = false
			}
			total := w.total
			stop, why := b, 0
			if c.consent && c.st.LockGrade >= 0 {
				if lu := c.st.LockedUntil.Unix(); lu > t && lu < stop {
					stop, why = lu, 1
				}
			}
			if len(reports) > 0 && reports[0].at < stop {
				stop, why = max(reports[0].at, t), 2
			}
			if total > 0 {
				d := w.rd.ExpFloat64() / total * secondsPerYear
				if float64(t)+d < float64(stop) {
					t += int64(d)
					if err := w.act(c, t); err != nil {
						return err
					}
					continue
				}
			}
			t = stop
			w.dirty = true
			switch why {
			case 0:
				goto next
			case 1:
				if g := m.eng.GradeAt(&c.st, time.Unix(t, 0)); g != c.grade {
					w.transition(c, g, t)
				}
			case 2:
				reports = reports[1:]
				if m.inform >= 0 {
					if err := w.record(c, m.inform, t, 0, false); err != nil {
						return err
					}
				}
			}
		}
	next:
	}
	return nil
}

// pick returns the behaviour of c's next act, drawn by rate: first the
// class, then the behaviour within it.
func (w *worker) pick(c *citizen, total float64) int {
	u := w.rd.Float64() * total
	rc := 0
	for rc < 3 && (u >= w.cw[rc] || w.cw[rc] == 0) {
		u -= w.cw[rc]
		rc++
	}
	u = u / w.cw[rc] * c.sums[rc]
	last := -1
	for _, k := range w.m.byClass[rc] {
		if s := c.static[k]; s > 0 && !c.blocked[k] {
			last = k
			if u < s {
				return k
			}
			u -= s
		}
	}
	return last
}

func (w *worker) act(c *citizen, t int64) error {
	m := w.m
	r := w.rd
	k := w.pick(c, w.total)
	b := &m.beh[k]
	met := w.met
	switch b.class {
	case clMisconduct, clSpeech:
		met.Acts[w.year][b.ruleIdx]++
		if b.class == clSpeech {
			met.SpeechActs[w.year]++
			if c.consent {
				met.ScoredSpeechActs[w.year]++
			}
		} else {
			met.MisconductActs[w.year]++
			if c.consent {
				met.ScoredMisconductActs[w.year]++
			}
		}
		u := r.Float64()
		if u < b.detect {
			return w.record(c, k, t, 0, true)
		}
		if b.informable && !c.informant && len(w.infs) > 0 && u < b.detect+(1-b.detect)*w.pInf {
			met.ViaInformant[w.year][b.ruleIdx]++
			c.reported++
			who := w.infs[r.IntN(len(w.infs))]
			w.reports = append(w.reports, report{who: who, at: t})
			return w.record(c, k, t, 0, true)
		}
		return nil
	}
	q := 0.0
	switch b.kind {
	case KindDonation:
		budget := m.p.donBudget*c.income - c.spent
		if c.donScale == 0 {
			c.donScale = m.p.donMedian * math.Pow(c.income/m.p.incMedian, 0.8)
		}
		amt := math.Round(c.donScale * math.Exp(0.8*r.NormFloat64()))
		if amt >= budget {
			amt = math.Floor(budget)
			w.block(c, k)
		}
		if amt < 1 {
			w.block(c, k)
			return nil
		}
		c.spent += amt
		q = amt
	case KindBlood:
		c.blood++
		if c.blood >= 2 {
			w.block(c, k)
		}
		q = 1
	case KindVolunteer:
		hrs := float64(1 + b.extra(r))
		limit := m.p.volHours
		if c.employed {
			limit /= 2
		}
		if c.hours+hrs >= limit {
			hrs = math.Floor(limit - c.hours)
			w.block(c, k)
		}
		if hrs < 1 {
			w.block(c, k)
			return nil
		}
		c.hours += hrs
		q = hrs
	default:
		q = float64(1 + b.extra(r))
	}
	return w.record(c, k, t, q, false)
}

// extra draws the units of a record beyond the first: Poisson with mean
// quantity-1 (a normal approximation above a mean of 30).
func (b *cbeh) extra(r *rand.Rand) int {
	if b.mu > 30 {
		return max(0, int(math.Round(b.mu+math.Sqrt(b.mu)*r.NormFloat64())))
	}
	if b.mu == 0 {
		return 0
	}
	// Inversion against the precomputed distribution function.
	u := r.Float64()
	for k, c := range b.cdf {
		if u < c {
			return k
		}
	}
	return len(b.cdf)
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

// record makes the record of behaviour k's act at t, applies it through the
// engine when the citizen is scored, and lets the citizen learn from the
// result (a cap reached, a grade changed).
func (w *worker) record(c *citizen, k int, t int64, q float64, negative bool) error {
	m := w.m
	b := &m.beh[k]
	ev := scs.Event{Rule: b.rule, At: time.Unix(t, 0).UTC(), Department: b.dept}
	if b.needsQty {
		if q == 0 {
			q = float64(1 + b.extra(w.rd))
		}
		ev.Quantity, ev.HasQuantity = q, true
	}
	if b.isRange {
		ev.Points, ev.HasPoints = b.min+w.rd.Int64N(b.max-b.min+1), true
	}
	met := w.met
	met.Records[w.year][b.ruleIdx]++
	switch b.class {
	case clPositive:
		met.PositiveRecords[w.year]++
		if c.consent {
			if m.stigmaK[c.grade] > 0 {
				met.StigmaPositive++
			}
			// Pretence: the part of this act's rate that the score adds
			// (farming) is acts the citizen would not do without it.
			met.ScoredPositive++
			if w.posMult > 1 {
				met.PretenceMicro += int64(math.Round(1e6 * (1 - 1/w.posMult)))
			}
		}
	case clMisconduct, clSpeech:
		met.NegativeRecords[w.year]++
	}
	if b.class == clSpeech {
		c.speech++
		w.speechRecs++
	}
	c.records++
	w.events++
	w.dirty = true
	if w.out != nil && (m.cfg.Events == AllEvents || (m.cfg.Events == ScoredEvents && c.consent)) {
		w.seq++
		ev.ID = "e-" + strconv.Itoa(w.hi+1) + "-" + strconv.Itoa(w.seq)
		ev.Citizen = m.citizenID(m.offset(w.hi) + c.idx)
		ev.Evidence = "synthetic record (scs simulate)"
		w.out.Events = append(w.out.Events, ev)
	}
	if !c.consent {
		return nil
	}
	applied, err := m.eng.Step(&c.st, &ev)
	if err != nil {
		return fmt.Errorf("sim: neighbourhood %d: rule %s: %w", w.hi+1, b.rule, err)
	}
	if b.class == clPositive && b.capped && applied <= 0 {
		// The act earned nothing under a rule with a yearly cap: the
		// citizen learns the cap is reached and stops until next year.
		w.block(c, k)
	}
	if g := m.eng.GradeAt(&c.st, ev.At); g != c.grade {
		w.transition(c, g, t)
	}
	return nil
}

// transition moves c to grade g at t: survival episodes, stigma days and job loss.
func (w *worker) transition(c *citizen, g int, t int64) {
	m := w.m
	old := c.grade
	c.grade = g
	if listed, was := m.stigmaK[g] > 0, m.stigmaK[old] > 0; listed != was {
		if listed {
			c.listedSince = t
		} else {
			w.met.ListedSeconds += t - c.listedSince
			c.listedSince = -1
		}
	}
	if g > old {
		if m.lowGrade[g] && !m.lowGrade[old] {
			c.everLow = true
		}
		if c.entered[g] < 0 {
			c.entered[g] = t
		}
		if m.lowGrade[g] && !m.lowGrade[old] && c.employed && !c.jobLost && w.rd.Float64() < m.p.jobLoss {
			c.jobLost, c.employed = true, false
			c.income *= 1 - m.p.jobIncomeLoss
			c.donScale = 0
			if c.income > 0 {
				c.econ = math.Pow(c.income0/c.income, m.p.econEl)
			} else {
				c.econ = math.Pow(1e3, m.p.econEl)
			}
		}
	}
	for k := 0; k < m.nG; k++ {
		if e := c.entered[k]; e >= 0 && g < k {
			w.met.Survival[k][months(t-e)*2]++
			c.entered[k] = -1
		}
	}
}
