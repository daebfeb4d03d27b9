package scs

import "time"

// Event is one explicit, attributable report of conduct: citizen did what
// rule describes at At. Quantity is set (HasQuantity) for per-unit and tiered
// rules; Points (HasPoints) for range rules, where the recording official
// chooses them.
type Event struct {
	ID          string
	Citizen     string
	Rule        string
	At          time.Time
	Quantity    float64
	HasQuantity bool
	Points      int64
	HasPoints   bool
	// ByConduct is set when the report named its rule by the key conduct
	// (a conduct id of the vocabulary, docs/conduct.md) rather than rule:
	// errors about it then name the field conduct, as it was sent.
	ByConduct  bool
	Department string
	Evidence   string
}

// RuleField returns the name of the field that names the event's rule as
// the report sent it: "conduct" or "rule".
func (ev *Event) RuleField() string {
	if ev.ByConduct {
		return "conduct"
	}
	return "rule"
}

// State is one citizen's standing after the events applied so far. It is
// owned by the engine: callers create the zero value with engine.NewState
// and read it through the engine's methods.
type State struct {
	Citizen string
	Score   int64
	// LockGrade is the index of the grade the citizen is locked in, or -1.
	LockGrade   int
	LockedUntil time.Time
	Events      int
	LastAt      time.Time
	LastApplied int64 // points applied by the last event
	// Year and Yearly are the engine's calendar-year bookkeeping: the year
	// of the last event and, per capped or tiered rule, the points applied
	// and the quantity counted in that year.
	Year   int
	Yearly []int64
	// Records are, under a factor-model scheme, the records scored so far,
	// which each recomputation reads within its factors' windows.
	Records []FactorRecord
}

// FactorRecord is one record kept for a factor-model scheme's
// recomputations: when, which factor (its index in the scheme), and the
// value it adds.
type FactorRecord struct {
	At     time.Time
	Factor int
	Value  float64
}

// TrailEntry explains what one event did: the points asked by the rule, the
// points applied, the score and grade after it, and a reason whenever
// applied differs from asked or the grade is held by a lock.
type TrailEntry struct {
	Event    string    `json:"event"`
	Rule     string    `json:"rule"`
	At       time.Time `json:"at"`
	Quantity float64   `json:"quantity,omitempty"`
	Asked    int64     `json:"asked"`
	Applied  int64     `json:"applied"`
	Score    int64     `json:"score"`
	Grade    string    `json:"grade"`
	Reason   string    `json:"reason,omitempty"`
	// Reasons is Reason as structure, one item a clause (JoinReasons(Reasons)
	// is Reason); pages render it in their reader's language. An entry
	// stored before reasons were structure has one ReasonText item.
	Reasons []Reason `json:"-"`
	// NotScored is set when the record is kept but not scored (the person
	// was not eligible, or had not consented, at its time): Applied, Score
	// and Grade are zero and Reason says why.
	NotScored bool `json:"not_scored,omitempty"`
	// Factor and Value are set under a factor-model scheme: the factor the
	// record feeds and the value it adds (counted from the next
	// recomputation; Asked and Applied are 0).
	Factor string  `json:"factor,omitempty"`
	Value  float64 `json:"value,omitempty"`
	// Ignored is set, with NotScored, when the record names a conduct of
	// the vocabulary that the scheme does not score; Rule is that conduct.
	Ignored bool `json:"ignored,omitempty"`
}

// Equal reports whether t and u are the same entry (times compared as
// instants).
func (t *TrailEntry) Equal(u *TrailEntry) bool {
	if t.Event != u.Event || t.Rule != u.Rule || !t.At.Equal(u.At) || t.Quantity != u.Quantity || t.Asked != u.Asked ||
		t.Applied != u.Applied || t.Score != u.Score || t.Grade != u.Grade || t.Reason != u.Reason || t.NotScored != u.NotScored ||
		t.Factor != u.Factor || t.Value != u.Value || t.Ignored != u.Ignored || len(t.Reasons) != len(u.Reasons) {
		return false
	}
	for i := range t.Reasons {
		if !t.Reasons[i].Equal(u.Reasons[i]) {
			return false
		}
	}
	return true
}

// Person is what is on record about a person that decides whether their
// records are scored: age, residence and consent. The zero Person has
// nothing on record and is taken as eligible and consenting (event files
// read by scs score carry no registrations).
type Person struct {
	BirthYear     int       // 0: not on record
	ResidentSince time.Time // zero: not on record
	// ConsentKnown is false when nothing is on record about consent.
	ConsentKnown bool
	// ConsentFromStart is the consent given when the person was registered:
	// a participant from before the registry's records.
	ConsentFromStart bool
	// ConsentChanges are later opt-ins and withdrawals, in time order.
	ConsentChanges []ConsentChange
}

// ConsentChange is an opt-in (Consent true) or a withdrawal at At.
type ConsentChange struct {
	At      time.Time
	Consent bool
}

// Standing is a citizen's score and grade as of a time.
type Standing struct {
	Citizen     string     `json:"citizen"`
	Score       int64      `json:"score"`
	Grade       string     `json:"grade"`
	LockedUntil *time.Time `json:"locked_until"`
	Events      int        `json:"events"`
}

// Decision answers "may this citizen get capability X?" as of a time.
// For a sanction, Allowed means the sanction is imposed. Scored is false
// when the person is not scored (no consent, not eligible): the answer then
// follows from the capability's kind alone.
type Decision struct {
	Capability string         `json:"capability"`
	Kind       CapabilityKind `json:"kind"`
	Allowed    bool           `json:"allowed"`
	Scored     bool           `json:"scored"`
	Grade      string         `json:"grade"`
	Score      int64          `json:"score"`
	Reason     string         `json:"reason"`
}
