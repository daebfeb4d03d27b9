package sim

import (
	_ "embed"
	"fmt"
	"math"
	"strings"

	"github.com/goccy/go-yaml"

	"scs"
)

// Behaviour kinds: how the model generates the conduct behind a rule.
const (
	KindMisconduct = "misconduct" // negative act, recorded when detected, deterred
	KindSpeech     = "speech"     // online criticism, recorded when detected, chilled
	KindGood       = "good"       // positive act, farmed near boundaries, stigmatised
	KindDonation   = "donation"   // positive act bounded by the yearly donation budget
	KindBlood      = "blood"      // positive act at most twice a calendar year, ages 18-55
	KindVolunteer  = "volunteer"  // positive act bounded by the yearly hours
	KindParenting  = "parenting"  // bought diapers: parents of a small child
	KindInforming  = "informing"  // an informant's report of a neighbour's act
)

var kinds = []string{KindMisconduct, KindSpeech, KindGood, KindDonation, KindBlood, KindVolunteer, KindParenting, KindInforming}

// Traits names the standardised traits a behaviour's rate can depend on.
var Traits = []string{"conscientiousness", "outspokenness", "income", "age"}

// Behaviour is one row of the behaviour table: how often the conduct with
// id Rule happens (a conduct of the vocabulary, docs/conduct.md, given as
// conduct: in the table; older tables name a rule id with rule:), or the
// conduct behind every rule of Category that no row names.
type Behaviour struct {
	Rule       string             `yaml:"rule"`
	Conduct    string             `yaml:"conduct"`
	Category   string             `yaml:"category"`
	Kind       string             `yaml:"kind"`
	Rate       float64            `yaml:"rate"`
	Detect     float64            `yaml:"detect"`
	Informable bool               `yaml:"informable"`
	Needs      string             `yaml:"needs"`
	Economic   bool               `yaml:"economic"`
	Quantity   float64            `yaml:"quantity"`
	Traits     map[string]float64 `yaml:"traits"`
}

// Positive reports whether the behaviour's acts are positive acts (farmed,
// stigmatised).
func (b *Behaviour) Positive() bool {
	switch b.Kind {
	case KindGood, KindDonation, KindBlood, KindVolunteer, KindParenting:
		return true
	}
	return false
}

// Responses to a scheme's capabilities: how the model's citizens react to
// what a capability of the scheme does to the grades that have it (or lack
// it). The scheme declares the capabilities; the behaviour table says which
// of them the model treats as a list that stigmatises and which as job
// security. Nothing else in the model knows a capability by name.
const (
	ResponseStigma      = "stigma"    // the grades with it are on a list: positive acts / (1 + stigma * weight)
	ResponseJobSecurity = "keeps-job" // the grades without it risk job loss on falling into them
)

// Response maps one capability of a scheme to a response of the model.
type Response struct {
	Capability string  `yaml:"capability"`
	Response   string  `yaml:"response"`
	Weight     float64 `yaml:"weight"` // stigma: how much the list weighs (1 = a list officials see)
	Public     bool    `yaml:"public"` // stigma: a list anyone can see
}

// Table is a whole behaviour table: behaviours and capability responses.
type Table struct {
	Behaviours []Behaviour
	Responses  []Response
}

//go:embed behaviours.yaml
var defaultBehaviours []byte

// DefaultTable returns the built-in behaviour table (sim/behaviours.yaml).
func DefaultTable() *Table {
	t, err := parseTable("behaviours.yaml", defaultBehaviours, true)
	if err != nil {
		panic("sim: built-in behaviour table: " + err.Error())
	}
	return t
}

// DefaultBehaviours returns the behaviours of the built-in table.
func DefaultBehaviours() []Behaviour { return DefaultTable().Behaviours }

// DefaultResponses returns the capability responses of the built-in table.
func DefaultResponses() []Response { return DefaultTable().Responses }

// DefaultBehavioursYAML returns the text of the built-in behaviour table.
func DefaultBehavioursYAML() []byte { return append([]byte(nil), defaultBehaviours...) }

// MaxBehavioursSize is the largest behaviour table ParseBehaviours accepts.
const MaxBehavioursSize = 1 << 20

// ParseBehaviours parses a behaviour table (YAML with a top-level
// "behaviours" list). Errors are scs.EINVALID and name the file, the row and
// the field.
func ParseBehaviours(file string, data []byte) ([]Behaviour, error) {
	t, err := ParseTable(file, data)
	if err != nil {
		return nil, err
	}
	return t.Behaviours, nil
}

// ParseTable parses a behaviour table: the "behaviours" list and the
// optional "responses" list (capability responses); a file without
// "responses" gets the built-in ones, "responses: []" none. Errors are
// scs.EINVALID and name the file, the row and the field.
func ParseTable(file string, data []byte) (*Table, error) { return parseTable(file, data, false) }

func parseTable(file string, data []byte, builtin bool) (t *Table, err error) {
	if len(data) > MaxBehavioursSize {
		return nil, scs.Errorf(scs.EINVALID, "%s: file is %d bytes; the limit is %d", file, len(data), MaxBehavioursSize)
	}
	// The YAML reader panics on some malformed input; report it as a
	// problem with the file.
	defer func() {
		if r := recover(); r != nil {
			t, err = nil, scs.Errorf(scs.EINVALID, "%s: the YAML reader failed on this file: %v", file, r)
		}
	}()
	var doc struct {
		Behaviours []Behaviour `yaml:"behaviours"`
		Responses  *[]Response `yaml:"responses"`
	}
	if err := yaml.UnmarshalWithOptions(data, &doc, yaml.Strict()); err != nil {
		return nil, scs.Errorf(scs.EINVALID, "%s: %s", file, strings.TrimSpace(yaml.FormatError(err, false, false)))
	}
	if len(doc.Behaviours) == 0 {
		return nil, scs.Errorf(scs.EINVALID, "%s: behaviours: the table is empty", file)
	}
	seen := map[string]int{}
	for i := range doc.Behaviours {
		b := &doc.Behaviours[i]
		where := fmt.Sprintf("%s: behaviour %d", file, i+1)
		if b.Conduct != "" {
			if b.Rule != "" {
				return nil, scs.Errorf(scs.EINVALID, "%s: give conduct or rule, not both (rule is the older name)", where)
			}
			if _, ok := scs.LookupConduct(b.Conduct); !ok {
				return nil, scs.Errorf(scs.EINVALID, "%s: conduct: %q is not a conduct of the vocabulary (docs/conduct.md)", where, b.Conduct)
			}
			b.Rule, b.Conduct = b.Conduct, ""
		}
		switch {
		case b.Rule != "" && b.Category != "":
			return nil, scs.Errorf(scs.EINVALID, "%s: give conduct or category, not both", where)
		case b.Rule != "":
			where += " (conduct " + b.Rule + ")"
		case b.Category != "":
			where += " (category " + b.Category + ")"
		default:
			return nil, scs.Errorf(scs.EINVALID, "%s: conduct or category: missing", where)
		}
		key := "rule:" + b.Rule + "category:" + b.Category
		if j, dup := seen[key]; dup {
			return nil, scs.Errorf(scs.EINVALID, "%s: duplicate of behaviour %d", where, j+1)
		}
		seen[key] = i
		if err := checkBehaviour(where, b); err != nil {
			return nil, err
		}
	}
	t = &Table{Behaviours: doc.Behaviours}
	if doc.Responses == nil {
		if builtin {
			return nil, scs.Errorf(scs.EINVALID, "%s: responses: missing", file)
		}
		t.Responses = DefaultResponses()
		return t, nil
	}
	if err := checkResponses(file, *doc.Responses); err != nil {
		return nil, err
	}
	t.Responses = *doc.Responses
	return t, nil
}

// checkBehaviour checks the values of behaviour b; where names it.
func checkBehaviour(where string, b *Behaviour) error {
	if !contains(kinds, b.Kind) {
		return scs.Errorf(scs.EINVALID, "%s: kind: %q is not one of %s", where, b.Kind, strings.Join(kinds, ", "))
	}
	if bad(b.Rate) || b.Rate < 0 || b.Rate > 1000 {
		return scs.Errorf(scs.EINVALID, "%s: rate: %v is not a number of acts a year from 0 to 1000", where, b.Rate)
	}
	if bad(b.Detect) || b.Detect < 0 || b.Detect > 1 {
		return scs.Errorf(scs.EINVALID, "%s: detect: %v is not a probability", where, b.Detect)
	}
	if (b.Kind == KindMisconduct || b.Kind == KindSpeech) && b.Detect == 0 && b.Rate > 0 {
		return scs.Errorf(scs.EINVALID, "%s: detect: missing (a %s act is recorded only when detected)", where, b.Kind)
	}
	if bad(b.Quantity) || b.Quantity < 0 || b.Quantity > 1e6 {
		return scs.Errorf(scs.EINVALID, "%s: quantity: %v is out of range (0 to 1e6)", where, b.Quantity)
	}
	if b.Needs != "" && b.Needs != "driver" && b.Needs != "child" {
		return scs.Errorf(scs.EINVALID, "%s: needs: %q is not driver or child", where, b.Needs)
	}
	for t, v := range b.Traits {
		if !contains(Traits, t) {
			return scs.Errorf(scs.EINVALID, "%s: traits: unknown trait %q (want %s)", where, t, strings.Join(Traits, ", "))
		}
		if bad(v) || math.Abs(v) > 5 {
			return scs.Errorf(scs.EINVALID, "%s: traits: %s: slope %v is out of range (-5 to 5)", where, t, v)
		}
	}
	return nil
}

// checkResponses checks the capability responses of a behaviour table.
func checkResponses(file string, rs []Response) error {
	seenCap := map[string]int{}
	for i, r := range rs {
		where := fmt.Sprintf("%s: response %d", file, i+1)
		if r.Capability == "" {
			return scs.Errorf(scs.EINVALID, "%s: capability: missing", where)
		}
		where += " (capability " + r.Capability + ")"
		key := r.Capability + "\x00" + r.Response
		if j, dup := seenCap[key]; dup {
			return scs.Errorf(scs.EINVALID, "%s: duplicate of response %d", where, j+1)
		}
		seenCap[key] = i
		switch r.Response {
		case ResponseStigma:
			if bad(r.Weight) || r.Weight <= 0 || r.Weight > 100 {
				return scs.Errorf(scs.EINVALID, "%s: weight: %v is out of range (above 0, at most 100)", where, r.Weight)
			}
		case ResponseJobSecurity:
			if r.Weight != 0 || r.Public {
				return scs.Errorf(scs.EINVALID, "%s: weight and public apply only to response %s", where, ResponseStigma)
			}
		default:
			return scs.Errorf(scs.EINVALID, "%s: response: %q is not %s or %s", where, r.Response, ResponseStigma, ResponseJobSecurity)
		}
	}
	return nil
}

func bad(f float64) bool { return math.IsNaN(f) || math.IsInf(f, 0) }

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// Mapping is how the behaviour table applies to one scheme: for each rule
// of the scheme, the behaviour row that drives it (by id, else by category)
// or none.
type Mapping struct {
	Rule      string `json:"rule"`
	Behaviour string `json:"behaviour"` // "rule:ID", "category:NAME" or "" (no events)
	Kind      string `json:"kind,omitempty"`
}

// Map returns, for each rule of s in order, the behaviour row that drives
// it: the row of the conduct the rule scores, else the row of the rule's
// id, else the row of its category.
func Map(s *scs.Scheme, bs []Behaviour) ([]Mapping, []int) {
	out := make([]Mapping, len(s.Rules))
	idx := make([]int, len(s.Rules))
	for i, r := range s.Rules {
		idx[i] = -1
		out[i] = Mapping{Rule: r.ID}
		for j := range bs {
			if bs[j].Rule == r.Conduct && r.Conduct != "" {
				idx[i] = j
				break
			}
		}
		for j := range bs {
			if idx[i] < 0 && bs[j].Rule == r.ID {
				idx[i] = j
				break
			}
		}
		if idx[i] < 0 {
			for j := range bs {
				if bs[j].Category != "" && bs[j].Category == r.Category {
					idx[i] = j
					break
				}
			}
		}
		if j := idx[i]; j >= 0 {
			b := &bs[j]
			if b.Rule != "" {
				out[i].Behaviour = "rule:" + b.Rule
			} else {
				out[i].Behaviour = "category:" + b.Category
			}
			out[i].Kind = b.Kind
		}
	}
	return out, idx
}
