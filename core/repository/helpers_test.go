package repository_test

import (
	"context"
	"testing"

	"github.com/savepoint-ci/savepoint/core/crypto"
	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/storage/mem"
	"github.com/savepoint-ci/savepoint/internal/benchdata"
	"github.com/savepoint-ci/savepoint/internal/testrepo"
)

var ctx = context.Background()

// saveBlobs stores n blobs of random data of size bytes each and flushes;
// it returns them by ID.
func saveBlobs(t *testing.T, repo *repository.Repository, n, size int) map[repository.ID][]byte {
	t.Helper()
	out := map[repository.ID][]byte{}
	for i := 0; i < n; i++ {
		data := testrepo.Random(size)
		id := repo.Hash(data)
		if _, err := repo.SaveBlob(ctx, repository.DataBlob, id, data); err != nil {
			t.Fatal(err)
		}
		out[id] = data
	}
	if _, err := repo.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	return out
}

// initVersion creates a test repository of the given format version.
func initVersion(t *testing.T, version int) (*repository.Repository, *mem.Backend) {
	t.Helper()
	crypto.ScryptN = 1 << 10
	be := mem.New()
	repo, err := repository.Init(t.Context(), be, repository.InitOptions{
		Password: "test-password", Chunker: testrepo.SmallChunks, PackSize: 1 << 20, Version: version,
	})
	if err != nil {
		t.Fatal(err)
	}
	return repo, be
}

// smallFiles are 300 small text blobs that share a vocabulary, like the
// files of one source tree.
func smallFiles() [][]byte {
	var out [][]byte
	for i := 0; i < 300; i++ {
		out = append(out, benchdata.Text(uint64(i), 500+i*7))
	}
	return out
}

// saveAll stores data blobs and flushes.
func saveAll(t *testing.T, repo *repository.Repository, blobs [][]byte) {
	t.Helper()
	for _, b := range blobs {
		if _, err := repo.SaveBlob(ctx, repository.DataBlob, repo.Hash(b), b); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := repo.Flush(ctx); err != nil {
		t.Fatal(err)
	}
}

func storedBytes(be *mem.Backend, k storage.Kind) int64 {
	var n int64
	be.List(ctx, k, func(fi storage.Info) error { n += fi.Size; return nil })
	return n
}

// lastObject is the name of the last object of kind k that be lists: the
// only one, in tests that store one pack or one index segment.
func lastObject(be *mem.Backend, k storage.Kind) string {
	var name string
	be.List(ctx, k, func(fi storage.Info) error { name = fi.Name; return nil })
	return name
}
