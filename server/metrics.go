package server

import (
	"fmt"
	"io"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// CommitStatser is implemented by a registry that groups concurrent writes
// into shared transactions (group commit). /metrics reports its figures
// when the server's registry implements it.
type CommitStatser interface {
	// CommitStats returns the totals since the registry was opened. It is
	// called on every scrape and must be cheap and safe for concurrent use.
	CommitStats() CommitStats
}

// CommitStats are a registry's group-commit totals since it was opened.
type CommitStats struct {
	// Commits is the number of transactions committed.
	Commits int64
	// Entries is the number of ledger entries written in them.
	Entries int64
	// Sizes counts commits by the number of ledger entries they carried:
	// Sizes[i] is the number of commits of at most CommitSizeBuckets[i]
	// entries and more than the bucket before (the last bucket takes the
	// rest). A nil Sizes leaves the histogram out.
	Sizes []int64
}

// CommitSizeBuckets are the upper bounds of CommitStats.Sizes; the last is
// unbounded.
var CommitSizeBuckets = []float64{1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096, 16384, math.Inf(1)}

// latencyBuckets are the request duration buckets, in seconds.
var latencyBuckets = []float64{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

// Metrics counts what the server does, for /metrics in the Prometheus text
// format. It is safe for concurrent use.
type Metrics struct {
	mu       sync.Mutex
	requests map[reqKey]int64
	latency  map[string]*histogram
	records  atomic.Int64
	commits  CommitStatser
	started  time.Time
}

type reqKey struct {
	route, method string
	status        int
}

type histogram struct {
	counts []int64 // per bucket, not cumulative; the last is +Inf
	sum    float64
	n      int64
}

func newMetrics() *Metrics {
	return &Metrics{requests: map[reqKey]int64{}, latency: map[string]*histogram{}, started: time.Now()}
}

func (m *Metrics) observe(route, method string, status int, d time.Duration) {
	sec := d.Seconds()
	m.mu.Lock()
	m.requests[reqKey{route, method, status}]++
	h := m.latency[route]
	if h == nil {
		h = &histogram{counts: make([]int64, len(latencyBuckets)+1)}
		m.latency[route] = h
	}
	i := sort.SearchFloat64s(latencyBuckets, sec)
	h.counts[i]++
	h.sum += sec
	h.n++
	m.mu.Unlock()
}

// AddRecords counts records ingested (reported and acknowledged).
func (m *Metrics) AddRecords(n int) { m.records.Add(int64(n)) }

// Records returns the number of records ingested since the server started.
func (m *Metrics) Records() int64 { return m.records.Load() }

// WriteTo writes every metric in the Prometheus text exposition format
// (version 0.0.4), in a stable order.
func (m *Metrics) WriteTo(w io.Writer) (int64, error) {
	var b strings.Builder
	m.mu.Lock()
	keys := make([]reqKey, 0, len(m.requests))
	for k := range m.requests {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, c := keys[i], keys[j]
		if a.route != c.route {
			return a.route < c.route
		}
		if a.method != c.method {
			return a.method < c.method
		}
		return a.status < c.status
	})
	b.WriteString("# HELP scs_http_requests_total HTTP requests served, by route, method and status.\n# TYPE scs_http_requests_total counter\n")
	for _, k := range keys {
		fmt.Fprintf(&b, "scs_http_requests_total{route=%s,method=%s,status=\"%d\"} %d\n", quote(k.route), quote(k.method), k.status, m.requests[k])
	}
	routes := make([]string, 0, len(m.latency))
	for r := range m.latency {
		routes = append(routes, r)
	}
	sort.Strings(routes)
	b.WriteString("# HELP scs_http_request_duration_seconds Time to serve a request, by route.\n# TYPE scs_http_request_duration_seconds histogram\n")
	for _, r := range routes {
		h := m.latency[r]
		writeHistogram(&b, "scs_http_request_duration_seconds", "route="+quote(r), latencyBuckets, h.counts, h.sum, h.n)
	}
	m.mu.Unlock()

	b.WriteString("# HELP scs_records_ingested_total Records reported through the API and acknowledged.\n# TYPE scs_records_ingested_total counter\n")
	fmt.Fprintf(&b, "scs_records_ingested_total %d\n", m.records.Load())
	if m.commits != nil {
		cs := m.commits.CommitStats()
		b.WriteString("# HELP scs_store_commits_total Transactions committed by the store's group commit.\n# TYPE scs_store_commits_total counter\n")
		fmt.Fprintf(&b, "scs_store_commits_total %d\n", cs.Commits)
		b.WriteString("# HELP scs_store_entries_total Ledger entries written by the store.\n# TYPE scs_store_entries_total counter\n")
		fmt.Fprintf(&b, "scs_store_entries_total %d\n", cs.Entries)
		if len(cs.Sizes) == len(CommitSizeBuckets) {
			b.WriteString("# HELP scs_store_commit_batch_size Ledger entries per group commit.\n# TYPE scs_store_commit_batch_size histogram\n")
			writeHistogram(&b, "scs_store_commit_batch_size", "", CommitSizeBuckets[:len(CommitSizeBuckets)-1], cs.Sizes, float64(cs.Entries), cs.Commits)
		}
	}
	b.WriteString("# HELP scs_process_start_time_seconds When the server started, in Unix seconds.\n# TYPE scs_process_start_time_seconds gauge\n")
	fmt.Fprintf(&b, "scs_process_start_time_seconds %d\n", m.started.Unix())
	n, err := io.WriteString(w, b.String())
	return int64(n), err
}

// writeHistogram writes a histogram whose counts are per bucket (the last
// one +Inf), as the cumulative buckets the format wants.
func writeHistogram(b *strings.Builder, name, labels string, bounds []float64, counts []int64, sum float64, n int64) {
	sep := ""
	if labels != "" {
		sep = ","
	}
	var cum int64
	for i, le := range bounds {
		cum += counts[i]
		fmt.Fprintf(b, "%s_bucket{%s%sle=\"%s\"} %d\n", name, labels, sep, strconv.FormatFloat(le, 'g', -1, 64), cum)
	}
	fmt.Fprintf(b, "%s_bucket{%s%sle=\"+Inf\"} %d\n", name, labels, sep, n)
	if labels != "" {
		labels = "{" + labels + "}"
	}
	fmt.Fprintf(b, "%s_sum%s %s\n", name, labels, strconv.FormatFloat(sum, 'g', -1, 64))
	fmt.Fprintf(b, "%s_count%s %d\n", name, labels, n)
}

// quote renders a label value: backslash, double quote and newline escaped.
func quote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s) + `"`
}

func (s *Server) serveMetrics(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	_, err := s.metrics.WriteTo(w)
	return err
}
