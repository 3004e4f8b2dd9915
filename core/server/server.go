// Package server is `savepoint serve`: an HTTP server in front of one
// storage location (a directory, s3://, oci://) holding many repositories
// by name. It speaks the storage protocol of package protocol, enforces the
// role of the bearer token on every request (package tokens), keeps quotas
// and the owners of session markers (package repos), and runs forget and
// prune itself for repositories whose password it was given.
//
// Sub-packages hold what the server is made of: records (its own data in
// the storage), tokens, repos, metrics (/metrics, served here). The
// management API (package api: /api/v1, /healthz, /readyz) and the web
// view (package web: /, /login, /ui/...) attach their routes to Mux; both
// go through package service, whose jobs (package jobs) and schedules
// (package schedules) run on the server.
package server

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/savepoint-ci/savepoint/core/server/metrics"
	"github.com/savepoint-ci/savepoint/core/server/repos"
	"github.com/savepoint-ci/savepoint/core/server/tokens"
)

// DefaultMaxRequestSize is the default limit on a request body: well above
// the largest pack a repository writes (16 MiB by default).
const DefaultMaxRequestSize = 256 << 20

// Options configure a Server.
type Options struct {
	Repos  *repos.Hub
	Tokens *tokens.Store
	// MaxRequestSize refuses larger request bodies with 413 (0:
	// DefaultMaxRequestSize).
	MaxRequestSize int64
	// Logger receives one line per request and the server's events (nil:
	// discard). Tokens and passwords never reach it.
	Logger *slog.Logger
	// MetricsPublic serves /metrics without a token (by default it needs
	// a token for every repository, of any role).
	MetricsPublic bool
	Now           func() time.Time // nil: time.Now
	// EarlyHints: while it stores an upload whose body has arrived, the
	// server sends "103 Early Hints" this often, so the client's idle
	// timeout knows it is working (hints.go; 0: never).
	EarlyHints time.Duration
}

// Server handles the storage protocol and server-side maintenance.
type Server struct {
	o       Options
	mux     *http.ServeMux
	log     *slog.Logger
	metrics *metrics.Metrics
	bodies  *bodyBuffers
}

// New returns a Server; its routes are in place.
func New(o Options) *Server {
	if o.MaxRequestSize <= 0 {
		o.MaxRequestSize = DefaultMaxRequestSize
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{o: o, mux: http.NewServeMux(), log: o.Logger,
		metrics: metrics.New(metrics.Options{Repos: o.Repos, Logger: o.Logger}), bodies: newBodyBuffers()}
	s.routes()
	return s
}

// Mux is the server's router: further routes (API, metrics, web view)
// are added here, at top-level names protocol.Reserved keeps free.
func (s *Server) Mux() *http.ServeMux { return s.mux }

// Metrics are the server's Prometheus metrics; the jobs runner reports
// the jobs that end to its RunnerJobEnded.
func (s *Server) Metrics() *metrics.Metrics { return s.metrics }

// Handler is the whole server: the router behind request ids, logging
// and panic recovery.
func (s *Server) Handler() http.Handler { return s.observe(s.mux) }

func (s *Server) routes() {
	s.mux.HandleFunc("POST /{repo}/{$}", s.handleCreate)
	s.mux.HandleFunc("GET /{repo}/{kind}/{$}", s.hinted(s.handleList))
	s.mux.HandleFunc("GET /{repo}/{kind}/{name}", s.hinted(s.onObject(tokens.RoleRead, "reading", s.handleLoad))) // HEAD too
	s.mux.HandleFunc("PUT /{repo}/{kind}/{name}", s.onObject(tokens.RoleAppend, "saving", s.handleSave))
	s.mux.HandleFunc("DELETE /{repo}/{kind}/{name}", s.onObject(tokens.RoleAppend, "removing an object", s.handleRemove))
	s.mux.HandleFunc("POST /{repo}/maintenance/{op}", s.handleMaintenance)
	s.mux.HandleFunc("GET /metrics", s.handleMetrics)
}
