// Package quiz is the public self-test: "answer questions and it will
// determine what category you would be sorted into". It generates one
// question for each rule of a scheme that a person could answer about
// themselves, turns the answers about the last 12 months into synthetic
// events spread over that window, and scores them through the engine, the
// only place a point is decided.
//
// How each kind of rule is asked:
//
//   - fixed: how many times over the last 12 months (a whole number);
//   - per_unit and tiered: how much of the rule's quantity (yuan, hours,
//     purchases) over the last 12 months; a quantity counted in months is
//     at most 12;
//   - range: how many times, with the official's range explained. The
//     person cannot know what an official would choose, so the result is
//     scored twice: with the official choosing the range's top (the best
//     case for the person) for the main result, and its bottom (the worst
//     case) reported beside it;
//   - drop_to: yes or no.
//
// Nothing of the answers is stored or logged: a Test holds only the scheme
// and the engine, and Score returns the result to its caller.
package quiz

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"

	"scs"
	"scs/engine"
)

// Kind is how a question is answered.
type Kind string

// The kinds of answer.
const (
	KindCount  Kind = "count"  // a whole number of times
	KindAmount Kind = "amount" // a quantity of the rule's unit (yuan, hours)
	KindYesNo  Kind = "yes_no" // did it happen at all
)

// MaxCount is the largest number of times a count question accepts.
const MaxCount = 1000

// MaxAmount is the largest amount an amount question accepts.
const MaxAmount = engine.MaxQuantity

// WindowMonths is the length of the window the questions ask about.
const WindowMonths = 12

// Question is one question of the self-test, generated from a rule.
type Question struct {
	Rule        string  `json:"rule"`
	Kind        Kind    `json:"kind"`
	Text        string  `json:"text"`   // the question in words
	Unit        string  `json:"unit"`   // "times", "yuan", "hours"; "" for yes/no
	Max         float64 `json:"max"`    // the largest answer accepted (1 for yes/no)
	Effect      string  `json:"effect"` // the rule's effect in words
	Help        string  `json:"help"`   // how the answer is scored: caps, ranges, splitting
	Description string  `json:"description"`
	scs.Provenance
	YearlyCap int64 `json:"yearly_cap,omitempty"`
	RangeMin  int64 `json:"range_min,omitempty"`
	RangeMax  int64 `json:"range_max,omitempty"`
}

// Test is the self-test of one scheme. It is safe for concurrent use and
// keeps nothing of any answers.
type Test struct {
	eng       *engine.Engine
	scheme    *scs.Scheme
	questions []Question
	index     map[string]int
}

// New builds the self-test of the engine's scheme: one question for every
// rule, in the scheme's order.
func New(eng *engine.Engine) *Test {
	s := eng.Scheme()
	t := &Test{eng: eng, scheme: s, index: make(map[string]int, len(s.Rules))}
	for i := range s.Rules {
		q, ok := question(&s.Rules[i])
		if !ok {
			continue
		}
		t.index[q.Rule] = len(t.questions)
		t.questions = append(t.questions, q)
	}
	return t
}

// Scheme returns the scheme the test asks about.
func (t *Test) Scheme() *scs.Scheme { return t.scheme }

// Questions returns the questions in the scheme's rule order. The caller
// must not modify the slice.
func (t *Test) Questions() []Question { return t.questions }

// Question returns the question about rule id.
func (t *Test) Question(rule string) (*Question, bool) {
	i, ok := t.index[rule]
	if !ok {
		return nil, false
	}
	return &t.questions[i], true
}

func question(r *scs.Rule) (Question, bool) {
	q := Question{Rule: r.ID, Effect: r.Effect.Describe(), Description: r.Description, Provenance: r.Provenance, YearlyCap: r.YearlyCap}
	what := sentence(r.Description)
	var help []string
	switch r.Effect.Kind {
	case scs.EffectFixed:
		q.Kind, q.Unit, q.Max = KindCount, "times", MaxCount
		q.Text = fmt.Sprintf("%s: how many times in the last %d months?", what, WindowMonths)
		help = append(help, fmt.Sprintf("%+d points each time.", r.Effect.Points))
	case scs.EffectRange:
		q.Kind, q.Unit, q.Max = KindCount, "times", MaxCount
		q.RangeMin, q.RangeMax = r.Effect.Min, r.Effect.Max
		q.Text = fmt.Sprintf("%s: how many times in the last %d months?", what, WindowMonths)
		help = append(help, fmt.Sprintf("The recording official chooses %+d to %+d points for each case. The result counts %+d (the best case for you) and shows beside it what %+d (the worst case) would give.",
			r.Effect.Min, r.Effect.Max, r.Effect.Max, r.Effect.Min))
	case scs.EffectPerUnit, scs.EffectTiered:
		unit := unitName(r.Effect.Quantity)
		q.Kind, q.Unit, q.Max = KindAmount, unit, MaxAmount
		if monthly(unit) {
			q.Max = WindowMonths
		}
		q.Text = fmt.Sprintf("%s: how many %s in the last %d months?", what, unit, WindowMonths)
		help = append(help, "Points: "+r.Effect.Describe()+".")
	case scs.EffectDropTo:
		q.Kind, q.Max = KindYesNo, 1
		q.Text = fmt.Sprintf("%s: did this happen in the last %d months?", what, WindowMonths)
		help = append(help, fmt.Sprintf("Your score is cut to the top of grade %s at most, and %s's lock-in applies.", r.Effect.DropTo, r.Effect.DropTo))
	case scs.EffectFactor:
		if r.Effect.Quantity != "" {
			unit := unitName(r.Effect.Quantity)
			q.Kind, q.Unit, q.Max = KindAmount, unit, MaxAmount
			if monthly(unit) {
				q.Max = WindowMonths
			}
			q.Text = fmt.Sprintf("%s: how many %s in the last %d months?", what, unit, WindowMonths)
		} else {
			q.Kind, q.Unit, q.Max = KindCount, "times", MaxCount
			q.Text = fmt.Sprintf("%s: how many times in the last %d months?", what, WindowMonths)
		}
		help = append(help, fmt.Sprintf("Feeds the factor %s: %s. The score is recomputed on a schedule from each factor's records within its window, so a record counts from the next recomputation.",
			r.Effect.Factor, r.Effect.Describe()))
	default:
		return Question{}, false
	}
	if r.YearlyCap > 0 {
		help = append(help, fmt.Sprintf("At most %d points a calendar year.", r.YearlyCap))
	}
	q.Help = strings.Join(help, " ")
	return q, true
}

// unitName strips the scheme's quantity name to the unit a person counts,
// "times" when the rule names none.
func unitName(quantity string) string {
	u := strings.TrimSpace(quantity)
	if u == "" {
		return "units"
	}
	return u
}

// monthly reports whether a quantity is counted in months, of which the
// window holds at most WindowMonths.
func monthly(unit string) bool {
	f := strings.Fields(strings.ToLower(unit))
	return len(f) > 0 && (f[len(f)-1] == "months" || f[len(f)-1] == "month")
}

// sentence capitalises the rule's description and drops a trailing
// parenthesis that only repeats the unit, such as "(hours)".
func sentence(desc string) string {
	d := strings.TrimSpace(desc)
	if i := strings.LastIndex(d, " ("); i > 0 && strings.HasSuffix(d, ")") {
		inner := d[i+2 : len(d)-1]
		if !strings.Contains(inner, " ") || monthly(inner) {
			d = d[:i]
		}
	}
	if d == "" {
		return d
	}
	r := []rune(d)
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}

// AnswerError is a bad answer: the rule it answers, the value given and
// what is wrong with it.
type AnswerError struct {
	Rule    string
	Value   string
	Message string
}

// Error renders "rule: value: message".
func (e *AnswerError) Error() string {
	if e.Value == "" {
		return fmt.Sprintf("%s: %s", e.Rule, e.Message)
	}
	return fmt.Sprintf("%s: %q: %s", e.Rule, e.Value, e.Message)
}

// Parse reads an answer typed by a person (a terminal line or a form
// field) to the question about rule. An empty answer is 0 (or no). It
// returns the answer as a number (yes/no as 1/0) or an *AnswerError.
func (t *Test) Parse(rule, text string) (float64, error) {
	q, ok := t.Question(rule)
	if !ok {
		return 0, &AnswerError{Rule: rule, Message: fmt.Sprintf("no question about rule %q in scheme %s", rule, t.scheme.Name)}
	}
	s := strings.TrimSpace(text)
	if len(s) > 64 {
		return 0, &AnswerError{Rule: rule, Value: s[:64] + "...", Message: "answer is too long"}
	}
	if s == "" {
		return 0, nil
	}
	if q.Kind == KindYesNo {
		switch strings.ToLower(s) {
		case "y", "yes", "true", "1":
			return 1, nil
		case "n", "no", "false", "0":
			return 0, nil
		}
		return 0, &AnswerError{Rule: rule, Value: s, Message: "answer yes or no"}
	}
	v, err := strconv.ParseFloat(strings.ReplaceAll(s, ",", ""), 64)
	if err != nil {
		if q.Kind == KindCount {
			return 0, &AnswerError{Rule: rule, Value: s, Message: fmt.Sprintf("answer a whole number of times, 0 to %d", MaxCount)}
		}
		return 0, &AnswerError{Rule: rule, Value: s, Message: fmt.Sprintf("answer a number of %s, 0 to %g", q.Unit, q.Max)}
	}
	return v, t.Check(rule, v)
}

// Check reports whether v is an acceptable answer to the question about
// rule: finite, not negative, at most the question's Max, whole for counts,
// 0 or 1 for yes/no. The error is an *AnswerError.
func (t *Test) Check(rule string, v float64) error {
	q, ok := t.Question(rule)
	if !ok {
		return &AnswerError{Rule: rule, Message: fmt.Sprintf("no question about rule %q in scheme %s", rule, t.scheme.Name)}
	}
	val := strconv.FormatFloat(v, 'g', -1, 64)
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0):
		return &AnswerError{Rule: rule, Value: val, Message: "answer must be a finite number"}
	case v < 0:
		return &AnswerError{Rule: rule, Value: val, Message: "answer cannot be negative"}
	case q.Kind == KindYesNo && v != 0 && v != 1:
		return &AnswerError{Rule: rule, Value: val, Message: "answer yes or no"}
	case q.Kind == KindCount && v != math.Trunc(v):
		return &AnswerError{Rule: rule, Value: val, Message: "answer a whole number of times"}
	case v > q.Max:
		if q.Kind == KindCount {
			return &AnswerError{Rule: rule, Value: val, Message: fmt.Sprintf("at most %d times", MaxCount)}
		}
		return &AnswerError{Rule: rule, Value: val, Message: fmt.Sprintf("at most %g %s in %d months", q.Max, q.Unit, WindowMonths)}
	}
	return nil
}
