package scs

import (
	"fmt"
	"math"
	"time"
)

// The kinds of scheme.
const (
	// KindPoints is a scheme whose rules add or subtract points per event.
	KindPoints = "points"
	// KindFactors is a factor model: named factors with weights, each
	// computed from the citizen's history within a window and mapped to a
	// sub-score in 0..1; the weighted sum is mapped onto the scheme's range
	// and recomputed on a schedule.
	KindFactors = "factors"
)

// Recompute is when a factor-model scheme recomputes scores: at midnight
// on the first day of every Every months in the scheme's zone (months
// counted from January). Between recomputations the score does not move.
type Recompute struct {
	Every Period `json:"every"`
	Provenance
}

// Factor is one factor of a factor-model scheme. Its value at a
// recomputation is the sum of the values of the records of its inputs (the
// scheme's rules whose effect names the factor) dated within Window before
// it, or, with a HalfLife, of every record's value halved for each
// HalfLife of its age; SubScore maps the value to 0..1; Weight is its
// share, in percent, of the range above the floor.
type Factor struct {
	Name        string  `json:"name"`
	Description string  `json:"description,omitempty"`
	Weight      float64 `json:"weight"`
	// Window is how far back the factor looks; zero means the whole
	// history.
	Window Period `json:"window"`
	// HalfLife, when set (Window is then zero), makes the factor decay: a
	// record's value counts 2^(-age/HalfLife) at a recomputation, the
	// half-life in average days (Period.InDays).
	HalfLife         Period     `json:"half_life,omitzero"`
	WindowProvenance Provenance `json:"window_provenance"`
	SubScore         SubScore   `json:"sub_score"`
	Provenance
}

// SubScore maps a factor's value to 0..1: 0 at or below From, 1 at or
// above To, linear between.
type SubScore struct {
	From float64 `json:"from"`
	To   float64 `json:"to"`
	Provenance
}

// Of returns the sub-score of value v.
func (s SubScore) Of(v float64) float64 {
	switch {
	case v <= s.From:
		return 0
	case v >= s.To:
		return 1
	}
	return (v - s.From) / (s.To - s.From)
}

// WindowWords renders the factor's window, such as "the last 24 months" or
// "the whole history".
func (f Factor) WindowWords() string {
	if !f.HalfLife.IsZero() {
		return "the whole history, each record halved " + f.HalfLife.Every()
	}
	if f.Window.IsZero() {
		return "the whole history"
	}
	return "the last " + f.Window.Words()
}

// IsFactorModel reports whether s is a factor-model scheme.
func (s *Scheme) IsFactorModel() bool { return s.Kind == KindFactors }

// FactorIndex returns the position of the named factor, or -1.
func (s *Scheme) FactorIndex(name string) int {
	for i := range s.Factors {
		if s.Factors[i].Name == name {
			return i
		}
	}
	return -1
}

// FactorScore is one factor at one recomputation: its value from the
// records within its window, its sub-score and its contribution in points
// above the floor.
type FactorScore struct {
	Factor   string  `json:"factor"`
	Value    float64 `json:"value"`
	SubScore float64 `json:"sub_score"`
	Points   float64 `json:"points"`
	Records  int     `json:"records"`
}

// Recomputation is a factor-model scheme's recomputation of one citizen's
// score at At: every factor's sub-score and contribution, and the score.
type Recomputation struct {
	At      time.Time     `json:"at"`
	Score   int64         `json:"score"`
	Grade   string        `json:"grade"`
	Factors []FactorScore `json:"factors"`
}

// String renders a factor score, such as "credit-history 0.62 (+131.3)".
func (f FactorScore) String() string {
	return fmt.Sprintf("%s %.2f (%+.1f)", f.Factor, f.SubScore, f.Points)
}

// FactorScore maps a factor model's sub-scores (one per factor, in order,
// each in 0..1) onto its range: the floor plus the range times the
// weighted sum, rounded to whole points. The engine scores with it; it is
// the one place where a factor model's score is decided.
func (s *Scheme) FactorScore(sub []float64) int64 {
	var sum float64
	for i, f := range s.Factors {
		sum += f.Weight / 100 * sub[i]
	}
	return s.Floor + int64(math.Round(float64(s.Ceiling-s.Floor)*sum))
}

// NoHistoryScore returns the score of a person with no records under a
// factor-model scheme: every factor at the sub-score of value 0. The
// schemes package requires a factor model's start to equal it.
func (s *Scheme) NoHistoryScore() int64 {
	sub := make([]float64, len(s.Factors))
	for i, f := range s.Factors {
		sub[i] = f.SubScore.Of(0)
	}
	return s.FactorScore(sub)
}
