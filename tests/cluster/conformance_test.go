package cluster

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/storage/storagetest"
)

// TestConformance runs the storage conformance suite through node 1.
func TestConformance(t *testing.T) {
	c := requireCluster(t)
	storagetest.Run(t, func(t *testing.T) storage.Backend { return c.backend(t, 1, bucket()) })
}

// TestReadAfterWriteAcrossNodes: an object saved through one node is
// loaded, stated and listed through every other node at once, and a
// removal through one node is seen by all (the backend contract's
// read-after-write "from any client").
func TestReadAfterWriteAcrossNodes(t *testing.T) {
	c := requireCluster(t)
	name := bucket()
	var nodes [5]storage.Backend
	for n := 1; n <= 4; n++ {
		nodes[n] = c.backend(t, n, name)
	}
	ctx := t.Context()
	for from := 1; from <= 4; from++ {
		data, id := storagetest.Blob(100<<10 + from)
		h := storage.Handle{Kind: storage.KindData, Name: id}
		if err := nodes[from].Save(ctx, h, data); err != nil {
			t.Fatal(err)
		}
		for to := 1; to <= 4; to++ {
			got, err := storage.LoadAll(ctx, nodes[to], h)
			if err != nil || !bytes.Equal(got, data) {
				t.Fatalf("saved through node %d, loaded through node %d: %d bytes, %v", from, to, len(got), err)
			}
			if err := listed(ctx, nodes[to], id); err != nil {
				t.Fatalf("saved through node %d, listed through node %d: %v", from, to, err)
			}
		}
		if err := nodes[from%4+1].Remove(ctx, h); err != nil {
			t.Fatal(err)
		}
		for to := 1; to <= 4; to++ {
			if _, err := nodes[to].Stat(ctx, h); !errors.Is(err, storage.ErrNotFound) {
				t.Fatalf("removed through node %d, node %d still sees it: %v", from%4+1, to, err)
			}
		}
	}
}

func listed(ctx context.Context, b storage.Backend, name string) error {
	found := false
	err := b.List(ctx, storage.KindData, func(i storage.Info) error {
		found = found || i.Name == name
		return nil
	})
	if err == nil && !found {
		err = fmt.Errorf("%s not listed", name)
	}
	return err
}
