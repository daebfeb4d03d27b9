package store

import (
	"encoding/json"
	"scs"
)

// citizenRef is a citizen entry's registration, as stored in its ref.
type citizenRef struct {
	Name          string `json:"name"`
	Neighbourhood string `json:"neighbourhood"`
	BirthYear     int    `json:"birth_year"`
	Consent       bool   `json:"consent"`
	Registered    int64  `json:"registered"`
	ResidentSince int64  `json:"resident_since,omitempty"`
}

// registerCitizens appends citizen entries and creates the citizens' rows
// and empty projections. cs have passed Citizen.Validate.
func (w *wtx) registerCitizens(by *scs.Account, cs []scs.Citizen, withProjections bool) error {
	es := make([]entry, len(cs))
	for i, c := range cs {
		ref, _ := json.Marshal(citizenRef{Name: c.Name, Neighbourhood: c.Neighbourhood, BirthYear: c.BirthYear, Consent: c.Consent, Registered: nanos(c.Registered), ResidentSince: residentNanos(&c)})
		es[i] = entry{Kind: scs.EntryCitizen, Citizen: c.ID, Ref: string(ref), Recorded: nanos(w.now), Account: by.ID}
	}
	if err := w.appendEntries(es); err != nil {
		return err
	}
	const chunk = 64
	for start := 0; start < len(cs); start += chunk {
		end := min(start+chunk, len(cs))
		args := make([]any, 0, (end-start)*7)
		for _, c := range cs[start:end] {
			args = append(args, c.ID, c.Name, c.Neighbourhood, c.BirthYear, boolInt(c.Consent), nanos(c.Registered), residentNanos(&c))
		}
		if _, err := w.exec(`INSERT INTO citizens (id, name, neighbourhood, birth_year, consent, registered, resident_since) VALUES `+values(end-start, 7), args...); err != nil {
			return err
		}
	}
	if !withProjections {
		return nil
	}
	ps := make([]*proj, len(cs))
	for i, c := range cs {
		sc, err := w.db.scoring(citizenParticipation(&c))
		if err != nil {
			return err
		}
		ps[i] = &proj{citizen: c.ID, st: w.db.eng.NewState(c.ID), since: nanos(c.Registered), registered: nanos(c.Registered), sc: sc}
	}
	return w.saveProjections(ps)
}
