package report

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"scs/schemes"
	"scs/sim"
)

// FuzzParseShard feeds arbitrary manifests to the parser and, when one
// parses, to the merge of a small run: either may refuse it, neither may
// panic.
func FuzzParseShard(f *testing.F) {
	s := schemes.MustLoad("rongcheng")
	cfg := sim.Config{Scheme: s, Citizens: 500, Years: 1, Seed: 1, End: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Settings: sim.Settings{}}
	rec := &ShardRecorder{}
	c := cfg
	c.Shard, c.Shards = 0, 1
	if _, err := rec.Run(context.Background(), c); err != nil {
		f.Fatal(err)
	}
	good, _ := json.Marshal(ShardManifest{Format: ShardFormat, Shard: 0, Shards: 1, Runs: rec.runs})
	f.Add(good)
	f.Add([]byte(`{"format":"scs-simulate-shard/1","shard":0,"shards":1,"runs":[{"key":"x","metrics":{"Years":1,"GradeCounts":[[1,2,3,4,5,6,7,8,9]]}}]}`))
	f.Add([]byte(`{"format":"scs-simulate-shard/1","shard":3,"shards":2}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := parseShard("shard.json", data)
		if err != nil {
			return
		}
		if m.Shards != 1 {
			return
		}
		MergeRunner([]*ShardManifest{m})(context.Background(), cfg)
	})
}

// TestMergeRunnerChecksShape checks that a shard whose metrics have another
// shape (another horizon) is refused, not summed.
func TestMergeRunnerChecksShape(t *testing.T) {
	s := schemes.MustLoad("rongcheng")
	cfg := sim.Config{Scheme: s, Citizens: 500, Years: 2, Seed: 1, End: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Settings: sim.Settings{}}
	rec := &ShardRecorder{}
	c := cfg
	c.Years = 1
	if _, err := rec.Run(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	m := &ShardManifest{Format: ShardFormat, Shards: 1, Runs: rec.runs}
	if _, err := MergeRunner([]*ShardManifest{m})(context.Background(), cfg); err == nil {
		t.Fatal("a one-year shard merged into a two-year run")
	}
}
