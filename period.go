package scs

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Period is a calendar span: years, months and days, added with
// time.Time.AddDate in the scheme's time zone.
type Period struct {
	Years, Months, Days int
}

// IsZero reports whether p is empty.
func (p Period) IsZero() bool { return p == Period{} }

// AddTo returns t plus p, computed in t's location.
func (p Period) AddTo(t time.Time) time.Time { return t.AddDate(p.Years, p.Months, p.Days) }

// InDays returns the average length of p in days (a year is 365.2425 days).
func (p Period) InDays() float64 {
	return float64(p.Years)*365.2425 + float64(p.Months)*365.2425/12 + float64(p.Days)
}

// String renders p in ISO 8601 form, such as "P2Y" or "P1Y6M"; "P0D" when zero.
func (p Period) String() string {
	if p.IsZero() {
		return "P0D"
	}
	var b strings.Builder
	b.WriteByte('P')
	if p.Years != 0 {
		fmt.Fprintf(&b, "%dY", p.Years)
	}
	if p.Months != 0 {
		fmt.Fprintf(&b, "%dM", p.Months)
	}
	if p.Days != 0 {
		fmt.Fprintf(&b, "%dD", p.Days)
	}
	return b.String()
}

// PeriodPart is one unit of a period as people name it: N of Unit
// ("year", "month", "week" or "day").
type PeriodPart struct {
	N    int
	Unit string
}

// Parts splits p into the units people name it by, largest first, zero
// units left out: years, months, then weeks when the days are whole weeks,
// days otherwise. Every rendering of a period in words (English here, the
// pages' catalogue in other languages) goes through it.
func (p Period) Parts() []PeriodPart {
	var parts []PeriodPart
	add := func(n int, unit string) {
		if n != 0 {
			parts = append(parts, PeriodPart{n, unit})
		}
	}
	add(p.Years, "year")
	add(p.Months, "month")
	if p.Days%7 == 0 {
		add(p.Days/7, "week")
	} else {
		add(p.Days, "day")
	}
	return parts
}

// Words renders p in English, such as "2 years" or "1 year 6 months"; "none" when zero.
func (p Period) Words() string {
	if p.IsZero() {
		return "none"
	}
	var words []string
	for _, part := range p.Parts() {
		unit := part.Unit
		if part.N != 1 {
			unit += "s"
		}
		words = append(words, fmt.Sprintf("%d %s", part.N, unit))
	}
	return strings.Join(words, " ")
}

// unit returns the unit of a period of one year, one month, one week or
// one day ("year", ...), and "" for any other period.
func (p Period) unit() string {
	switch p {
	case Period{Years: 1}:
		return "year"
	case Period{Months: 1}:
		return "month"
	case Period{Days: 7}:
		return "week"
	case Period{Days: 1}:
		return "day"
	}
	return ""
}

// Every renders a recurrence of p as people say it: "every month",
// "every 2 weeks", "every 1 year 6 months".
func (p Period) Every() string {
	if u := p.unit(); u != "" {
		return "every " + u
	}
	return "every " + p.Words()
}

// Rate renders n times in each p as people say it: "3 a day", "1 a week",
// "2 every 3 months".
func (p Period) Rate(n int) string {
	if u := p.unit(); u != "" {
		return fmt.Sprintf("%d a %s", n, u)
	}
	return fmt.Sprintf("%d %s", n, p.Every())
}

// MarshalText encodes p in ISO 8601 form.
func (p Period) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// UnmarshalText decodes p with ParsePeriod.
func (p *Period) UnmarshalText(b []byte) error {
	v, err := ParsePeriod(string(b))
	if err != nil {
		return err
	}
	*p = v
	return nil
}

// ParsePeriod reads a period written in ISO 8601 ("P2Y", "P1Y6M", "P90D",
// "P1W") or in words ("2 years", "3 months", "1 week", "90 days",
// "1 year 6 months"). "none" and "0" are the zero period. Negative and
// time-of-day parts are errors.
func ParsePeriod(s string) (Period, error) {
	in := strings.TrimSpace(s)
	if in == "" {
		return Period{}, fmt.Errorf("empty period")
	}
	if in == "none" || in == "0" {
		return Period{}, nil
	}
	var p Period
	add := func(n int, unit string) bool {
		switch unit {
		case "y", "year", "years":
			p.Years += n
		case "m", "month", "months":
			p.Months += n
		case "w", "week", "weeks":
			p.Days += 7 * n
		case "d", "day", "days":
			p.Days += n
		default:
			return false
		}
		return true
	}
	if in[0] == 'P' || in[0] == 'p' {
		rest := strings.ToLower(in[1:])
		if rest == "" || strings.ContainsAny(rest, "th") {
			return Period{}, fmt.Errorf("period %q: want ISO 8601 years, months, weeks or days, such as P2Y", s)
		}
		for rest != "" {
			i := 0
			for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
				i++
			}
			if i == 0 || i == len(rest) || i > 6 {
				return Period{}, fmt.Errorf("period %q: want a number before each of Y, M, W, D", s)
			}
			n, _ := strconv.Atoi(rest[:i])
			if !add(n, rest[i:i+1]) {
				return Period{}, fmt.Errorf("period %q: unknown unit %q", s, rest[i:i+1])
			}
			rest = rest[i+1:]
		}
		return p, nil
	}
	f := strings.Fields(strings.ToLower(in))
	if len(f)%2 != 0 {
		return Period{}, fmt.Errorf("period %q: want a number and a unit, such as \"2 years\"", s)
	}
	for i := 0; i < len(f); i += 2 {
		n, err := strconv.Atoi(f[i])
		if err != nil || n < 0 || n > 999999 {
			return Period{}, fmt.Errorf("period %q: %q is not a whole number of at most 999999", s, f[i])
		}
		if len(f[i+1]) <= 1 || !add(n, f[i+1]) {
			return Period{}, fmt.Errorf("period %q: unknown unit %q (want years, months, weeks or days)", s, f[i+1])
		}
	}
	return p, nil
}
