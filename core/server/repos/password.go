package repos

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/storage"
)

// ErrNoPassword means the server holds no password for the repository, so
// it cannot run maintenance on it.
var ErrNoPassword = errors.New("the server has no password for this repository")

// Password reads the repository's password from the password directory
// (the file named like the repository). It is read on every use, so an
// admin adds or changes one without restarting the server.
func (r *Repo) Password() (string, error) {
	dir := r.hub.o.PasswordDir
	if dir == "" {
		return "", fmt.Errorf("repository %s: %w (it has no password directory)", r.Name, ErrNoPassword)
	}
	data, err := os.ReadFile(filepath.Join(dir, r.Name))
	if errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("repository %s: %w (no file %s in the password directory)", r.Name, ErrNoPassword, r.Name)
	}
	if err != nil {
		return "", fmt.Errorf("repository %s: reading its password file: %v", r.Name, err)
	}
	return strings.TrimRight(string(data), "\r\n"), nil
}

// Open opens the repository with the password the admin gave the server,
// on a backend that keeps the server's records in step (see maintained),
// for one operation that writes (a job, a server-side prune): the caller
// closes it. Reads share one opened repository instead (Shared, Read).
func (r *Repo) Open(ctx context.Context) (*repository.Repository, error) {
	pw, err := r.Password()
	if err != nil {
		return nil, err
	}
	return r.open(ctx, pw)
}

func (r *Repo) open(ctx context.Context, pw string) (*repository.Repository, error) {
	return repository.Open(ctx, &maintained{Backend: r.be, r: r}, repository.OpenOptions{Password: pw})
}

// maintained is the repository's backend as server-side maintenance sees
// it: removing a session marker also forgets its owner, and any removal
// marks the quota figure stale.
type maintained struct {
	storage.Backend
	r *Repo
}

func (m *maintained) Remove(ctx context.Context, h storage.Handle) error {
	if err := m.Backend.Remove(ctx, h); err != nil {
		return err
	}
	m.r.Changed()
	if h.Kind == storage.KindSession {
		return m.r.DropOwner(ctx, h.Name)
	}
	return nil
}

// Close leaves the shared backend open.
func (m *maintained) Close() error { return nil }

// Requests reports the shared backend's request counts (prune reports the
// requests it made as a difference of two readings).
func (m *maintained) Requests() storage.Requests {
	if c, ok := m.Backend.(storage.RequestCounter); ok {
		return c.Requests()
	}
	return storage.Requests{}
}
