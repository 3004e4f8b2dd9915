package snapshot

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/storage"
)

// ErrNotFound means no snapshot matches a reference.
var ErrNotFound = errors.New("snapshot not found")

// List loads every snapshot, oldest first.
func List(ctx context.Context, repo *repository.Repository) ([]*Snapshot, error) {
	return ListKnown(ctx, repo, nil)
}

// ListKnown is List for a reader that keeps the snapshots it loaded
// before: snapshots never change, so those in known are taken from it and
// only the others are loaded. One listing of the snapshot objects.
func ListKnown(ctx context.Context, repo *repository.Repository, known map[repository.ID]*Snapshot) ([]*Snapshot, error) {
	var ids []repository.ID
	err := repo.Backend().List(ctx, storage.KindSnapshot, func(fi storage.Info) error {
		if id, err := repository.ParseID(fi.Name); err == nil {
			ids = append(ids, id)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("listing snapshots: %w", err)
	}
	out := make([]*Snapshot, len(ids))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(repo.Connections() * 2)
	for i, id := range ids {
		if s := known[id]; s != nil {
			out[i] = s
			continue
		}
		g.Go(func() error {
			s, err := Load(gctx, repo, id)
			switch {
			case errors.Is(err, storage.ErrNotFound):
				return nil // removed by prune while we listed
			case err != nil:
				return fmt.Errorf("snapshot %s: %w", id.Short(), err)
			}
			out[i] = s
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	var list []*Snapshot
	for _, s := range out {
		if s != nil {
			list = append(list, s)
		}
	}
	sort.Slice(list, func(i, j int) bool {
		if !list[i].Time.Equal(list[j].Time) {
			return list[i].Time.Before(list[j].Time)
		}
		return list[i].ID.String() < list[j].ID.String()
	})
	return list, nil
}

// Filter selects snapshots by name and tags (every tag must be present).
// Empty criteria match everything.
type Filter struct {
	Name string
	Tags []string
	// Provenance keys that must have the given values (commit, branch, environment...).
	Provenance map[string]string
}

// Match reports whether s passes the filter.
func (f Filter) Match(s *Snapshot) bool {
	if f.Name != "" && s.Name != f.Name {
		return false
	}
	for _, t := range f.Tags {
		if !slices.Contains(s.Tags, t) {
			return false
		}
	}
	for k, v := range f.Provenance {
		got := s.Provenance[k]
		if k == "commit" {
			if v == "" || !strings.HasPrefix(got, v) {
				return false
			}
		} else if got != v {
			return false
		}
	}
	return true
}

// Select returns the snapshots of list that match f, in order.
func Select(list []*Snapshot, f Filter) []*Snapshot {
	var out []*Snapshot
	for _, s := range list {
		if f.Match(s) {
			out = append(out, s)
		}
	}
	return out
}

// Find resolves a user's reference against list (oldest first): an ID
// prefix of at least 4 hex characters, "latest", or "NAME:latest".
func Find(list []*Snapshot, ref string) (*Snapshot, error) {
	var f Filter
	switch {
	case ref == "latest":
	case strings.HasSuffix(ref, ":latest"):
		f.Name = strings.TrimSuffix(ref, ":latest")
	default:
		if len(ref) < 4 {
			return nil, fmt.Errorf("snapshot %q: give at least 4 characters of its ID, 'latest' or 'NAME:latest'", ref)
		}
		var found *Snapshot
		for _, s := range list {
			if strings.HasPrefix(s.ID.String(), strings.ToLower(ref)) {
				if found != nil {
					return nil, fmt.Errorf("snapshot %q is ambiguous: give more characters of its ID", ref)
				}
				found = s
			}
		}
		if found == nil {
			return nil, fmt.Errorf("snapshot %q: %w", ref, ErrNotFound)
		}
		return found, nil
	}
	sel := Select(list, f)
	if len(sel) == 0 {
		return nil, fmt.Errorf("snapshot %q: %w", ref, ErrNotFound)
	}
	return sel[len(sel)-1], nil
}
