// Package sim is the population simulator: a synthetic city (or country) of
// citizens with traits, the conduct behind each rule of a scheme, the
// citizens' responses to the scheme (deterrence, farming, stigma, job loss,
// chilled speech, informants), and the metrics of a run.
//
// Points are decided only by the engine: the simulator makes events, calls
// engine.StepAt (Step for a record given by its rule's number, time, quantity
// and points) on each citizen's State in time
// order, and reads the standing back with GradeAt to decide how people
// respond. Neighbourhoods
// are simulated independently, each with its own random streams, so a run
// gives the same results whatever the number of workers, and a population
// too large for memory is streamed one neighbourhood at a time.
// docs/model.md describes the model in the ODD form.
package sim

import (
	"context"
	"slices"
	"time"

	"scs"
)

// MaxCitizens is the largest population a run accepts (China: 1.41e9).
const MaxCitizens = 2_000_000_000

// MaxYears is the longest horizon a run accepts.
const MaxYears = 100

// MaxShards is the most shards a run may be cut into.
const MaxShards = 100_000

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
	// Shard and Shards, with Shards above 1, simulate only the Shard-th
	// (from 0) of Shards contiguous, disjoint ranges of the neighbourhoods:
	// Metrics, SampleMetrics and Events are the shard's, every other field
	// of the Result is the whole run's, and Merge sums the shards' Results
	// into exactly the whole run's.
	Shard, Shards int
	// Runner, when set, makes the runs of RunClaims and Sensitivity in
	// place of Simulate (a study run in shards, or merged from them).
	// Simulate itself ignores it.
	Runner Runner
}

// Runner makes one run of the model, as Simulate does.
type Runner func(context.Context, Config) (*Result, error)

// run makes one run of cfg through cfg.Runner, or Simulate without one.
func (cfg Config) run(ctx context.Context) (*Result, error) {
	if cfg.Runner != nil {
		return cfg.Runner(ctx, cfg)
	}
	return Simulate(ctx, cfg)
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

// Simulated returns how many citizens a run of cfg simulates: all of
// them, or its shard's, and with SampleOnly those of the sample. Progress
// counts up to it.
func Simulated(cfg Config) (int, error) {
	m, err := prepare(cfg)
	if err != nil {
		return 0, err
	}
	n := 0
	if m.list != nil {
		for _, h := range m.list {
			n += m.size(h)
		}
		return n, nil
	}
	return m.offset(m.hi) - m.offset(m.lo), nil
}

// Merge returns the Result of cfg (without its shard) from the Results of
// its shards, one for each of 0..Shards-1 in order: the metrics and records
// summed, the time the longest shard's. The sum is exact, so the merged
// Result equals the whole run's but for Elapsed.
func Merge(cfg Config, parts []*Result) (*Result, error) {
	cfg.Shard, cfg.Shards = 0, 0
	m, err := prepare(cfg)
	if err != nil {
		return nil, err
	}
	if len(parts) == 0 {
		return nil, scs.Errorf(scs.EINVALID, "merge: no shards")
	}
	f := m.newFanout(1)
	var elapsed time.Duration
	for _, p := range parts {
		want := f.total.shape()
		if p.Metrics == nil || !slices.Equal(p.Metrics.shape(), want) || (p.SampleMetrics != nil && !slices.Equal(p.SampleMetrics.shape(), want)) {
			return nil, scs.Errorf(scs.EINVALID, "merge: a shard's metrics do not fit the run (%d years, %d grades, %d rules)", cfg.Years, m.nG, len(m.scheme.Rules))
		}
		f.total.Merge(p.Metrics)
		if p.SampleMetrics != nil && m.list == nil {
			f.sample.Merge(p.SampleMetrics)
		}
		f.events.Add(p.Events)
		elapsed = max(elapsed, p.Elapsed)
	}
	return m.result(f, elapsed), nil
}
