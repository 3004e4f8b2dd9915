package repos

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"time"

	"github.com/savepoint-ci/savepoint/core/storage/remote/protocol"
)

// The storage contract has no listing of containers, so the server keeps
// a registry of the repositories it serves (records table "repos", one
// record per name): a repository is registered when a client creates it
// through the server or a server process first stores an object in it.
// Names lists the registry and the repositories the server has a password
// for; the metrics and the web view show those.

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

// Names returns the repositories of the registry and of the password
// directory, sorted. A name may belong to a repository not created yet
// (a password file written ahead): Stats says whether it exists.
func (h *Hub) Names(ctx context.Context) ([]string, error) {
	var names []string
	t, err := h.tables.get(ctx, namesTable)
	if err != nil {
		return nil, err
	}
	err = t.Keys(ctx, func(key string, _ time.Time) error {
		if protocol.CheckRepoName(key) == nil {
			names = append(names, key)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("listing the repositories: %w", err)
	}
	if h.o.PasswordDir != "" {
		entries, err := os.ReadDir(h.o.PasswordDir)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("reading the password directory: %v", err)
		}
		for _, e := range entries {
			if e.Type().IsRegular() && protocol.CheckRepoName(e.Name()) == nil {
				names = append(names, e.Name())
			}
		}
	}
	slices.Sort(names)
	return slices.Compact(names), nil
}
