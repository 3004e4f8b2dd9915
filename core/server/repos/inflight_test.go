package repos

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/savepoint-ci/savepoint/core/storage"
)

// soon is a context that ends shortly: a wait that must not end while a
// write is in flight returns its deadline error instead.
func soon(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	t.Cleanup(cancel)
	return ctx
}

func TestWritesInFlight(t *testing.T) {
	r := &Repo{Name: "r"}
	ctx := t.Context()
	h := storage.Handle{Kind: storage.KindData, Name: "a"}
	other := storage.Handle{Kind: storage.KindData, Name: "b"}
	end, err := r.BeginWrite(ctx, h)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.AwaitWrites(soon(t), h); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("AwaitWrites of an object being written = %v, want it to wait", err)
	}
	if err := r.AwaitKind(soon(t), storage.KindData); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("AwaitKind of the kind being written = %v, want it to wait", err)
	}
	if _, err := r.BeginWrite(soon(t), h); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a second write of the object = %v, want it to wait for the first", err)
	}
	if err := r.AwaitWrites(ctx, other); err != nil {
		t.Fatalf("another object: %v", err)
	}
	if err := r.AwaitKind(ctx, storage.KindMeta); err != nil {
		t.Fatalf("another kind: %v", err)
	}
	end2, err := r.BeginWrite(ctx, other)
	if err != nil {
		t.Fatal(err)
	}
	end2()

	waited := make(chan error, 1)
	go func() { waited <- r.AwaitWrites(ctx, h) }()
	second := make(chan error, 1)
	go func() {
		end, err := r.BeginWrite(ctx, h)
		if err == nil {
			end()
		}
		second <- err
	}()
	end()
	if err := <-waited; err != nil {
		t.Fatal(err)
	}
	if err := <-second; err != nil {
		t.Fatal(err)
	}
	if err := r.AwaitKind(ctx, storage.KindData); err != nil {
		t.Fatalf("no write left, yet: %v", err)
	}
}
