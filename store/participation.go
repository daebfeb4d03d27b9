package store

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"scs"
	"scs/engine"
)

// participation is what the citizens table holds that decides whether a
// citizen's records are scored: birth year, residence, consent now and the
// consent changes after registration (consent_log).
type participation struct {
	birthYear     int
	residentSince int64
	consent       int
	log           string
}

func citizenParticipation(c *scs.Citizen) *participation {
	return &participation{birthYear: c.BirthYear, residentSince: residentNanos(c), consent: boolInt(c.Consent)}
}

func residentNanos(c *scs.Citizen) int64 {
	if c.ResidentSince == nil {
		return 0
	}
	return nanos(*c.ResidentSince)
}

// consentLogItem is one consent change as consent_log stores it.
func consentLogItem(consent bool, at int64) string {
	return strconv.Itoa(boolInt(consent)) + "@" + strconv.FormatInt(at, 10)
}

// parseConsentLog reads consent_log.
func parseConsentLog(log string) ([]scs.ConsentChange, error) {
	var out []scs.ConsentChange
	for _, f := range strings.Fields(log) {
		v, at, ok := strings.Cut(f, "@")
		n, err := strconv.ParseInt(at, 10, 64)
		if !ok || err != nil || (v != "0" && v != "1") {
			return nil, fmt.Errorf("consent log: unreadable item %q", f)
		}
		out = append(out, scs.ConsentChange{At: fromNanos(n), Consent: v == "1"})
	}
	return out, nil
}

// person returns what is on record about a citizen for the engine. The
// consent at registration is the opposite of the first change, or the
// consent now when there was none.
func (pa *participation) person() (scs.Person, error) {
	changes, err := parseConsentLog(pa.log)
	if err != nil {
		return scs.Person{}, err
	}
	p := scs.Person{BirthYear: pa.birthYear, ConsentKnown: true, ConsentFromStart: pa.consent == 1, ConsentChanges: changes}
	if len(changes) > 0 {
		p.ConsentFromStart = !changes[0].Consent
	}
	if pa.residentSince != 0 {
		p.ResidentSince = fromNanos(pa.residentSince)
	}
	return p, nil
}

// scoring compiles when a citizen's records are scored.
func (db *DB) scoring(pa *participation) (*engine.Scoring, error) {
	p, err := pa.person()
	if err != nil {
		return nil, err
	}
	return db.eng.Scoring(&p), nil
}

// scoredAt reports whether a citizen has a score as of at and, when not,
// why in words: not eligible, or no consent where the scheme needs it.
func (db *DB) scoredAt(c *scs.Citizen, sc *engine.Scoring, at time.Time) (bool, string) {
	if ok, why := sc.Status(at); !ok {
		return false, why
	}
	if db.scheme.ConsentRequired && !c.Consent {
		return false, noConsent
	}
	return true, ""
}
