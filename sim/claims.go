package sim

import (
	"context"
	"encoding/json"
	"math"
)

// Claim is one of the essay's claims about what the scheme does, the metric
// that tests it and the counterfactual that switches its mechanism off.
type Claim struct {
	ID        string
	Claim     string             // the claim, in the essay's words where it has them
	Mechanism string             // what the counterfactual switches off
	Switch    map[string]float64 // settings of the counterfactual run
	Metric    string             // what the number measures
	Expect    string             // how the metric should differ from the counterfactual if the claim holds
	Value     func(r *Result) float64
}

// Claims lists the essay's claims in the order of the report.
var Claims = []Claim{
	{ID: "rich-pay", Claim: "The rich pay their way out: points can be bought with donations",
		Mechanism: "donations off", Switch: map[string]float64{"donations": 0},
		Metric: "mean final score of the richest wealth decile minus that of the poorest (points)", Expect: "higher",
		Value: func(r *Result) float64 { return r.DecileMeanScore(9) - r.DecileMeanScore(0) }},
	{ID: "lock-in", Claim: "Once in C or D, lock-ins make climbing back almost impossible",
		Mechanism: "lock-ins removed from the scheme", Switch: map[string]float64{"lockins": 0},
		Metric: "share of falls into a watch-list grade that climbed out before the end (%)", Expect: "lower",
		Value: func(r *Result) float64 { return 100 * r.ClimbOutShare(r.StigmaGrades()...) }},
	{ID: "stigma", Claim: "In C and D, stigma takes away the chances to earn points back",
		Mechanism: "stigma off", Switch: map[string]float64{"stigma": 0},
		Metric: "positive records of citizens in watch-list grades per 1,000 citizen-years", Expect: "lower",
		Value: func(r *Result) float64 { return perK(r.Metrics.StigmaPositive, r.CitizenYears()) }},
	{ID: "surface-honesty", Claim: "Honesty rises \"on the surface\": less misconduct is recorded",
		Mechanism: "deterrence off", Switch: map[string]float64{"deterrence": 0},
		Metric: "misconduct and speech records per 1,000 citizen-years, last year", Expect: "lower",
		Value: func(r *Result) float64 {
			return perK(r.Metrics.NegativeRecords[r.Years-1], float64(r.Citizens))
		}},
	{ID: "farming", Claim: "People farm points (the diapers): good deeds bunch just above the boundaries",
		Mechanism: "farming off", Switch: map[string]float64{"farming": 0},
		Metric: "citizens within 10 points above a grade boundary per citizen within 10 points below", Expect: "higher",
		Value: func(r *Result) float64 { return r.BunchingIndex() }},
	{ID: "chilled-speech", Claim: "Speech is chilled: people stop criticising the government",
		Mechanism: "chilled speech off", Switch: map[string]float64{"chill": 0},
		Metric: "online criticism (said, recorded or not) per 1,000 citizen-years, last year", Expect: "lower",
		Value: func(r *Result) float64 { return perK(r.Metrics.SpeechActs[r.Years-1], float64(r.Citizens)) }},
	{ID: "informants", Claim: "Informants destroy trust: neighbours report neighbours for points",
		Mechanism: "no informants", Switch: map[string]float64{"informants": 0, "informant_recruit": 0},
		Metric: "share of citizens with an informant in their neighbourhood at the end (%)", Expect: "higher",
		Value: func(r *Result) float64 {
			return 100 * float64(r.Metrics.InformantHoods[r.Years-1]) / float64(r.Citizens)
		}},
	{ID: "visits", Claim: "Officials' visits multiply",
		Mechanism: "lock-ins removed from the scheme", Switch: map[string]float64{"lockins": 0},
		Metric: "officials' visits needed per day per 10,000 scored citizens at the end", Expect: "higher",
		Value: func(r *Result) float64 {
			if r.Metrics.Scored == 0 {
				return math.NaN()
			}
			return 1e4 * r.VisitsPerDay(r.Years) / float64(r.Metrics.Scored)
		}},
	{ID: "job-loss", Claim: "In D you may lose your job",
		Mechanism: "no job loss", Switch: map[string]float64{"job_loss": 0},
		Metric: "income at the end of the citizens in D, as % of their income at the start", Expect: "lower",
		Value: func(r *Result) float64 {
			m := r.Metrics
			if m.LowIncome0 == 0 {
				return math.NaN()
			}
			return 100 * float64(m.LowIncome) / float64(m.LowIncome0)
		}},
}

// ClaimRow is one row of the claims table.
type ClaimRow struct {
	ID             string  `json:"id"`
	Claim          string  `json:"claim"`
	Metric         string  `json:"metric"`
	Value          float64 `json:"value"`
	Mechanism      string  `json:"counterfactual"`
	Counterfactual float64 `json:"counterfactual_value"`
	Expect         string  `json:"expect"`
	Holds          bool    `json:"holds"` // the value differs from the counterfactual in the expected direction
}

// RunClaims runs the counterfactual of every claim (each switch once, with
// the same population and seed as cfg) and returns the claims table for
// base, the result of cfg. Output hooks of cfg are not used.
func RunClaims(ctx context.Context, cfg Config, base *Result) ([]ClaimRow, error) {
	cfg.OnHood, cfg.Rows, cfg.Events, cfg.Progress = nil, false, NoEvents, nil
	runs := map[string]*Result{}
	var rows []ClaimRow
	for _, c := range Claims {
		key := settingsKey(c.Switch)
		cf, ok := runs[key]
		if !ok {
			cc := cfg
			cc.Settings = cfg.Settings.Clone()
			for k, v := range c.Switch {
				cc.Settings[k] = v
			}
			var err error
			if cf, err = Simulate(ctx, cc); err != nil {
				return nil, err
			}
			runs[key] = cf
		}
		v, cv := c.Value(base), c.Value(cf)
		holds := (c.Expect == "higher" && v > cv) || (c.Expect == "lower" && v < cv)
		rows = append(rows, ClaimRow{ID: c.ID, Claim: c.Claim, Metric: c.Metric, Value: v, Mechanism: c.Mechanism, Counterfactual: cv, Expect: c.Expect, Holds: holds})
	}
	return rows, nil
}

func settingsKey(m map[string]float64) string {
	return Settings(m).String()
}

// MarshalJSON encodes the row with null for a value that could not be
// measured (NaN), which JSON cannot carry.
func (c ClaimRow) MarshalJSON() ([]byte, error) {
	type plain ClaimRow
	return json.Marshal(struct {
		plain
		Value          *float64 `json:"value"`
		Counterfactual *float64 `json:"counterfactual_value"`
	}{plain(c), num(c.Value), num(c.Counterfactual)})
}

func num(f float64) *float64 {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil
	}
	return &f
}
