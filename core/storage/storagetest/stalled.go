package storagetest

import (
	"bytes"
	"context"
	"io"
	"testing"
	"time"

	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/internal/stallproxy"
)

// StallBound is what a stalled request may cost a network backend (issue
// 22): its idle timeout (5s) and one retry on a fresh connection fit well
// within it.
const StallBound = 15 * time.Second

// SaveLoadThroughStalls checks a network backend whose connections go
// through p: an 8 MiB Save whose connection stalls after 1 MiB, then a
// Load of it whose connection stalls after 1 MiB, each succeed within
// StallBound (the deadline of its context), and the bytes read back equal.
func SaveLoadThroughStalls(t *testing.T, b storage.Backend, p *stallproxy.Proxy) {
	t.Helper()
	data, name := Blob(8 << 20)
	h := storage.Handle{Kind: storage.KindData, Name: name}

	p.Stall(stallproxy.Up, 1<<20)
	ctx, cancel := context.WithTimeout(context.Background(), StallBound)
	defer cancel()
	if err := b.Save(ctx, h, data); err != nil {
		t.Fatalf("Save through a connection stalled after 1 MiB: %v", err)
	}
	if p.Stalls() != 1 {
		t.Fatalf("the proxy stalled %d connections, want 1", p.Stalls())
	}

	p.Stall(stallproxy.Down, 1<<20)
	ctx, cancel = context.WithTimeout(context.Background(), StallBound)
	defer cancel()
	rd, err := b.Load(ctx, h, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(rd)
	rd.Close()
	if err != nil {
		t.Fatalf("Load through a connection stalled after 1 MiB: %v", err)
	}
	if !bytes.Equal(got, data) {
		t.Fatal("the object read through a stall differs")
	}
	if p.Stalls() != 2 {
		t.Fatalf("the proxy stalled %d connections, want 2", p.Stalls())
	}
}
