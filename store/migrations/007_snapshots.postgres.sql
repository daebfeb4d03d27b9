-- Per-citizen snapshots of the engine's state, so that a late record is
-- replayed from the newest snapshot before its time rather than from the
-- citizen's first record. A snapshot at "at" is the state after every
-- live record of the citizen dated at or before "at" (never inside a group
-- of records sharing one instant). Snapshots are a cache: scs verify
-- ignores them, and deleting them only makes the next late record slower.
CREATE TABLE snapshots (
	citizen TEXT NOT NULL,
	at      BIGINT NOT NULL,
	state   BYTEA NOT NULL,
	since   BIGINT NOT NULL,
	PRIMARY KEY (citizen, at)
);
CREATE INDEX ledger_citizen_at ON ledger (citizen, at);
