package server_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/storage/storagetest"
	"github.com/savepoint-ci/savepoint/internal/testregistry"
	"github.com/savepoint-ci/savepoint/internal/testserver"
	"golang.org/x/sync/errgroup"
)

// TestCancelledSaveSettles: a client gives up on a Save while the server
// is still storing the object (an OCI registry holds the manifest push
// that makes it visible). The client's next requests must see the outcome,
// not a state that changes under them once the push lands.
func TestCancelledSaveSettles(t *testing.T) {
	hold := testregistry.NewHold("data-")
	host := testregistry.InProcess(t, hold.Wrap)
	srv := testserver.Start(t, testserver.Options{Storage: "oci://" + host + "/settle"})
	be := created(t, srv, "repo", srv.Token("*", "admin"))
	ctx := t.Context()
	other, oname := storagetest.Blob(100)
	put(t, be, storage.Handle{Kind: storage.KindMeta, Name: oname}, other)

	data, name := storagetest.Blob(1000)
	h := storage.Handle{Kind: storage.KindData, Name: name}
	sctx, cancel := context.WithCancel(ctx)
	saved := make(chan error, 1)
	go func() { saved <- be.Save(sctx, h, data) }()
	<-hold.Arrived
	cancel()
	if err := <-saved; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled Save = %v, want context.Canceled", err)
	}

	stated := make(chan error, 1)
	go func() { _, err := be.Stat(ctx, h); stated <- err }()
	select {
	case err := <-stated:
		// The server answered while its write was still under way:
		// what it said must still hold once the write has landed.
		if err != nil && !errors.Is(err, storage.ErrNotFound) {
			t.Fatal(err)
		}
		hold.Release()
		<-hold.Answered
		stat, listed := storagetest.Visible(t, be, h)
		if stat != (err == nil) || listed != stat {
			t.Fatalf("right after the cancelled Save, Stat found the object %v; once the server's write landed, Stat %v and List %v", err == nil, stat, listed)
		}
	case <-time.After(500 * time.Millisecond):
		// The Stat waits for the server's write to end (the fix).
		hold.Release()
		if err := <-stated; err != nil {
			t.Fatalf("Stat once the server's write landed: %v", err)
		}
	}
	<-hold.Answered
	if stat, listed := storagetest.Visible(t, be, h); !stat || !listed {
		t.Fatalf("the registry applied the push, yet Stat finds the object %v and List %v", stat, listed)
	}
}

// TestBodiesStoredWhole: uploads of one size, four at a time (the server
// hands the body buffer of one to the next once its Save has returned),
// each store their own bytes.
func TestBodiesStoredWhole(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{})
	be := created(t, srv, "repo", srv.Token("*", "admin"))
	blobs := map[storage.Handle][]byte{}
	for range 24 {
		data, name := storagetest.Blob(1 << 20)
		blobs[storage.Handle{Kind: storage.KindData, Name: name}] = data
	}
	var g errgroup.Group
	g.SetLimit(4)
	for h, data := range blobs {
		g.Go(func() error { return be.Save(t.Context(), h, data) })
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	for h, data := range blobs {
		if !bytes.Equal(load(t, be, h), data) {
			t.Fatalf("%s does not hold the bytes uploaded", h)
		}
	}
}
