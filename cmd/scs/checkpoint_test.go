package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"scs"
	"scs/store"
)

var headLine = regexp.MustCompile(`(?m)^head ([0-9]+:[0-9a-f]{64})$`)

func headOf(t *testing.T, out string) string {
	t.Helper()
	m := headLine.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no head SEQ:HASH line in:\n%s", out)
	}
	return m[1]
}

// TestCheckpointAgainstRollback restores an older copy of a database: scs
// verify alone finds it consistent, scs verify --head of a later checkpoint
// fails and names the missing entries.
func TestCheckpointAgainstRollback(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "a.db")
	cit := filepath.Join(dir, "citizens.jsonl")
	os.WriteFile(cit, []byte(citizensFile), 0o644)
	lines := strings.SplitAfter(recordsFile, "\n")
	first := filepath.Join(dir, "first.jsonl")
	os.WriteFile(first, []byte(lines[0]+lines[1]), 0o644)
	rest := filepath.Join(dir, "rest.jsonl")
	os.WriteFile(rest, []byte(lines[2]), 0o644)

	if _, stderr, err := runStoreCmd(t, db, "", "import", first, "--citizens", cit); err != nil {
		t.Fatalf("import: %v %s", err, stderr)
	}
	out, _, err := runStoreCmd(t, db, "", "verify")
	if err != nil {
		t.Fatalf("verify: %v\n%s", err, out)
	}
	older := headOf(t, out)
	old, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	if _, stderr, err := runStoreCmd(t, db, "", "import", rest, "--citizens", cit); err != nil {
		t.Fatalf("import: %v %s", err, stderr)
	}
	key := filepath.Join(dir, "checkpoint.pem")
	out, stderr, err := runStoreCmd(t, db, "", "checkpoint", "--key", key)
	if err != nil || !strings.Contains(stderr, "made a new Ed25519 key") || !strings.Contains(out, "public key ") {
		t.Fatalf("checkpoint: %v\n%s\n%s", err, out, stderr)
	}
	if fi, err := os.Stat(key); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", err, fi)
	}
	later := headOf(t, out)
	out2, stderr, err := runStoreCmd(t, db, "", "checkpoint", "--key", key)
	if err != nil || strings.Contains(stderr, "made a new") || headOf(t, out2) != later || pubKey(out) != pubKey(out2) {
		t.Fatalf("second checkpoint with the same key: %v\n%s\n%s", err, out2, stderr)
	}
	out, _, err = runStoreCmd(t, db, "", "verify", "--head", later)
	if err != nil || headOf(t, out) != later {
		t.Fatalf("verify --head of the current head: %v\n%s", err, out)
	}
	out, stderr, err = runStoreCmd(t, db, "", "verify", "--since", older)
	if err != nil || !strings.Contains(stderr, "1 ledger entries checked") {
		t.Fatalf("verify --since: %v\n%s%s", err, out, stderr)
	}

	// Restore the older copy (its checkpoints table is older too).
	for _, suffix := range []string{"-wal", "-shm"} {
		os.Remove(db + suffix)
	}
	if err := os.WriteFile(db, old, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, _, err := runStoreCmd(t, db, "", "verify"); err != nil || headOf(t, out) != older {
		t.Fatalf("verify of the older copy alone: %v\n%s", err, out)
	}
	out, _, err = runStoreCmd(t, db, "", "verify", "--head", later)
	if err == nil || !strings.Contains(out, "missing") || !strings.Contains(out, "older copy") {
		t.Fatalf("verify --head of a later checkpoint on an older copy: %v\n%s", err, out)
	}
	if _, _, err := runStoreCmd(t, db, "", "verify", "--since", later); err == nil {
		t.Fatal("verify --since a head the ledger lost passed")
	}
	if _, _, err := runStoreCmd(t, db, "", "verify", "--head", "12:nothex"); err == nil || !strings.Contains(err.Error(), "64 hex digits") {
		t.Fatalf("a bad --head: %v", err)
	}
}

func pubKey(out string) string {
	_, k, _ := strings.Cut(out, "public key ")
	return strings.TrimSpace(k)
}

// TestServeCheckpoints starts scs serve with a checkpoint key: it signs
// the head at start and serves it, with the public key, to anyone.
func TestServeCheckpoints(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server; skipped with -short")
	}
	key := filepath.Join(t.TempDir(), "serve.pem")
	ls := startServe(t, "", "--demo-citizens", "20", "--demo-years", "1", "--checkpoint-key", key, "--checkpoint-every", "1", "--checkpoint-interval", "1s")
	var c scs.Checkpoint
	deadline := time.Now().Add(time.Minute)
	for {
		r := ls.call("GET", "/api/v1/checkpoint", "", nil)
		if r.status == 200 {
			r.decode(t, &c)
			break
		}
		if r.status != 404 || time.Now().After(deadline) {
			t.Fatalf("GET /api/v1/checkpoint: %d %s", r.status, r.body)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := store.VerifyCheckpoint(&c); err != nil || c.Seq == 0 || !strings.Contains(ls.stdout.String(), c.PublicKey) {
		t.Fatalf("served checkpoint %+v: %v; the public key printed:\n%s", c, err, ls.stdout)
	}
}
