package scs

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits on what the registry accepts. They are checked here, by the
// Validate methods and the Check functions below, and nowhere else: the
// JSON-lines decoder, the HTTP API, the web forms and the store all call
// these.
const (
	// MaxID is the longest identifier (a record's id, a citizen's id, a
	// rule, a department, a neighbourhood), in bytes.
	MaxID = 128
	// MaxEvidence is the longest evidence text of a record, in bytes.
	MaxEvidence = 4096
	// MaxReason is the longest reason of an objection or a decision, in bytes.
	MaxReason = 4000
	// MaxName is the longest name of a citizen or an account, in bytes.
	MaxName = 200
	// MaxPoints is the largest number of points, either way, a record may carry.
	MaxPoints = 1_000_000_000
	// MinYear and MaxYear bound the year of any time the registry stores.
	MinYear = 1900
	MaxYear = 9999
	// MinBirthYear is the earliest birth year of a citizen; the latest is
	// the current year.
	MinBirthYear = 1900
	// MaxOffset is the largest time zone offset, either way, of a time
	// given with one (UTC-12:00 to UTC+14:00 are the real ones).
	MaxOffset = 14 * time.Hour
	// MaxCursor is the longest page cursor, in bytes.
	MaxCursor = 1024
)

// CheckID checks an identifier: present when required, at most MaxID
// bytes of valid UTF-8 without control characters or surrounding spaces.
func CheckID(field, s string, required bool) error {
	if s == "" {
		if required {
			return FieldErrorf(EINVALID, field, "missing")
		}
		return nil
	}
	if len(s) > MaxID {
		return FieldErrorf(EINVALID, field, "%d bytes; the limit is %d", len(s), MaxID)
	}
	if err := checkChars(field, s, false); err != nil {
		return err
	}
	if strings.TrimSpace(s) != s {
		return FieldErrorf(EINVALID, field, "%q has surrounding spaces", s)
	}
	if strings.ContainsRune(s, utf8.RuneError) {
		// What a decoder makes of invalid UTF-8 or a lone surrogate: two
		// different ids would become one.
		return FieldErrorf(EINVALID, field, "%q holds U+FFFD, the replacement character; not allowed in an identifier", s)
	}
	return nil
}

// CheckText checks a free text: present when required (not only spaces),
// at most max bytes of valid UTF-8 without control characters; multiline
// allows line feeds and tabs (the reasons typed in a text area).
func CheckText(field, s string, max int, required, multiline bool) error {
	if strings.TrimSpace(s) == "" {
		if required {
			return FieldErrorf(EINVALID, field, "missing")
		}
		if s == "" {
			return nil
		}
	}
	if len(s) > max {
		return FieldErrorf(EINVALID, field, "%d bytes; the limit is %d", len(s), max)
	}
	return checkChars(field, s, multiline)
}

// checkChars refuses invalid UTF-8 and control characters (C0, DEL, C1;
// line feed and tab too unless multiline).
func checkChars(field, s string, multiline bool) error {
	for i, r := range s {
		if r == utf8.RuneError {
			if _, n := utf8.DecodeRuneInString(s[i:]); n == 1 {
				return FieldErrorf(EINVALID, field, "not valid UTF-8 (byte %d)", i+1)
			}
		}
		if r < 0x20 || r == 0x7f || r >= 0x80 && r <= 0x9f {
			if multiline && (r == '\n' || r == '\t') {
				continue
			}
			return FieldErrorf(EINVALID, field, "control characters are not allowed (%U at byte %d)", r, i+1)
		}
	}
	return nil
}

// CheckTime checks a time the registry stores: its year from MinYear to
// MaxYear and its zone offset (when it has one) within MaxOffset.
func CheckTime(field string, t time.Time) error {
	if t.IsZero() {
		return FieldErrorf(EINVALID, field, "missing")
	}
	if _, off := t.Zone(); time.Duration(off)*time.Second > MaxOffset || time.Duration(-off)*time.Second > MaxOffset {
		return FieldErrorf(EINVALID, field, "zone offset %s is beyond ±14:00", t.Format("-07:00"))
	}
	if y := t.UTC().Year(); y < MinYear || y > MaxYear {
		return FieldErrorf(EINVALID, field, "the year must be from %d to %d", MinYear, MaxYear)
	}
	return nil
}

// ParseTime parses an RFC 3339 time with a zone offset within MaxOffset and
// a year from MinYear to MaxYear, and returns it in UTC. Errors name field.
func ParseTime(field, s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, FieldErrorf(EINVALID, field, "%q is not an RFC 3339 time with a zone offset, such as 2024-03-01T09:00:00+08:00", clip(s))
	}
	if err := CheckTime(field, t); err != nil {
		var e *Error
		if errors.As(err, &e) {
			e.Message = fmt.Sprintf("%q: %s", clip(s), e.Message)
		}
		return time.Time{}, err
	}
	return t.UTC(), nil
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}

// CheckQuantity checks a record's quantity: finite and not negative.
func CheckQuantity(field string, q float64) error {
	if math.IsNaN(q) || math.IsInf(q, 0) {
		return FieldErrorf(EINVALID, field, "%v is not a finite number", q)
	}
	if q < 0 {
		return FieldErrorf(EINVALID, field, "%v is negative", q)
	}
	return nil
}

// Normalize puts ev in the one form that is stored and hashed: a quantity
// of -0 becomes 0 (the two compare equal but encode differently, and a
// database may give back either), times are in UTC.
func (ev *Event) Normalize() {
	if ev.Quantity == 0 {
		ev.Quantity = 0
	}
	if !ev.HasQuantity {
		ev.Quantity = 0
	}
	if !ev.HasPoints {
		ev.Points = 0
	}
	ev.At = ev.At.UTC()
}

// Validate checks what a record is on its own, whatever the scheme: the
// identifiers, the time, the quantity and points as numbers, the evidence.
// The scheme's checks (the rule exists, takes a quantity or points in its
// range) are the engine's (engine.Check). Errors are *Error naming the field.
func (ev *Event) Validate() error {
	if err := CheckID("id", ev.ID, true); err != nil {
		return err
	}
	if err := CheckID("citizen", ev.Citizen, true); err != nil {
		return err
	}
	if err := CheckID(ev.RuleField(), ev.Rule, true); err != nil {
		return err
	}
	if err := CheckTime("at", ev.At); err != nil {
		return err
	}
	if ev.HasQuantity {
		if err := CheckQuantity("quantity", ev.Quantity); err != nil {
			return err
		}
	}
	if ev.HasPoints && (ev.Points < -MaxPoints || ev.Points > MaxPoints) {
		return FieldErrorf(EINVALID, "points", "%d is beyond %d either way", ev.Points, MaxPoints)
	}
	if err := CheckID("department", ev.Department, false); err != nil {
		return err
	}
	return CheckText("evidence", ev.Evidence, MaxEvidence, false, true)
}

// Validate checks a citizen to register as of now: id, name,
// neighbourhood, a birth year from MinBirthYear to now's year and, when
// set, a residence start between the birth year and now.
func (c *Citizen) Validate(now time.Time) error {
	if err := CheckID("id", c.ID, true); err != nil {
		return err
	}
	if err := CheckText("name", c.Name, MaxName, true, false); err != nil {
		return err
	}
	if err := CheckID("neighbourhood", c.Neighbourhood, true); err != nil {
		return err
	}
	if c.BirthYear < MinBirthYear || c.BirthYear > now.Year() {
		return FieldErrorf(EINVALID, "birth_year", "%d is not a year from %d to %d", c.BirthYear, MinBirthYear, now.Year())
	}
	if c.ResidentSince != nil {
		if err := CheckTime("resident_since", *c.ResidentSince); err != nil {
			return err
		}
		if c.ResidentSince.After(now) || c.ResidentSince.Year() < c.BirthYear {
			return FieldErrorf(EINVALID, "resident_since", "%s is not between the birth year %d and now", c.ResidentSince.UTC().Format(time.RFC3339), c.BirthYear)
		}
	}
	return nil
}

// Validate checks an account to create: a name, a known role, and the
// citizen (citizen accounts only) or department (official accounts only)
// it is bound to.
func (a *Account) Validate() error {
	if err := CheckText("name", a.Name, MaxName, true, false); err != nil {
		return err
	}
	switch a.Role {
	case RoleCitizen, RoleOfficial, RoleReviewer, RoleAdmin, RoleTeacher:
	case "":
		return FieldErrorf(EINVALID, "role", "missing; want citizen, official, reviewer, admin or teacher")
	default:
		return FieldErrorf(EINVALID, "role", "%q; want citizen, official, reviewer, admin or teacher", clip(a.Role))
	}
	if a.Role == RoleCitizen {
		if err := CheckID("citizen", a.Citizen, true); err != nil {
			return err
		}
	} else if a.Citizen != "" {
		return FieldErrorf(EINVALID, "citizen", "only a citizen account is bound to a citizen")
	}
	if a.Role == RoleOfficial {
		if err := CheckID("department", a.Department, true); err != nil {
			return err
		}
	} else if a.Department != "" {
		return FieldErrorf(EINVALID, "department", "only an official account is bound to a department")
	}
	return nil
}

// CheckReason checks the reason of an objection or a decision: required,
// at most MaxReason bytes, lines and tabs allowed, no other control
// character.
func CheckReason(field, s string) error {
	return CheckText(field, s, MaxReason, true, true)
}

// Validate checks an objection as filed: the record it names and its reason.
func (o *Objection) Validate() error {
	if err := CheckID("record", o.Record, true); err != nil {
		return err
	}
	return CheckReason("reason", o.Reason)
}
