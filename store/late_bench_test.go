package store

import (
	"context"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"scs"
	"scs/schemes"
)

// BenchmarkLateRecord measures late records for one citizen with 50,000
// records (SCS_LATE_N) beside the same-run baseline of a record dated after
// their last one, as the median latency of ReportRecords over 20 of each:
// a record a day late (late-day-ms: replayed from the newest snapshot
// before it) and one dated in the middle of the history (late-ms: every
// record after it is replayed, whatever the snapshots); and the median
// latency of another client's in-order records for another citizen, alone
// (other-alone-ms) and while a third client sends records a day late
// (other-beside-day-ms) or mid-history (other-beside-mid-ms) without
// pause; and the median time to read the file's newest page of 50 before
// the late records (page-ms) and after the mid-history ones left its trail
// rows out of date (page-stale-ms: computed from a snapshot); and, last,
// one batch of 2,000 records dated in the middle of the history within
// minutes of each other (late-batch-ms):
//
//	go test ./store -run '^$' -bench LateRecord -benchtime 1x
func BenchmarkLateRecord(b *testing.B) {
	ctx := context.Background()
	n := benchN(50_000, "SCS_LATE_N")
	for b.Loop() {
		db, err := Open(ctx, filepath.Join(b.TempDir(), "late.db"), schemes.MustLoad("rongcheng"))
		if err != nil {
			b.Fatal(err)
		}
		c, evs := busyHistory(n)
		last := evs[n-1].At
		db.SetClock(func() time.Time { return last.Add(24 * time.Hour) })
		other := scs.Citizen{ID: "other", Name: "Another Person", Neighbourhood: "n", BirthYear: 1960, Consent: true, Registered: c.Registered}
		if err := db.Load(ctx, []scs.Citizen{c, other}, evs, Operator()); err != nil {
			b.Fatal(err)
		}
		median := func(kind string) time.Duration {
			var ds []time.Duration
			for i := range 20 {
				at := last.Add(time.Duration(i+1) * time.Minute)
				switch kind {
				case "day":
					at = last.Add(-24*time.Hour + time.Duration(i+1)*time.Minute)
				case "mid":
					at = evs[n/2].At.Add(time.Duration(i+1) * time.Minute)
				}
				ev := scs.Event{ID: "x" + kind + strconv.Itoa(i), Citizen: c.ID, Rule: "returned-lost-money", At: at}
				t0 := time.Now()
				if _, err := db.ReportRecords(ctx, Operator(), []scs.Event{ev}); err != nil {
					b.Fatal(err)
				}
				ds = append(ds, time.Since(t0))
			}
			slices.Sort(ds)
			return ds[len(ds)/2]
		}
		// The file's newest page of 50, read as stored, and after the
		// mid-history records left its rows out of date (replayed from
		// the newest snapshot before the page).
		page := func() time.Duration {
			var ds []time.Duration
			for range 20 {
				t0 := time.Now()
				if _, err := db.File(ctx, Operator(), c.ID, last.Add(24*time.Hour), scs.TrailPage{Limit: 50, Newest: true}); err != nil {
					b.Fatal(err)
				}
				ds = append(ds, time.Since(t0))
			}
			slices.Sort(ds)
			return ds[len(ds)/2]
		}
		pageBase := page()
		base := median("in-order")
		day := median("day")
		late := median("mid")
		pageStale := page()
		// Another client's in-order records for another citizen: alone,
		// and while a client sends records a day late, or mid-history,
		// for the busy citizen without pause.
		otherN := 0
		otherMedian := func(kind string) time.Duration {
			stop, done := make(chan struct{}), make(chan struct{})
			go func() {
				defer close(done)
				for i := 0; kind != ""; i++ {
					select {
					case <-stop:
						return
					default:
					}
					at := last.Add(-24*time.Hour + time.Duration(i+30)*time.Second)
					if kind == "mid" {
						at = evs[n/2].At.Add(time.Duration(i+30) * time.Second)
					}
					ev := scs.Event{ID: "bg" + kind + strconv.Itoa(i), Citizen: c.ID, Rule: "returned-lost-money", At: at}
					if _, err := db.ReportRecords(ctx, Operator(), []scs.Event{ev}); err != nil {
						b.Error(err)
						return
					}
				}
			}()
			var ds []time.Duration
			for range 20 {
				otherN++
				ev := scs.Event{ID: "other" + strconv.Itoa(otherN), Citizen: other.ID, Rule: "returned-lost-money", At: last.Add(time.Duration(otherN) * time.Minute)}
				t0 := time.Now()
				if _, err := db.ReportRecords(ctx, Operator(), []scs.Event{ev}); err != nil {
					b.Fatal(err)
				}
				ds = append(ds, time.Since(t0))
				time.Sleep(2 * time.Millisecond)
			}
			close(stop)
			<-done
			slices.Sort(ds)
			return ds[len(ds)/2]
		}
		alone := otherMedian("")
		besideDay := otherMedian("day")
		besideMid := otherMedian("mid")
		// One batch of 2,000 records for the busy citizen, dated within
		// minutes of each other in the middle of their history (most go
		// into one record pack).
		var batch []scs.Event
		for i := range 2000 {
			batch = append(batch, scs.Event{ID: "batch" + strconv.Itoa(i), Citizen: c.ID, Rule: "returned-lost-money", At: evs[n/2+n/10].At.Add(time.Duration(i+1) * time.Second)})
		}
		t0 := time.Now()
		if _, err := db.ReportRecords(ctx, Operator(), batch); err != nil {
			b.Fatal(err)
		}
		lateBatch := time.Since(t0)
		db.Close()
		b.ReportMetric(float64(lateBatch.Microseconds())/1000, "late-batch-ms")
		b.ReportMetric(float64(pageBase.Microseconds())/1000, "page-ms")
		b.ReportMetric(float64(pageStale.Microseconds())/1000, "page-stale-ms")
		b.ReportMetric(float64(alone.Microseconds())/1000, "other-alone-ms")
		b.ReportMetric(float64(besideDay.Microseconds())/1000, "other-beside-day-ms")
		b.ReportMetric(float64(besideMid.Microseconds())/1000, "other-beside-mid-ms")
		b.ReportMetric(float64(day.Microseconds())/1000, "late-day-ms")
		b.ReportMetric(float64(late.Microseconds())/1000, "late-ms")
		b.ReportMetric(float64(base.Microseconds())/1000, "in-order-ms")
		b.ReportMetric(float64(late)/float64(base), "ratio")
	}
}

// busyHistory is the citizen of the store's per-citizen benchmarks and
// their n records, one every 6 hours from 1990 on, alternately +20 and -10.
func busyHistory(n int) (scs.Citizen, []scs.Event) {
	start := time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC)
	c := scs.Citizen{ID: "busy", Name: "Busy Person", Neighbourhood: "n", BirthYear: 1960, Consent: true, Registered: start}
	evs := make([]scs.Event, n)
	for i := range evs {
		rule := "returned-lost-money"
		if i%2 == 1 {
			rule = "speeding-ticket"
		}
		evs[i] = scs.Event{ID: "r" + strconv.Itoa(i), Citizen: c.ID, Rule: rule, At: start.Add(time.Duration(i) * 6 * time.Hour)}
	}
	return c, evs
}
