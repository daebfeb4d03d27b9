package sim

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"

	"scs"
	"scs/internal/numfmt"
)

// The verdicts of a claim. No other word is ever used.
const (
	Supported     = "supported"
	NotSupported  = "not supported"
	NotMeasurable = "not measurable"
	NotApplicable = "not applicable"
)

// Mechanism kinds of a claim.
const (
	// Assumed: the effect follows from a model parameter written to produce
	// it (Claim.Because names them); switching it off removes the effect,
	// which shows that the assumption was coded, not that the essay is
	// right.
	Assumed = "assumed"
	// Emergent: the effect arises from the scheme's rules (through the
	// engine) and the population's differences, with no parameter written
	// for it.
	Emergent = "emergent"
)

// MinN is the smallest number of people, person-years or records behind a
// figure, summed over the replications, for which a verdict other than
// "not measurable" is given.
const MinN = 100

// Measure is one run's figure for a claim and the people, person-years or
// records behind it.
type Measure struct {
	Value float64
	N     float64
}

// Claim is one of the essay's claims about what the scheme does, the metric
// that tests it and what it is compared with: a counterfactual run that
// switches its mechanism off (Switch), or another figure of the same run
// (Reference).
type Claim struct {
	ID        string
	Claim     string   // the claim, in the essay's words where it has them
	Mechanism string   // Assumed or Emergent
	Because   []string // the parameters an assumed effect follows from
	Why       string   // the mechanism in a few words ("stigma on the lists")
	Compare   string   // what the value is compared with, in words
	Switch    Settings // the counterfactual's settings; nil with Reference
	Metric    string   // what the number measures, denominator included
	Expect    string   // "higher" or "lower": the value against the comparison if the claim holds
	// Applies returns "" when the scheme has the claim's mechanism, else
	// why not ("the scheme has no lock-ins").
	Applies   func(r *Result) string
	Measure   func(r *Result) Measure
	Reference func(r *Result) Measure // the comparison from the same run, when Switch is nil
}

// Claims lists the essay's claims in the order of the report.
var Claims = []Claim{
	{ID: "rich-pay", Claim: "The rich pay their way out: points can be bought with donations",
		Mechanism: Emergent, Why: "the scheme's points for donations and the differences in income and wealth",
		Compare: "nobody donates", Switch: Settings{"donations": 0},
		Metric: "mean final score of the scored citizens in the richest wealth decile minus that of those in the poorest (points)", Expect: "higher",
		Applies: needKind(KindDonation, "the scheme has no rule for donations"),
		Measure: func(r *Result) Measure {
			return Measure{r.DecileMeanScore(9) - r.DecileMeanScore(0), float64(r.Metrics.DecileCount[9] + r.Metrics.DecileCount[0])}
		}},
	{ID: "lock-in", Claim: "Once in a low grade, lock-ins make climbing back almost impossible",
		Mechanism: Emergent, Why: "the scheme's lock-ins, applied by the engine",
		Compare: "the scheme without lock-ins", Switch: Settings{"lockins": 0},
		Metric: "share of the falls into a locked grade (the listed ones, when the scheme has lists) that climbed out before the end (%)", Expect: "lower",
		Applies: func(r *Result) string {
			if len(r.LockedGrades()) == 0 {
				return "the scheme has no lock-ins"
			}
			return ""
		},
		Measure: func(r *Result) Measure {
			share, n := r.ClimbOut(r.LockedGrades()...)
			return Measure{100 * share, float64(n)}
		}},
	{ID: "stigma", Claim: "On the lists, stigma takes away the chances to earn points back",
		Mechanism: Assumed, Because: []string{"stigma"}, Why: "stigma on the lists",
		Compare: "no stigma", Switch: Settings{"stigma": 0},
		Metric: "positive records of scored citizens per 1,000 person-years they spent in a listed grade", Expect: "lower",
		Applies: func(r *Result) string {
			if len(r.Lists) == 0 {
				return "the scheme declares no list (no capability with the stigma response)"
			}
			return ""
		},
		Measure: func(r *Result) Measure {
			py := r.ListedYears()
			return Measure{perK(r.Metrics.StigmaPositive, py), py}
		}},
	{ID: "surface-honesty", Claim: "Honesty rises \"on the surface\": less misconduct is recorded",
		Mechanism: Assumed, Because: []string{"deterrence"}, Why: "deterrence",
		Compare: "no deterrence", Switch: Settings{"deterrence": 0},
		Metric: "misconduct and speech records per 1,000 citizen-years (all citizens), last year", Expect: "lower",
		Applies: needKind(KindMisconduct, "the scheme has no rule for misconduct"),
		Measure: func(r *Result) Measure {
			return Measure{perK(r.Metrics.NegativeRecords[r.Years-1], float64(r.Citizens)), float64(r.Citizens)}
		}},
	{ID: "pretence", Claim: "Good deeds are done for the score: people pretend",
		Mechanism: Assumed, Because: []string{"farming", "farm_scale"}, Why: "points farming",
		Compare: "no farming", Switch: Settings{"farming": 0},
		Metric: "share of the positive records of scored citizens that the score added, acts they would not do with the scheme switched off (%)", Expect: "higher",
		Applies: needPositive,
		Measure: func(r *Result) Measure {
			m := r.Metrics
			return Measure{100 * ratio(m.PretenceMicro, m.ScoredPositive) / 1e6, float64(m.ScoredPositive)}
		}},
	{ID: "farming", Claim: "People farm points (the diapers): scores bunch just above the boundaries",
		Mechanism: Assumed, Because: []string{"farming", "farm_scale"}, Why: "points farming",
		Compare: "no farming", Switch: Settings{"farming": 0},
		Metric: fmt.Sprintf("scored citizens within %d points above a grade boundary per citizen the bands around it predict (1 = no bunching)", BunchWidth), Expect: "higher",
		Applies: needPositive,
		Measure: func(r *Result) Measure {
			v, n := r.BunchingIndex()
			return Measure{v, float64(n)}
		}},
	{ID: "chilled-speech", Claim: "Speech is chilled: people stop criticising the government",
		Mechanism: Assumed, Because: []string{"chill"}, Why: "chilled speech",
		Compare: "no chill", Switch: Settings{"chill": 0},
		Metric: "online criticism said by scored citizens (recorded or not) per 1,000 scored citizen-years, last year", Expect: "lower",
		Applies: needKind(KindSpeech, "the scheme has no rule for speech"),
		Measure: func(r *Result) Measure {
			return Measure{perK(r.Metrics.ScoredSpeechActs[r.Years-1], float64(r.Metrics.Scored)), float64(r.Metrics.Scored)}
		}},
	{ID: "informants", Claim: "Informants destroy trust: neighbours report neighbours for points",
		Mechanism: Assumed, Because: []string{"trust_loss", "informants", "informant_recruit"}, Why: "loss of trust with informant reports",
		Compare: "no informants", Switch: Settings{"informants": 0, "informant_recruit": 0},
		Metric: "mean trust in neighbours at the end (0 to 100), all citizens", Expect: "lower",
		Applies: needKind(KindInforming, "the scheme has no rule for informants' reports"),
		Measure: func(r *Result) Measure {
			return Measure{100 * float64(r.Metrics.TrustMicro[r.Years-1]) / 1e6 / float64(r.Citizens), float64(r.Citizens)}
		}},
	{ID: "visits", Claim: "Officials' visits multiply as people fall",
		Mechanism: Emergent, Why: "the visit frequencies of the scheme's grades and the falls into them",
		Compare: "the same run at the end of its first year",
		Metric:  "officials' visits needed per day per 10,000 scored citizens at the end", Expect: "higher",
		Applies: func(r *Result) string {
			if !r.HasVisits() {
				return "no grade of the scheme has officials' visits"
			}
			return ""
		},
		Measure:   func(r *Result) Measure { return visitsAt(r, r.Years) },
		Reference: func(r *Result) Measure { return visitsAt(r, 1) }},
	{ID: "job-loss", Claim: "In the lowest grades you may lose your job",
		Mechanism: Assumed, Because: []string{"job_loss", "job_income_loss"}, Why: "job loss",
		Compare: "no job loss", Switch: Settings{"job_loss": 0},
		Metric: "income at the end of the citizens who fell into a grade without job security, as % of their income at the start", Expect: "lower",
		Applies: func(r *Result) string {
			if r.JobSecurity == "" {
				return "the scheme declares no job security (no capability with the keeps-job response)"
			}
			return ""
		},
		Measure: func(r *Result) Measure {
			m := r.Metrics
			return Measure{100 * ratio(m.FellIncome, m.FellIncome0), float64(m.FellCount)}
		}},
	{ID: "opt-in-fear", Claim: "Many opt in out of fear of the consequences",
		Mechanism: Assumed, Because: []string{"participation_fear"}, Why: "fear in the decision to opt in",
		Compare: "no fear in the decision", Switch: Settings{"participation_fear": 0},
		Metric: "share of the citizens who opt in (%)", Expect: "higher",
		Applies: func(r *Result) string {
			if !r.Consequences {
				return "the scheme has no consequences to fear (no sanction, no entitlement lost, no lock-in)"
			}
			return ""
		},
		Measure: func(r *Result) Measure {
			return Measure{100 * float64(r.Metrics.Scored) / float64(r.Citizens), float64(r.Citizens)}
		}},
}

func needKind(kind, why string) func(*Result) string {
	return func(r *Result) string {
		if !r.HasKind(kind) {
			return why
		}
		return ""
	}
}

func needPositive(r *Result) string {
	for _, k := range []string{KindGood, KindDonation, KindBlood, KindVolunteer, KindParenting} {
		if r.HasKind(k) {
			return ""
		}
	}
	return "the scheme has no rule for good deeds"
}

func visitsAt(r *Result, y int) Measure {
	scored := float64(r.Metrics.Scored)
	if scored == 0 {
		return Measure{math.NaN(), 0}
	}
	return Measure{1e4 * r.VisitsPerDay(y) / scored, scored}
}

// ClaimRow is one row of the claims table: a claim measured over the
// replications.
type ClaimRow struct {
	ID           string  `json:"id"`
	Claim        string  `json:"claim"`
	Metric       string  `json:"metric"`
	Mechanism    string  `json:"mechanism"` // Assumed or Emergent
	Because      string  `json:"because"`   // the parameters of an assumed mechanism, comma-separated
	Compare      string  `json:"counterfactual"`
	Expect       string  `json:"expect"`
	Value        float64 `json:"value"`
	CILow        float64 `json:"ci_low"`
	CIHigh       float64 `json:"ci_high"`
	N            float64 `json:"n"`
	CF           float64 `json:"counterfactual_value"`
	CFLow        float64 `json:"counterfactual_ci_low"`
	CFHigh       float64 `json:"counterfactual_ci_high"`
	CFN          float64 `json:"counterfactual_n"`
	Diff         float64 `json:"difference"`
	DiffLow      float64 `json:"difference_ci_low"`
	DiffHigh     float64 `json:"difference_ci_high"`
	Replications int     `json:"replications"`
	Verdict      string  `json:"verdict"`
	Reading      string  `json:"reading"` // the verdict in words, with its reason
	Sample       float64 `json:"sample"`  // the share of the citizens the comparison was made on (1: all)
}

// RunClaims measures every claim over the replications bases (base i is the
// run of cfg with seed cfg.Seed+i): for each replication it runs the
// counterfactual of every claim that applies (each switch once, the same
// population and seed), and aggregates. Output hooks of cfg are not used.
// With cfg.Sample (the bases run with it too), the counterfactuals simulate
// only the sample of neighbourhoods and every comparison, the base's
// figures included, is made on that sample: n and the intervals are the
// sample's.
func RunClaims(ctx context.Context, cfg Config, bases []*Result) ([]ClaimRow, error) {
	if len(bases) == 0 {
		return nil, scs.Errorf(scs.EINVALID, "claims: no runs")
	}
	cfg.OnHood, cfg.Rows, cfg.Events, cfg.Progress = nil, false, NoEvents, nil
	sampled := cfg.Sample > 0 && cfg.Sample < 1
	cfg.SampleOnly = sampled
	views := make([]*Result, len(bases))
	for i, b := range bases {
		if sampled && b.SampleMetrics == nil {
			return nil, scs.Errorf(scs.EINVALID, "claims: the runs were made without the sample")
		}
		views[i] = b.SampleView()
	}
	bases = views
	type pair struct{ v, c []Measure }
	per := make([]pair, len(Claims))
	applies := make([]string, len(Claims))
	for i, c := range Claims {
		applies[i] = c.Applies(bases[0])
	}
	for k, base := range bases {
		runs := map[string]*Result{}
		cc := cfg
		cc.Seed = cfg.Seed + uint64(k)
		for i, c := range Claims {
			if applies[i] != "" {
				continue
			}
			var ref Measure
			if c.Switch == nil {
				ref = c.Reference(base)
			} else {
				key := c.Switch.String()
				cf, ok := runs[key]
				if !ok {
					run := cc
					run.Settings = cfg.Settings.Clone()
					for name, v := range c.Switch {
						run.Settings[name] = v
					}
					var err error
					if cf, err = run.run(ctx); err != nil {
						return nil, err
					}
					runs[key] = cf
				}
				ref = c.Measure(cf)
			}
			per[i].v = append(per[i].v, c.Measure(base))
			per[i].c = append(per[i].c, ref)
		}
	}
	rows := make([]ClaimRow, len(Claims))
	for i, c := range Claims {
		row, err := Evaluate(c, applies[i], per[i].v, per[i].c)
		if err != nil {
			return nil, err
		}
		row.Replications = len(bases)
		if sampled {
			n := 0
			for _, b := range bases {
				n += b.Citizens
			}
			row.Sample = float64(n) / float64(len(bases)*cfg.Citizens)
		}
		rows[i] = row
	}
	return rows, nil
}

// Evaluate gives claim c its row from the measures of the replications
// (value and comparison, paired by replication). notApplicable, when not
// empty, says why the scheme lacks the mechanism. An assumed claim without
// the parameters it follows from is an error: its verdict could read as a
// finding.
func Evaluate(c Claim, notApplicable string, vals, refs []Measure) (ClaimRow, error) {
	row := ClaimRow{ID: c.ID, Claim: c.Claim, Metric: c.Metric, Mechanism: c.Mechanism, Because: strings.Join(c.Because, ", "),
		Compare: c.Compare, Expect: c.Expect, Replications: len(vals), Sample: 1}
	switch c.Mechanism {
	case Assumed:
		if len(c.Because) == 0 {
			return row, fmt.Errorf("claim %s: an assumed mechanism must name its parameters", c.ID)
		}
		for _, p := range c.Because {
			if _, ok := LookupParam(p); !ok {
				return row, fmt.Errorf("claim %s: because: unknown parameter %q", c.ID, p)
			}
		}
	case Emergent:
		if len(c.Because) > 0 {
			return row, fmt.Errorf("claim %s: an emergent mechanism has no parameters written for it", c.ID)
		}
	default:
		return row, fmt.Errorf("claim %s: mechanism %q is neither %s nor %s", c.ID, c.Mechanism, Assumed, Emergent)
	}
	nan := math.NaN()
	row.Value, row.CILow, row.CIHigh = nan, nan, nan
	row.CF, row.CFLow, row.CFHigh = nan, nan, nan
	row.Diff, row.DiffLow, row.DiffHigh = nan, nan, nan
	if notApplicable != "" {
		row.Verdict = NotApplicable
		row.Reading = "not applicable: " + notApplicable
		return row, nil
	}
	var vs, cs, ds []float64
	for i := range vals {
		v, r := vals[i], refs[i]
		row.N += v.N
		row.CFN += r.N
		if !math.IsNaN(v.Value) {
			vs = append(vs, v.Value)
		}
		if !math.IsNaN(r.Value) {
			cs = append(cs, r.Value)
		}
		if !math.IsNaN(v.Value) && !math.IsNaN(r.Value) {
			ds = append(ds, v.Value-r.Value)
		}
	}
	row.Value, row.CILow, row.CIHigh = MeanCI(vs)
	row.CF, row.CFLow, row.CFHigh = MeanCI(cs)
	row.Diff, row.DiffLow, row.DiffHigh = MeanCI(ds)
	switch {
	case row.N < MinN || row.CFN < MinN:
		row.Verdict = NotMeasurable
		row.Reading = fmt.Sprintf("not measurable: only %s behind the figure and %s behind the comparison (at least %d needed)", groupNum(row.N), groupNum(row.CFN), MinN)
	case len(ds) < 2:
		row.Verdict = NotMeasurable
		row.Reading = "not measurable: one replication gives no interval (use --replications 2 or more)"
	case row.DiffLow <= 0 && row.DiffHigh >= 0:
		row.Verdict = NotMeasurable
		row.Reading = "not measurable: the 95% interval of the difference spans zero"
	case (c.Expect == "higher") == (row.DiffLow > 0):
		row.Verdict = Supported
		if c.Mechanism == Assumed {
			row.Reading = fmt.Sprintf("supported, but it follows from the assumed %s (%s): the model was written to produce it", c.Why, row.Because)
		} else {
			row.Reading = fmt.Sprintf("supported: it emerges from %s", c.Why)
		}
	default:
		row.Verdict = NotSupported
		row.Reading = fmt.Sprintf("not supported: the difference goes the other way (%s, not %s)", opposite(c.Expect), c.Expect)
	}
	return row, nil
}

func opposite(expect string) string {
	if expect == "higher" {
		return "lower"
	}
	return "higher"
}

// groupNum renders a count with thousands separators.
func groupNum(v float64) string { return numfmt.Round(v, 0) }

// ClaimIDs returns the ids of the claims, in order.
func ClaimIDs() []string {
	var ids []string
	for _, c := range Claims {
		ids = append(ids, c.ID)
	}
	return ids
}

// LookupClaim returns the claim with the given id.
func LookupClaim(id string) (Claim, bool) {
	i := slices.IndexFunc(Claims, func(c Claim) bool { return c.ID == id })
	if i < 0 {
		return Claim{}, false
	}
	return Claims[i], true
}

// MarshalJSON encodes the row with null for a figure that could not be
// measured (NaN), which JSON cannot carry.
func (c ClaimRow) MarshalJSON() ([]byte, error) {
	type plain ClaimRow
	return json.Marshal(struct {
		plain
		Value    *float64 `json:"value"`
		CILow    *float64 `json:"ci_low"`
		CIHigh   *float64 `json:"ci_high"`
		CF       *float64 `json:"counterfactual_value"`
		CFLow    *float64 `json:"counterfactual_ci_low"`
		CFHigh   *float64 `json:"counterfactual_ci_high"`
		Diff     *float64 `json:"difference"`
		DiffLow  *float64 `json:"difference_ci_low"`
		DiffHigh *float64 `json:"difference_ci_high"`
	}{plain(c), num(c.Value), num(c.CILow), num(c.CIHigh), num(c.CF), num(c.CFLow), num(c.CFHigh), num(c.Diff), num(c.DiffLow), num(c.DiffHigh)})
}

func num(f float64) *float64 {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil
	}
	return &f
}
