package store

import (
	"context"
	"fmt"
	"sort"
	"time"

	"scs"
)

// Page sizes of the lists.
const (
	DefaultPage = 50
	MaxPage     = 1000
)

// capabilityGrades returns the grade indexes that have the capability.
func (db *DB) capabilityGrades(name string) []int {
	c, ok := db.scheme.Capability(name)
	if !ok {
		return nil
	}
	var out []int
	for _, g := range c.Grades {
		if i := db.scheme.GradeIndex(g); i >= 0 {
			out = append(out, i)
		}
	}
	return out
}

func intsArgs(is []int) (string, []any) {
	args := make([]any, len(is))
	for i, v := range is {
		args[i] = v
	}
	return values(1, len(is)), args
}

// candidate is a row of the list queries.
type candidate struct {
	p             proj
	name          string
	grade         int
	neighbourhood string
}

// scan returns the scored citizens whose grade as of at is one of grades,
// in citizen id order, after cursor, at most limit (0: all), optionally in
// one neighbourhood. The SQL filter is a superset (score band or a lock
// that has not run out; none under a factor model, whose scores move with
// time alone); the engine decides each citizen's grade.
func (db *DB) scan(ctx context.Context, grades []int, at time.Time, cursor string, limit int, neighbourhood string) ([]candidate, bool, error) {
	if len(grades) == 0 {
		return nil, false, nil
	}
	cond := `p.citizen > ?`
	var fargs []any
	if !db.eng.ScoreMoves() {
		// Under a factor model the stored band is the score's as of the
		// last record, not as of at, so there is no filter there: every
		// standing is a candidate.
		in, gargs := intsArgs(grades)
		cond += ` AND (p.band IN ` + in + ` OR (p.lock_grade IN ` + in + ` AND p.locked_until > ?))`
		fargs = append(append(append(fargs, gargs...), gargs...), nanos(at))
	}
	if db.scheme.ConsentRequired {
		cond += ` AND c.consent = 1`
	}
	if neighbourhood != "" {
		cond += ` AND c.neighbourhood = ?`
	}
	gset := map[int]bool{}
	for _, g := range grades {
		gset[g] = true
	}
	var out []candidate
	batch := 500
	if limit > 0 {
		batch = limit + 1
	}
	for {
		args := append([]any{cursor}, fargs...)
		if neighbourhood != "" {
			args = append(args, neighbourhood)
		}
		args = append(args, batch)
		rows, err := db.r.QueryContext(ctx, db.q(`SELECT p.citizen, p.state, p.grade_since, p.seq, c.name, c.neighbourhood
			FROM projections p JOIN citizens c ON c.id = p.citizen WHERE `+cond+` ORDER BY p.citizen LIMIT ?`), args...)
		if err != nil {
			return nil, false, internal("list", err)
		}
		n := 0
		for rows.Next() {
			n++
			var c candidate
			var state []byte
			if err := rows.Scan(&c.p.citizen, &state, &c.p.since, &c.p.seq, &c.name, &c.neighbourhood); err != nil {
				rows.Close()
				return nil, false, internal("list", err)
			}
			cursor = c.p.citizen
			st, err := decodeState(state, c.p.citizen)
			if err != nil {
				rows.Close()
				return nil, false, internal("list", err)
			}
			c.p.st = st
			c.grade = db.eng.GradeAt(&st, at)
			if !gset[c.grade] {
				continue
			}
			if limit > 0 && len(out) == limit {
				rows.Close()
				return out, true, nil
			}
			out = append(out, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, false, internal("list", err)
		}
		if n < batch {
			return out, false, nil
		}
	}
}

func normPage(p scs.Page) (scs.Page, error) {
	if p.Limit == 0 {
		p.Limit = DefaultPage
	}
	if p.Limit < 0 || p.Limit > MaxPage {
		return p, scs.FieldErrorf(scs.EINVALID, "limit", "%d is not from 1 to %d", p.Limit, MaxPage)
	}
	if err := scs.CheckText("cursor", p.Cursor, scs.MaxCursor, false, false); err != nil {
		return p, err
	}
	return p, nil
}

func (db *DB) list(ctx context.Context, capability string, p scs.Page, at time.Time, withRecords bool) ([]scs.ListEntry, string, error) {
	p, err := normPage(p)
	if err != nil {
		return nil, "", err
	}
	at = at.UTC()
	cs, more, err := db.scan(ctx, db.capabilityGrades(capability), at, p.Cursor, p.Limit, "")
	if err != nil {
		return nil, "", err
	}
	out := make([]scs.ListEntry, 0, len(cs))
	for i := range cs {
		c := &cs[i]
		st := db.eng.Standing(&c.p.st, at)
		le := scs.ListEntry{Citizen: c.p.citizen, Name: c.name, Neighbourhood: c.neighbourhood, Grade: st.Grade,
			Score: st.Score, GradeSince: db.gradeSince(&c.p, at), LockedUntil: st.LockedUntil}
		if withRecords {
			trail, err := db.trailOf(db.read(ctx), c.p.citizen)
			if err != nil {
				return nil, "", err
			}
			if err := db.currentTrail(ctx, db.rc, c.p.citizen, nil, trail); err != nil {
				return nil, "", err
			}
			for _, t := range trail {
				if t.Applied < 0 {
					le.Records = append(le.Records, db.fileEntry(&t.TrailEntry, nil, false))
				}
			}
		}
		out = append(out, le)
	}
	next := ""
	if more && len(out) > 0 {
		next = out[len(out)-1].Citizen
	}
	return out, next, nil
}

// PublicList lists the scored citizens whose grade as of at has the
// scheme's "public-list" capability (grade D in Rongcheng), in citizen id
// order: name, grade since, and the records that put them there (every
// record that took points). Anyone may read it. The next page starts at
// the returned cursor; "" means this was the last page.
func (db *DB) PublicList(ctx context.Context, p scs.Page, at time.Time) ([]scs.ListEntry, string, error) {
	return db.list(ctx, "public-list", p, at, true)
}

// WatchList lists the scored citizens whose grade as of at has the
// "watch-list" capability (C and D in Rongcheng), paginated like
// PublicList (officials, admin).
func (db *DB) WatchList(ctx context.Context, by *scs.Account, p scs.Page, at time.Time) ([]scs.ListEntry, string, error) {
	if err := need(by, "reading the watch list", scs.RoleOfficial, scs.RoleAdmin); err != nil {
		return nil, "", err
	}
	return db.list(ctx, "watch-list", p, at, false)
}

// civil returns t's calendar date in loc as a UTC midnight.
func civil(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// visitsOn returns how many visits of frequency v fall on day for a citizen
// in the grade since the date since (both civil dates). The visits of each
// period are spread evenly over its days, the first on the period's first
// day: 1 every 3 months is a visit on the day they entered the grade and
// every 3 months after; 3 every day is 3 visits every day.
func visitsOn(v scs.Visits, since, day time.Time) int {
	if v.Times <= 0 || v.Every.IsZero() || day.Before(since) {
		return 0
	}
	add := func(k int) time.Time {
		return since.AddDate(k*v.Every.Years, k*v.Every.Months, k*v.Every.Days)
	}
	k := int(day.Sub(since).Hours()/24/v.Every.InDays()) - 1
	if k < 0 {
		k = 0
	}
	for add(k).After(day) && k > 0 {
		k--
	}
	for !add(k + 1).After(day) {
		k++
	}
	start, end := add(k), add(k+1)
	days := int(end.Sub(start).Hours()/24 + 0.5)
	if days < 1 {
		days = 1
	}
	off := int(day.Sub(start).Hours()/24 + 0.5)
	n := 0
	for i := 0; i < v.Times; i++ {
		if i*days/v.Times == off {
			n++
		}
	}
	return n
}

// Visits lists the visits due on day (its date in the scheme's time zone)
// in a neighbourhood ("" for all), from the scheme's visit frequencies
// and each scored citizen's grade at the end of that day and the date they
// entered it (officials, admin). The schedule is deterministic; see
// visitsOn. Sorted by neighbourhood, then citizen.
func (db *DB) Visits(ctx context.Context, by *scs.Account, day time.Time, neighbourhood string) ([]scs.Visit, error) {
	if err := need(by, "reading the visit schedule", scs.RoleOfficial, scs.RoleAdmin); err != nil {
		return nil, err
	}
	if day.IsZero() {
		return nil, scs.FieldErrorf(scs.EINVALID, "day", "missing")
	}
	if err := scs.CheckID("neighbourhood", neighbourhood, false); err != nil {
		return nil, err
	}
	loc := db.scheme.Location
	if loc == nil {
		loc = time.UTC
	}
	d := civil(day, loc)
	endOfDay := time.Date(d.Year(), d.Month(), d.Day()+1, 0, 0, 0, 0, loc).Add(-time.Nanosecond)
	var grades []int
	for i, g := range db.scheme.Grades {
		if g.Visits.Times > 0 && !g.Visits.Every.IsZero() {
			grades = append(grades, i)
		}
	}
	cs, _, err := db.scan(ctx, grades, endOfDay, "", 0, neighbourhood)
	if err != nil {
		return nil, err
	}
	out := []scs.Visit{}
	for i := range cs {
		c := &cs[i]
		g := db.scheme.Grades[c.grade]
		since := db.gradeSince(&c.p, endOfDay)
		if since.IsZero() || since.After(endOfDay) {
			continue
		}
		if n := visitsOn(g.Visits, civil(since, loc), d); n > 0 {
			out = append(out, scs.Visit{Citizen: c.p.citizen, Name: c.name, Neighbourhood: c.neighbourhood, Grade: g.Name, Count: n})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Neighbourhood != out[j].Neighbourhood {
			return out[i].Neighbourhood < out[j].Neighbourhood
		}
		return out[i].Citizen < out[j].Citizen
	})
	return out, nil
}

// Stats returns the registry's totals as of at: citizens, how many are
// scored, scored citizens per grade (every grade listed), records (not
// reversed) per rule, objections open and overdue. Anyone may read them.
//
// Nothing is counted from the ledger: records per rule are running totals
// kept with it (rule_totals), the grades are counted by gradeCounts, and
// the objections through the index on (status, due).
func (db *DB) Stats(ctx context.Context, at time.Time) (scs.Stats, error) {
	at = at.UTC()
	s := scs.Stats{PerGrade: map[string]int{}, RecordsPerRule: map[string]int{}, AsOf: at}
	for _, g := range db.scheme.Grades {
		s.PerGrade[g.Name] = 0
	}
	if err := db.gradeCounts(ctx, at, &s); err != nil {
		return s, err
	}
	rows, err := db.rc.QueryContext(ctx, `SELECT rule, records FROM rule_totals WHERE records <> 0`)
	if err != nil {
		return s, internal("stats", err)
	}
	for rows.Next() {
		var rule string
		var n int
		if err := rows.Scan(&rule, &n); err != nil {
			rows.Close()
			return s, internal("stats", err)
		}
		s.RecordsPerRule[rule] = n
		s.Records += int64(n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return s, internal("stats", err)
	}
	err = db.rc.QueryRowContext(ctx, db.q(`SELECT COUNT(*), COALESCE(SUM(CASE WHEN due < ? THEN 1 ELSE 0 END), 0) FROM objections WHERE status = ?`),
		nanos(at), scs.ObjectionOpen).Scan(&s.ObjectionsOpen, &s.ObjectionsOverdue)
	if err != nil {
		return s, internal("stats", err)
	}
	return s, nil
}

// gradeCounts counts the citizens, the scored ones and the scored per grade
// as of at into s. Under a points scheme it is one aggregate over the
// projections' stored band and lock, grouped by band, lock grade, whether
// the lock holds at at and consent; the engine's GradeHeld decides each
// group's grade, so the rule stays the engine's. Under a factor model the
// score moves with time alone and the stored band says nothing of at: every
// projection's state is read and the engine's GradeAt decides.
func (db *DB) gradeCounts(ctx context.Context, at time.Time, s *scs.Stats) error {
	scored := `1`
	if db.scheme.ConsentRequired {
		scored = `c.consent`
	}
	var q string
	var args []any
	if db.eng.ScoreMoves() {
		q = `SELECT p.state, p.citizen, ` + scored + ` FROM projections p JOIN citizens c ON c.id = p.citizen`
	} else {
		q = `SELECT p.band, p.lock_grade, CASE WHEN p.locked_until > ? THEN 1 ELSE 0 END, ` + scored + `, COUNT(*)
			FROM projections p JOIN citizens c ON c.id = p.citizen GROUP BY 1, 2, 3, 4`
		args = append(args, nanos(at))
	}
	rows, err := db.rc.QueryContext(ctx, db.q(q), args...)
	if err != nil {
		return internal("stats", err)
	}
	defer rows.Close()
	for rows.Next() {
		var g, sc, n int
		if db.eng.ScoreMoves() {
			var state []byte
			var id string
			if err := rows.Scan(&state, &id, &sc); err != nil {
				return internal("stats", err)
			}
			st, err := decodeState(state, id)
			if err != nil {
				return internal("stats", err)
			}
			g, n = db.eng.GradeAt(&st, at), 1
		} else {
			var band, lock, holds int
			if err := rows.Scan(&band, &lock, &holds, &sc, &n); err != nil {
				return internal("stats", err)
			}
			g = db.eng.GradeHeld(band, lock, holds == 1)
		}
		s.Citizens += n
		if sc != 1 {
			continue
		}
		s.Scored += n
		if g < 0 || g >= len(db.scheme.Grades) {
			return internal("stats", fmt.Errorf("a projection has grade %d of %d", g, len(db.scheme.Grades)))
		}
		s.PerGrade[db.scheme.Grades[g].Name] += n
	}
	if err := rows.Err(); err != nil {
		return internal("stats", err)
	}
	return nil
}
