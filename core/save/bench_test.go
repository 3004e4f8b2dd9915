package save_test

import (
	"testing"

	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/save"
	"github.com/savepoint-ci/savepoint/core/storage/mem"
	"github.com/savepoint-ci/savepoint/internal/benchdata"
	"github.com/savepoint-ci/savepoint/internal/cputime"
	"github.com/savepoint-ci/savepoint/internal/testkdf"
)

// benchTree generates benchdata's small CI-like tree (~50 MB) in a
// temporary directory.
func benchTree(b *testing.B) (string, int64) {
	dir := b.TempDir()
	total, err := benchdata.SmallTree(dir)
	if err != nil {
		b.Fatal(err)
	}
	return dir, total
}

// BenchmarkSave measures a cold save.Run of the tree into a fresh
// encrypted mem repository with the default chunker, on every core.
func BenchmarkSave(b *testing.B) {
	dir, total := benchTree(b)
	testkdf.Cheap()
	ctx := b.Context()
	cputime.Loop(b, total, func() {
		repo, err := repository.Init(ctx, mem.New(), repository.InitOptions{Password: "bench"})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := save.Run(ctx, repo, save.Options{Paths: []string{dir}}); err != nil {
			b.Fatal(err)
		}
	})
}
