// Package repos is the server's view of the repositories in its storage:
// each repository NAME lives at <storage>/NAME (a directory, a key prefix,
// an OCI repository path), opened once and shared by all requests. A Repo
// adds what the server keeps about a repository: quota accounting, the
// owners of session markers, and the password an admin gave the server for
// server-side maintenance.
package repos

import (
	"context"
	"sync"
	"time"

	"github.com/savepoint-ci/savepoint/core/location"
	"github.com/savepoint-ci/savepoint/core/server/records"
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
	Now         func() time.Time // nil: time.Now
}

// DefaultQuotaRefresh is the default Options.QuotaRefresh.
const DefaultQuotaRefresh = time.Minute

// Hub opens the repositories of one storage location.
type Hub struct {
	o     Options
	mu    sync.Mutex
	repos map[string]*Repo
}

// New returns a Hub for o. It does not contact the storage.
func New(o Options) *Hub {
	if o.QuotaRefresh <= 0 {
		o.QuotaRefresh = DefaultQuotaRefresh
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Hub{o: o, repos: map[string]*Repo{}}
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
	r := &Repo{Name: name, hub: h, be: be}
	h.repos[name] = r
	return r, nil
}

// Close closes every backend opened.
func (h *Hub) Close() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, r := range h.repos {
		r.be.Close()
		if r.owners != nil {
			r.owners.Backend().Close()
		}
	}
	h.repos = map[string]*Repo{}
	return nil
}

// Repo is one repository of the hub.
type Repo struct {
	Name string
	hub  *Hub
	be   storage.Backend

	ownersMu sync.Mutex
	owners   *records.Table // session-marker owners, opened on first use

	usage    usage
	inflight inflight // writes under way (inflight.go)
}

// Backend is the repository's storage, as the server reaches it.
func (r *Repo) Backend() storage.Backend { return r.be }
