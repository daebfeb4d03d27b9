-- trail_stale marks the trail rows a late record put out of date without
-- rewriting them: a record dated early in a long history changes the trail
-- entry (score, grade, ...) of every record after it, and rewriting tens of
-- thousands of rows would hold every other writer. The rows of the
-- citizen's records dated at or after "at" are not read as stored: readers
-- compute those entries with the engine from the newest snapshot before
-- them. A replay of the citizen's whole history rewrites the rows and
-- removes the mark. scs verify checks the rows before the mark, and the
-- snapshots.
CREATE TABLE trail_stale (
	citizen TEXT PRIMARY KEY,
	at      BIGINT NOT NULL
);
