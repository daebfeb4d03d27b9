package store

import (
	"bufio"
	"context"
	"math/rand/v2"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
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
	dir := t.TempDir()
	bin := filepath.Join(dir, "crashtest")
	build := exec.Command("go", "build", "-o", bin, "scs/store/internal/crashtest")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	dbPath := filepath.Join(dir, "crash.db")
	rng := rand.New(rand.NewPCG(1, 2))
	acked := map[string]bool{}
	const runs = 12
	for run := range runs {
		cmd := exec.Command(bin, dbPath, strconv.Itoa(run), "6")
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := make(chan string, 1024)
		go func() {
			s := bufio.NewScanner(out)
			for s.Scan() {
				lines <- s.Text()
			}
			close(lines)
		}()
		// Wait until it is ingesting, then kill it after a random delay.
		deadline := time.After(30 * time.Second)
		ready := false
		for !ready {
			select {
			case l, ok := <-lines:
				if !ok {
					t.Fatalf("run %d: writer exited early: %s", run, stderr.String())
				}
				ready = l == "ready"
			case <-deadline:
				t.Fatalf("run %d: writer not ready", run)
			}
		}
		kill := time.After(time.Duration(20+rng.IntN(300)) * time.Millisecond)
	collect:
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					break collect
				}
				if id, ok := strings.CutPrefix(l, "ack "); ok {
					acked[id] = true
				}
			case <-kill:
				cmd.Process.Signal(syscall.SIGKILL)
				kill = nil
			}
		}
		err = cmd.Wait()
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
			t.Fatalf("run %d: writer ended with %v, not by SIGKILL: %s", run, err, stderr.String())
		}
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
	missing := 0
	for id := range acked {
		if !stored[id] {
			missing++
			if missing < 10 {
				t.Errorf("acknowledged record %s is not stored", id)
			}
		}
	}
	if missing > 0 {
		t.Fatalf("%d of %d acknowledged records lost", missing, len(acked))
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
