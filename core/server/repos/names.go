package repos

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"time"

	"github.com/savepoint-ci/savepoint/core/location"
	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/storage/remote/protocol"
)

// Names lists the repositories from three sources, so that every storage
// is covered: the storage's own listing of the locations below it, where
// the backend has one (storage.Namespace: a directory, an S3 prefix; an
// OCI registry has none); the server's registry of the repositories it
// served (records table "repos", one record per name: a repository is
// registered when a server process first stores an object in it); and
// the password directory.

const namesTable = "repos"

type registration struct {
	Registered time.Time `json:"registered"`
}

// Register adds the repository to the registry, once per process.
func (r *Repo) Register(ctx context.Context) error {
	if r.registered.Load() {
		return nil
	}
	t, err := r.hub.tables.get(ctx, namesTable)
	if err != nil {
		return err
	}
	if err := t.Put(ctx, r.Name, registration{Registered: r.hub.o.Now().UTC()}); err != nil {
		return fmt.Errorf("registering repository %s: %w", r.Name, err)
	}
	r.registered.Store(true)
	return nil
}

// Names returns the names of the repositories, sorted: the locations the
// storage lists below it, the registry and the password directory (the
// server's own records, under a reserved name, are not one). A name may
// belong to a repository not created yet (a password file written ahead,
// a repository removed from the storage since): Stats says whether it
// exists.
func (h *Hub) Names(ctx context.Context) ([]string, error) {
	var names []string
	add := func(name string) error {
		if protocol.CheckRepoName(name) == nil {
			names = append(names, name)
		}
		return nil
	}
	root, err := h.root(ctx)
	if err != nil {
		return nil, err
	}
	if ns, ok := root.(storage.Namespace); ok {
		if err := ns.Names(ctx, add); err != nil {
			return nil, fmt.Errorf("listing the repositories: %w", err)
		}
	}
	t, err := h.tables.get(ctx, namesTable)
	if err != nil {
		return nil, err
	}
	if err := t.Keys(ctx, func(key string, _ time.Time) error { return add(key) }); err != nil {
		return nil, fmt.Errorf("listing the repositories: %w", err)
	}
	if h.o.PasswordDir != "" {
		entries, err := os.ReadDir(h.o.PasswordDir)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("reading the password directory: %v", err)
		}
		for _, e := range entries {
			if e.Type().IsRegular() {
				add(e.Name())
			}
		}
	}
	slices.Sort(names)
	return slices.Compact(names), nil
}

// root returns the storage location itself, opened on first use.
func (h *Hub) root(ctx context.Context) (storage.Backend, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.rootBE == nil {
		be, err := location.Open(ctx, h.o.Storage, h.o.Location)
		if err != nil {
			return nil, err
		}
		h.rootBE = be
	}
	return h.rootBE, nil
}
