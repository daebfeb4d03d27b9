package store

import (
	"scs"
	"time"
)

// maxFuture is how far after the time it is recorded a record's conduct
// time may lie (clock skew between a department and the registry).
const maxFuture = 5 * time.Minute

// validate checks one record against the scheme and the reporting account
// and fills in its department.
func (db *DB) validate(by *scs.Account, ev *scs.Event, recorded time.Time, checkFuture bool) error {
	if err := ev.Validate(); err != nil {
		return err
	}
	if err := db.eng.Check(ev); err != nil {
		return err
	}
	ev.Normalize()
	if checkFuture && ev.At.After(recorded.Add(maxFuture)) {
		return scs.FieldErrorf(scs.EINVALID, "at", "%s is in the future (the registry's time is %s)", ev.At.Format(time.RFC3339), recorded.Format(time.RFC3339))
	}
	r, ok := db.scheme.RuleFor(ev.Rule)
	if !ok {
		// Conduct of the vocabulary that this scheme does not score: kept
		// as reported and not scored. No rule names a department for it,
		// so an official, who reports for a department's rules, may not.
		if by.Role == scs.RoleOfficial {
			return scs.FieldErrorf(scs.EFORBIDDEN, ev.RuleField(), "scheme %s does not score %s; account %d (%s) reports the conduct of department %s's rules only",
				db.scheme.Name, ev.Rule, by.ID, by.Name, by.Department)
		}
		return nil
	}
	dept, ok := db.scheme.DepartmentFor(r, ev.Department)
	if !ok {
		return scs.FieldErrorf(scs.EINVALID, "department", "rule %s belongs to department %s%s, not %s", r.ID, r.Department, reporterWords(db.scheme, r.Department), ev.Department)
	}
	ev.Department = dept
	if by.Role == scs.RoleOfficial && by.Department != r.Department {
		return scs.FieldErrorf(scs.EFORBIDDEN, ev.RuleField(), "rule %s belongs to department %s; account %d (%s) reports for department %s only",
			r.ID, r.Department, by.ID, by.Name, by.Department)
	}
	return nil
}

// sameRecord reports whether a stored record has the content of ev (ev's
// department already filled in by validate).
func sameRecord(e *entry, ev *scs.Event) bool {
	return e.Citizen == ev.Citizen && e.Rule == ev.Rule && e.At == nanos(ev.At) &&
		e.HasQ == ev.HasQuantity && (!e.HasQ || e.Quantity == ev.Quantity) &&
		e.HasP == ev.HasPoints && (!e.HasP || e.Points == ev.Points) &&
		e.Department == ev.Department && e.Evidence == ev.Evidence
}

func sameEvent(a, b *scs.Event) bool {
	return a.Citizen == b.Citizen && a.Rule == b.Rule && a.At.Equal(b.At) &&
		a.HasQuantity == b.HasQuantity && (!a.HasQuantity || a.Quantity == b.Quantity) &&
		a.HasPoints == b.HasPoints && (!a.HasPoints || a.Points == b.Points) &&
		a.Department == b.Department && a.Evidence == b.Evidence
}

// reporterWords names the reporter of the vocabulary that a department
// is, when its name differs: " (financial-institutions in the conduct
// vocabulary)".
func reporterWords(s *scs.Scheme, department string) string {
	if r := s.Reporter(department); r != department {
		return " (" + r + " in the conduct vocabulary)"
	}
	return ""
}
