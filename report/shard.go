package report

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/parquet-go/parquet-go"

	"scs"
	"scs/sim"
)

// ShardFormat names the format of shard.json.
const ShardFormat = "scs-simulate-shard/1"

// ShardFile is the name of a shard's manifest in its directory.
const ShardFile = "shard.json"

// ShardEventsFile is the name of a shard's part of the records (--events)
// in its directory.
const ShardEventsFile = "events.jsonl"

// ShardEvents describes a shard's part of the records: how many, and the
// SHA-256 of the file, so that merge notices a part cut short or changed.
type ShardEvents struct {
	Records int64  `json:"records"`
	Bytes   int64  `json:"bytes"`
	SHA256  string `json:"sha256"`
}

// ShardManifest is shard.json: what one shard of a study ran and the
// metrics of its part of every run. Options are the study's options as
// given (all but the shard's own: --shard, --out, --workers, --quiet,
// --baseline), Args the arguments they came from, and Sources the SHA-256
// of the scheme and behaviour files, so that a merge can check that the
// shards belong together and run the study's aggregation again.
type ShardManifest struct {
	Format  string            `json:"format"`
	Shard   int               `json:"shard"`
	Shards  int               `json:"shards"`
	Options map[string]string `json:"options"`
	Sources map[string]string `json:"sources"`
	Args    []string          `json:"args"`
	Runs    []ShardRun        `json:"runs"`
	Events  *ShardEvents      `json:"events,omitempty"` // the part of the records, with --events
	Dir     string            `json:"-"`                // where ReadShards read it
}

// ShardRun is one run of a shard: the run's key (its seed, sample and
// settings) and the shard's part of its metrics.
type ShardRun struct {
	Key           string       `json:"key"`
	Metrics       *sim.Metrics `json:"metrics"`
	SampleMetrics *sim.Metrics `json:"sample_metrics,omitempty"`
	Events        int64        `json:"events"`
	ElapsedNanos  int64        `json:"elapsed_ns"`
}

// runKey names a run of a study: every run of one study shares the scheme,
// the population and the horizon, and differs in these.
func runKey(cfg sim.Config) string {
	return fmt.Sprintf("seed=%d sample=%s only=%t settings=[%s]", cfg.Seed, strconv.FormatFloat(cfg.Sample, 'g', -1, 64), cfg.SampleOnly, cfg.Settings.String())
}

// ShardRecorder runs a study's runs (as sim.Simulate, on the shard the
// configuration names) and keeps each run's metrics for the manifest. It
// is safe for concurrent use.
type ShardRecorder struct {
	mu   sync.Mutex
	runs []ShardRun
	seen map[string]bool
}

// Run is a sim.Runner.
func (r *ShardRecorder) Run(ctx context.Context, cfg sim.Config) (*sim.Result, error) {
	res, err := sim.Simulate(ctx, cfg)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.seen == nil {
		r.seen = map[string]bool{}
	}
	if k := runKey(cfg); !r.seen[k] {
		// A run made twice gives the same metrics: keep the first.
		r.seen[k] = true
		r.runs = append(r.runs, ShardRun{Key: k, Metrics: res.Metrics, SampleMetrics: res.SampleMetrics, Events: res.Events, ElapsedNanos: int64(res.Elapsed)})
	}
	return res, nil
}

// Write writes the manifest of the recorded runs to dir/shard.json.
func (r *ShardRecorder) Write(dir string, m ShardManifest) error {
	r.mu.Lock()
	m.Runs = slices.Clone(r.runs)
	r.mu.Unlock()
	m.Format = ShardFormat
	return WriteFile(filepath.Join(dir, ShardFile), func(w io.Writer) error { return WriteJSON(w, m) })
}

// ReadShards reads the manifests of dirs and checks that they are the
// shards 0..N-1 of one study, each once: the same format, options, sources
// and N. It returns them in shard order.
func ReadShards(dirs []string) ([]*ShardManifest, error) {
	if len(dirs) == 0 {
		return nil, scs.Errorf(scs.EINVALID, "merge: no shard directories")
	}
	var ms []*ShardManifest
	for _, d := range dirs {
		path := filepath.Join(d, ShardFile)
		data, err := os.ReadFile(path)
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return nil, scs.Errorf(scs.EINVALID, "merge: %s: no %s (is it the --out of scs simulate --shard?)", d, ShardFile)
			}
			return nil, scs.Errorf(scs.EINVALID, "merge: %v", err)
		}
		m, err := parseShard(path, data)
		if err != nil {
			return nil, err
		}
		m.Dir = d
		ms = append(ms, m)
	}
	first := ms[0]
	byShard := make([]string, first.Shards)
	for i, m := range ms {
		if m.Shards != first.Shards {
			return nil, scs.Errorf(scs.EINVALID, "merge: %s is shard %d of %d, %s shard %d of %d", dirs[i], m.Shard, m.Shards, dirs[0], first.Shard, first.Shards)
		}
		if diff := differ(first.Options, m.Options); diff != "" {
			return nil, scs.Errorf(scs.EINVALID, "merge: %s and %s were run with different options: %s", dirs[0], dirs[i], diff)
		}
		if diff := differ(first.Sources, m.Sources); diff != "" {
			return nil, scs.Errorf(scs.EINVALID, "merge: %s and %s were run with different files: %s", dirs[0], dirs[i], diff)
		}
		if byShard[m.Shard] != "" {
			return nil, scs.Errorf(scs.EINVALID, "merge: shard %d/%d is given twice: %s and %s", m.Shard, m.Shards, byShard[m.Shard], dirs[i])
		}
		byShard[m.Shard] = dirs[i]
	}
	var missing []string
	for k, d := range byShard {
		if d == "" {
			missing = append(missing, strconv.Itoa(k))
		}
	}
	if len(missing) > 0 {
		what := "shard " + missing[0] + " is"
		if len(missing) > 1 {
			what = "shards " + strings.Join(missing, ", ") + " are"
		}
		return nil, scs.Errorf(scs.EINVALID, "merge: %s missing (shards 0 to %d of %d are wanted, each once)", what, first.Shards-1, first.Shards)
	}
	slices.SortFunc(ms, func(a, b *ShardManifest) int { return a.Shard - b.Shard })
	return ms, nil
}

// parseShard decodes a shard's manifest read from path.
func parseShard(path string, data []byte) (*ShardManifest, error) {
	m := &ShardManifest{}
	if err := json.Unmarshal(data, m); err != nil {
		return nil, scs.Errorf(scs.EINVALID, "merge: %s: %v", path, err)
	}
	if m.Format != ShardFormat {
		return nil, scs.Errorf(scs.EINVALID, "merge: %s: format %q, want %q", path, m.Format, ShardFormat)
	}
	if m.Shards < 1 || m.Shards > sim.MaxShards || m.Shard < 0 || m.Shard >= m.Shards {
		return nil, scs.Errorf(scs.EINVALID, "merge: %s: shard %d/%d is not a shard K/N with 0 <= K < N <= %d", path, m.Shard, m.Shards, sim.MaxShards)
	}
	if e := m.Events; e != nil {
		if _, err := hex.DecodeString(e.SHA256); err != nil || len(e.SHA256) != 2*sha256.Size || e.Records < 0 || e.Bytes < 0 {
			return nil, scs.Errorf(scs.EINVALID, "merge: %s: events: %d records, %d bytes, SHA-256 %q is not a description of a records file", path, e.Records, e.Bytes, e.SHA256)
		}
	}
	for i, r := range m.Runs {
		if r.Metrics == nil {
			return nil, scs.Errorf(scs.EINVALID, "merge: %s: run %d (%s) has no metrics", path, i+1, r.Key)
		}
	}
	return m, nil
}

// differ names the first key whose value differs between a and b, "" when
// none.
func differ(a, b map[string]string) string {
	keys := map[string]bool{}
	for k := range a {
		keys[k] = true
	}
	for k := range b {
		keys[k] = true
	}
	names := make([]string, 0, len(keys))
	for k := range keys {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		va, oka := a[k]
		vb, okb := b[k]
		if va != vb || oka != okb {
			return fmt.Sprintf("%s is %q in one and %q in the other", k, va, vb)
		}
	}
	return ""
}

// MergeRunner returns a sim.Runner that makes each run of the study from
// the shards' recorded parts (sim.Merge), in place of simulating it.
func MergeRunner(ms []*ShardManifest) sim.Runner {
	index := make([]map[string]*ShardRun, len(ms))
	for i, m := range ms {
		index[i] = map[string]*ShardRun{}
		for j := range m.Runs {
			index[i][m.Runs[j].Key] = &m.Runs[j]
		}
	}
	return func(_ context.Context, cfg sim.Config) (*sim.Result, error) {
		key := runKey(cfg)
		parts := make([]*sim.Result, len(ms))
		for i := range ms {
			r, ok := index[i][key]
			if !ok || r.Metrics == nil {
				return nil, scs.Errorf(scs.EINVALID, "merge: shard %d/%d has no run %s", ms[i].Shard, ms[i].Shards, key)
			}
			parts[i] = &sim.Result{Metrics: r.Metrics, SampleMetrics: r.SampleMetrics, Events: r.Events, Elapsed: time.Duration(r.ElapsedNanos)}
		}
		return sim.Merge(cfg, parts)
	}
}

// CheckEventParts checks, before anything is written, that every shard of
// ms has its part of the records at the size its manifest gives (merge
// checks the SHA-256 while copying).
func CheckEventParts(ms []*ShardManifest) error {
	for _, m := range ms {
		if m.Events == nil {
			return scs.Errorf(scs.EINVALID, "merge: shard %d/%d (%s) wrote no records (its shard.json has no events)", m.Shard, m.Shards, m.Dir)
		}
		fi, err := os.Stat(filepath.Join(m.Dir, ShardEventsFile))
		if err != nil {
			return scs.Errorf(scs.EINVALID, "merge: shard %d/%d: %v", m.Shard, m.Shards, err)
		}
		if fi.Size() != m.Events.Bytes {
			return scs.Errorf(scs.EINVALID, "merge: shard %d/%d: %s has %d bytes; its shard.json says %d (cut short or changed since the shard ran?)",
				m.Shard, m.Shards, filepath.Join(m.Dir, ShardEventsFile), fi.Size(), m.Events.Bytes)
		}
	}
	return nil
}

// MergeEvents writes the shards' parts of the records (ms in shard order),
// one after the other, to path: the records of the whole run in the order
// the whole run writes them, neighbourhood by neighbourhood. Each part
// must be the one its manifest describes (number of records and SHA-256).
func MergeEvents(path string, ms []*ShardManifest) error {
	return WriteFile(path, func(w io.Writer) error {
		for _, m := range ms {
			if err := copyEvents(w, m); err != nil {
				return err
			}
		}
		return nil
	})
}

func copyEvents(w io.Writer, m *ShardManifest) error {
	if err := CheckEventParts([]*ShardManifest{m}); err != nil {
		return err
	}
	part := filepath.Join(m.Dir, ShardEventsFile)
	f, err := os.Open(part)
	if err != nil {
		return scs.Errorf(scs.EINVALID, "merge: shard %d/%d: %v", m.Shard, m.Shards, err)
	}
	defer f.Close()
	h := sha256.New()
	lines := &lineCounter{}
	if _, err := io.Copy(io.MultiWriter(w, h, lines), f); err != nil {
		return scs.Errorf(scs.EINVALID, "merge: shard %d/%d: %s: %v", m.Shard, m.Shards, part, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != m.Events.SHA256 || lines.n != m.Events.Records {
		return scs.Errorf(scs.EINVALID, "merge: shard %d/%d: %s has %d records with SHA-256 %s; its shard.json says %d records with SHA-256 %s (cut short or changed since the shard ran?)",
			m.Shard, m.Shards, part, lines.n, got, m.Events.Records, m.Events.SHA256)
	}
	return nil
}

// lineCounter counts the newlines written to it.
type lineCounter struct{ n int64 }

func (c *lineCounter) Write(p []byte) (int, error) {
	c.n += int64(bytes.Count(p, []byte{'\n'}))
	return len(p), nil
}

// MergeCitizens writes the citizens.parquet of the shards' directories, in
// order, to path: the rows of the whole run, written one neighbourhood at a
// time as the whole run writes them, so that the file is the same byte for
// byte.
func MergeCitizens(path string, dirs []string) error {
	cw, err := NewCitizenWriter(path)
	if err != nil {
		return err
	}
	for _, d := range dirs {
		if err := copyCitizens(cw, filepath.Join(d, "citizens.parquet")); err != nil {
			cw.Abort()
			return err
		}
	}
	return cw.Close()
}

func copyCitizens(cw *CitizenWriter, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return scs.Errorf(scs.EINVALID, "merge: %v", err)
	}
	defer f.Close()
	r := parquet.NewGenericReader[sim.CitizenRow](f)
	defer r.Close()
	buf := make([]sim.CitizenRow, 1024)
	var hood []sim.CitizenRow
	for {
		n, err := r.Read(buf)
		for _, row := range buf[:n] {
			if len(hood) > 0 && row.Neighbourhood != hood[0].Neighbourhood {
				if werr := cw.Write(hood); werr != nil {
					return werr
				}
				hood = hood[:0]
			}
			hood = append(hood, row)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return scs.Errorf(scs.EINVALID, "merge: %s: %v", path, err)
		}
	}
	if len(hood) > 0 {
		return cw.Write(hood)
	}
	return nil
}
