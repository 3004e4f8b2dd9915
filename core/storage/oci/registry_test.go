package oci_test

import (
	"bytes"
	"errors"
	"os/exec"
	"testing"

	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/storage/oci"
	"github.com/savepoint-ci/savepoint/core/storage/storagetest"
	"github.com/savepoint-ci/savepoint/internal/testenv"
)

// These tests run against a real registry (Debian's docker-registry, i.e.
// CNCF distribution) started by scripts/services/registry.sh.

func TestConformanceRegistry(t *testing.T) {
	host := testenv.Require(t, "SAVEPOINT_TEST_REGISTRY")
	storagetest.Run(t, func(t *testing.T) storage.Backend { return newBackend(t, host, oci.Options{}) })
}

// TestGarbageCollect saves objects of every kind, removes some, runs the
// registry's own garbage collection, and checks that every object still in
// the repository loads byte-identical while the removed ones are gone.
func TestGarbageCollect(t *testing.T) {
	host := testenv.Require(t, "SAVEPOINT_TEST_REGISTRY")
	config := testenv.Require(t, "SAVEPOINT_TEST_REGISTRY_CONFIG")
	ctx := t.Context()
	b := newBackend(t, host, oci.Options{})

	kept := map[storage.Handle][]byte{}
	for _, k := range []storage.Kind{storage.KindData, storage.KindData, storage.KindMeta, storage.KindIndex, storage.KindSnapshot, storage.KindKey} {
		data, name := storagetest.Blob(100 << 10)
		kept[storage.Handle{Kind: k, Name: name}] = data
	}
	kept[storage.Handle{Kind: storage.KindConfig, Name: "config"}] = []byte("the config")
	kept[storage.Handle{Kind: storage.KindSession, Name: "writer-1"}] = bytes.Repeat([]byte("s"), 40<<10) // not inlined
	kept[storage.Handle{Kind: storage.KindLease, Name: "prune"}] = []byte("lease")
	for h, data := range kept {
		if err := b.Save(ctx, h, data); err != nil {
			t.Fatal(err)
		}
	}
	// A replaced session: its first version is left untagged and GC's
	// --delete-untagged reaps it.
	h := storage.Handle{Kind: storage.KindSession, Name: "writer-1"}
	kept[h] = bytes.Repeat([]byte("t"), 50<<10)
	if err := b.Save(ctx, h, kept[h]); err != nil {
		t.Fatal(err)
	}
	removed := []storage.Handle{}
	for _, k := range []storage.Kind{storage.KindSnapshot, storage.KindData} {
		data, name := storagetest.Blob(64 << 10)
		h := storage.Handle{Kind: k, Name: name}
		if err := b.Save(ctx, h, data); err != nil {
			t.Fatal(err)
		}
		if err := b.Remove(ctx, h); err != nil {
			t.Fatal(err)
		}
		removed = append(removed, h)
	}

	out, err := exec.Command(registryBin(), "garbage-collect", "--delete-untagged", config).CombinedOutput()
	if err != nil {
		t.Fatalf("garbage-collect: %v\n%s", err, out)
	}

	b2, err := oci.New(b.Location(), oci.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for h, want := range kept {
		got, err := storage.LoadAll(ctx, b2, h)
		if err != nil {
			t.Fatalf("after GC, %s: %v", h, err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("after GC, %s loads %d bytes that differ from the %d saved", h, len(got), len(want))
		}
		if _, err := b2.Stat(ctx, h); err != nil {
			t.Fatalf("after GC, Stat(%s): %v", h, err)
		}
	}
	for _, h := range removed {
		if _, err := storage.LoadAll(ctx, b2, h); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("after GC the removed %s still loads (err %v): GC did not run", h, err)
		}
	}
	n := 0
	if err := b2.List(ctx, storage.KindData, func(storage.Info) error { n++; return nil }); err != nil || n != 2 {
		t.Fatalf("after GC List(data) = %d objects (err %v), want 2", n, err)
	}
}

func registryBin() string {
	if p, err := exec.LookPath("docker-registry"); err == nil {
		return p
	}
	return "/usr/bin/docker-registry"
}

func requireRegistry(t *testing.T) string { return testenv.Require(t, "SAVEPOINT_TEST_REGISTRY") }
