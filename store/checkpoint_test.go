package store

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestCheckpointer checks that the writer leaves checkpoints to the
// checkpointer: commits do not checkpoint, the checkpointer copies the
// WAL into the database file while the store is open, and Close leaves
// an empty WAL.
func TestCheckpointer(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "scs.db")
	db, err := Open(ctx, path, rongcheng(t))
	if err != nil {
		t.Fatal(err)
	}
	c := syntheticCity(200, 10, 9)
	if err := db.Load(ctx, c.citizens, c.events, Operator()); err != nil {
		t.Fatal(err)
	}
	var auto int
	if err := db.w.QueryRowContext(ctx, `PRAGMA wal_autocheckpoint`).Scan(&auto); err != nil || auto != 0 {
		t.Fatalf("the writer's wal_autocheckpoint is %d (%v), want 0", auto, err)
	}
	// The writer does not checkpoint, so the data reaches the database
	// file itself only through the checkpointer: wait (bounded) for the
	// file to grow to the WAL's size.
	wal, err := os.Stat(path + "-wal")
	if err != nil || wal.Size() < 256<<10 {
		t.Fatalf("WAL after loading: %v, %v; want over 256 KiB", wal, err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Size() >= wal.Size()/2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no checkpoint: the database file holds %d bytes, the WAL %d", fi.Size(), wal.Size())
		}
		time.Sleep(20 * time.Millisecond)
	}
	db.Close()
	if fi, err := os.Stat(path + "-wal"); err == nil && fi.Size() != 0 {
		t.Fatalf("after Close the WAL holds %d bytes", fi.Size())
	}
	// Everything is in the database file itself.
	raw, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var n int
	if err := raw.QueryRow(`SELECT COUNT(*) FROM ledger`).Scan(&n); err != nil || n != len(c.citizens)+len(c.events) {
		t.Fatalf("ledger rows after Close: %d (%v), want %d", n, err, len(c.citizens)+len(c.events))
	}
}
