package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"scs"
)

const checkpointUsage = `scs checkpoint --key FILE [--db PATH|URL] [--scheme NAME|FILE]

Signs the head of the registry's ledger (its last entry's sequence number
and hash, and the time) with the Ed25519 key in FILE and stores the signed
checkpoint in the database, where GET /api/v1/checkpoint serves the latest.
Keep the key outside the database. When FILE does not exist, a new key is
made and written there (readable by its owner only). Prints the checkpoint's
head as SEQ:HASH, its signed text, the signature and the public key: keep
copies, and check the ledger later with scs verify --head SEQ:HASH.`

func cmdCheckpoint(e *env, args []string) error {
	fs := newFlags(e, "checkpoint", checkpointUsage)
	dbf := addDBFlags(e, fs)
	keyFile := fs.String("key", "", "Ed25519 private key `FILE` (PEM, PKCS #8); made when it does not exist")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("checkpoint: unexpected argument %q", pos[0])
	}
	if *keyFile == "" {
		return usagef("checkpoint: --key FILE is required (made on first use)")
	}
	key, made, err := loadOrCreateKey(*keyFile)
	if err != nil {
		return err
	}
	if made {
		fmt.Fprintf(e.stderr, "scs checkpoint: made a new Ed25519 key in %s; keep it outside the database\n", *keyFile)
	}
	db, err := dbf.open(e, false)
	if err != nil {
		return err
	}
	defer db.Close()
	c, err := db.Checkpoint(e.ctx, key)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "head %s\n\n%s\nsignature %s\npublic key %s\n", c.Head, c.Body, c.Signature, c.PublicKey)
	return nil
}

// loadOrCreateKey reads an Ed25519 private key (PEM, PKCS #8) from path,
// or makes one and writes it there (mode 0600) when path does not exist.
func loadOrCreateKey(path string) (ed25519.PrivateKey, bool, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		_, key, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return nil, false, err
		}
		der, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			return nil, false, err
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return nil, false, scs.Errorf(scs.EINVALID, "key %s: %v", path, errors.Unwrap(err))
		}
		if err := pem.Encode(f, &pem.Block{Type: "PRIVATE KEY", Bytes: der}); err != nil {
			f.Close()
			return nil, false, err
		}
		if err := f.Close(); err != nil {
			return nil, false, err
		}
		return key, true, nil
	}
	if err != nil {
		return nil, false, scs.Errorf(scs.EINVALID, "key %s: %v", path, errors.Unwrap(err))
	}
	key, err := parseKey(b)
	if err != nil {
		return nil, false, scs.Errorf(scs.EINVALID, "key %s: %v", path, err)
	}
	return key, false, nil
}

// parseKey decodes a PEM "PRIVATE KEY" block holding an Ed25519 key.
func parseKey(b []byte) (ed25519.PrivateKey, error) {
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "PRIVATE KEY" {
		return nil, errors.New("not a PEM \"PRIVATE KEY\" block")
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("not a PKCS #8 private key: %v", err)
	}
	key, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("a %T, not an Ed25519 key", k)
	}
	return key, nil
}

// publicKeyText is the base64 form of key's public half, as checkpoints carry it.
func publicKeyText(key ed25519.PrivateKey) string {
	return base64.StdEncoding.EncodeToString(key.Public().(ed25519.PublicKey))
}
