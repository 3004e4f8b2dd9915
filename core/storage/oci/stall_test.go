package oci_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/storage/oci"
	"github.com/savepoint-ci/savepoint/core/storage/storagetest"
	"github.com/savepoint-ci/savepoint/internal/stallproxy"
)

// stallBound is what a stalled request may cost (issue 22): the idle
// timeout (5s) and one retry on a fresh connection fit well within it.
const stallBound = 15 * time.Second

// TestStalledTransfers: a connection that stops moving bytes half-way
// through a blob upload or download, without closing, costs the backend's
// idle timeout and a retry, and the operation succeeds within stallBound.
// The backend runs with its default settings, through a TCP proxy in front
// of the real registry.
func TestStalledTransfers(t *testing.T) {
	p := stallproxy.Start(t, requireRegistry(t))
	b, err := oci.New(fmt.Sprintf("oci://%s/savepoint-test/%s-stall-%d", p.Addr(), runID, repoSeq.Add(1)), oci.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if err := b.Create(context.Background()); err != nil {
		t.Fatal(err)
	}
	data, name := storagetest.Blob(8 << 20)
	h := storage.Handle{Kind: storage.KindData, Name: name}

	p.Stall(stallproxy.Up, 1<<20)
	ctx, cancel := context.WithTimeout(context.Background(), stallBound)
	defer cancel()
	if err := b.Save(ctx, h, data); err != nil {
		t.Fatalf("Save through a connection stalled after 1 MiB: %v", err)
	}
	if p.Stalls() != 1 {
		t.Fatalf("the proxy stalled %d connections, want 1", p.Stalls())
	}

	p.Stall(stallproxy.Down, 1<<20)
	ctx, cancel = context.WithTimeout(context.Background(), stallBound)
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
