package repository

import (
	"context"
	"fmt"
	"sync"
)

// groupReads keeps the last few groups LoadBlobAt decoded. Readers of a
// stream (dump, rollback) ask for its chunks in order, several at once, and
// neighbouring chunks share groups: each group is then read and decoded
// once, by the first asker, while the others wait for it.
type groupReads struct {
	mu      sync.Mutex
	entries []*groupRead // oldest first
}

// groupReadsKept bounds the cache: a few groups of at most 2 MiB each (as
// this release writes them).
const groupReadsKept = 4

type groupRead struct {
	loc   Location
	once  sync.Once
	plain []byte
	err   error
}

func (g *groupReads) entry(l Location) *groupRead {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, e := range g.entries {
		if e.loc.SameUnit(l) {
			return e
		}
	}
	e := &groupRead{loc: l}
	if len(g.entries) == groupReadsKept {
		g.entries = append(g.entries[:0], g.entries[1:]...)
	}
	g.entries = append(g.entries, e)
	return e
}

func (g *groupReads) drop(e *groupRead) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for i, x := range g.entries {
		if x == e {
			g.entries = append(g.entries[:i], g.entries[i+1:]...)
			return
		}
	}
}

// load returns a copy of the grouped blob id at l, checked against its ID.
func (g *groupReads) load(ctx context.Context, r *Repository, id ID, l Location) ([]byte, error) {
	e := g.entry(l)
	e.once.Do(func() {
		var stored []byte
		if stored, e.err = r.loadStored(ctx, id, l); e.err == nil {
			e.plain, e.err = r.decodeUnit(l, stored, nil, int(l.GroupRaw))
			if e.err != nil {
				e.err = fmt.Errorf("pack %s: group at %d (blob %s): %w", l.Pack, l.Offset, id, e.err)
			}
		}
	})
	if e.err != nil {
		g.drop(e) // a later call tries again
		return nil, e.err
	}
	plain, err := r.blobInGroup(id, l, e.plain)
	if err != nil {
		return nil, err
	}
	return append([]byte(nil), plain...), nil
}
