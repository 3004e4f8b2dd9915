package oci_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/storage/oci"
	"github.com/savepoint-ci/savepoint/core/storage/storagetest"
	"github.com/savepoint-ci/savepoint/internal/testregistry"
)

// TestCancelledSaveSettles: a Save cancelled while the registry is applying
// its manifest push returns only once the registry answered, so what Stat
// and List show when it returns is final, and they agree (the tags cache
// holds no listing taken before the push landed).
func TestCancelledSaveSettles(t *testing.T) {
	hold := testregistry.NewHold("data-")
	b := newBackend(t, inProcess(t, hold.Wrap), oci.Options{Keychain: anonymous})
	other, oname := storagetest.Blob(100) // the repository has tags already
	if err := b.Save(t.Context(), storage.Handle{Kind: storage.KindMeta, Name: oname}, other); err != nil {
		t.Fatal(err)
	}
	data, name := storagetest.Blob(1000)
	h := storage.Handle{Kind: storage.KindData, Name: name}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- b.Save(ctx, h, data) }()
	<-hold.Arrived
	cancel()

	var err error
	select {
	case err = <-done:
		// Save gave up on the push while the registry still held it:
		// list now, then let the registry apply it.
		listed := names(t, b, h.Kind)[h.Name]
		hold.Release()
		<-hold.Answered
		stat2, listed2 := storagetest.Visible(t, b, h)
		if listed != listed2 || stat2 != listed2 {
			t.Fatalf("Save returned %v with its manifest push still in flight: List then found the object %v; once the registry applied the push, Stat %v and List %v",
				err, listed, stat2, listed2)
		}
	case <-time.After(500 * time.Millisecond):
		// Save waits for the registry's answer (the fix): let it come.
		hold.Release()
		err = <-done
	}
	<-hold.Answered
	stat, listed := storagetest.Visible(t, b, h)
	if stat != listed {
		t.Fatalf("after the cancelled Save returned (%v): Stat finds the object %v, List %v", err, stat, listed)
	}
	if err == nil && !stat {
		t.Fatalf("Save returned nil but the object is missing")
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled Save = %v, want nil (stored) or context.Canceled", err)
	}
	if !stat {
		t.Fatalf("the registry applied the push, yet the object is missing")
	}
}

// TestCancelledSaveSendsNoPush: a Save whose context ends before its
// manifest push leaves nothing, and says so.
func TestCancelledSaveSendsNoPush(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	data, name := storagetest.Blob(1000)
	h := storage.Handle{Kind: storage.KindData, Name: name}
	var pushes int
	var mu sync.Mutex
	host := inProcess(t, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPut && r.URL.Query().Get("digest") == "sha256:"+name {
				next.ServeHTTP(w, r)
				cancel() // the blob is up; the caller gives up now
				return
			}
			if r.Method == http.MethodPut && strings.Contains(r.URL.Path, "/manifests/") {
				mu.Lock()
				pushes++
				mu.Unlock()
			}
			next.ServeHTTP(w, r)
		})
	})
	b := newBackend(t, host, oci.Options{Keychain: anonymous})
	if err := b.Save(ctx, h, data); !errors.Is(err, context.Canceled) {
		t.Fatalf("Save cancelled after its blob upload = %v, want context.Canceled", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if pushes != 0 {
		t.Fatalf("%d manifest pushes after the cancellation, want none", pushes)
	}
	if stat, listed := storagetest.Visible(t, b, h); stat || listed {
		t.Fatalf("a Save cancelled before its push left the object: Stat %v, List %v", stat, listed)
	}
}
