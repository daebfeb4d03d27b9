package main

import (
	"bufio"
	"context"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"scs/internal/gen"
	"scs/jsonl"
	"scs/schemes"
)

var (
	benchFileOnce sync.Once
	benchFile     string
	benchFileErr  error
)

// eventsFile writes (once per test binary) a file of n events for 100,000
// citizens over ten years, as JSON lines.
func eventsFile(b *testing.B, n int) string {
	benchFileOnce.Do(func() {
		dir, err := os.MkdirTemp("", "scs-bench")
		if err != nil {
			benchFileErr = err
			return
		}
		benchFile = filepath.Join(dir, "events-"+strconv.Itoa(n)+".jsonl")
		f, err := os.Create(benchFile)
		if err != nil {
			benchFileErr = err
			return
		}
		defer f.Close()
		w := bufio.NewWriter(f)
		evs := gen.Events(schemes.MustLoad("rongcheng"), 100_000, n, time.Date(2016, 1, 1, 0, 0, 0, 0, time.UTC), 10, 7)
		var buf []byte
		for i := range evs {
			buf = jsonl.Append(buf[:0], &evs[i])
			w.Write(buf)
		}
		benchFileErr = w.Flush()
	})
	if benchFileErr != nil {
		b.Fatal(benchFileErr)
	}
	return benchFile
}

// BenchmarkScoreFile measures `scs score` end to end on a file of 1 million
// events (read, decode, check, group, score, print) beside its baseline in
// the same run: reading and decoding the same file without scoring. The goal
// is a ratio of at least 0.5.
func BenchmarkScoreFile(b *testing.B) {
	const n = 1_000_000
	path := eventsFile(b, n)
	var scoreTime, decodeTime time.Duration
	b.ResetTimer()
	for range b.N {
		t0 := time.Now()
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		d := jsonl.NewDecoder(f)
		count := 0
		for {
			_, err := d.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			count++
		}
		f.Close()
		if count != n {
			b.Fatalf("decoded %d events", count)
		}
		t1 := time.Now()
		err = run(context.Background(), []string{"scs", "score", "--at", "2030-01-01T00:00:00Z", "--format", "json", path},
			func(string) string { return "" }, nil, io.Discard, io.Discard)
		if err != nil {
			b.Fatal(err)
		}
		t2 := time.Now()
		decodeTime += t1.Sub(t0)
		scoreTime += t2.Sub(t1)
	}
	b.StopTimer()
	score := float64(n*b.N) / scoreTime.Seconds()
	decode := float64(n*b.N) / decodeTime.Seconds()
	b.ReportMetric(score, "score-events/s")
	b.ReportMetric(decode, "decode-only-events/s")
	b.ReportMetric(score/decode, "ratio")
	b.ReportMetric(0, "ns/op")
}
