package store

import (
	"context"
	"strings"
	"unicode/utf8"

	"scs"
)

// MaxSearch is the longest search text (an id or the start of a name).
const MaxSearch = 128

// SearchCitizens finds the citizens whose id or name starts with q (case
// as written), in id order after the page's cursor, at most p.Limit
// (officials, admin; a reviewer only among citizens with an open
// objection, as for reading a file). Both prefixes are index range scans
// (the primary key, citizens_name) in byte order, so the work is bounded
// by the page and not by the city.
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
	lo, hi := q, q+string(utf8.MaxRune)
	// Byte order in both databases: SQLite's default, PostgreSQL's "C".
	c := func(col string) string {
		if db.d.dollar {
			return col + ` COLLATE "C"`
		}
		return col
	}
	reviewer := ""
	args := []any{lo, hi, lo, hi, p.Cursor}
	if by.Role == scs.RoleReviewer {
		reviewer = ` AND EXISTS (SELECT 1 FROM objections o WHERE o.citizen = c.id AND o.status = ?)`
		args = append(args, scs.ObjectionOpen)
	}
	args = append(args, p.Limit+1)
	rows, err := db.rc.QueryContext(ctx, db.q(`SELECT c.id, c.name, c.neighbourhood, c.birth_year, c.consent, c.registered, c.resident_since FROM citizens c
		WHERE ((`+c("c.id")+` >= ? AND `+c("c.id")+` <= ?) OR (`+c("c.name")+` >= ? AND `+c("c.name")+` <= ?)) AND `+c("c.id")+` > ?`+reviewer+`
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
