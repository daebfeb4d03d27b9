package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"scs/internal/testkit"
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
	bin := testkit.Build(t, ".")
	db := filepath.Join(t.TempDir(), "crash.db")
	rng := rand.New(rand.NewPCG(1, 2))
	var acked sync.Map // record id -> true
	var banner testkit.Serve
	const rounds = 8
	for round := range rounds {
		p := testkit.Start(t, bin, "serve", "--db", db, "--addr", "127.0.0.1:0", "--demo-citizens", "30", "--demo-years", "1")
		p.WaitFor(2*time.Minute, banner.Line)
		admin, citizen := banner.Tokens["admin"], banner.Bound["citizen"]
		if admin == "" || citizen == "" {
			t.Fatalf("round %d: serve printed no admin token or citizen", round)
		}
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		for w := range 4 {
			wg.Go(func() {
				if err := ingest(ctx, banner.URL, admin, citizen, fmt.Sprintf("r%d-w%d", round, w), w%2 == 1, &acked); err != nil {
					t.Error(err)
				}
			})
		}
		time.Sleep(time.Duration(200+rng.IntN(800)) * time.Millisecond)
		p.Kill()
		p.Killed()
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
	ackedIDs := map[string]bool{}
	acked.Range(func(k, _ any) bool { ackedIDs[k.(string)] = true; return true })
	if missing := testkit.Missing(t, ackedIDs, stored); len(missing) > 0 {
		t.Fatalf("%d of %d acknowledged records lost", len(missing), n)
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
