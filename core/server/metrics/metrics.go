// Package metrics is the server's Prometheus metrics, served at /metrics
// (docs/server.md, "Metrics"): requests by route, method and status with
// their latencies and bytes, per-repository figures from the storage, and
// the jobs that ended, by kind and result, and what sync jobs moved and
// when each last succeeded (sync.go).
//
// The per-repository gauges come from a listing of each repository's
// storage (repos.Repo.Stats), so they need no password and agree across
// server processes and restarts: snapshots and stored bytes, and the last
// save as the storage time of the newest snapshot object (the save's
// commit point). The last successful and failed prune come from the runs
// the server recorded in its storage (repos.Repo.NoteRun), written by
// JobEnded.
//
// The jobs runner reports every job that ends with one call:
//
//	m.JobEnded(ctx, metrics.Job{Repo: "app", Kind: "prune", Result: metrics.Failed,
//		Started: started, Ended: time.Now(), Err: err})
//
// which counts it (savepoint_jobs_total), observes its duration
// (savepoint_job_duration_seconds) and records the run in the storage, so
// savepoint_repository_last_prune_timestamp_seconds survives a restart.
// A Metrics is safe for concurrent use; a nil *Metrics ignores every call.
package metrics

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/savepoint-ci/savepoint/core/server/repos"
)

// Namespace prefixes every metric of the server.
const Namespace = "savepoint"

// Options configure the metrics.
type Options struct {
	Repos  *repos.Hub
	Logger *slog.Logger // nil: discard
	// Timeout bounds the storage listings of one scrape (0: 30s).
	Timeout time.Duration
}

// Metrics holds the server's collectors.
type Metrics struct {
	o        Options
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	received *prometheus.CounterVec
	sent     *prometheus.CounterVec
	jobs     *prometheus.CounterVec
	jobTime  *prometheus.HistogramVec
	failures prometheus.Counter
	// syncBytes: bytes sync jobs moved, by repository and source.
	syncBytes *prometheus.CounterVec
	handler   http.Handler
}

// New returns the server's metrics, registered in a registry of their own
// with the Go runtime's and the process's.
func New(o Options) *Metrics {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	m := &Metrics{o: o, reg: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: Namespace, Name: "http_requests_total",
		Help: "HTTP requests answered, by route (the router's pattern), method and status code."}, []string{"route", "method", "code"})
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: Namespace, Name: "http_request_duration_seconds",
		Help:    "Time from a request's arrival to the end of its answer, by route and method.",
		Buckets: prometheus.ExponentialBuckets(0.005, 4, 9)}, []string{"route", "method"})
	m.received = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: Namespace, Name: "http_received_bytes_total",
		Help: "Request body bytes read, by route."}, []string{"route"})
	m.sent = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: Namespace, Name: "http_sent_bytes_total",
		Help: "Response body bytes written, by route."}, []string{"route"})
	m.jobs = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: Namespace, Name: "jobs_total",
		Help: "Jobs that ended on this server process (server-side forget and prune requests included), by kind and result."}, []string{"kind", "result"})
	m.jobTime = prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: Namespace, Name: "job_duration_seconds",
		Help:    "Duration of the jobs that ended, by kind and result.",
		Buckets: prometheus.ExponentialBuckets(0.25, 4, 10)}, []string{"kind", "result"})
	m.failures = prometheus.NewCounter(prometheus.CounterOpts{Namespace: Namespace, Name: "storage_listing_errors_total",
		Help: "Scrapes that could not list a repository's storage (its figures are missing from that scrape)."})
	m.syncBytes = newSyncBytes()
	m.reg.MustRegister(m.requests, m.latency, m.received, m.sent, m.jobs, m.jobTime, m.failures, m.syncBytes,
		&repoCollector{m: m},
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.handler = promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{
		ErrorLog: slog.NewLogLogger(o.Logger.Handler(), slog.LevelWarn), ErrorHandling: promhttp.ContinueOnError,
		CoalesceGather: true, EnableOpenMetrics: true,
	})
	return m
}

// Handler serves the metrics in the Prometheus text format (or
// OpenMetrics, when asked). Concurrent scrapes share one collection.
func (m *Metrics) Handler() http.Handler { return m.handler }

// Registry is where the metrics are registered; a component adds its own
// collectors to it.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// ctx is the context of one scrape's storage listings.
func (m *Metrics) ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), m.o.Timeout)
}
