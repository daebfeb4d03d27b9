package sim

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// TestWorkerFails makes one worker fail mid-run, with and without an
// ordered writer, and checks that the run returns that worker's error and
// nothing else (run it with -race: the error path is shared by the workers
// and the collector).
func TestWorkerFails(t *testing.T) {
	for _, ordered := range []bool{false, true} {
		for _, bad := range []int{0, 7, 39} {
			t.Run(fmt.Sprintf("ordered=%v/hood=%d", ordered, bad), func(t *testing.T) {
				cfg := Config{Scheme: rongcheng(t), Citizens: 40 * 50, Years: 2, Seed: 3, End: testEnd, Workers: 4,
					Settings: Settings{"hood_size": 50}}
				var handed []int
				if ordered {
					cfg.Rows = true
					cfg.OnHood = func(h *HoodOutput) error {
						handed = append(handed, h.Index)
						return nil
					}
				}
				m, err := prepare(cfg)
				if err != nil {
					t.Fatal(err)
				}
				want := errors.New("worker failed")
				m.failHood = func(h int) error {
					if h == bad {
						return fmt.Errorf("neighbourhood %d: %w", h, want)
					}
					return nil
				}
				res, err := m.run(context.Background())
				if !errors.Is(err, want) || res != nil {
					t.Fatalf("run = %v, %v; want the worker's error", res, err)
				}
				for i, h := range handed {
					if h != i || h >= bad {
						t.Fatalf("neighbourhoods handed out %v: want 0..%d in order at most", handed, bad-1)
					}
				}
			})
		}
	}
}

// TestOnHoodFails checks that the first error of the ordered writer ends
// the run and is returned.
func TestOnHoodFails(t *testing.T) {
	want := errors.New("disk full")
	calls := 0
	cfg := Config{Scheme: rongcheng(t), Citizens: 40 * 50, Years: 2, Seed: 3, End: testEnd, Workers: 4,
		Settings: Settings{"hood_size": 50}, Rows: true}
	cfg.OnHood = func(h *HoodOutput) error {
		calls++
		if h.Index == 5 {
			return want
		}
		return nil
	}
	if _, err := Simulate(context.Background(), cfg); !errors.Is(err, want) {
		t.Fatalf("Simulate = %v, want %v", err, want)
	}
	if calls != 6 {
		t.Fatalf("OnHood called %d times after failing at the 6th", calls)
	}
}

// TestSpeedOfLight checks the loop draws about SpeedOfLightActs acts per
// citizen-year and that its result does not depend on the workers.
func TestSpeedOfLight(t *testing.T) {
	s := rongcheng(t)
	a1, p1 := SpeedOfLight(s, 10_001, 3, 1, 7)
	a4, p4 := SpeedOfLight(s, 10_001, 3, 4, 7)
	if a1 != a4 || p1 != p4 {
		t.Fatalf("1 worker: %d acts, %d points; 4 workers: %d, %d", a1, p1, a4, p4)
	}
	if per := float64(a1) / 30_003; per < 2.9 || per > 3.1 {
		t.Fatalf("%.3f acts per citizen-year, want about %d", per, SpeedOfLightActs)
	}
}

// TestShardsMerge runs a population whole and in 4 shards, with and
// without the claims' sample, and checks that the merged shards give the
// whole run's Result and rows exactly.
func TestShardsMerge(t *testing.T) {
	for _, sample := range []float64{0, 0.3} {
		for _, only := range []bool{false, true} {
			if only && sample == 0 {
				continue
			}
			cfg := Config{Scheme: rongcheng(t), Citizens: 7_001, Years: 3, Seed: 5, End: testEnd, Workers: 3,
				Settings: Settings{"hood_size": 300}, Sample: sample, SampleOnly: only}
			var whole *Result
			var wholeRows []CitizenRow
			if only {
				r, err := Simulate(context.Background(), cfg)
				if err != nil {
					t.Fatal(err)
				}
				whole = r
			} else {
				var col *collected
				whole, col = runCollect(t, cfg)
				wholeRows = col.rows
			}
			var parts []*Result
			var rows []CitizenRow
			covered := 0
			for k := range 4 {
				c := cfg
				c.Shard, c.Shards, c.Workers = k, 4, k+1
				n, err := Simulated(c)
				if err != nil {
					t.Fatal(err)
				}
				covered += n
				if only {
					r, err := Simulate(context.Background(), c)
					if err != nil {
						t.Fatal(err)
					}
					parts = append(parts, r)
					continue
				}
				r, col := runCollect(t, c)
				parts = append(parts, r)
				rows = append(rows, col.rows...)
			}
			if whole, _ := Simulated(cfg); covered != whole {
				t.Errorf("sample %v only %v: the shards simulate %d citizens, the whole run %d", sample, only, covered, whole)
			}
			merged, err := Merge(cfg, parts)
			if err != nil {
				t.Fatal(err)
			}
			merged.Elapsed, whole.Elapsed = 0, 0
			merged.Scheme, whole.Scheme = nil, nil // compiled twice: equal, not the same pointer
			if !reflect.DeepEqual(merged, whole) {
				t.Errorf("sample %v only %v: merged shards differ from the whole run:\n%+v\n%+v", sample, only, merged.Metrics, whole.Metrics)
			}
			if !reflect.DeepEqual(rows, wholeRows) {
				t.Errorf("sample %v: the shards' rows (%d) differ from the whole run's (%d)", sample, len(rows), len(wholeRows))
			}
		}
	}
}

func TestShardErrors(t *testing.T) {
	for _, c := range []struct{ k, n int }{{-1, 4}, {4, 4}, {0, -2}, {1, 0}, {0, 1000}} {
		_, err := Simulate(context.Background(), Config{Scheme: rongcheng(t), Citizens: 7_000, Years: 1, End: testEnd, Shard: c.k, Shards: c.n})
		if err == nil || !strings.Contains(err.Error(), "shard") {
			t.Errorf("shard %d/%d: %v, want an error naming the shard", c.k, c.n, err)
		}
	}
}
