package service

import (
	"context"
	"fmt"
	"path"
	"strings"
	"time"

	"github.com/savepoint-ci/savepoint/core/provenance"
	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/snapshot"
	"github.com/savepoint-ci/savepoint/core/tree"
)

// Filter selects snapshots; empty fields match everything.
type Filter struct {
	Name        string
	Tags        []string // all must be present
	Branch      string
	Commit      string // a prefix is enough
	Environment string
	Checkpoints bool // only checkpoints
}

func (f Filter) snapshotFilter() snapshot.Filter {
	sf := snapshot.Filter{Name: f.Name, Tags: f.Tags}
	for key, v := range map[string]string{provenance.Branch: f.Branch, provenance.Commit: f.Commit, provenance.Environment: f.Environment} {
		if v != "" {
			if sf.Provenance == nil {
				sf.Provenance = map[string]string{}
			}
			sf.Provenance[key] = v
		}
	}
	return sf
}

// read runs fn with repository name as the server reads it: opened once
// with the password the server holds and shared by every reader
// (repos.Repo.Read: fn runs again if the index it was opened with is out
// of date, so fn starts afresh each time).
func (s *Service) read(ctx context.Context, name string, fn func(*repository.Repository) error) error {
	r, err := s.Repos.Get(ctx, name)
	if err != nil {
		return err
	}
	return r.Read(ctx, fn)
}

// AllSnapshots returns the snapshots of repository name, oldest first, as
// stored (repos.Repo.Snapshots: read once, then kept).
func (s *Service) AllSnapshots(ctx context.Context, name string) ([]*snapshot.Snapshot, error) {
	r, err := s.Repos.Get(ctx, name)
	if err != nil {
		return nil, err
	}
	return r.Snapshots(ctx)
}

// Find returns the snapshot ref (an ID prefix, latest, NAME:latest) of
// repository name, and all its snapshots.
func (s *Service) Find(ctx context.Context, name, ref string) (*snapshot.Snapshot, []*snapshot.Snapshot, error) {
	list, err := s.AllSnapshots(ctx, name)
	if err != nil {
		return nil, nil, err
	}
	sn, err := snapshot.Find(list, ref)
	return sn, list, err
}

// Snapshots lists the snapshots of repository name that match f, oldest
// first.
func (s *Service) Snapshots(ctx context.Context, name string, f Filter) ([]snapshot.Summary, error) {
	list, err := s.AllSnapshots(ctx, name)
	if err != nil {
		return nil, err
	}
	out := []snapshot.Summary{}
	for _, sn := range snapshot.Select(list, f.snapshotFilter()) {
		if !f.Checkpoints || sn.Checkpoint {
			out = append(out, snapshot.Summarize(sn))
		}
	}
	return out, nil
}

// Snapshot returns the snapshot ref (an ID prefix, latest, NAME:latest).
func (s *Service) Snapshot(ctx context.Context, name, ref string) (snapshot.Summary, error) {
	sn, _, err := s.Find(ctx, name, ref)
	if err != nil {
		return snapshot.Summary{}, err
	}
	return snapshot.Summarize(sn), nil
}

// Diff lists what changed from snapshot a to snapshot b.
func (s *Service) Diff(ctx context.Context, name, a, b string) ([]tree.Change, error) {
	sa, list, err := s.Find(ctx, name, a)
	if err != nil {
		return nil, err
	}
	sb, err := snapshot.Find(list, b)
	if err != nil {
		return nil, err
	}
	var out []tree.Change
	err = s.read(ctx, name, func(rp *repository.Repository) error {
		changes, err := tree.Diff(ctx, rp, sa.Tree, sb.Tree)
		out = append([]tree.Change{}, changes...)
		return err
	})
	return out, err
}

// TreeEntry is one node of a snapshot's tree.
type TreeEntry struct {
	Name   string    `json:"name"`
	Path   string    `json:"path"`
	Type   string    `json:"type" enum:"file,dir,symlink"`
	Mode   uint32    `json:"mode" doc:"Permission bits"`
	Size   uint64    `json:"size"`
	MTime  time.Time `json:"mtime"`
	Target string    `json:"target,omitempty" doc:"A symlink's target"`
}

// Tree lists the directory dir ("" or "/": the top) of snapshot ref, one
// level deep.
func (s *Service) Tree(ctx context.Context, name, ref, dir string) ([]TreeEntry, error) {
	dir = strings.Trim(path.Clean("/"+dir), "/")
	sn, _, err := s.Find(ctx, name, ref)
	if err != nil {
		return nil, err
	}
	if sn.Tree == nil {
		return nil, fmt.Errorf("snapshot %s holds no files: %w", sn.ID.Short(), snapshot.ErrNotFound)
	}
	var out []TreeEntry
	err = s.read(ctx, name, func(rp *repository.Repository) error {
		out = []TreeEntry{}
		id := *sn.Tree
		if dir != "" {
			for _, part := range strings.Split(dir, "/") {
				t, err := tree.Load(ctx, rp, id)
				if err != nil {
					return err
				}
				n, ok := t.Find(part)
				if !ok || n.Type != tree.Dir || n.Subtree == nil {
					return fmt.Errorf("%s: no such directory in snapshot %s: %w", dir, sn.ID.Short(), ErrNoPath)
				}
				id = *n.Subtree
			}
		}
		t, err := tree.Load(ctx, rp, id)
		if err != nil {
			return err
		}
		for _, n := range t.Nodes {
			out = append(out, TreeEntry{Name: n.Name, Path: path.Join(dir, n.Name), Type: n.Type, Mode: n.Mode & 0o7777,
				Size: n.Size, MTime: time.Unix(0, n.ModTime).UTC(), Target: n.Target})
		}
		return nil
	})
	return out, err
}
