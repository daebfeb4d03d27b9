package scs

import (
	"fmt"
	"strings"
	"time"
)

// ReasonCode names one kind of explanation the engine gives for a trail
// entry. The codes are stable: they are stored in the trail and key the
// pages' message catalogues.
type ReasonCode string

// The engine's reason codes. Each says which of Reason's fields it uses.
const (
	// ReasonText is a reason known only by its English words (Text): a trail
	// entry written before reasons were stored as structure.
	ReasonText ReasonCode = "text"
	// ReasonFloor: the score stopped at the floor N.
	ReasonFloor ReasonCode = "floor"
	// ReasonCeiling: the score stopped at the ceiling N.
	ReasonCeiling ReasonCode = "ceiling"
	// ReasonYearlyCap: Rule's yearly cap N was reached in Year, with M
	// points already applied that year.
	ReasonYearlyCap ReasonCode = "yearly-cap"
	// ReasonLockHeld: the grade is held at Grade by the lock-in until Until;
	// the score's band is Band.
	ReasonLockHeld ReasonCode = "lock-held"
	// ReasonLockIn: the person fell from Band into Grade and is locked in
	// Grade for Period, until Until.
	ReasonLockIn ReasonCode = "lock-in"
	// ReasonDropCut: a drop-to rule cut the score to N, the top of Grade.
	ReasonDropCut ReasonCode = "drop-cut"
	// ReasonDropNoop: the score was already at or below N, the top of Grade.
	ReasonDropNoop ReasonCode = "drop-noop"
	// ReasonIgnored: scheme Name does not score the conduct Rule.
	ReasonIgnored ReasonCode = "ignored"
	// ReasonFactor: Value goes to factor Name, counted from the
	// recomputation at Until.
	ReasonFactor ReasonCode = "factor"
	// ReasonOrder: records Name (ids, comma-separated) share an instant and
	// were applied in arrival order; in the reverse order the score would be
	// N and the grade Grade, locked in Band until Until (no lock when Band is
	// empty).
	ReasonOrder ReasonCode = "order"
	// ReasonUnderAge: not scored: born in M, the person counts as N (the
	// scheme's minimum age) from At.
	ReasonUnderAge ReasonCode = "under-age"
	// ReasonResidence: not scored: resident since At, less than Period;
	// eligible from Until.
	ReasonResidence ReasonCode = "residence"
	// ReasonWithdrew: not scored: dated after the person withdrew consent at
	// At.
	ReasonWithdrew ReasonCode = "withdrew"
	// ReasonBeforeConsent: not scored: dated before the person's consent at
	// At.
	ReasonBeforeConsent ReasonCode = "before-consent"
	// ReasonNoConsent: not scored: the person has not consented.
	ReasonNoConsent ReasonCode = "no-consent"
)

// ReasonCodes lists every code, in the order of their stored numbers
// (never reorder; add at the end).
var ReasonCodes = []ReasonCode{ReasonText, ReasonFloor, ReasonCeiling, ReasonYearlyCap, ReasonLockHeld, ReasonLockIn,
	ReasonDropCut, ReasonDropNoop, ReasonIgnored, ReasonFactor, ReasonOrder, ReasonUnderAge, ReasonResidence,
	ReasonWithdrew, ReasonBeforeConsent, ReasonNoConsent}

// Reason is one explanation of a trail entry as structure: Code names the
// sentence and the other fields are its arguments (which ones, the code's
// doc says). Times are in the scheme's zone. String renders it in English;
// pages render it through their message catalogues.
type Reason struct {
	Code   ReasonCode `json:"code"`
	N      int64      `json:"n,omitempty"`
	M      int64      `json:"m,omitempty"`
	Year   int        `json:"year,omitempty"`
	Value  float64    `json:"value,omitempty"`
	Rule   string     `json:"rule,omitempty"`
	Grade  string     `json:"grade,omitempty"`
	Band   string     `json:"band,omitempty"`
	Name   string     `json:"name,omitempty"`
	Period Period     `json:"period,omitzero"`
	At     time.Time  `json:"at,omitzero"`
	Until  time.Time  `json:"until,omitzero"`
	Text   string     `json:"text,omitempty"`
}

// NotScored reports whether the reason says why a record is not scored.
func (r Reason) NotScored() bool {
	switch r.Code {
	case ReasonUnderAge, ReasonResidence, ReasonWithdrew, ReasonBeforeConsent, ReasonNoConsent:
		return true
	}
	return false
}

// Equal reports whether r and o are the same reason (times compared as
// instants).
func (r Reason) Equal(o Reason) bool {
	a, b := r, o
	a.At, a.Until, b.At, b.Until = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	return a == b && r.At.Equal(o.At) && r.Until.Equal(o.Until)
}

// DateLayout is how a reason writes a day without its hour.
const DateLayout = "2 January 2006"

// String renders r in English: the words of a trail entry's Reason.
func (r Reason) String() string {
	switch r.Code {
	case ReasonFloor:
		return fmt.Sprintf("floor of %d reached", r.N)
	case ReasonCeiling:
		return fmt.Sprintf("ceiling of %d reached", r.N)
	case ReasonYearlyCap:
		return fmt.Sprintf("yearly cap of %d for %s reached in %d (%+d already applied that year)", r.N, r.Rule, r.Year, r.M)
	case ReasonLockHeld:
		return fmt.Sprintf("grade held at %s by the lock-in until %s (the score's band is %s)", r.Grade, r.Until.Format(TimeLayout), r.Band)
	case ReasonLockIn:
		return fmt.Sprintf("fell from %s into %s: locked in %s for %s, until %s", r.Band, r.Grade, r.Grade, r.Period.Words(), r.Until.Format(TimeLayout))
	case ReasonDropCut:
		return fmt.Sprintf("score cut to %d, the top of grade %s", r.N, r.Grade)
	case ReasonDropNoop:
		return fmt.Sprintf("score already at or below %d, the top of grade %s", r.N, r.Grade)
	case ReasonIgnored:
		return fmt.Sprintf("ignored: scheme %s does not score the conduct %s", r.Name, r.Rule)
	case ReasonFactor:
		return fmt.Sprintf("%+g to factor %s; counts from the recomputation on %s", r.Value, r.Name, r.Until.Format(TimeLayout))
	case ReasonOrder:
		lock := "no lock"
		if r.Band != "" {
			lock = fmt.Sprintf("locked in %s until %s", r.Band, r.Until.Format(TimeLayout))
		}
		return fmt.Sprintf("order mattered: records %s share this instant and were applied in arrival order; in the reverse order the score would be %d, grade %s, %s",
			r.Name, r.N, r.Grade, lock)
	}
	if r.NotScored() {
		return "not scored: " + r.Clause()
	}
	return r.Text
}

// Clause renders a not-scored reason without its "not scored: " (the
// words of why a person is not scored at a time); any other reason as
// String does.
func (r Reason) Clause() string {
	switch r.Code {
	case ReasonUnderAge:
		return fmt.Sprintf("under %d: born in %d, the person counts as %d from %s (the scheme scores people aged %d or over)",
			r.N, r.M, r.N, r.At.Format(DateLayout), r.N)
	case ReasonResidence:
		return fmt.Sprintf("resident since %s, less than the %s the scheme requires (eligible from %s)",
			r.At.Format(DateLayout), r.Period.Words(), r.Until.Format(DateLayout))
	case ReasonWithdrew:
		return fmt.Sprintf("dated after the person withdrew consent on %s", r.At.Format(TimeLayout))
	case ReasonBeforeConsent:
		return fmt.Sprintf("dated before the person's consent on %s: records from before consent are kept but not scored", r.At.Format(TimeLayout))
	case ReasonNoConsent:
		return "the person has not consented to scoring"
	}
	return r.String()
}

// JoinReasons renders reasons in English, joined by "; " (a trail entry's
// Reason).
func JoinReasons(rs []Reason) string {
	switch len(rs) {
	case 0:
		return ""
	case 1:
		return rs[0].String()
	}
	parts := make([]string, len(rs))
	for i := range rs {
		parts[i] = rs[i].String()
	}
	return strings.Join(parts, "; ")
}
