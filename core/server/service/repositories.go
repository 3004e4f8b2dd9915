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

// Repository is what the server sees of a repository without opening it.
type Repository struct {
	Name string `json:"name"`
	// Managed: the server holds the repository's password, so its
	// snapshots, trees, diffs and jobs are available.
	Managed     bool      `json:"managed" doc:"The server holds the repository's password: snapshots, trees, diffs and jobs are available"`
	Objects     int64     `json:"objects" doc:"Stored objects of every kind"`
	StoredBytes int64     `json:"stored_bytes" doc:"Bytes stored, as the storage counts them"`
	LastWrite   time.Time `json:"last_write,omitzero" doc:"When the newest object was stored"`
}

// KindStats counts the objects of one kind.
type KindStats struct {
	Objects int64 `json:"objects"`
	Bytes   int64 `json:"bytes"`
}

// RepositoryStats are a repository's figures. Those below Kinds need the password.
type RepositoryStats struct {
	Repository
	Kinds map[string]KindStats `json:"kinds" doc:"Objects and bytes by kind (config, keys, snapshots, index, meta, data, sessions, lease)"`
	// Snapshots and what they hold (managed repositories only).
	Snapshots    int       `json:"snapshots"`
	LogicalBytes int64     `json:"logical_bytes" doc:"Bytes the snapshots hold, summed: what restoring each of them would write"`
	DedupRatio   float64   `json:"dedup_ratio" doc:"logical_bytes / stored_bytes"`
	LastSnapshot time.Time `json:"last_snapshot,omitzero"`
}

// Repositories lists the repositories of the storage with what the server
// sees of them.
func (s *Service) Repositories(ctx context.Context) ([]Repository, error) {
	names, err := s.Repos.Names(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Repository, 0, len(names))
	for _, name := range names {
		r, _, err := s.measure(ctx, name)
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

// measure lists every kind of the repository.
func (s *Service) measure(ctx context.Context, name string) (Repository, map[string]KindStats, error) {
	r := Repository{Name: name}
	repo, err := s.Repos.Get(ctx, name)
	if err != nil {
		return r, nil, err
	}
	_, perr := repo.Password()
	r.Managed = perr == nil
	kinds := map[string]KindStats{}
	empty := true
	for _, k := range storage.Kinds {
		var ks KindStats
		err := repo.Backend().List(ctx, k, func(fi storage.Info) error {
			ks.Objects++
			ks.Bytes += fi.Size
			if fi.ModTime.After(r.LastWrite) {
				r.LastWrite = fi.ModTime.UTC()
			}
			return nil
		})
		if errors.Is(err, storage.ErrNoContainer) {
			continue
		}
		if err != nil {
			return r, nil, fmt.Errorf("repository %s: listing %s: %w", name, k, err)
		}
		empty = false
		kinds[string(k)] = ks
		r.Objects += ks.Objects
		r.StoredBytes += ks.Bytes
	}
	if empty {
		return r, nil, fmt.Errorf("repository %s: %w", name, storage.ErrNoContainer)
	}
	return r, kinds, nil
}

// Stats returns a repository's figures; the snapshot figures stay zero
// when the server does not hold its password.
func (s *Service) Stats(ctx context.Context, name string) (RepositoryStats, error) {
	r, kinds, err := s.measure(ctx, name)
	if err != nil {
		return RepositoryStats{}, err
	}
	st := RepositoryStats{Repository: r, Kinds: kinds}
	if !r.Managed {
		return st, nil
	}
	list, err := s.snapshots(ctx, name)
	if err != nil {
		return st, err
	}
	st.Snapshots = len(list)
	for _, sn := range list {
		st.LogicalBytes += sn.Stats.BytesScanned
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
