package local_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/storage/local"
	"github.com/savepoint-ci/savepoint/core/storage/storagetest"
)

func TestConformance(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) storage.Backend {
		b, err := local.New(filepath.Join(t.TempDir(), "repo"))
		return storagetest.Created(t, b, err)
	})
}

func TestMissingDirectory(t *testing.T) {
	b, _ := local.New(filepath.Join(t.TempDir(), "nothing-here"))
	_, err := b.Load(t.Context(), storage.Handle{Kind: storage.KindConfig, Name: "config"}, 0, 0)
	if !errors.Is(err, storage.ErrNoContainer) {
		t.Fatalf("Load from a missing directory: %v, want ErrNoContainer", err)
	}
	if err := b.Save(t.Context(), storage.Handle{Kind: storage.KindConfig, Name: "config"}, []byte("x")); !errors.Is(err, storage.ErrNoContainer) {
		t.Fatalf("Save into a missing directory: %v, want ErrNoContainer", err)
	}
}

func TestNoTempFilesLeft(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "repo")
	b, _ := local.New(dir)
	b.Create(t.Context())
	data, name := storagetest.Blob(1000)
	if err := b.Save(t.Context(), storage.Handle{Kind: storage.KindData, Name: name}, data); err != nil {
		t.Fatal(err)
	}
	matches, _ := filepath.Glob(filepath.Join(dir, "data", "*", ".tmp-*"))
	if len(matches) != 0 {
		t.Fatalf("temporary files left behind: %v", matches)
	}
	if _, err := os.Stat(filepath.Join(dir, "data", name[:2], name)); err != nil {
		t.Fatalf("object not at its fan-out path: %v", err)
	}
}

func TestNames(t *testing.T) {
	root := filepath.Join(t.TempDir(), "storage")
	parent, _ := local.New(root)
	storagetest.Names(t, parent, func(t *testing.T, name string) storage.Backend {
		b, err := local.New(filepath.Join(root, name))
		return storagetest.Created(t, b, err)
	})
}
