package snapcopy

import (
	"context"
	"fmt"

	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/snapshot"
)

// copyOne copies one source snapshot unless the destination holds it.
func (c *copier) copyOne(ctx context.Context, st *Stats, s *snapshot.Snapshot) (Event, error) {
	ev := Event{Source: s.ID, Name: s.Name, Time: s.Time}
	if d := c.byOrigin[s.Origin()]; d != nil {
		ev.Copy, ev.Skipped = d.ID, true
		return ev, nil
	}
	if d := c.byOrigin[s.ID]; d != nil {
		ev.Copy, ev.Skipped = d.ID, true
		return ev, nil
	}
	if err := c.dst.BeginSession(ctx, c.o.Hostname, c.start); err != nil {
		return ev, fmt.Errorf("destination: %w", err)
	}
	if err := c.dst.LoadIndex(ctx); err != nil {
		return ev, fmt.Errorf("destination: %w", err)
	}
	if err := c.adoptOrphans(ctx, st); err != nil {
		return ev, err
	}
	before := c.dst.WriteStats()
	p := c.newPlan(ctx)
	var h *hint
	if hp := c.hintFor(s); hp != nil && !c.ids.same {
		c.hintSources(hp)
		if hp.src.Tree != nil {
			h = &hint{*hp.src.Tree, *hp.dst.Tree}
		}
	}
	if s.Tree != nil {
		if err := p.tree(*s.Tree, h); err != nil {
			return ev, fmt.Errorf("source: %w", err)
		}
	}
	for _, src := range s.Sources {
		for _, id := range src.Content {
			p.need(id)
		}
	}
	if err := c.copyData(ctx, p.data); err != nil {
		return ev, err
	}
	if err := c.copyTrees(ctx, p.trees); err != nil {
		return ev, err
	}
	if err := c.commit(ctx); err != nil {
		return ev, err
	}
	d, err := c.translateSnapshot(s)
	if err != nil {
		return ev, err
	}
	if err := c.commit(ctx); err != nil { // the session check, last
		return ev, err
	}
	if _, err := snapshot.Save(ctx, c.dst, d); err != nil {
		return ev, fmt.Errorf("committing the copy: %w", err)
	}
	after := c.dst.WriteStats()
	ev.Copy, ev.BlobsNew, ev.BytesStored = d.ID, after.Blobs-before.Blobs, after.BytesStored-before.BytesStored
	c.byOrigin[d.ID] = d
	c.byOrigin[d.Origin()] = d
	c.addPair(s, d)
	return ev, nil
}

// translateSnapshot is the destination's copy of s: everything kept, IDs
// translated, the original recorded and the parent pointed at the copy of
// s's parent (or dropped when the destination has none).
func (c *copier) translateSnapshot(s *snapshot.Snapshot) (*snapshot.Snapshot, error) {
	d := *s
	d.ID = repository.ID{}
	origin := s.Origin()
	d.Original = &origin
	if s.Tree != nil {
		b, err := c.translate(*s.Tree)
		if err != nil {
			return nil, err
		}
		d.Tree = &b
	}
	d.Parent = nil
	if sp := c.srcByID[ptr(s.Parent)]; sp != nil {
		if p := c.byOrigin[sp.Origin()]; p != nil {
			id := p.ID
			d.Parent = &id
		}
	}
	d.Sources = make([]snapshot.Source, len(s.Sources))
	for i, src := range s.Sources {
		src.Content = make([]repository.ID, len(s.Sources[i].Content))
		for k, id := range s.Sources[i].Content {
			b, err := c.translate(id)
			if err != nil {
				return nil, err
			}
			src.Content[k] = b
		}
		d.Sources[i] = src
	}
	if len(s.Sources) == 0 {
		d.Sources = nil
	}
	return &d, nil
}

func ptr(id *repository.ID) repository.ID {
	if id == nil {
		return repository.ID{}
	}
	return *id
}
