package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"scs"
	"scs/classroom"
)

// The classroom tables (migration 003): DB implements classroom.Store.
// Writes go through the writer like every other write; none touches the
// ledger.

var _ classroom.Store = (*DB)(nil)

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func errNoClass(code string) error {
	return scs.FieldErrorf(scs.ENOTFOUND, "code", "no class %q", code)
}

// CreateClass stores a new class; a code in use is scs.ECONFLICT.
func (db *DB) CreateClass(ctx context.Context, c classroom.Class) error {
	return db.write(ctx, func(w *wtx) error {
		var n int
		if err := w.queryRow(`SELECT COUNT(*) FROM classes WHERE code = ?`, c.Code).Scan(&n); err != nil {
			return internal("class", err)
		}
		if n > 0 {
			return scs.FieldErrorf(scs.ECONFLICT, "code", "class %s exists", c.Code)
		}
		_, err := w.exec(`INSERT INTO classes (code, teacher, scheme, rounds, informing, cards, public_list, seed, round, status, created, closed, summary)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, '')`,
			c.Code, c.Teacher, c.Scheme, c.Rounds, b2i(c.Informing), b2i(c.Cards), b2i(c.PublicList), c.Seed, c.Round, c.Status, nanos(c.Created))
		return err
	})
}

const classCols = `code, teacher, scheme, rounds, informing, cards, public_list, seed, round, status, created, closed, summary`

func scanClass(row interface{ Scan(...any) error }) (classroom.Class, error) {
	var c classroom.Class
	var inf, cards, pub int
	var created int64
	var closed sql.NullInt64
	err := row.Scan(&c.Code, &c.Teacher, &c.Scheme, &c.Rounds, &inf, &cards, &pub, &c.Seed, &c.Round, &c.Status, &created, &closed, &c.Summary)
	c.Informing, c.Cards, c.PublicList = inf != 0, cards != 0, pub != 0
	c.Created = fromNanos(created)
	if closed.Valid {
		t := fromNanos(closed.Int64)
		c.Closed = &t
	}
	return c, err
}

// Class returns the class with the code.
func (db *DB) Class(ctx context.Context, code string) (classroom.Class, error) {
	c, err := scanClass(db.rc.QueryRowContext(ctx, db.q(`SELECT `+classCols+` FROM classes WHERE code = ?`), code))
	if errors.Is(err, sql.ErrNoRows) {
		return c, errNoClass(code)
	}
	if err != nil {
		return c, internal("class", err)
	}
	return c, nil
}

// ClassesOf lists a teacher's classes, newest first.
func (db *DB) ClassesOf(ctx context.Context, teacher int64) ([]classroom.Class, error) {
	rows, err := db.rc.QueryContext(ctx, db.q(`SELECT `+classCols+` FROM classes WHERE teacher = ? ORDER BY created DESC, code`), teacher)
	if err != nil {
		return nil, internal("classes", err)
	}
	defer rows.Close()
	out := []classroom.Class{}
	for rows.Next() {
		c, err := scanClass(rows)
		if err != nil {
			return nil, internal("classes", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// SetClassRound sets a class's round and status.
func (db *DB) SetClassRound(ctx context.Context, code string, round int, status string) error {
	return db.write(ctx, func(w *wtx) error {
		res, err := w.exec(`UPDATE classes SET round = ?, status = ? WHERE code = ?`, round, status, code)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errNoClass(code)
		}
		return nil
	})
}

// AddClassStudent stores a student under the next free id of their class; a
// pseudonym or token in use is scs.ECONFLICT.
func (db *DB) AddClassStudent(ctx context.Context, s classroom.Student) (classroom.Student, error) {
	err := db.write(ctx, func(w *wtx) error {
		var status string
		err := w.queryRow(`SELECT status FROM classes WHERE code = ?`, s.Class).Scan(&status)
		if errors.Is(err, sql.ErrNoRows) || status == classroom.StatusClosed {
			return errNoClass(s.Class)
		}
		if err != nil {
			return internal("student", err)
		}
		var taken int
		if err := w.queryRow(`SELECT COUNT(*) FROM class_students WHERE class = ? AND pseudonym = ?`, s.Class, s.Pseudonym).Scan(&taken); err != nil {
			return internal("student", err)
		}
		if taken > 0 {
			return scs.FieldErrorf(scs.ECONFLICT, "pseudonym", "%s is taken in class %s", s.Pseudonym, s.Class)
		}
		if err := w.queryRow(`SELECT COUNT(*) FROM class_students WHERE token_hash = ?`, s.TokenHash).Scan(&taken); err != nil {
			return internal("student", err)
		}
		if taken > 0 {
			return scs.Errorf(scs.ECONFLICT, "token: in use")
		}
		if err := w.queryRow(`SELECT COALESCE(MAX(id), 0) + 1 FROM class_students WHERE class = ?`, s.Class).Scan(&s.ID); err != nil {
			return internal("student", err)
		}
		_, err = w.exec(`INSERT INTO class_students (class, id, pseudonym, token_hash, consent, money, hours, joined) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			s.Class, s.ID, s.Pseudonym, s.TokenHash, s.Consent, s.Money, s.Hours, s.Joined)
		return err
	})
	return s, err
}

// ClassStudents lists a class's students by id.
func (db *DB) ClassStudents(ctx context.Context, code string) ([]classroom.Student, error) {
	rows, err := db.rc.QueryContext(ctx, db.q(`SELECT id, pseudonym, token_hash, consent, money, hours, joined FROM class_students WHERE class = ? ORDER BY id`), code)
	if err != nil {
		return nil, internal("students", err)
	}
	defer rows.Close()
	var out []classroom.Student
	for rows.Next() {
		s := classroom.Student{Class: code}
		if err := rows.Scan(&s.ID, &s.Pseudonym, &s.TokenHash, &s.Consent, &s.Money, &s.Hours, &s.Joined); err != nil {
			return nil, internal("students", err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// SetStudentConsent records a student's answer to the consent screen.
func (db *DB) SetStudentConsent(ctx context.Context, code string, student int64, consent int) error {
	return db.write(ctx, func(w *wtx) error {
		res, err := w.exec(`UPDATE class_students SET consent = ? WHERE class = ? AND id = ?`, consent, code, student)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return scs.Errorf(scs.ENOTFOUND, "class %s has no student %d", code, student)
		}
		return nil
	})
}

// AddClassChoices stores a student's choices of a round, all or none; a choice
// already made is scs.ECONFLICT.
func (db *DB) AddClassChoices(ctx context.Context, code string, cs []classroom.Choice) error {
	if len(cs) == 0 {
		return nil
	}
	return db.write(ctx, func(w *wtx) error {
		for _, c := range cs {
			var n int
			if err := w.queryRow(`SELECT COUNT(*) FROM class_choices WHERE class = ? AND student = ? AND round = ? AND situation = ?`,
				code, c.Student, c.Round, c.Situation).Scan(&n); err != nil {
				return internal("choices", err)
			}
			if n > 0 {
				return scs.FieldErrorf(scs.ECONFLICT, "round", "round %d is already played", c.Round)
			}
		}
		args := make([]any, 0, 5*len(cs))
		for _, c := range cs {
			args = append(args, code, c.Student, c.Round, c.Situation, c.Option)
		}
		_, err := w.exec(`INSERT INTO class_choices (class, student, round, situation, choice) VALUES `+values(len(cs), 5), args...)
		return err
	})
}

// ClassChoices lists a class's choices by student, round and situation.
func (db *DB) ClassChoices(ctx context.Context, code string) ([]classroom.Choice, error) {
	rows, err := db.rc.QueryContext(ctx, db.q(`SELECT student, round, situation, choice FROM class_choices WHERE class = ? ORDER BY student, round, situation`), code)
	if err != nil {
		return nil, internal("choices", err)
	}
	defer rows.Close()
	var out []classroom.Choice
	for rows.Next() {
		var c classroom.Choice
		if err := rows.Scan(&c.Student, &c.Round, &c.Situation, &c.Option); err != nil {
			return nil, internal("choices", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// AddClassReport stores a report under the class's next report id.
func (db *DB) AddClassReport(ctx context.Context, code string, r classroom.Report) (classroom.Report, error) {
	err := db.write(ctx, func(w *wtx) error {
		if err := w.queryRow(`SELECT COALESCE(MAX(id), 0) + 1 FROM class_reports WHERE class = ?`, code).Scan(&r.ID); err != nil {
			return internal("report", err)
		}
		_, err := w.exec(`INSERT INTO class_reports (class, id, round, reporter, target, rule, status, objection, decision) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			code, r.ID, r.Round, r.Reporter, r.Target, r.Rule, r.Status, r.Objection, r.Decision)
		return err
	})
	return r, err
}

// SetClassReport stores a report's status, objection and decision.
func (db *DB) SetClassReport(ctx context.Context, code string, r classroom.Report) error {
	return db.write(ctx, func(w *wtx) error {
		res, err := w.exec(`UPDATE class_reports SET status = ?, objection = ?, decision = ? WHERE class = ? AND id = ?`, r.Status, r.Objection, r.Decision, code, r.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return scs.FieldErrorf(scs.ENOTFOUND, "report", "class %s has no report %d", code, r.ID)
		}
		return nil
	})
}

// ClassReports lists a class's reports by id.
func (db *DB) ClassReports(ctx context.Context, code string) ([]classroom.Report, error) {
	rows, err := db.rc.QueryContext(ctx, db.q(`SELECT id, round, reporter, target, rule, status, objection, decision FROM class_reports WHERE class = ? ORDER BY id`), code)
	if err != nil {
		return nil, internal("reports", err)
	}
	defer rows.Close()
	var out []classroom.Report
	for rows.Next() {
		var r classroom.Report
		if err := rows.Scan(&r.ID, &r.Round, &r.Reporter, &r.Target, &r.Rule, &r.Status, &r.Objection, &r.Decision); err != nil {
			return nil, internal("reports", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// CloseClass deletes a class's students, choices and reports and keeps
// its row, closed, with the summary.
func (db *DB) CloseClass(ctx context.Context, code, summary string, at time.Time) error {
	return db.write(ctx, func(w *wtx) error {
		var n int
		if err := w.queryRow(`SELECT COUNT(*) FROM classes WHERE code = ?`, code).Scan(&n); err != nil {
			return internal("close class", err)
		}
		if n == 0 {
			return errNoClass(code)
		}
		for _, q := range []string{`DELETE FROM class_choices WHERE class = ?`, `DELETE FROM class_reports WHERE class = ?`, `DELETE FROM class_students WHERE class = ?`} {
			if _, err := w.exec(q, code); err != nil {
				return err
			}
		}
		_, err := w.exec(`UPDATE classes SET status = ?, closed = ?, summary = ? WHERE code = ?`, classroom.StatusClosed, nanos(at), summary, code)
		return err
	})
}

// ClassRows counts the rows a class has per student, choice and report:
// after closing, all three are 0 (tests and the operator check it).
func (db *DB) ClassRows(ctx context.Context, code string) (students, choices, reports int, err error) {
	for _, x := range []struct {
		q string
		n *int
	}{{`SELECT COUNT(*) FROM class_students WHERE class = ?`, &students}, {`SELECT COUNT(*) FROM class_choices WHERE class = ?`, &choices}, {`SELECT COUNT(*) FROM class_reports WHERE class = ?`, &reports}} {
		if err = db.r.QueryRowContext(ctx, db.q(x.q), code).Scan(x.n); err != nil {
			return 0, 0, 0, internal("class rows", err)
		}
	}
	return
}
