// Package scs is the vocabulary of scs, a social credit system as code: the
// scheme (grades, capabilities, rules with their sources), the events that
// report conduct, a citizen's state and the trail that explains every point.
//
// The root package imports none of scs's sub-packages. The engine package
// decides points; schemes loads scheme files; sim, store, server and
// cmd/scs build on these types.
package scs

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// Status says where a rule's figure comes from.
type Status string

// The statuses a rule, grade or capability can carry.
const (
	StatusEssay     Status = "essay"     // stated in the essay that defines the system
	StatusOfficial  Status = "official"  // read in the city's own documents
	StatusSecondary Status = "secondary" // reported by press or research
	StatusAssumed   Status = "assumed"   // the mechanism is named, the figure is ours
)

// Statuses lists the valid statuses in order of authority.
var Statuses = []Status{StatusEssay, StatusOfficial, StatusSecondary, StatusAssumed}

// Valid reports whether s is one of Statuses.
func (s Status) Valid() bool {
	for _, v := range Statuses {
		if s == v {
			return true
		}
	}
	return false
}

// Provenance says where a figure comes from: a citation, its status and
// optional notes (for example the figure another source gives).
type Provenance struct {
	Source string `json:"source"`
	Status Status `json:"status"`
	Notes  string `json:"notes,omitempty"`
}

// Unbounded is the Max of a grade band with no upper limit.
const Unbounded = math.MaxInt64

// Grade is one band of scores, from Min to Max inclusive. A citizen who falls
// into a grade with a non-zero LockIn stays in it (or below) for that long.
type Grade struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	Min         int64  `json:"min"`
	Max         int64  `json:"max"` // Unbounded for the top grade without a ceiling
	LockIn      Period `json:"lock_in"`
	Visits      Visits `json:"visits"`
	Provenance
}

// Band renders the grade's score band, such as "850-959" or "1050+".
func (g Grade) Band() string {
	if g.Max == Unbounded {
		return fmt.Sprintf("%d+", g.Min)
	}
	return fmt.Sprintf("%d-%d", g.Min, g.Max)
}

// Visits is how often officials visit a citizen of a grade: Times visits
// every Every. Times 0 means no visits.
type Visits struct {
	Times  int    `json:"times"`
	Every  Period `json:"every"`
	Status Status `json:"status,omitempty"`
	Source string `json:"source,omitempty"`
	// Advice, when set, is what the visiting officials advise.
	Advice *Advice `json:"advice,omitempty"`
}

// Advice is what officials advise a visited person to do to gain points:
// rules (each with a plannable Act), with where the advice comes from.
type Advice struct {
	Rules []string `json:"rules"`
	Provenance
}

// PerDay returns the average number of visits a day, 0 for none.
func (v Visits) PerDay() float64 {
	if v.Times == 0 || v.Every.IsZero() {
		return 0
	}
	return float64(v.Times) / v.Every.InDays()
}

// String renders the frequency, such as "3 a day", "1 every 2 weeks" or
// "none".
func (v Visits) String() string {
	if v.Times == 0 {
		return "none"
	}
	return v.Every.Rate(v.Times)
}

// CapabilityKind says how a capability relates to standing, and so what a
// person who is not scored (no consent, not eligible) gets.
type CapabilityKind string

// The kinds of capability.
const (
	// Privilege is granted by good standing: the grades listed have it; a
	// person who is not scored does not ("no score, no privilege").
	Privilege CapabilityKind = "privilege"
	// Entitlement is everyone's by default: the grades listed keep it and
	// the others lose it; a person who is not scored keeps it.
	Entitlement CapabilityKind = "entitlement"
	// Sanction is imposed by low standing: the grades listed have it
	// imposed; a person who is not scored never has it.
	Sanction CapabilityKind = "sanction"
)

// CapabilityKinds lists the valid kinds.
var CapabilityKinds = []CapabilityKind{Privilege, Entitlement, Sanction}

// Capability is a named privilege, entitlement or sanction that some grades
// have, so that a loan office can ask "may this person get X?".
type Capability struct {
	Name        string         `json:"name"`
	Kind        CapabilityKind `json:"kind"`
	Description string         `json:"description"`
	Grades      []string       `json:"grades"`
	Provenance
}

// Has reports whether grade has the capability.
func (c Capability) Has(grade string) bool {
	for _, g := range c.Grades {
		if g == grade {
			return true
		}
	}
	return false
}

// EffectKind is the way a rule turns an event into points.
type EffectKind int

// The effect kinds.
const (
	EffectFixed   EffectKind = iota + 1 // fixed points per event
	EffectPerUnit                       // points per whole unit of the event's quantity
	EffectRange                         // the recording official chooses points in [Min, Max]
	EffectTiered                        // tiered rate over the calendar year's running total of a quantity
	EffectDropTo                        // the score is cut to at most the top of a grade
	EffectFactor                        // the record feeds a factor of a factor-model scheme
)

var effectNames = map[EffectKind]string{
	EffectFixed: "fixed", EffectPerUnit: "per_unit", EffectRange: "range",
	EffectTiered: "tiered", EffectDropTo: "drop_to", EffectFactor: "factor",
}

// String returns the kind's name as written in scheme files.
func (k EffectKind) String() string {
	if s, ok := effectNames[k]; ok {
		return s
	}
	return fmt.Sprintf("EffectKind(%d)", int(k))
}

// MarshalText encodes the kind by name.
func (k EffectKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// Tier is one step of a tiered effect: quantity from the previous tier's UpTo
// (0 for the first) to UpTo gives Points for every whole Per. The last tier
// has UpTo 0, meaning no upper limit.
type Tier struct {
	UpTo   float64 `json:"up_to,omitempty"`
	Per    float64 `json:"per"`
	Points int64   `json:"points"`
}

// Effect is what a rule does to the score. Which fields matter depends on Kind.
type Effect struct {
	Kind     EffectKind `json:"kind"`
	Points   int64      `json:"points,omitempty"`   // EffectFixed; EffectPerUnit: points per unit
	Unit     float64    `json:"unit,omitempty"`     // EffectPerUnit: size of one unit
	Quantity string     `json:"quantity,omitempty"` // EffectPerUnit, EffectTiered: what is counted ("yuan")
	Min      int64      `json:"min,omitempty"`      // EffectRange
	Max      int64      `json:"max,omitempty"`      // EffectRange
	Tiers    []Tier     `json:"tiers,omitempty"`    // EffectTiered
	DropTo   string     `json:"drop_to,omitempty"`  // EffectDropTo: grade name
	Factor   string     `json:"factor,omitempty"`   // EffectFactor: the factor fed
	Value    float64    `json:"value,omitempty"`    // EffectFactor: value per unit (per record when no quantity)
}

// NeedsQuantity reports whether events of this effect must carry a quantity.
func (e Effect) NeedsQuantity() bool {
	return e.Kind == EffectPerUnit || e.Kind == EffectTiered || e.Kind == EffectFactor && e.Quantity != ""
}

// Describe renders the effect in words, such as "+1 per 100 yuan".
func (e Effect) Describe() string {
	switch e.Kind {
	case EffectFixed:
		return fmt.Sprintf("%+d", e.Points)
	case EffectPerUnit:
		if e.Unit == 1 {
			return fmt.Sprintf("%+d × %s", e.Points, e.Quantity)
		}
		return fmt.Sprintf("%+d per %s %s", e.Points, trimFloat(e.Unit), e.Quantity)
	case EffectRange:
		return fmt.Sprintf("%+d to %+d, chosen by the official", e.Min, e.Max)
	case EffectTiered:
		var parts []string
		from := 0.0
		for _, t := range e.Tiers {
			span := "beyond " + trimFloat(from)
			if t.UpTo > 0 {
				span = trimFloat(from) + "-" + trimFloat(t.UpTo)
			}
			parts = append(parts, fmt.Sprintf("%s: %+d per %s", span, t.Points, trimFloat(t.Per)))
			from = t.UpTo
		}
		return "tiered over the year's " + e.Quantity + " (" + strings.Join(parts, "; ") + ")"
	case EffectDropTo:
		return "drop to grade " + e.DropTo
	case EffectFactor:
		if e.Quantity == "" {
			return fmt.Sprintf("%+g a record to %s", e.Value, e.Factor)
		}
		return fmt.Sprintf("%+g per %s to %s", e.Value, strings.TrimSuffix(e.Quantity, "s"), e.Factor)
	}
	return e.Kind.String()
}

func trimFloat(f float64) string { return fmt.Sprintf("%g", f) }

// Rule is one kind of conduct that adds or subtracts points.
type Rule struct {
	ID string `json:"id"`
	// Conduct is the id of the conduct the rule scores (docs/conduct.md):
	// the rule's own id unless the scheme file names another.
	Conduct     string `json:"conduct"`
	Description string `json:"description"`
	Category    string `json:"category"`
	Department  string `json:"department"`
	Effect      Effect `json:"effect"`
	// YearlyCap, when positive, bounds the absolute sum of the points the
	// rule applies to one citizen in one calendar year of the scheme's zone.
	YearlyCap int64 `json:"yearly_cap,omitempty"`
	// Act, when set, says what the conduct costs a person who sets out to
	// do it; scs scheme analyse plans with the rules that have one.
	Act *Act `json:"act,omitempty"`
	Provenance
}

// Eligibility is who may be scored at all: a minimum age and a minimum time
// resident. Records about a person who is not eligible are kept but not
// scored; they count from the day the person becomes eligible.
type Eligibility struct {
	// MinAge is the age from which a person is scored. Only the birth year
	// is on record, so a person counts as MinAge from 1 January (in the
	// scheme's zone) of the year they turn MinAge.
	MinAge int `json:"min_age,omitempty"`
	// MinResidence is how long a person must have been resident.
	MinResidence Period `json:"min_residence"`
	Provenance
}

// Figures is the provenance of a scheme's scheme-wide figures; a nil
// entry has none on record.
type Figures struct {
	Start   *Provenance `json:"start,omitempty"`
	Floor   *Provenance `json:"floor,omitempty"`
	Ceiling *Provenance `json:"ceiling,omitempty"`
}

// Scheme is a complete scoring scheme. Schemes are built by the schemes
// package, which validates them; a Scheme must not be modified after that.
type Scheme struct {
	Name string `json:"name"`
	// Kind is KindPoints (the default) or KindFactors.
	Kind            string         `json:"kind"`
	Title           string         `json:"title"`
	Description     string         `json:"description"`
	SourcesAsOf     string         `json:"sources_as_of"`
	TimeZone        string         `json:"time_zone"`
	Location        *time.Location `json:"-"`
	Start           int64          `json:"start"`
	Floor           int64          `json:"floor"`
	Ceiling         int64          `json:"ceiling"` // Unbounded (or 0) when none
	ConsentRequired bool           `json:"consent_required"`
	// Retroactive, when set, is the source for counting records dated
	// before a person's consent once they consent; by default they are
	// kept but not scored.
	Retroactive *Provenance  `json:"retroactive,omitempty"`
	Eligibility *Eligibility `json:"eligibility,omitempty"`
	// Figures says where the scheme-wide figures (start, floor, ceiling)
	// come from, as a rule's provenance does for its points.
	Figures      Figures      `json:"figures"`
	Grades       []Grade      `json:"grades"` // highest first, contiguous
	Capabilities []Capability `json:"capabilities"`
	Rules        []Rule       `json:"rules"`
	// Recompute and Factors are set for a factor-model scheme only; its
	// Rules are then its factors' inputs, one per conduct, each with an
	// EffectFactor effect.
	Recompute *Recompute `json:"recompute,omitempty"`
	Factors   []Factor   `json:"factors,omitempty"`
	// Departments maps each department of the scheme whose name is not a
	// reporter of the vocabulary (docs/conduct.md) to the reporter it is;
	// see DepartmentFor.
	Departments map[string]string `json:"departments,omitempty"`

	ruleIndex    map[string]int
	conductIndex map[string]int
}

// Index builds the rule look-up table. The schemes package calls it once
// after validation; callers who build a Scheme by hand must call it too.
func (s *Scheme) Index() {
	s.ruleIndex = make(map[string]int, len(s.Rules))
	s.conductIndex = make(map[string]int, len(s.Rules))
	for i, r := range s.Rules {
		s.ruleIndex[r.ID] = i
		c := r.Conduct
		if c == "" {
			c = r.ID
		}
		s.conductIndex[c] = i
	}
}

// RuleFor returns the rule that scores the conduct with the given id, or
// the rule of that id.
func (s *Scheme) RuleFor(conduct string) (*Rule, bool) {
	if i, ok := s.conductIndex[conduct]; ok {
		return &s.Rules[i], true
	}
	return s.Rule(conduct)
}

// Rule returns the rule with the given id.
func (s *Scheme) Rule(id string) (*Rule, bool) {
	i, ok := s.ruleIndex[id]
	if !ok {
		return nil, false
	}
	return &s.Rules[i], true
}

// RuleIndex returns the position of rule id in s.Rules, or -1.
func (s *Scheme) RuleIndex(id string) int {
	i, ok := s.ruleIndex[id]
	if !ok {
		return -1
	}
	return i
}

// GradeIndex returns the position of the named grade in s.Grades, or -1.
func (s *Scheme) GradeIndex(name string) int {
	for i, g := range s.Grades {
		if g.Name == name {
			return i
		}
	}
	return -1
}

// GradeOf returns the position in s.Grades of the band that contains score.
func (s *Scheme) GradeOf(score int64) int {
	for i := range s.Grades {
		if score >= s.Grades[i].Min {
			return i
		}
	}
	return len(s.Grades) - 1
}

// Capability returns the named capability.
func (s *Scheme) Capability(name string) (*Capability, bool) {
	for i := range s.Capabilities {
		if s.Capabilities[i].Name == name {
			return &s.Capabilities[i], true
		}
	}
	return nil, false
}

// Act is what a rule's conduct costs the person who does it, for the
// analysis of the fastest way up the grades. The unit is one event for a
// rule with fixed points, and one of the rule's quantity (a yuan, an hour,
// a month) for per-unit and tiered rules. Only rules that can add points
// carry an Act; the schemes package checks that.
type Act struct {
	// Yuan and Hours are the money and the time one unit costs.
	Yuan  float64 `json:"yuan"`
	Hours float64 `json:"hours"`
	// MaxPerYear, when positive, is the most units a person can do in a
	// calendar year (a blood donation every six months: 2).
	MaxPerYear float64 `json:"max_per_year,omitempty"`
	// Plannable is false for conduct a person cannot set out to do, such as
	// a heroic act or returning money someone lost.
	Plannable bool `json:"plannable"`
	// HarmsOthers marks conduct that costs someone else points, such as
	// informing on neighbours.
	HarmsOthers bool `json:"harms_others,omitempty"`
	Provenance
}

// TimeLayout is how scs writes a time for a person to read: the minute and
// the offset of the scheme's zone, "2024-03-01 09:00 +08:00".
const TimeLayout = "2006-01-02 15:04 -07:00"

// In returns t in the scheme's time zone (UTC when it names none), the
// zone in which every time a person reads is shown.
func (s *Scheme) In(t time.Time) time.Time {
	if s == nil || s.Location == nil {
		return t.UTC()
	}
	return t.In(s.Location)
}

// FormatTime writes t for a person to read: in the scheme's time zone,
// with its offset (TimeLayout).
func (s *Scheme) FormatTime(t time.Time) string { return s.In(t).Format(TimeLayout) }

// Deducts reports whether the rule can only take points away: negative
// fixed or per-unit points, a range below zero, negative tiers, or a drop
// to a grade.
func (r *Rule) Deducts() bool {
	switch ef := r.Effect; ef.Kind {
	case EffectFixed, EffectPerUnit:
		return ef.Points < 0
	case EffectRange:
		return ef.Max < 0
	case EffectDropTo:
		return true
	case EffectTiered:
		for _, t := range ef.Tiers {
			if t.Points >= 0 {
				return false
			}
		}
		return len(ef.Tiers) > 0
	}
	return false
}
