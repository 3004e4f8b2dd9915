package service

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/savepoint-ci/savepoint/core/server/repos"
	"github.com/savepoint-ci/savepoint/core/snapshot"
	"github.com/savepoint-ci/savepoint/core/storage"
)

// Repository is what the server sees of a repository without opening it:
// the figures of a listing of its storage (repos.Repo.Stats), the same
// the metrics and the web view show.
type Repository struct {
	Name string `json:"name"`
	// Managed: the server holds the repository's password, so its
	// snapshots, trees, diffs and jobs are available.
	Managed     bool  `json:"managed" doc:"The server holds the repository's password: snapshots, trees, diffs and jobs are available"`
	Objects     int64 `json:"objects" doc:"Stored objects of every kind"`
	StoredBytes int64 `json:"stored_bytes" doc:"Bytes stored, as the storage counts them"`
	Snapshots   int   `json:"snapshots" doc:"Snapshot objects stored"`
	// LastSave is the storage time of the newest snapshot object: when
	// the last save committed.
	LastSave  time.Time `json:"last_save,omitzero" doc:"When the newest snapshot was stored"`
	LastWrite time.Time `json:"last_write,omitzero" doc:"When the newest object was stored"`
}

// RepositoryStats are a repository's figures. Those below Kinds need the password.
type RepositoryStats struct {
	Repository
	Kinds map[string]repos.KindStats `json:"kinds" doc:"Objects and bytes by kind (config, keys, snapshots, index, meta, data, sessions, lease)"`
	// What the snapshots hold (managed repositories only).
	LogicalBytes int64     `json:"logical_bytes" doc:"Bytes the snapshots hold, summed: what restoring each of them would write"`
	DedupRatio   float64   `json:"dedup_ratio" doc:"logical_bytes / stored_bytes"`
	LastSnapshot time.Time `json:"last_snapshot,omitzero" doc:"The time the newest snapshot was taken"`
}

// Repositories lists the repositories of the storage (repos.Hub.Names)
// that exist, with what the server sees of them.
func (s *Service) Repositories(ctx context.Context) ([]Repository, error) {
	names, err := s.Repos.Names(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Repository, 0, len(names))
	for _, name := range names {
		r, _, err := s.measure(ctx, name)
		if errors.Is(err, storage.ErrNoContainer) {
			continue // a password file written ahead, a repository removed
		}
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// Repository returns what the server sees of repository name;
// storage.ErrNoContainer when there is none.
func (s *Service) Repository(ctx context.Context, name string) (Repository, error) {
	r, _, err := s.measure(ctx, name)
	return r, err
}

// measure takes the repository's figures from the listing of its storage.
func (s *Service) measure(ctx context.Context, name string) (Repository, repos.Stats, error) {
	r := Repository{Name: name}
	repo, err := s.Repos.Get(ctx, name)
	if err != nil {
		return r, repos.Stats{}, err
	}
	st, err := repo.Stats(ctx)
	if err != nil {
		return r, st, err
	}
	if !st.Exists {
		return r, st, fmt.Errorf("repository %s: %w", name, storage.ErrNoContainer)
	}
	_, perr := repo.Password()
	r.Managed = perr == nil
	r.Objects, r.StoredBytes, r.Snapshots = int64(st.Objects), st.StoredBytes, st.Snapshots
	r.LastSave, r.LastWrite = st.LastSave.UTC(), st.LastWrite.UTC()
	return r, st, nil
}

// Stats returns a repository's figures; those of its snapshots stay zero
// when the server does not hold its password.
func (s *Service) Stats(ctx context.Context, name string) (RepositoryStats, error) {
	r, listed, err := s.measure(ctx, name)
	if err != nil {
		return RepositoryStats{}, err
	}
	st := RepositoryStats{Repository: r, Kinds: map[string]repos.KindStats{}}
	for k, ks := range listed.Kinds {
		st.Kinds[string(k)] = ks
	}
	if !r.Managed {
		return st, nil
	}
	list, err := s.AllSnapshots(ctx, name)
	if err != nil {
		return st, err
	}
	for _, sn := range list {
		st.LogicalBytes += sn.Stats.BytesScanned // command outputs included
		if sn.Time.After(st.LastSnapshot) {
			st.LastSnapshot = sn.Time
		}
	}
	if r.StoredBytes > 0 {
		st.DedupRatio = snapshot.Round2(float64(st.LogicalBytes) / float64(r.StoredBytes))
	}
	return st, nil
}

// ErrNoPassword is repos.ErrNoPassword: the repository is not managed.
var ErrNoPassword = repos.ErrNoPassword

// History returns the samples of repository name's stored bytes taken
// since since, oldest first, and its figures of now last (the web view's
// chart).
func (s *Service) History(ctx context.Context, name string, since time.Time) ([]repos.Sample, error) {
	r, err := s.Repos.Get(ctx, name)
	if err != nil {
		return nil, err
	}
	return r.History(ctx, since)
}
