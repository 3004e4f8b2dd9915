// Package repos is the server's view of the repositories in its storage:
// each repository NAME lives at <storage>/NAME (a directory, a key prefix,
// an OCI repository path), opened once and shared by all requests. A Repo
// adds what the server keeps about a repository: quota accounting, the
// owners of session markers, the password an admin gave the server for
// server-side maintenance, and what the metrics, the management API and
// the web view show (the latter two through package service): the names
// of the repositories (Hub.Names), figures from the storage listing
// (Stats, no password needed), their history, the last runs of each job
// kind, and a shared read-only open repository with its snapshots
// (Shared, Read, Snapshots; password needed).
package repos

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/savepoint-ci/savepoint/core/location"
	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/storage/remote/protocol"
)

// Options configure a Hub.
type Options struct {
	// Storage is the location holding the repositories (a path, s3://,
	// oci://), opened with Location.
	Storage  string
	Location location.Options
	// Quota caps the stored bytes of each repository for append tokens
	// (0: no quota).
	Quota int64
	// QuotaRefresh is how old a repository's usage figure may get before
	// it is listed again (0: DefaultQuotaRefresh). Writes through this
	// process are counted as they happen; the refresh catches those of
	// other server processes and of prunes.
	QuotaRefresh time.Duration
	// PasswordDir holds one file per repository, named like it, with the
	// repository's password: the server runs forget and prune itself for
	// those repositories (empty: for none).
	PasswordDir string
	// StatsRefresh is how old a repository's Stats may get before its
	// storage is listed again (0: DefaultStatsRefresh). A write or removal
	// through this process makes the next Stats list afresh.
	StatsRefresh time.Duration
	Now          func() time.Time // nil: time.Now
}

// DefaultQuotaRefresh is the default Options.QuotaRefresh.
const DefaultQuotaRefresh = time.Minute

// DefaultStatsRefresh is the default Options.StatsRefresh.
const DefaultStatsRefresh = time.Minute

// Hub opens the repositories of one storage location.
type Hub struct {
	o      Options
	mu     sync.Mutex
	repos  map[string]*Repo
	rootBE storage.Backend // the storage location itself (Names), opened on first use
	tables tables          // the server's own records tables (Table)
}

// New returns a Hub for o. It does not contact the storage.
func New(o Options) *Hub {
	if o.QuotaRefresh <= 0 {
		o.QuotaRefresh = DefaultQuotaRefresh
	}
	if o.StatsRefresh <= 0 {
		o.StatsRefresh = DefaultStatsRefresh
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Hub{o: o, repos: map[string]*Repo{}, tables: tables{o: o}}
}

// Storage is the location of the repositories.
func (h *Hub) Storage() string { return h.o.Storage }

// Get returns repository name, opening its backend on first use. It does
// not check that the repository exists.
func (h *Hub) Get(ctx context.Context, name string) (*Repo, error) {
	if err := protocol.CheckRepoName(name); err != nil {
		return nil, err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if r := h.repos[name]; r != nil {
		return r, nil
	}
	be, err := location.Open(ctx, location.Join(h.o.Storage, name), h.o.Location)
	if err != nil {
		return nil, err
	}
	r := &Repo{Name: name, hub: h, be: be, tables: tables{o: h.o}}
	h.repos[name] = r
	return r, nil
}

// Close closes every backend opened.
func (h *Hub) Close() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, r := range h.repos {
		r.be.Close()
		r.tables.close()
	}
	h.tables.close()
	if h.rootBE != nil {
		h.rootBE.Close()
		h.rootBE = nil
	}
	h.repos = map[string]*Repo{}
	return nil
}

// Repo is one repository of the hub.
type Repo struct {
	Name string
	hub  *Hub
	be   storage.Backend

	tables tables // the server's records about it, opened on first use

	usage      usage
	inflight   inflight    // writes under way (inflight.go)
	registered atomic.Bool // its name is in the registry (names.go)
	gen        atomic.Int64
	stats      statsCache
	shared     sharedRepo
	runs       runsCache
}

// Backend is the repository's storage, as the server reaches it.
func (r *Repo) Backend() storage.Backend { return r.be }
