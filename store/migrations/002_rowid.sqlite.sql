-- SQLite only. In SQLite a BIGINT PRIMARY KEY is not the row id: every
-- ledger and trail row was stored twice over (the table keyed by a hidden
-- row id and a separate unique index on seq), and a read in sequence order
-- went through the index and then the table. Here seq becomes the row id
-- (INTEGER PRIMARY KEY), so appending to the ledger appends to one B-tree
-- and reading it in order is a plain scan; the citizen index no longer needs
-- seq as a column (an index entry carries the row id). The projections and
-- the citizens, looked up only by their text keys, become WITHOUT ROWID
-- tables. Rows are copied as they are: nothing is recomputed, and the hashes
-- (over the values, not the storage) still chain.
CREATE TABLE ledger_v2 (
	seq        INTEGER PRIMARY KEY,
	kind       TEXT NOT NULL,
	rid        TEXT,
	citizen    TEXT NOT NULL,
	rule       TEXT NOT NULL,
	at         BIGINT NOT NULL,
	quantity   DOUBLE PRECISION,
	points     BIGINT,
	department TEXT NOT NULL,
	evidence   TEXT NOT NULL,
	ref        TEXT NOT NULL,
	recorded   BIGINT NOT NULL,
	account    BIGINT NOT NULL,
	hash       BLOB NOT NULL
);
INSERT INTO ledger_v2 SELECT seq, kind, rid, citizen, rule, at, quantity, points, department, evidence, ref, recorded, account, hash FROM ledger ORDER BY seq;
DROP TABLE ledger;
ALTER TABLE ledger_v2 RENAME TO ledger;
CREATE UNIQUE INDEX ledger_rid ON ledger (rid);
CREATE INDEX ledger_citizen ON ledger (citizen);

CREATE TABLE trail_v2 (
	seq  INTEGER PRIMARY KEY,
	item BLOB NOT NULL
);
INSERT INTO trail_v2 SELECT seq, item FROM trail ORDER BY seq;
DROP TABLE trail;
ALTER TABLE trail_v2 RENAME TO trail;

CREATE TABLE projections_v2 (
	citizen      TEXT PRIMARY KEY,
	state        BLOB NOT NULL,
	score        BIGINT NOT NULL,
	band         INTEGER NOT NULL,
	lock_grade   INTEGER NOT NULL,
	locked_until BIGINT NOT NULL,
	grade_since  BIGINT NOT NULL,
	seq          BIGINT NOT NULL,
	registered   BIGINT NOT NULL
) WITHOUT ROWID;
INSERT INTO projections_v2 SELECT citizen, state, score, band, lock_grade, locked_until, grade_since, seq, registered FROM projections;
DROP TABLE projections;
ALTER TABLE projections_v2 RENAME TO projections;

CREATE TABLE citizens_v2 (
	id            TEXT PRIMARY KEY,
	name          TEXT NOT NULL,
	neighbourhood TEXT NOT NULL,
	birth_year    INTEGER NOT NULL,
	consent       INTEGER NOT NULL,
	registered    BIGINT NOT NULL
) WITHOUT ROWID;
INSERT INTO citizens_v2 SELECT id, name, neighbourhood, birth_year, consent, registered FROM citizens;
DROP TABLE citizens;
ALTER TABLE citizens_v2 RENAME TO citizens;
CREATE INDEX citizens_neighbourhood ON citizens (neighbourhood, id);
