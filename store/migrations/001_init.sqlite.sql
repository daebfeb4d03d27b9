-- The ledger is append-only: rows are inserted, never updated or deleted.
-- Each row's hash is SHA-256 of the previous row's hash and this row's
-- canonical encoding (see store/codec.go), so a changed row breaks the chain.
CREATE TABLE ledger (
	seq        BIGINT PRIMARY KEY,
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
CREATE UNIQUE INDEX ledger_rid ON ledger (rid);
CREATE INDEX ledger_citizen ON ledger (citizen, seq);

-- citizens is the projection of the ledger's citizen and consent entries.
CREATE TABLE citizens (
	id            TEXT PRIMARY KEY,
	name          TEXT NOT NULL,
	neighbourhood TEXT NOT NULL,
	birth_year    INTEGER NOT NULL,
	consent       INTEGER NOT NULL,
	registered    BIGINT NOT NULL
);
CREATE INDEX citizens_neighbourhood ON citizens (neighbourhood, id);

-- projections holds each citizen's engine state and trail, replayed from
-- the ledger, with the columns the lists filter on (not indexed: every
-- record changes them, and the lists scan the table in citizen order).
CREATE TABLE projections (
	citizen      TEXT PRIMARY KEY,
	state        BLOB NOT NULL,
	score        BIGINT NOT NULL,
	band         INTEGER NOT NULL,
	lock_grade   INTEGER NOT NULL,
	locked_until BIGINT NOT NULL,
	grade_since  BIGINT NOT NULL,
	seq          BIGINT NOT NULL,
	registered   BIGINT NOT NULL
);

-- trail holds the engine's trail entry of every standing record, keyed by
-- the record's sequence number; a late record or a reversal rewrites the
-- entries of the citizen's records.
CREATE TABLE trail (
	seq  BIGINT PRIMARY KEY,
	item BLOB NOT NULL
);

CREATE TABLE objections (
	id        INTEGER PRIMARY KEY,
	citizen   TEXT NOT NULL,
	record    TEXT NOT NULL,
	seq       BIGINT NOT NULL,
	reason    TEXT NOT NULL,
	status    TEXT NOT NULL,
	filed     BIGINT NOT NULL,
	due       BIGINT NOT NULL,
	decided   BIGINT,
	reviewer  BIGINT,
	decision  TEXT NOT NULL,
	filed_by  BIGINT NOT NULL
);
CREATE INDEX objections_citizen ON objections (citizen);
CREATE INDEX objections_status ON objections (status, due);

CREATE TABLE accounts (
	id         INTEGER PRIMARY KEY,
	name       TEXT NOT NULL,
	role       TEXT NOT NULL,
	citizen    TEXT NOT NULL,
	department TEXT NOT NULL,
	token_hash BLOB NOT NULL UNIQUE,
	created    BIGINT NOT NULL,
	revoked    BIGINT,
	created_by BIGINT NOT NULL
);

CREATE TABLE meta (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
);
