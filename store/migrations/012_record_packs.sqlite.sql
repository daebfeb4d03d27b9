-- Record packs: what a replay reads of a citizen's standing records
-- (sequence number, time, rule, record id, quantity, points), many records
-- to a row, so that a late record dated early in a long history reads a
-- few dozen rows rather than tens of thousands of ledger rows. A pack
-- holds the records dated from lo to hi in the engine's order; the first
-- pack of a citizen starts at the smallest time, each next one where the
-- one before ended, and the records after the last hi are read from the
-- ledger. They are written with the ledger entries they follow from, and
-- scs verify checks them against the ledger.
CREATE TABLE record_packs (
	citizen TEXT NOT NULL,
	lo      BIGINT NOT NULL,
	hi      BIGINT NOT NULL,
	body    BLOB NOT NULL,
	PRIMARY KEY (citizen, lo)
);
