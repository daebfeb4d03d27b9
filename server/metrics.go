package server

import (
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// commitSizeBuckets are the upper bounds of the group-commit size
// histograms (writes and ledger entries per committed transaction).
var commitSizeBuckets = []float64{1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096, 16384}

// latencyBuckets are the request duration buckets, in seconds.
var latencyBuckets = []float64{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

// Metrics counts what the server does, for /metrics in the Prometheus text
// format. It is safe for concurrent use.
type Metrics struct {
	mu       sync.Mutex
	requests map[reqKey]int64
	latency  map[string]*histogram
	records  atomic.Int64
	started  time.Time

	// Group commits, fed by ObserveGroupCommit.
	groupWrites, groupEntries, groupTime *histogram
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
	return &Metrics{requests: map[reqKey]int64{}, latency: map[string]*histogram{}, started: time.Now(),
		groupWrites: newHistogram(commitSizeBuckets), groupEntries: newHistogram(commitSizeBuckets), groupTime: newHistogram(latencyBuckets)}
}

func newHistogram(bounds []float64) *histogram {
	return &histogram{counts: make([]int64, len(bounds)+1)}
}

func (h *histogram) add(bounds []float64, v float64) {
	h.counts[sort.SearchFloat64s(bounds, v)]++
	h.sum += v
	h.n++
}

// ObserveGroupCommit counts one transaction committed by the store's group
// commit: the writes (calls such as ReportRecords) and ledger entries that
// shared it and how long it took to become durable. The store calls it on
// every commit (cmd/scs wires the store's hook to it); it is cheap and safe
// for concurrent use.
func (m *Metrics) ObserveGroupCommit(writes, entries int, d time.Duration) {
	m.mu.Lock()
	m.groupWrites.add(commitSizeBuckets, float64(writes))
	m.groupEntries.add(commitSizeBuckets, float64(entries))
	m.groupTime.add(latencyBuckets, d.Seconds())
	m.mu.Unlock()
}

func (m *Metrics) observe(route, method string, status int, d time.Duration) {
	sec := d.Seconds()
	m.mu.Lock()
	m.requests[reqKey{route, method, status}]++
	h := m.latency[route]
	if h == nil {
		h = newHistogram(latencyBuckets)
		m.latency[route] = h
	}
	h.add(latencyBuckets, sec)
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
	b.WriteString("# HELP scs_store_group_commit_writes Writes (API calls) that shared one store transaction (group commit).\n# TYPE scs_store_group_commit_writes histogram\n")
	writeHistogram(&b, "scs_store_group_commit_writes", "", commitSizeBuckets, m.groupWrites.counts, m.groupWrites.sum, m.groupWrites.n)
	b.WriteString("# HELP scs_store_group_commit_entries Ledger entries written by one store transaction.\n# TYPE scs_store_group_commit_entries histogram\n")
	writeHistogram(&b, "scs_store_group_commit_entries", "", commitSizeBuckets, m.groupEntries.counts, m.groupEntries.sum, m.groupEntries.n)
	b.WriteString("# HELP scs_store_group_commit_seconds Time from a group's begin to its durable commit.\n# TYPE scs_store_group_commit_seconds histogram\n")
	writeHistogram(&b, "scs_store_group_commit_seconds", "", latencyBuckets, m.groupTime.counts, m.groupTime.sum, m.groupTime.n)
	m.mu.Unlock()

	b.WriteString("# HELP scs_records_ingested_total Records reported through the API and acknowledged.\n# TYPE scs_records_ingested_total counter\n")
	fmt.Fprintf(&b, "scs_records_ingested_total %d\n", m.records.Load())
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
