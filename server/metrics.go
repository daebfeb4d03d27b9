package server

import (
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// commitSizeBuckets are the upper bounds of the group-commit size
// histograms (writes and ledger entries per committed transaction).
var commitSizeBuckets = []float64{1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096, 16384}

// latencyBuckets are the request duration buckets, in seconds.
var latencyBuckets = []float64{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

// Metrics counts what the server does, for /metrics, through the
// Prometheus client library. Every label takes its value from a fixed set
// (the route table, the known methods, the status classes), so that no
// request can add a series. It is safe for concurrent use.
type Metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	records  prometheus.Counter
	recordsN atomic.Int64

	// Group commits, fed by ObserveGroupCommit.
	groupWrites, groupEntries, groupTime prometheus.Histogram
}

func newMetrics() *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "scs_http_requests_total",
		Help: "HTTP requests served, by route, method (other for one not known) and status class."}, []string{"route", "method", "status"})
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "scs_http_request_duration_seconds",
		Help: "Time to serve a request, by route.", Buckets: latencyBuckets}, []string{"route"})
	m.records = prometheus.NewCounter(prometheus.CounterOpts{Name: "scs_records_ingested_total",
		Help: "Records reported through the API and acknowledged."})
	m.groupWrites = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "scs_store_group_commit_writes",
		Help: "Writes (API calls) that shared one store transaction (group commit).", Buckets: commitSizeBuckets})
	m.groupEntries = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "scs_store_group_commit_entries",
		Help: "Ledger entries written by one store transaction.", Buckets: commitSizeBuckets})
	m.groupTime = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "scs_store_group_commit_seconds",
		Help: "Time from a group's begin to its durable commit.", Buckets: latencyBuckets})
	m.reg.MustRegister(m.requests, m.latency, m.records, m.groupWrites, m.groupEntries, m.groupTime,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// ObserveGroupCommit counts one transaction committed by the store's group
// commit: the writes (calls such as ReportRecords) and ledger entries that
// shared it and how long it took to become durable. The store calls it on
// every commit (cmd/scs wires the store's hook to it); it is cheap and safe
// for concurrent use.
func (m *Metrics) ObserveGroupCommit(writes, entries int, d time.Duration) {
	m.groupWrites.Observe(float64(writes))
	m.groupEntries.Observe(float64(entries))
	m.groupTime.Observe(d.Seconds())
}

// methodLabel is the method as a label: one of the known methods, or
// "other", so that invented methods add no series.
func methodLabel(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return method
	}
	return "other"
}

// statusClass is a status as a label: "2xx", "4xx" and so on.
func statusClass(status int) string {
	if status < 100 || status > 599 {
		return "other"
	}
	return strconv.Itoa(status/100) + "xx"
}

// observe counts one request; route is a name from the route table.
func (m *Metrics) observe(route, method string, status int, d time.Duration) {
	m.requests.WithLabelValues(route, methodLabel(method), statusClass(status)).Inc()
	m.latency.WithLabelValues(route).Observe(d.Seconds())
}

// AddRecords counts records ingested (reported and acknowledged).
func (m *Metrics) AddRecords(n int) {
	m.records.Add(float64(n))
	m.recordsN.Add(int64(n))
}

// Records returns the number of records ingested since the server started.
func (m *Metrics) Records() int64 { return m.recordsN.Load() }

func (s *Server) serveMetrics(w http.ResponseWriter, r *http.Request) error {
	promhttp.HandlerFor(s.metrics.reg, promhttp.HandlerOpts{}).ServeHTTP(w, r)
	return nil
}
