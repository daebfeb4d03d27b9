package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"scs/jsonl"
)

// TestServeSurvivesSIGKILL builds the real scs binary, starts `scs serve`
// on a SQLite database, ingests records from concurrent clients (single
// records and batches), kills the process with SIGKILL at a random moment,
// restarts it, many times; then checks that every record the server
// acknowledged is stored and that `scs verify` finds the ledger and the
// projections clean.
func TestServeSurvivesSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and kills it repeatedly; skipped with -short")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "scs")
	build := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	db := filepath.Join(dir, "crash.db")
	rng := rand.New(rand.NewPCG(1, 2))
	var acked sync.Map // record id -> true
	var admin, citizen string
	const rounds = 8
	for round := range rounds {
		cmd := exec.Command(bin, "serve", "--db", db, "--addr", "127.0.0.1:0", "--demo-citizens", "30", "--demo-years", "1")
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = io.Discard
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		url := ""
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			f := strings.Fields(sc.Text())
			if len(f) == 3 && f[0] == "admin" {
				admin = f[2]
			}
			if len(f) == 3 && f[0] == "citizen" {
				citizen = f[1]
			}
			if u, ok := strings.CutPrefix(sc.Text(), "Listening on "); ok {
				url = strings.TrimSpace(u)
				break
			}
		}
		go io.Copy(io.Discard, stdout)
		if url == "" || admin == "" || citizen == "" {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("round %d: serve did not start (url %q)", round, url)
		}
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		for w := range 4 {
			wg.Go(func() {
				if err := ingest(ctx, url, admin, citizen, fmt.Sprintf("r%d-w%d", round, w), w%2 == 1, &acked); err != nil {
					t.Error(err)
				}
			})
		}
		time.Sleep(time.Duration(200+rng.IntN(800)) * time.Millisecond)
		if err := cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		cmd.Wait()
		cancel()
		wg.Wait()
	}
	n := 0
	acked.Range(func(any, any) bool { n++; return true })
	if n == 0 {
		t.Fatal("no record was acknowledged in any round")
	}
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"scs", "export", "--db", db}, func(string) string { return "" }, nil, &out, &errOut); err != nil {
		t.Fatalf("export: %v\n%s", err, errOut.String())
	}
	stored := map[string]bool{}
	d := jsonl.NewDecoder(&out)
	for {
		ev, err := d.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		stored[ev.ID] = true
	}
	missing := 0
	acked.Range(func(k, _ any) bool {
		if !stored[k.(string)] {
			missing++
			if missing <= 5 {
				t.Errorf("acknowledged record %s is not stored", k)
			}
		}
		return true
	})
	if missing > 0 {
		t.Fatalf("%d of %d acknowledged records lost", missing, n)
	}
	errOut.Reset()
	if err := run(context.Background(), []string{"scs", "verify", "--db", db}, func(string) string { return "" }, nil, io.Discard, &errOut); err != nil {
		t.Fatalf("verify after %d kills: %v\n%s", rounds, err, errOut.String())
	}
	t.Logf("%d kills, %d acknowledged records, all stored, verify clean", rounds, n)
}

// ingest posts records until ctx ends or the server goes away, remembering
// the id of every record the server acknowledged. An answer other than
// success is an error.
func ingest(ctx context.Context, url, token, citizen, prefix string, batches bool, acked *sync.Map) error {
	client := &http.Client{Timeout: 10 * time.Second}
	for i := 0; ctx.Err() == nil; i++ {
		at := time.Now().UTC().Add(-time.Duration(i) * time.Second).Format(time.RFC3339Nano)
		rec := func(k int) map[string]any {
			return map[string]any{"id": fmt.Sprintf("%s-%d-%d", prefix, i, k), "citizen": citizen, "rule": "returned-lost-money", "at": at}
		}
		var body []byte
		var ids []string
		path := "/api/v1/records"
		if batches {
			var recs []map[string]any
			for k := range 10 {
				recs = append(recs, rec(k))
				ids = append(ids, recs[k]["id"].(string))
			}
			body, _ = json.Marshal(map[string]any{"records": recs})
			path += "/batch"
		} else {
			r := rec(0)
			body, _ = json.Marshal(r)
			ids = []string{r["id"].(string)}
		}
		req, _ := http.NewRequestWithContext(ctx, "POST", url+path, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := client.Do(req)
		if err != nil {
			return nil // killed
		}
		msg, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode/100 != 2 {
			return fmt.Errorf("%s %s: status %d: %s", path, ids[0], resp.StatusCode, msg)
		}
		for _, id := range ids {
			acked.Store(id, true)
		}
	}
	return nil
}
