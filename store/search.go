package store

import (
	"context"
	"strings"
	"unicode/utf8"

	"scs"
)

// MaxSearch is the longest search text (an id or the start of a name).
const MaxSearch = 128

// SearchCitizens finds the citizens whose id or name starts with q,
// whatever the capitals A to Z ("wang" finds "Wang Fang"; other letters as
// written), in id order after the page's cursor, at most p.Limit
// (officials, admin; a reviewer only among citizens with an open
// objection, as for reading a file). Both prefixes are index range scans
// (citizens_id_lower, citizens_name_lower: indexes on the lower-cased id
// and name) in byte order, so the work is bounded by the page and not by
// the city.
func (db *DB) SearchCitizens(ctx context.Context, by *scs.Account, q string, p scs.Page) ([]scs.Citizen, string, error) {
	if err := need(by, "finding citizens", scs.RoleOfficial, scs.RoleReviewer, scs.RoleAdmin); err != nil {
		return nil, "", err
	}
	if err := scs.CheckText("q", q, MaxSearch, true, false); err != nil {
		return nil, "", err
	}
	if strings.TrimSpace(q) != q {
		return nil, "", scs.FieldErrorf(scs.EINVALID, "q", "%q has surrounding spaces", q)
	}
	p, err := normPage(p)
	if err != nil {
		return nil, "", err
	}
	lo := lowerASCII(q)
	hi := lo + string(utf8.MaxRune)
	// Byte order in both databases: SQLite's default, PostgreSQL's "C";
	// lower() folds A-Z only in both.
	c := func(col string) string {
		if db.d.dollar {
			return col + ` COLLATE "C"`
		}
		return col
	}
	low := func(col string) string { return "lower(" + c(col) + ")" }
	reviewer := ""
	args := []any{lo, hi, lo, hi, p.Cursor}
	if by.Role == scs.RoleReviewer {
		reviewer = ` AND EXISTS (SELECT 1 FROM objections o WHERE o.citizen = c.id AND o.status = ?)`
		args = append(args, scs.ObjectionOpen)
	}
	args = append(args, p.Limit+1)
	rows, err := db.rc.QueryContext(ctx, db.q(`SELECT c.id, c.name, c.neighbourhood, c.birth_year, c.consent, c.registered, c.resident_since FROM citizens c
		WHERE ((`+low("c.id")+` >= ? AND `+low("c.id")+` <= ?) OR (`+low("c.name")+` >= ? AND `+low("c.name")+` <= ?)) AND `+c("c.id")+` > ?`+reviewer+`
		ORDER BY `+c("c.id")+` LIMIT ?`), args...)
	if err != nil {
		return nil, "", internal("search", err)
	}
	defer rows.Close()
	var out []scs.Citizen
	for rows.Next() {
		var ci scs.Citizen
		var consent int
		var reg, res int64
		if err := rows.Scan(&ci.ID, &ci.Name, &ci.Neighbourhood, &ci.BirthYear, &consent, &reg, &res); err != nil {
			return nil, "", internal("search", err)
		}
		ci.Consent = consent == 1
		ci.Registered = fromNanos(reg)
		if res != 0 {
			t := fromNanos(res)
			ci.ResidentSince = &t
		}
		out = append(out, ci)
	}
	if err := rows.Err(); err != nil {
		return nil, "", internal("search", err)
	}
	next := ""
	if len(out) > p.Limit {
		out = out[:p.Limit]
		next = out[len(out)-1].ID
	}
	return out, next, nil
}

// lowerASCII lower-cases A to Z and leaves every other byte, as lower()
// does in SQLite and in PostgreSQL under the "C" collation.
func lowerASCII(s string) string {
	return strings.Map(func(r rune) rune {
		if 'A' <= r && r <= 'Z' {
			return r + ('a' - 'A')
		}
		return r
	}, s)
}
