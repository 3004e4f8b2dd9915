package repos

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/snapshot"
	"github.com/savepoint-ci/savepoint/core/storage"
)

// sharedRepo is the repository opened once with the server's password
// for reading (the web view, the API): opening costs a key derivation
// (about a second), so it is kept, with the snapshots read so far.
type sharedRepo struct {
	mu    sync.Mutex
	repo  *repository.Repository
	pw    string
	snaps map[repository.ID]*snapshot.Snapshot // immutable: read once
}

// Shared returns the repository opened with the server's password for
// reading, opened on first use and again when the password file changed.
// Its index is the one read when it was opened: a reader that meets
// ErrBlobNotFound or storage.ErrNotFound (a newer save, a prune since)
// calls Reopen and tries again (Read does both). Never close it.
func (r *Repo) Shared(ctx context.Context) (*repository.Repository, error) {
	pw, err := r.Password()
	if err != nil {
		return nil, err
	}
	s := &r.shared
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.repo != nil && s.pw == pw {
		return s.repo, nil
	}
	repo, err := r.open(ctx, pw)
	if err != nil {
		return nil, err
	}
	s.repo, s.pw = repo, pw
	return repo, nil
}

// Reopen drops the shared repository if it is still old, so the next
// Shared opens it afresh with the current index.
func (r *Repo) Reopen(old *repository.Repository) {
	s := &r.shared
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.repo == old {
		s.repo = nil
	}
}

// Read runs fn with the shared repository; when fn fails because the
// index is older than the storage (ErrBlobNotFound, a pack not found), it
// reopens the repository and runs fn once more.
func (r *Repo) Read(ctx context.Context, fn func(*repository.Repository) error) error {
	repo, err := r.Shared(ctx)
	if err != nil {
		return err
	}
	err = fn(repo)
	if !errors.Is(err, repository.ErrBlobNotFound) && !errors.Is(err, storage.ErrNotFound) {
		return err
	}
	r.Reopen(repo)
	if repo, err = r.Shared(ctx); err != nil {
		return err
	}
	return fn(repo)
}

// Snapshots lists the repository's snapshots, oldest first, through the
// shared repository: one listing of the snapshot objects per call; only
// snapshots not seen before are read (snapshots never change).
func (r *Repo) Snapshots(ctx context.Context) ([]*snapshot.Snapshot, error) {
	repo, err := r.Shared(ctx)
	if err != nil {
		return nil, err
	}
	s := &r.shared
	s.mu.Lock()
	known := s.snaps
	s.mu.Unlock()
	list, err := snapshot.ListKnown(ctx, repo, known)
	if err != nil {
		return nil, fmt.Errorf("repository %s: %w", r.Name, err)
	}
	next := make(map[repository.ID]*snapshot.Snapshot, len(list))
	for _, sn := range list {
		next[sn.ID] = sn
	}
	s.mu.Lock()
	s.snaps = next
	s.mu.Unlock()
	return list, nil
}
