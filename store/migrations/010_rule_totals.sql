-- rule_totals is a running total kept with the ledger: for each rule, its
-- records minus its reversals, changed in the transaction that appends
-- them, so that the statistics need not count the ledger. Verify checks it
-- against the entries it reads.
CREATE TABLE rule_totals (
	rule    TEXT PRIMARY KEY,
	records BIGINT NOT NULL
);
INSERT INTO rule_totals (rule, records)
	SELECT rule, SUM(CASE WHEN kind = 'record' THEN 1 ELSE -1 END) FROM ledger WHERE kind IN ('record', 'reversal') GROUP BY rule;
