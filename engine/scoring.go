package engine

import (
	"fmt"
	"strings"
	"time"

	"scs"
)

// Scoring says when a person's records are scored, compiled from what is on
// record about them (scs.Person) under the scheme's eligibility and consent
// rules. A nil *Scoring scores every record. It is immutable and safe for
// concurrent use.
type Scoring struct {
	ageFrom, resFrom time.Time // zero: no bound
	ageWhy, resWhy   scs.Reason
	// consent windows, [from, to); from zero: since before any record; to
	// zero: open. Used only when consentTimed.
	windows      []window
	consentTimed bool
	assumed      []string
	scheme       *scs.Scheme // for times in words
}

type window struct{ from, to time.Time }

// Scoring compiles p's eligibility and consent into a Scoring. What is not
// on record (age, residence, consent) is taken as given, and Assumed says
// so. Records count from the day the person is eligible and has consented;
// records dated before consent are not scored unless the scheme declares
// them retroactive; a withdrawal stops scoring from its time.
func (e *Engine) Scoring(p *scs.Person) *Scoring {
	s := &Scoring{scheme: e.scheme}
	if el := e.scheme.Eligibility; el != nil {
		if el.MinAge > 0 {
			if p.BirthYear == 0 {
				s.assumed = append(s.assumed, "age")
			} else {
				s.ageFrom = time.Date(p.BirthYear+el.MinAge, 1, 1, 0, 0, 0, 0, e.loc).UTC()
				s.ageWhy = scs.Reason{Code: scs.ReasonUnderAge, N: int64(el.MinAge), M: int64(p.BirthYear), At: s.ageFrom.In(e.loc)}
			}
		}
		if !el.MinResidence.IsZero() {
			if p.ResidentSince.IsZero() {
				s.assumed = append(s.assumed, "residence")
			} else {
				s.resFrom = el.MinResidence.AddTo(p.ResidentSince.In(e.loc)).UTC()
				s.resWhy = scs.Reason{Code: scs.ReasonResidence, At: p.ResidentSince.In(e.loc), Period: el.MinResidence, Until: s.resFrom.In(e.loc)}
			}
		}
	}
	if e.scheme.ConsentRequired {
		switch {
		case !p.ConsentKnown:
			s.assumed = append(s.assumed, "consent")
		case e.scheme.Retroactive == nil:
			s.consentTimed = true
			open := p.ConsentFromStart
			var from time.Time
			for _, c := range p.ConsentChanges {
				switch {
				case c.Consent && !open:
					open, from = true, c.At
				case !c.Consent && open:
					s.windows = append(s.windows, window{from: from, to: c.At})
					open = false
				}
			}
			if open {
				s.windows = append(s.windows, window{from: from})
			}
		}
	}
	return s
}

// At reports whether a record dated t is scored and, when it is not, why
// (a reason whose String starts "not scored: ").
func (s *Scoring) At(t time.Time) (bool, scs.Reason) {
	ok, why, w := s.at(t)
	if ok {
		return true, scs.Reason{}
	}
	if why != nil {
		return false, *why
	}
	switch {
	case w != nil:
		return false, scs.Reason{Code: scs.ReasonWithdrew, At: s.scheme.In(w.to)}
	case len(s.windows) > 0:
		return false, scs.Reason{Code: scs.ReasonBeforeConsent, At: s.scheme.In(s.windows[0].from)}
	}
	return false, scs.Reason{Code: scs.ReasonNoConsent}
}

// Status reports whether the person is scored as of t and, when not, why
// in words.
func (s *Scoring) Status(t time.Time) (bool, string) {
	ok, why, w := s.at(t)
	if ok {
		return true, scs.Reason{}.Clause()
	}
	if why != nil {
		return false, why.Clause()
	}
	switch {
	case w != nil:
		return false, fmt.Sprintf("the person withdrew consent on %s", s.scheme.FormatTime(w.to))
	case len(s.windows) > 0:
		return false, fmt.Sprintf("the person consents from %s", s.scheme.FormatTime(s.windows[0].from))
	}
	return false, "the person has not consented to scoring"
}

// at decides: scored, or the eligibility reason, or (no reason) outside
// every consent window, after w when w is not nil.
func (s *Scoring) at(t time.Time) (bool, *scs.Reason, *window) {
	if s == nil {
		return true, nil, nil
	}
	if t.Before(s.ageFrom) {
		return false, &s.ageWhy, nil
	}
	if t.Before(s.resFrom) {
		return false, &s.resWhy, nil
	}
	if !s.consentTimed {
		return true, nil, nil
	}
	var last *window
	for i := range s.windows {
		w := &s.windows[i]
		if t.Before(w.from) {
			break
		}
		if w.to.IsZero() || t.Before(w.to) {
			return true, nil, nil
		}
		last = w
	}
	return false, nil, last
}

// scores reports whether a record dated t is scored (At without the
// reason, for the engine's step).
func (s *Scoring) scores(t time.Time) bool {
	ok, _, _ := s.at(t)
	return ok
}

// Assumed returns, in words, what was not on record and was taken as given
// ("" when nothing was).
func (s *Scoring) Assumed() string {
	if s == nil || len(s.assumed) == 0 {
		return ""
	}
	what := s.assumed
	var list string
	switch len(what) {
	case 1:
		list = what[0]
	default:
		list = strings.Join(what[:len(what)-1], ", ") + " or " + what[len(what)-1]
	}
	var taken []string
	for _, w := range what {
		switch w {
		case "age", "residence":
			if len(taken) == 0 || taken[0] != "eligible" {
				taken = append([]string{"eligible"}, taken...)
			}
		case "consent":
			taken = append(taken, "consenting")
		}
	}
	return fmt.Sprintf("nothing is on record about the person's %s: taken as %s", list, strings.Join(taken, " and "))
}
