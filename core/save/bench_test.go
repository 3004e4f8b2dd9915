package save_test

import (
	"context"
	"testing"

	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/save"
	"github.com/savepoint-ci/savepoint/core/storage/mem"
	"github.com/savepoint-ci/savepoint/internal/benchdata"
	"github.com/savepoint-ci/savepoint/internal/cputime"
	"github.com/savepoint-ci/savepoint/internal/testkdf"
)

// benchTree generates a small CI-like tree: a tenth of the source dataset
// (~1.5k files, ~27 MB) and a tenth of the build artifacts (~24 MB).
func benchTree(b *testing.B) (string, int64) {
	dir := b.TempDir()
	var total int64
	for _, ds := range []string{"source", "artifacts"} {
		st, err := benchdata.Generate(dir+"/"+ds, ds, 0.1)
		if err != nil {
			b.Fatal(err)
		}
		total += st.Bytes
	}
	return dir, total
}

// BenchmarkSave measures a cold save.Run of the tree into a fresh
// encrypted mem repository with the default chunker, on every core.
func BenchmarkSave(b *testing.B) {
	dir, total := benchTree(b)
	testkdf.Cheap()
	ctx := context.Background()
	b.SetBytes(total)
	cpu := cputime.Now()
	for b.Loop() {
		repo, err := repository.Init(ctx, mem.New(), repository.InitOptions{Password: "bench"})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := save.Run(ctx, repo, save.Options{Paths: []string{dir}}); err != nil {
			b.Fatal(err)
		}
	}
	cputime.Report(b, cpu, int64(b.N)*total)
}
