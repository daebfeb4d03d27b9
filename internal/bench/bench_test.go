package bench

import (
	"context"
	"testing"

	"scs/internal/testkit"
)

// The benchmarks run the Bench functions once per iteration and report
// the figure, the same-run baseline and their ratio:
//
//	go test ./internal/bench -run '^$' -bench . -benchtime 1x

func BenchmarkIngest(b *testing.B) {
	for b.Loop() {
		rate, base, err := Ingest(context.Background(), b.TempDir(), benchN(200_000))
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(rate, "records/s")
		b.ReportMetric(base, "baseline-records/s")
		b.ReportMetric(rate/base, "ratio")
	}
}

func BenchmarkVerify(b *testing.B) {
	for b.Loop() {
		rate, base, err := Verify(context.Background(), b.TempDir(), benchN(500_000))
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(rate, "entries/s")
		b.ReportMetric(base, "engine-records/s")
		b.ReportMetric(rate/base, "ratio")
	}
}

// BenchmarkLimits measures SQLite's own ceilings for the ingest and
// verify figures (see Limits) beside the goals they bound.
func BenchmarkLimits(b *testing.B) {
	for b.Loop() {
		app, read, err := Limits(context.Background(), b.TempDir(), benchN(200_000))
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(app, "append-no-index-rows/s")
		b.ReportMetric(app/100_000, "x-ingest-goal")
		b.ReportMetric(read, "read-all-columns-rows/s")
		b.ReportMetric(read/1_000_000, "x-verify-goal")
	}
}

func BenchmarkDecide(b *testing.B) {
	for b.Loop() {
		p99, base, err := Decide(context.Background(), b.TempDir(), benchN(100_000))
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(p99.Microseconds()), "p99-µs")
		b.ReportMetric(float64(base.Microseconds()), "engine-p99-µs")
	}
}

// benchN returns n, or the value of the environment variable (default
// SCS_BENCH_N) when set, for quick runs.
var benchN = testkit.BenchN
