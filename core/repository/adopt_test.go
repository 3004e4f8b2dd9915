package repository_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/internal/testrepo"
)

// A pack whose index segment is gone is adopted from its header: Known
// reports its blobs, Flush indexes them, and they load after a reopen. A
// pack indexed already adds nothing, nor one a deletion intent names.
func TestAdoptPack(t *testing.T) {
	repo, be := testrepo.New(t)
	blobs := saveBlobs(t, repo, 5, 10<<10)
	pack, _ := repository.ParseID(lastObject(be, storage.KindData))
	if err := be.Remove(ctx, storage.Handle{Kind: storage.KindIndex, Name: lastObject(be, storage.KindIndex)}); err != nil {
		t.Fatal(err)
	}
	entries := func(r *repository.Repository) map[repository.ID]repository.Location {
		es, err := r.ReadPackHeader(ctx, storage.KindData, pack)
		if err != nil {
			t.Fatal(err)
		}
		out := map[repository.ID]repository.Location{}
		for _, e := range es {
			out[e.ID] = e.Location(pack, storage.KindData)
		}
		return out
	}

	doomed := testrepo.Reopen(t, be)
	in, err := doomed.SaveIntent(ctx, repository.Intent{Created: time.Now(), Packs: []repository.PackRef{{ID: pack, Kind: storage.KindData}}})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := doomed.AdoptPack(ctx, pack, entries(doomed)); err != nil || n != 0 {
		t.Fatalf("a pack an intent names: adopted %d, %v", n, err)
	}
	if err := be.Remove(ctx, storage.Handle{Kind: storage.KindLease, Name: in.Name}); err != nil {
		t.Fatal(err)
	}

	r := testrepo.Reopen(t, be)
	if n, err := r.AdoptPack(ctx, pack, entries(r)); err != nil || n != len(blobs) {
		t.Fatalf("adopted %d of %d blobs: %v", n, len(blobs), err)
	}
	for id := range blobs {
		if !r.Known(id) {
			t.Fatalf("blob %s not known after the adoption", id.Short())
		}
	}
	if name, err := r.Flush(ctx); err != nil || name == (repository.ID{}) {
		t.Fatalf("flush: %v %v", name, err)
	}
	r = testrepo.Reopen(t, be)
	for id, data := range blobs {
		got, err := r.LoadBlob(ctx, id)
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("blob %s after the adoption: %v", id.Short(), err)
		}
	}
	if !r.Index().HasPack(pack) {
		t.Fatal("HasPack is false for the adopted pack")
	}
	if n, err := r.AdoptPack(ctx, pack, entries(r)); err != nil || n != 0 {
		t.Fatalf("a pack indexed already: adopted %d, %v", n, err)
	}
}
