-- Classroom mode (package classroom): a class, its anonymous students,
-- their choices and their reports of each other. Nothing here is in the
-- ledger: closing a class deletes its students, choices and reports and
-- keeps only the class row with the aggregate counts per round (summary).
CREATE TABLE classes (
	code        TEXT PRIMARY KEY,
	teacher     BIGINT NOT NULL,
	scheme      TEXT NOT NULL,
	rounds      INTEGER NOT NULL,
	informing   INTEGER NOT NULL,
	cards       INTEGER NOT NULL,
	public_list INTEGER NOT NULL,
	seed        BIGINT NOT NULL,
	round       INTEGER NOT NULL,
	status      TEXT NOT NULL,
	created     BIGINT NOT NULL,
	closed      BIGINT,
	summary     TEXT NOT NULL
);
CREATE INDEX classes_teacher ON classes (teacher, created);

CREATE TABLE class_students (
	class      TEXT NOT NULL,
	id         BIGINT NOT NULL,
	pseudonym  TEXT NOT NULL,
	token_hash BLOB NOT NULL UNIQUE,
	consent    INTEGER NOT NULL,
	money      BIGINT NOT NULL,
	hours      BIGINT NOT NULL,
	joined     INTEGER NOT NULL,
	PRIMARY KEY (class, id)
);
CREATE UNIQUE INDEX class_students_pseudonym ON class_students (class, pseudonym);

CREATE TABLE class_choices (
	class     TEXT NOT NULL,
	student   BIGINT NOT NULL,
	round     INTEGER NOT NULL,
	situation TEXT NOT NULL,
	choice    TEXT NOT NULL,
	PRIMARY KEY (class, student, round, situation)
);

CREATE TABLE class_reports (
	class     TEXT NOT NULL,
	id        BIGINT NOT NULL,
	round     INTEGER NOT NULL,
	reporter  BIGINT NOT NULL,
	target    BIGINT NOT NULL,
	rule      TEXT NOT NULL,
	status    TEXT NOT NULL,
	objection TEXT NOT NULL,
	decision  TEXT NOT NULL,
	PRIMARY KEY (class, id)
);
