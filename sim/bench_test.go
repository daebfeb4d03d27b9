package sim

import (
	"context"
	"testing"
	"time"

	"scs/schemes"
)

func BenchmarkSimulate100k(b *testing.B) {
	s, _ := schemes.Load("rongcheng")
	cfg := Config{Scheme: s, Citizens: 100000, Years: 10, Seed: 1, End: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	var res *Result
	for b.Loop() {
		var err error
		if res, err = Simulate(context.Background(), cfg); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(cfg.Citizens*cfg.Years)*float64(b.N)/b.Elapsed().Seconds(), "citizen-years/s")
	b.ReportMetric(float64(res.Events)/float64(cfg.Citizens*cfg.Years), "records/citizen-year")
}
