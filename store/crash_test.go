package store

import (
	"context"
	"math/rand/v2"
	"path/filepath"
	"scs/internal/testkit"
	"strconv"
	"strings"
	"testing"
	"time"

	"scs"
)

// TestCrash builds the crash-test writer (internal/crashtest), lets it
// ingest records from concurrent writers into a SQLite database, kills it
// with SIGKILL at a random moment, many times over the same database, and
// then checks that every record it acknowledged is stored and that Verify
// finds the chain and every projection consistent.
func TestCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills a process many times; skipped with -short")
	}
	bin := testkit.Build(t, "scs/store/internal/crashtest")
	dbPath := filepath.Join(t.TempDir(), "crash.db")
	rng := rand.New(rand.NewPCG(1, 2))
	acked := map[string]bool{}
	const runs = 12
	for run := range runs {
		p := testkit.Start(t, bin, dbPath, strconv.Itoa(run), "6")
		// Wait until it is ingesting, then kill it after a random delay.
		p.WaitFor(30*time.Second, func(l string) bool { return l == "ready" })
		kill := time.After(time.Duration(20+rng.IntN(300)) * time.Millisecond)
	collect:
		for {
			select {
			case l, ok := <-p.Lines():
				if !ok {
					break collect
				}
				if id, ok := strings.CutPrefix(l, "ack "); ok {
					acked[id] = true
				}
			case <-kill:
				p.Kill()
				kill = nil
			}
		}
		p.Killed()
	}
	if len(acked) < runs {
		t.Fatalf("only %d records acknowledged in %d runs", len(acked), runs)
	}
	db, err := Open(context.Background(), dbPath, rongcheng(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	stored := map[string]bool{}
	if err := db.Export(context.Background(), func(ev *scs.Event) error { stored[ev.ID] = true; return nil }); err != nil {
		t.Fatal(err)
	}
	if missing := testkit.Missing(t, acked, stored); len(missing) > 0 {
		t.Fatalf("%d of %d acknowledged records lost", len(missing), len(acked))
	}
	var probs []scs.VerifyProblem
	n, err := db.Verify(context.Background(), func(p scs.VerifyProblem) { probs = append(probs, p) })
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range probs {
		t.Errorf("verify: %+v", p)
	}
	t.Logf("%d runs killed; %d records acknowledged, %d stored, %d ledger entries verified", runs, len(acked), len(stored), n)
}
