package repository_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/internal/testrepo"
)

// vanishing still lists an index segment that can no longer be loaded: a
// prune deleted it between a reader's listing and its read.
type vanishing struct {
	storage.Backend
	gone string
}

func (v vanishing) Load(ctx context.Context, h storage.Handle, off, n int64) (io.ReadCloser, error) {
	if h.Kind == storage.KindIndex && h.Name == v.gone {
		return nil, fmt.Errorf("%s: %w", h, storage.ErrNotFound)
	}
	return v.Backend.Load(ctx, h, off, n)
}

// TestIndexSegmentVanishes: a segment that vanishes after the listing is
// skipped when a segment read supersedes it, and is an error when nothing
// does. (Found by eight writer processes and a prune loop on a four-node
// MinIO, tests/cluster: prune deletes the superseded segments one by one,
// and each of a reader's five re-listings still named one it then missed.)
func TestIndexSegmentVanishes(t *testing.T) {
	repo, be := testrepo.New(t)
	blobs := saveBlobs(t, repo, 4, 10<<10)
	repo = testrepo.Reopen(t, be)
	if err := repo.LoadIndex(ctx); err != nil {
		t.Fatal(err)
	}
	old := repo.Segments()
	if len(old) != 1 {
		t.Fatalf("%d segments, want 1", len(old))
	}
	compacted := &repository.Segment{Blobs: map[repository.ID]repository.Location{}, Supersedes: old}
	repo.Index().Each(func(id repository.ID, l repository.Location) { compacted.Blobs[id] = l })
	name, err := repo.SaveSegment(ctx, compacted)
	if err != nil {
		t.Fatal(err)
	}

	r := testrepo.Reopen(t, vanishing{be, old[0].String()})
	if err := r.LoadIndex(ctx); err != nil {
		t.Fatalf("a superseded segment that vanished: %v", err)
	}
	for id := range blobs {
		if !r.Index().Has(id) {
			t.Fatalf("blob %s missing from the index", id)
		}
	}

	// Without the compacted segment the vanished one is a real loss.
	if err := be.Remove(ctx, storage.Handle{Kind: storage.KindIndex, Name: name.String()}); err != nil {
		t.Fatal(err)
	}
	r = testrepo.Reopen(t, vanishing{be, old[0].String()})
	if err := r.LoadIndex(ctx); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("a vanished segment nothing supersedes: %v", err)
	}
}
