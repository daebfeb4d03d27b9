package sim

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"scs"
)

// Param describes one model parameter: its name for --set, its default, what
// it means and where the default comes from.
type Param struct {
	Name    string
	Default float64
	Min     float64
	Max     float64
	Doc     string
	Source  string
	// Lo and Hi: the range the sensitivity analysis explores for an
	// assumed parameter (both 0 for a parameter with a source, a
	// counterfactual switch or a size).
	Lo, Hi float64
}

// Assumed reports whether the parameter is an assumption of the model that
// the sensitivity analysis varies.
func (p Param) Assumed() bool { return p.Hi > p.Lo }

// Params lists the model's parameters, in the order docs/model.md gives them.
// Besides these, "rate.RULE" (default 1) multiplies the rate of the
// behaviour behind rule RULE; 0 switches it off.
var Params = []Param{
	{"hood_size", 780, 1, 1e6, "citizens per neighbourhood (village or community)", "Rongcheng: ~700,000 people in 916 villages and communities (People's Daily 2019)", 0, 0},
	{"participation_base", 0.5, -20, 20, "log-odds of opting in before the essay's three reasons and what the scheme offers", "assumed; calibrated so that about 90% opt in to Rongcheng's scheme", -0.5, 1.5},
	{"participation_trust", 1, 0, 10, "log-odds of opting in per unit of trust in the state (1 + a standard normal trait)", "assumed; the essay: \"the Chinese people generally trust the CPC\"", 0.25, 2},
	{"participation_fear", 0.5, 0, 10, "log-odds of opting in per unit of fear (1 + a standard normal trait), when the scheme has consequences (a sanction, an entitlement some grade loses, or a lock-in)", "assumed; the essay: \"many people are just afraid of the consequences\"", 0, 1.5},
	{"participation_stability", 0.5, 0, 10, "log-odds of opting in per unit of the weight one gives social stability (1 + a standard normal trait)", "assumed; the essay: \"emphasis on societal stability and security\"", 0, 1.5},
	{"participation_offer", 0.5, 0, 10, "log-odds of opting in when a grade above the start has a privilege the start grade lacks", "assumed", 0, 1.5},
	{"income_median", 35000, 1, 1e9, "median yearly income, yuan", "assumed, near Shandong's per-capita disposable income (NBS 2020: 32,886)", 0, 0},
	{"income_sigma", 0.89, 0, 4, "sigma of log income (lognormal)", "Gini 0.47 (China, NBS): sigma = sqrt(2) * PhiInverse((1+G)/2)", 0, 0},
	{"wealth_sigma", 1.47, 0, 5, "sigma of log wealth (lognormal)", "wealth Gini about 0.70 (Credit Suisse 2021 for China)", 0, 0},
	{"wealth_income_corr", 0.6, -1, 1, "correlation of log wealth with log income", "assumed", 0.3, 0.9},
	{"drivers", 0.4, 0, 1, "share of adults who drive", "about 456M licensed drivers for ~1.1bn adults (Ministry of Public Security 2020)", 0, 0},
	{"parents", 0.3, 0, 1, "share of adults aged 22-40 with a small child", "assumed", 0.2, 0.4},
	{"informants", 0.01, 0, 1, "share of citizens who are informants at the start (mean over neighbourhoods)", "assumed", 0, 0.03},
	{"informant_reach", 0.05, 0, 1, "probability that one informant sees a given informable act in the neighbourhood", "assumed", 0.01, 0.1},
	{"informant_recruit", 0.0005, 0, 1, "yearly probability that a scored citizen becomes an informant (before farming)", "assumed; with informant_quit, keeps the informants near their starting share", 0, 0.01},
	{"detection", 1, 0, 10, "multiplier of every behaviour's official detection probability (capped at 1)", "model switch", 0.5, 1.5},
	{"deterrence", 1, 0, 100, "strength of deterrence: misconduct rate / (1 + deterrence * perceived risk)", "model switch; 0 = off", 0, 2},
	{"adaptation", 0.5, 0.05, 1, "share of the way the perceived risk and speech cost move each year towards what citizens saw last year", "assumed; 1 would make the yearly responses swing", 0.2, 0.8},
	{"farming", 1, 0, 100, "strength of points farming: positive acts rise near a grade boundary", "model switch; 0 = off", 0, 2},
	{"farm_scale", 20, 1, 1e4, "points from a boundary at which farming has fallen to 1/e", "assumed", 5, 50},
	{"stigma", 1, 0, 100, "strength of stigma: positive acts / (1 + stigma * k), k the weight of the grade's lists (behaviour table: responses)", "model switch; 0 = off", 0, 2},
	{"job_loss", 0.5, 0, 1, "probability of losing one's job on falling into a grade without job security (behaviour table: responses)", "model switch; the essay: \"you may lose your job\"", 0, 1},
	{"job_income_loss", 0.6, 0, 1, "share of income lost with the job", "assumed", 0.2, 0.9},
	{"econ_elasticity", 1, 0, 5, "economic misconduct rate grows as (income before / income now)^this", "assumed", 0, 2},
	{"chill", 1, 0, 100, "strength of chilled speech: criticism * exp(-chill * seen cost)", "model switch; 0 = off", 0, 2},
	{"donations", 1, 0, 100, "multiplier of donation rates (0 = nobody donates)", "model switch", 0.5, 1.5},
	{"donation_budget", 0.03, 0, 1, "share of yearly income a citizen can give away", "assumed", 0.01, 0.06},
	{"donation_median", 300, 1, 1e7, "median donation in yuan at the median income (scales with income^0.8)", "assumed", 100, 1000},
	{"volunteer_hours", 120, 0, 8760, "hours a year a citizen without a job can volunteer (half with a job)", "assumed", 40, 240},
	{"informant_quit", 0.1, 0, 1, "yearly probability that an informant stops informing", "assumed", 0, 0.3},
	{"trust_start", 0.7, 0, 1, "every citizen's trust in neighbours at the start (0 to 1)", "assumed", 0.5, 0.9},
	{"trust_loss", 0.05, 0, 10, "trust falls as exp(-trust_loss x (informant reports per 100 neighbours this year + 10 x reports of one's own acts))", "assumed; the essay: \"the trust between citizens will surely be destroyed\"", 0, 0.15},
	{"trust_recovery", 0.2, 0, 1, "share of the way trust recovers each year towards where it started", "assumed", 0.05, 0.5},
	{"lockins", 1, 0, 1, "1 keeps the scheme's lock-ins, 0 runs the scheme with every lock-in removed", "counterfactual switch (changes the scheme data, not the engine)", 0, 0},
}

// Settings are parameter values by name; a name that is absent has its
// default. The zero value is ready to use.
type Settings map[string]float64

// LookupParam returns the definition of a parameter; rate.RULE names are
// accepted for any RULE with min 0, max 1000.
func LookupParam(name string) (Param, bool) {
	for _, p := range Params {
		if p.Name == name {
			return p, true
		}
	}
	if r, ok := strings.CutPrefix(name, "rate."); ok && r != "" {
		return Param{Name: name, Default: 1, Min: 0, Max: 1000, Doc: "multiplier of the rate of rule " + r, Source: "model switch"}, true
	}
	return Param{}, false
}

// Get returns the value of the named parameter: the setting, else the default.
func (s Settings) Get(name string) float64 {
	if v, ok := s[name]; ok {
		return v
	}
	p, _ := LookupParam(name)
	return p.Default
}

// Set parses and stores one "name=value" assignment. Errors are scs.EINVALID
// and name the parameter and the value.
func (s Settings) Set(assign string) error {
	name, val, ok := strings.Cut(assign, "=")
	name = strings.TrimSpace(name)
	if !ok || name == "" {
		return scs.Errorf(scs.EINVALID, "set: %q is not name=value", assign)
	}
	return s.SetValue(name, strings.TrimSpace(val))
}

// SetValue parses and stores the value of the named parameter.
func (s Settings) SetValue(name, val string) error {
	p, ok := LookupParam(name)
	if !ok {
		return scs.Errorf(scs.EINVALID, "set: unknown parameter %q (see docs/model.md; rate.RULE scales one rule)", name)
	}
	v, err := strconv.ParseFloat(val, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return scs.Errorf(scs.EINVALID, "set: %s: %q is not a number", name, val)
	}
	if v < p.Min || v > p.Max {
		return scs.Errorf(scs.EINVALID, "set: %s: %v is out of range (%v to %v)", name, v, p.Min, p.Max)
	}
	s[name] = v
	return nil
}

// Clone returns a copy of s.
func (s Settings) Clone() Settings {
	c := make(Settings, len(s))
	for k, v := range s {
		c[k] = v
	}
	return c
}

// With returns a copy of s with name set to v.
func (s Settings) With(name string, v float64) Settings {
	c := s.Clone()
	c[name] = v
	return c
}

// Strings renders the settings that differ from the defaults as
// name -> value text, for reports.
func (s Settings) Strings() map[string]string {
	out := map[string]string{}
	for k, v := range s {
		out[k] = strconv.FormatFloat(v, 'g', -1, 64)
	}
	return out
}

// Names returns the names of the explicit settings, sorted.
func (s Settings) Names() []string {
	ns := make([]string, 0, len(s))
	for k := range s {
		ns = append(ns, k)
	}
	sort.Strings(ns)
	return ns
}

// String renders the explicit settings as "a=1 b=2", sorted by name.
func (s Settings) String() string {
	var parts []string
	for _, n := range s.Names() {
		parts = append(parts, fmt.Sprintf("%s=%s", n, strconv.FormatFloat(s[n], 'g', -1, 64)))
	}
	return strings.Join(parts, " ")
}

// SettingDoc says in words what a setting of a simulated city means: a model
// parameter's meaning and the source of its default, or what one of the
// run's own settings (scheme, citizens, years, seed, start, end, model) is.
// It returns "" for a name it does not know.
func SettingDoc(name string) string {
	switch name {
	case "scheme":
		return "the scheme the city lived under"
	case "citizens":
		return "the number of synthetic citizens"
	case "years":
		return "the years simulated before the registry opened"
	case "seed":
		return "the random seed: the same seed and settings make the same city"
	case "start", "end":
		return "the " + name + " of the simulated period, in the scheme's time zone"
	case "model":
		return "the population model"
	}
	if p, ok := LookupParam(name); ok {
		return p.Doc + " (" + p.Source + ")"
	}
	return ""
}
