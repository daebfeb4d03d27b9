-- What decides whether a citizen's records are scored, besides the scheme:
-- when they became resident (0: not on record) and their consent changes
-- after registration, as "1@nanos" (opt-in) and "0@nanos" (withdrawal)
-- separated by spaces, in ledger order (a projection of the ledger's
-- consent entries, checked by Verify). Consent entries written before
-- this migration are not copied: their registries need scs verify.
ALTER TABLE citizens ADD COLUMN resident_since BIGINT NOT NULL DEFAULT 0;
ALTER TABLE citizens ADD COLUMN consent_log TEXT NOT NULL DEFAULT '';
