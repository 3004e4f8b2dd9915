package prune

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/snapshot"
	"github.com/savepoint-ci/savepoint/core/tree"
)

// marker collects the IDs of every blob some snapshot uses. It holds one
// tree at a time: subtrees wait on a stack of IDs, and a tree already
// marked (shared by many snapshots) is not read again. Memory is the live
// set (about 60 bytes per live blob) plus the stack, plus the repository's
// bounded cache of meta packs.
type marker struct {
	repo  *repository.Repository
	x     *pindex
	live  map[repository.ID]struct{}
	snaps map[repository.ID]bool // snapshots marked
	added *[]repository.ID       // when set, blobs newly marked live are appended
	trees int
}

func (m *marker) mark(id repository.ID) {
	if _, ok := m.live[id]; ok {
		return
	}
	m.live[id] = struct{}{}
	if m.added != nil {
		*m.added = append(*m.added, id)
	}
}

// missingError names a blob a snapshot uses that no segment indexes.
type missingError struct {
	snap repository.ID
	what string
	id   repository.ID
}

func (e *missingError) Error() string {
	return fmt.Sprintf("snapshot %s uses %s %s, which is not indexed: the repository is damaged; run 'savepoint verify' (prune deleted nothing)",
		e.snap.Short(), e.what, e.id.Short())
}

func (m *marker) snapshot(ctx context.Context, s *snapshot.Snapshot) error {
	m.snaps[s.ID] = true
	for _, src := range s.Sources {
		for _, id := range src.Content {
			if _, ok := m.x.blobs[id]; !ok {
				return &missingError{s.ID, "chunk", id}
			}
			m.mark(id)
		}
	}
	if s.Tree == nil {
		return nil
	}
	if _, ok := m.live[*s.Tree]; ok {
		return nil
	}
	stack := []repository.ID{*s.Tree}
	m.mark(*s.Tree)
	for len(stack) > 0 {
		if err := ctx.Err(); err != nil {
			return err
		}
		id := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		l, ok := m.x.chosen(id)
		if !ok {
			return &missingError{s.ID, "tree", id}
		}
		data, err := m.repo.LoadBlobAt(ctx, id, m.x.location(l))
		if err != nil {
			return fmt.Errorf("snapshot %s: reading tree %s: %w (prune deleted nothing; run 'savepoint verify')", s.ID.Short(), id.Short(), err)
		}
		m.trees++
		var t tree.Tree
		if err := json.Unmarshal(data, &t); err != nil {
			return fmt.Errorf("snapshot %s: tree %s is malformed: %v (prune deleted nothing)", s.ID.Short(), id.Short(), err)
		}
		for i := range t.Nodes {
			n := &t.Nodes[i]
			for _, c := range n.Content {
				if _, ok := m.x.blobs[c]; !ok {
					return &missingError{s.ID, "chunk", c}
				}
				m.mark(c)
			}
			if n.Subtree != nil {
				if _, ok := m.live[*n.Subtree]; !ok {
					m.mark(*n.Subtree)
					stack = append(stack, *n.Subtree)
				}
			}
		}
	}
	return nil
}
