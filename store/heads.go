package store

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"scs"
)

// Head is the head of the ledger's hash chain: the last entry's sequence
// number and hash. The head of an empty ledger is 0 with a zero hash.
type Head struct {
	Seq  int64
	Hash [32]byte
}

// String writes the head as SEQ:HASH, the hash in lower-case hex.
func (h Head) String() string {
	return strconv.FormatInt(h.Seq, 10) + ":" + hex.EncodeToString(h.Hash[:])
}

// ParseHead reads SEQ:HASH (the hash 64 hex digits). Errors are
// scs.EINVALID and name the part at fault.
func ParseHead(s string) (Head, error) {
	var h Head
	seq, hash, ok := strings.Cut(strings.TrimSpace(s), ":")
	if !ok {
		return h, scs.Errorf(scs.EINVALID, "head %q: want SEQ:HASH, such as 1234:%s", s, strings.Repeat("0", 64))
	}
	n, err := strconv.ParseInt(seq, 10, 64)
	if err != nil || n < 0 {
		return h, scs.Errorf(scs.EINVALID, "head %q: sequence number %q is not a whole number of 0 or more", s, seq)
	}
	b, err := hex.DecodeString(hash)
	if err != nil || len(b) != 32 {
		return h, scs.Errorf(scs.EINVALID, "head %q: hash %q is not 64 hex digits", s, hash)
	}
	h.Seq = n
	copy(h.Hash[:], b)
	return h, nil
}

// Head returns the head of the ledger as the readers see it now.
func (db *DB) Head(ctx context.Context) (Head, error) {
	var h Head
	var b []byte
	err := db.r.QueryRowContext(ctx, `SELECT seq, hash FROM ledger ORDER BY seq DESC LIMIT 1`).Scan(&h.Seq, &b)
	if errors.Is(err, sql.ErrNoRows) {
		return h, nil
	}
	if err != nil {
		return h, internal("head", err)
	}
	copy(h.Hash[:], b)
	return h, nil
}

// CheckHead reports whether the ledger extends h: entry h.Seq is there with
// h.Hash. (Verify checks that the chain from the first entry to the last is
// whole; together they show that nothing up to h was removed or changed.)
// The problem, when there is one, names what is missing.
func (db *DB) CheckHead(ctx context.Context, h Head) (*scs.VerifyProblem, error) {
	if h.Seq == 0 {
		return nil, nil
	}
	var b []byte
	err := db.r.QueryRowContext(ctx, db.q(`SELECT hash FROM ledger WHERE seq = ?`), h.Seq).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		last, err := db.Head(ctx)
		if err != nil {
			return nil, err
		}
		if last.Seq < h.Seq {
			missing := fmt.Sprintf("entries %d to %d are missing", last.Seq+1, h.Seq)
			if last.Seq+1 == h.Seq {
				missing = fmt.Sprintf("entry %d is missing", h.Seq)
			}
			return &scs.VerifyProblem{Seq: h.Seq, Message: fmt.Sprintf("head %s: the ledger ends at entry %d; %s: the newest entries were deleted or an older copy of the database was restored",
				h, last.Seq, missing)}, nil
		}
		return &scs.VerifyProblem{Seq: h.Seq, Message: fmt.Sprintf("head %s: entry %d is missing from the ledger", h, h.Seq)}, nil
	}
	if err != nil {
		return nil, internal("head", err)
	}
	if hex.EncodeToString(b) != hex.EncodeToString(h.Hash[:]) {
		return &scs.VerifyProblem{Seq: h.Seq, Message: fmt.Sprintf("head %s: entry %d has hash %x: the ledger does not extend that head; its history up to entry %d was rewritten",
			h, h.Seq, b, h.Seq)}, nil
	}
	return nil, nil
}

// VerifySince checks the ledger from a head onwards: that the ledger
// extends since, and the sequence and hash chain of every entry after it,
// in parallel ranges, at the speed per entry of Verify. It does not replay
// projections (Verify does). It calls report for every problem and returns
// how many entries it checked and the head it ends on.
func (db *DB) VerifySince(ctx context.Context, since Head, report func(scs.VerifyProblem)) (int64, Head, error) {
	last, err := db.Head(ctx)
	if err != nil {
		return 0, last, err
	}
	p, err := db.CheckHead(ctx, since)
	if err != nil {
		return 0, last, err
	}
	if p != nil {
		report(*p)
		return 0, last, nil
	}
	n := last.Seq - since.Seq
	ranges := db.scanRanges(ctx, since.Seq, n)
	var checked int64
	for _, r := range ranges {
		if r.err != nil {
			return checked, last, r.err
		}
		checked += int64(len(r.entries))
		for _, p := range r.problems {
			report(p)
		}
	}
	return checked, last, nil
}

// checkpointBody is the text a checkpoint signs.
func checkpointBody(scheme string, h Head, at time.Time) string {
	return "scs checkpoint\n" + scheme + "\n" + strconv.FormatInt(h.Seq, 10) + "\n" + hex.EncodeToString(h.Hash[:]) + "\n" + at.UTC().Format(time.RFC3339Nano) + "\n"
}

// Checkpoint signs the ledger's head with key and stores the checkpoint
// (taken in the writer, so no write is half in it). The key belongs
// outside the database: a checkpoint stored with the ledger proves nothing
// to whoever can rewrite both; its copies kept elsewhere do.
func (db *DB) Checkpoint(ctx context.Context, key ed25519.PrivateKey) (scs.Checkpoint, error) {
	var c scs.Checkpoint
	if len(key) != ed25519.PrivateKeySize {
		return c, scs.Errorf(scs.EINVALID, "checkpoint: the key is not an Ed25519 private key")
	}
	err := db.write(ctx, func(w *wtx) error {
		h := Head{Seq: w.seq, Hash: w.prev}
		c = signCheckpoint(db.scheme.Name, h, w.now, key)
		_, err := w.exec(`INSERT INTO checkpoints (seq, hash, at, body, signature, public_key) VALUES (?, ?, ?, ?, ?, ?)`,
			c.Seq, c.Hash, nanos(c.Time), c.Body, c.Signature, c.PublicKey)
		return err
	})
	return c, err
}

func signCheckpoint(scheme string, h Head, at time.Time, key ed25519.PrivateKey) scs.Checkpoint {
	body := checkpointBody(scheme, h, at)
	return scs.Checkpoint{Scheme: scheme, Seq: h.Seq, Hash: hex.EncodeToString(h.Hash[:]), Time: at.UTC(), Head: h.String(), Body: body,
		Signature: base64.StdEncoding.EncodeToString(ed25519.Sign(key, []byte(body))),
		PublicKey: base64.StdEncoding.EncodeToString(key.Public().(ed25519.PublicKey))}
}

// VerifyCheckpoint checks a checkpoint's signature against its public key
// and that its fields are those of its signed body.
func VerifyCheckpoint(c *scs.Checkpoint) error {
	pub, err := base64.StdEncoding.DecodeString(c.PublicKey)
	if err != nil || len(pub) != ed25519.PublicKeySize {
		return fmt.Errorf("public key %q is not a base64 Ed25519 public key", c.PublicKey)
	}
	sig, err := base64.StdEncoding.DecodeString(c.Signature)
	if err != nil || !ed25519.Verify(pub, []byte(c.Body), sig) {
		return errors.New("the signature does not match the checkpoint's text and public key")
	}
	h, err := ParseHead(c.Head)
	if err != nil {
		return err
	}
	if checkpointBody(c.Scheme, h, c.Time) != c.Body {
		return errors.New("the checkpoint's fields differ from its signed text")
	}
	return nil
}

// LatestCheckpoint returns the newest stored checkpoint; ok is false when
// there is none.
func (db *DB) LatestCheckpoint(ctx context.Context) (c scs.Checkpoint, ok bool, err error) {
	rows, err := db.r.QueryContext(ctx, `SELECT seq, hash, at, body, signature, public_key FROM checkpoints ORDER BY at DESC, seq DESC LIMIT 1`)
	if err != nil {
		return c, false, internal("checkpoint", err)
	}
	defer rows.Close()
	cs, err := db.scanCheckpoints(rows)
	if err != nil || len(cs) == 0 {
		return c, false, err
	}
	return cs[0], true, nil
}

func (db *DB) scanCheckpoints(rows *sql.Rows) ([]scs.Checkpoint, error) {
	var out []scs.Checkpoint
	for rows.Next() {
		var c scs.Checkpoint
		var at int64
		if err := rows.Scan(&c.Seq, &c.Hash, &at, &c.Body, &c.Signature, &c.PublicKey); err != nil {
			return nil, internal("checkpoint", err)
		}
		c.Time = fromNanos(at)
		c.Scheme = db.scheme.Name
		c.Head = strconv.FormatInt(c.Seq, 10) + ":" + c.Hash
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, internal("checkpoint", err)
	}
	return out, nil
}

// verifyCheckpoints checks every stored checkpoint: its signature, and
// that the ledger extends its head.
func (db *DB) verifyCheckpoints(ctx context.Context, problem func(int64, string, string, ...any)) error {
	rows, err := db.r.QueryContext(ctx, `SELECT seq, hash, at, body, signature, public_key FROM checkpoints ORDER BY seq`)
	if err != nil {
		return internal("verify", err)
	}
	cs, err := db.scanCheckpoints(rows)
	rows.Close()
	if err != nil {
		return err
	}
	for i := range cs {
		c := &cs[i]
		if err := VerifyCheckpoint(c); err != nil {
			problem(c.Seq, "", "checkpoint %s of %s: %v", c.Head, c.Time.Format(time.RFC3339), err)
			continue
		}
		h, _ := ParseHead(c.Head)
		p, err := db.CheckHead(ctx, h)
		if err != nil {
			return err
		}
		if p != nil {
			problem(p.Seq, "", "checkpoint of %s: %s", c.Time.Format(time.RFC3339), p.Message)
		}
	}
	return nil
}
