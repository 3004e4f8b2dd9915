package oci_test

import (
	"testing"
	"time"

	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/storage/oci"
	"github.com/savepoint-ci/savepoint/core/storage/storagetest"
)

func names(t *testing.T, b storage.Backend, k storage.Kind) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	if err := b.List(t.Context(), k, func(fi storage.Info) error { out[fi.Name] = true; return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

// The shared tags listing never hides this client's own writes, and other
// clients' writes and removals show within the cache's lifetime.
func TestTagCacheFreshness(t *testing.T) {
	ctx := t.Context()
	host := inProcess(t, nil)
	w := newBackend(t, host, oci.Options{})
	r, err := oci.New(w.Location(), oci.Options{})
	if err != nil {
		t.Fatal(err)
	}
	names(t, r, storage.KindSnapshot) // fill the reader's cache

	data, name := storagetest.Blob(100)
	h := storage.Handle{Kind: storage.KindSnapshot, Name: name}
	if err := w.Save(ctx, h, data); err != nil {
		t.Fatal(err)
	}
	if !names(t, w, storage.KindSnapshot)[name] {
		t.Fatal("the writer's own List missed its Save")
	}
	deadline := time.Now().Add(3 * time.Second)
	for !names(t, r, storage.KindSnapshot)[name] {
		if time.Now().After(deadline) {
			t.Fatal("another client's Save never appeared in the reader's List")
		}
		time.Sleep(100 * time.Millisecond)
	}

	// The reader's own write drops its cache at once.
	d2, n2 := storagetest.Blob(100)
	if err := r.Save(ctx, storage.Handle{Kind: storage.KindIndex, Name: n2}, d2); err != nil {
		t.Fatal(err)
	}
	if !names(t, r, storage.KindIndex)[n2] {
		t.Fatal("the reader's own List missed its Save")
	}

	// A removal by another client: a not-found Load drops the stale listing.
	names(t, r, storage.KindSnapshot)
	if err := w.Remove(ctx, h); err != nil {
		t.Fatal(err)
	}
	if _, err := storage.LoadAll(ctx, r, h); err == nil {
		t.Log("the registry still serves the removed blob (GC has not run); the manifest is gone")
	}
	if _, err := r.Stat(ctx, h); err == nil {
		t.Fatal("Stat of a removed object succeeded")
	}
	if names(t, r, storage.KindSnapshot)[name] {
		t.Fatal("a not-found answer must drop the stale listing")
	}
}
