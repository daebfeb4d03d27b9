-- Signed heads of the ledger's hash chain (scs checkpoint, and the server
-- every N entries or minutes). The signing key is kept outside the
-- database; scs verify checks each checkpoint's signature and that the
-- ledger extends its head.
CREATE TABLE checkpoints (
	seq        BIGINT NOT NULL,
	hash       TEXT NOT NULL,
	at         BIGINT NOT NULL,
	body       TEXT NOT NULL,
	signature  TEXT NOT NULL,
	public_key TEXT NOT NULL
);
CREATE INDEX checkpoints_at ON checkpoints (at);
