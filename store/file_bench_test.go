package store

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"scs"
	"scs/schemes"
)

// BenchmarkFile measures reading the file of one citizen with 50,000
// records (SCS_LATE_N) as the median of 10 reads each: the web page's
// newest 50 records (page-ms), a page as of a time in the middle of the
// history (past-ms: the standing from a snapshot), beside the same-run
// baseline of the whole trail in one answer (whole-ms, what every read did
// before the trail was paginated in the store):
//
//	go test ./store -run '^$' -bench 'BenchmarkFile$' -benchtime 1x
func BenchmarkFile(b *testing.B) {
	ctx := context.Background()
	n := benchN(50_000, "SCS_LATE_N")
	for b.Loop() {
		db, err := Open(ctx, filepath.Join(b.TempDir(), "file.db"), schemes.MustLoad("rongcheng"))
		if err != nil {
			b.Fatal(err)
		}
		c, evs := busyHistory(n)
		now := evs[n-1].At.Add(24 * time.Hour)
		db.SetClock(func() time.Time { return now })
		if err := db.Load(ctx, []scs.Citizen{c}, evs, Operator()); err != nil {
			b.Fatal(err)
		}
		median := func(at time.Time, tp scs.TrailPage) time.Duration {
			var ds []time.Duration
			for range 10 {
				t0 := time.Now()
				f, err := db.File(ctx, Operator(), c.ID, at, tp)
				if err != nil {
					b.Fatal(err)
				}
				ds = append(ds, time.Since(t0))
				if f.Standing == nil || len(f.Trail) == 0 {
					b.Fatal("an empty file")
				}
			}
			slices.Sort(ds)
			return ds[len(ds)/2]
		}
		whole := median(now, scs.TrailPage{All: true})
		page := median(now, scs.TrailPage{Limit: 50, Newest: true})
		past := median(evs[n/2].At.Add(time.Hour), scs.TrailPage{Limit: 50, Newest: true})
		db.Close()
		b.ReportMetric(float64(page.Microseconds())/1000, "page-ms")
		b.ReportMetric(float64(past.Microseconds())/1000, "past-ms")
		b.ReportMetric(float64(whole.Microseconds())/1000, "whole-ms")
		b.ReportMetric(float64(whole)/float64(page), "ratio")
	}
}
