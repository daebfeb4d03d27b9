-- A reversal's reference to the record it reverses and a consent change's
-- new consent get columns of their own instead of text in ref ("seq:N
-- objection:M", "1" or "0", read with LIKE and parsing); ref keeps only
-- the JSON documents of citizen and decision entries. The hashes do not
-- change: they cover the text these columns were written as, which the
-- store derives from them (entry.refText), and a row is cleared only when
-- its text is exactly what the columns give back.
ALTER TABLE ledger ADD COLUMN target BIGINT;
ALTER TABLE ledger ADD COLUMN objection BIGINT;
ALTER TABLE ledger ADD COLUMN consent INTEGER;
UPDATE ledger SET
	target = CAST(substr(ref, 5, instr(ref, ' ') - 5) AS INTEGER),
	objection = CAST(substr(ref, instr(ref, ' objection:') + 11) AS INTEGER)
WHERE kind = 'reversal' AND ref GLOB 'seq:[0-9]* objection:[0-9]*';
UPDATE ledger SET ref = '' WHERE kind = 'reversal' AND ref = 'seq:' || target || ' objection:' || objection;
UPDATE ledger SET consent = CAST(ref AS INTEGER), ref = '' WHERE kind = 'consent' AND ref IN ('0', '1');
