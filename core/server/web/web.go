// Package web is the server's web view at / (docs/server.md, "Web view"):
// server-rendered pages (html/template, assets embedded, nothing fetched
// from elsewhere) that show the repositories with their size and dedup,
// the snapshots with their provenance, a snapshot's tree, the diff of two
// snapshots, a chart of stored bytes over time, the jobs with their live
// progress and the schedules.
//
// One logs in with a server token: the view keeps a session (a cookie,
// HttpOnly, SameSite=Strict, Secure over TLS) whose record lives in the
// server's storage like the tokens', so any server process serves it. A
// token sees the repositories it covers; an admin token also starts and
// cancels jobs. Every form carries the session's CSRF token, checked on
// every POST.
//
// The pages read everything through package service, as the management
// API does: the figures of the storage listing for every repository,
// snapshots, trees and diffs for those whose password the server holds,
// the jobs of the server's runner and its schedules.
package web

import (
	"html/template"
	"log/slog"
	"net/http"
	"time"

	"github.com/savepoint-ci/savepoint/core/server/service"
)

// Options configure the web view.
type Options struct {
	// Service is the server's management surface: repositories, tokens,
	// jobs and schedules.
	Service *service.Service
	// SessionTTL is how long a login lasts (0: DefaultSessionTTL).
	SessionTTL time.Duration
	Logger     *slog.Logger     // nil: discard
	Now        func() time.Time // nil: time.Now
}

// SessionsTable is the records table of the view's sessions.
const SessionsTable = "web-sessions"

// DefaultSessionTTL is the default Options.SessionTTL.
const DefaultSessionTTL = 12 * time.Hour

// View serves the web view.
type View struct {
	o        Options
	log      *slog.Logger
	pages    map[string]*template.Template
	sessions sessionCache
}

// New returns the web view; Register puts its routes on a router.
func New(o Options) *View {
	if o.SessionTTL <= 0 {
		o.SessionTTL = DefaultSessionTTL
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &View{o: o, log: o.Logger, pages: parsePages()}
}

// Register adds the view's routes to mux: /, /login, /logout, /static/
// and /ui/. These top-level names are reserved (protocol.Reserved), so no
// repository's storage routes meet them.
func (v *View) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /{$}", v.page(v.handleHome))
	mux.HandleFunc("GET /login", v.handleLoginForm)
	mux.HandleFunc("POST /login", v.handleLogin)
	mux.HandleFunc("POST /logout", v.form(v.handleLogout))
	mux.Handle("GET /static/{file}", staticHandler())
	mux.HandleFunc("GET /ui/{repo}/{$}", v.page(v.handleRepo))
	mux.HandleFunc("GET /ui/{repo}/snapshots/{id}", v.page(v.handleSnapshot))
	mux.HandleFunc("GET /ui/{repo}/diff", v.page(v.handleDiff))
	mux.HandleFunc("GET /ui/{repo}/jobs", v.page(v.handleJobs))
	mux.HandleFunc("GET /ui/{repo}/jobs.json", v.page(v.handleJobsJSON))
	mux.HandleFunc("POST /ui/{repo}/jobs/new", v.form(v.handleStartJob))
	mux.HandleFunc("POST /ui/{repo}/jobs/{id}/cancel", v.form(v.handleCancelJob))
	mux.HandleFunc("GET /ui/{repo}/schedules", v.page(v.handleSchedules))
}
