package repository_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/storage/storagetest"
	"github.com/savepoint-ci/savepoint/internal/testrepo"
)

func cancelled() context.Context {
	c, cancel := context.WithCancel(ctx)
	cancel()
	return c
}

func count(t *testing.T, be storage.Backend, k storage.Kind) int {
	t.Helper()
	n := 0
	if err := be.List(ctx, k, func(storage.Info) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	return n
}

// A first caller whose context was cancelled does not leave its
// cancellation behind: the next caller, with a live context, loads the
// index and begins the session.
func TestCancelledFirstCallerIsNotRemembered(t *testing.T) {
	_, be := testrepo.New(t)
	writer := testrepo.Reopen(t, be)
	saveBlobs(t, writer, 3, 1000)
	writer.EndSession(ctx)

	repo := testrepo.Reopen(t, be)
	if err := repo.LoadIndex(cancelled()); !errors.Is(err, context.Canceled) {
		t.Fatalf("LoadIndex with a cancelled context: %v", err)
	}
	if err := repo.LoadIndex(ctx); err != nil {
		t.Fatalf("LoadIndex after a cancelled first caller: %v", err)
	}
	if repo.Index().Len() != 3 {
		t.Fatalf("index holds %d blobs, want 3", repo.Index().Len())
	}

	// The marker is written, then reading the intents is cancelled: the
	// retry reuses the marker instead of leaving a second one.
	f := storagetest.NewFaulty(be, storagetest.Fault{Op: storagetest.OpList, Kind: storage.KindLease, Times: 1, Err: context.Canceled})
	repo = testrepo.Reopen(t, f)
	if err := repo.BeginSession(ctx, "host", time.Now()); !errors.Is(err, context.Canceled) {
		t.Fatalf("BeginSession whose listing was cancelled: %v", err)
	}
	if err := repo.BeginSession(ctx, "host", time.Now()); err != nil {
		t.Fatalf("BeginSession after a cancelled first caller: %v", err)
	}
	if n := count(t, be, storage.KindSession); n != 1 {
		t.Fatalf("%d session markers after a retried BeginSession, want 1", n)
	}
	if err := repo.EndSession(ctx); err != nil {
		t.Fatal(err)
	}
	if n := count(t, be, storage.KindSession); n != 0 {
		t.Fatalf("%d session markers after EndSession", n)
	}
}

// Pack uploads run under the caller's context: cancelling it stops an
// upload in flight, and the writer refuses to flush without that pack.
// (A writer holds two data pack buffers, packbufs.go: while the upload
// stalls, SaveBlob fills the second pack, then waits for a buffer.)
func TestPackUploadTakesCallersContext(t *testing.T) {
	_, be := testrepo.New(t)
	// The first data pack upload hangs until its context ends (or, were it
	// run under another context, for 30s and then succeeds).
	started := make(chan struct{}, 1)
	f := storagetest.NewFaulty(be, storagetest.Fault{Op: storagetest.OpSave, Kind: storage.KindData, Times: 1, Delay: 30 * time.Second,
		Before: func() { started <- struct{}{} }})
	repo := testrepo.Reopen(t, f)
	c, cancel := context.WithCancel(ctx)
	saved := make(chan error, 1)
	go func() {
		for i := 0; i < 30; i++ { // 3 MB: a 1 MiB pack goes out, and the next fill
			data := testrepo.Random(100 << 10)
			if _, err := repo.SaveBlob(c, repository.DataBlob, repo.Hash(data), data); err != nil {
				saved <- err
				return
			}
		}
		saved <- nil
	}()
	<-started
	cancel()
	if err := <-saved; err != nil && !errors.Is(err, context.Canceled) {
		t.Fatalf("SaveBlob after its context was cancelled: %v", err)
	}
	if _, err := repo.Flush(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Flush after the uploads' context was cancelled: %v, want context.Canceled", err)
	}
	if n := count(t, be, storage.KindIndex); n != 0 {
		t.Fatalf("%d index segments written although packs are missing", n)
	}
}
