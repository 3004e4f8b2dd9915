package oci_test

import (
	"context"
	"io"
	"testing"

	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/storage/oci"
	"github.com/savepoint-ci/savepoint/core/storage/storagetest"
)

// TestColdStartRequests replays the storage calls of a restore and of a
// re-save of an unchanged tree on a fresh runner (no cache), the way the
// engine makes them, on a token-auth registry, and pins their request counts
// (the figures quoted in docs/FORMAT.md).
func TestColdStartRequests(t *testing.T) {
	_, host := bearerRegistry(t)
	ctx := context.Background()
	opts := oci.Options{Username: "ci", Password: "job-token"}
	w := newBackend(t, host, opts)
	obj := map[storage.Kind][]storage.Handle{}
	put := func(k storage.Kind, n int) {
		data, name := storagetest.Blob(n)
		h := storage.Handle{Kind: k, Name: name}
		if err := w.Save(ctx, h, data); err != nil {
			t.Fatal(err)
		}
		obj[k] = append(obj[k], h)
	}
	if err := w.Save(ctx, storage.Handle{Kind: storage.KindConfig, Name: "config"}, []byte(`{"version":1}`)); err != nil {
		t.Fatal(err)
	}
	put(storage.KindKey, 400)
	for i := 0; i < 3; i++ {
		put(storage.KindData, 1<<20)
	}
	put(storage.KindMeta, 200<<10)
	put(storage.KindIndex, 20<<10)
	put(storage.KindSnapshot, 2<<10)

	// Restore: config, keys, snapshots, index, then pack ranges.
	r, _ := oci.New(w.Location(), opts)
	first := func(k storage.Kind) storage.Handle {
		var h storage.Handle
		if err := r.List(ctx, k, func(fi storage.Info) error { h = storage.Handle{Kind: k, Name: fi.Name}; return nil }); err != nil {
			t.Fatal(err)
		}
		return h
	}
	load := func(h storage.Handle, off, n int64) {
		rd, err := r.Load(ctx, h, off, n)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, rd)
		rd.Close()
	}
	load(storage.Handle{Kind: storage.KindConfig, Name: "config"}, 0, 0)
	load(first(storage.KindKey), 0, 0)
	load(first(storage.KindSnapshot), 0, 0)
	load(first(storage.KindIndex), 0, 0)
	load(obj[storage.KindMeta][0], 1000, 50<<10)
	for _, h := range obj[storage.KindData] {
		load(h, 4096, 512<<10)
	}
	restore := r.Requests()
	// ping + token, config, one LIST shared by keys, snapshots and index
	// (tagcache.go), 3 GETs, 1 meta range, 3 data ranges
	if want := (storage.Requests{Get: 2 + 1 + 3 + 1 + 3, List: 1}); restore != want {
		t.Errorf("cold restore: %+v (%d), want %+v", restore, restore.Total(), want)
	}

	// Re-save of an unchanged tree by the same cold client: the reads above
	// (trees come from the meta pack), then session marker, index segment,
	// snapshot, and the marker's removal.
	session := storage.Handle{Kind: storage.KindSession, Name: "runner-1"}
	for _, step := range []func() error{
		func() error { return r.Save(ctx, session, []byte("started")) },
		func() error {
			d, n := storagetest.Blob(1 << 10)
			return r.Save(ctx, storage.Handle{Kind: storage.KindIndex, Name: n}, d)
		},
		func() error {
			d, n := storagetest.Blob(2 << 10)
			return r.Save(ctx, storage.Handle{Kind: storage.KindSnapshot, Name: n}, d)
		},
		func() error { return r.Remove(ctx, session) },
	} {
		if err := step(); err != nil {
			t.Fatal(err)
		}
	}
	save := r.Requests().Sub(restore)
	// write token ; marker 3 PUT ; index 3 PUT ; snapshot 3 PUT ;
	// removal: DELETE of the manifest this backend pushed (no HEAD: it knows
	// the digest) + DELETE of the tag on this registry, which keeps tags of
	// deleted manifests; distribution does not
	if want := (storage.Requests{Get: 1, Put: 9, Delete: 2}); save != want {
		t.Errorf("writes of a re-save: %+v (%d), want %+v", save, save.Total(), want)
	}
	t.Logf("cold restore: %d requests %+v; cold re-save of an unchanged tree: %d reads + %d writes", restore.Total(), restore, restore.Total()-3, save.Total())
}
