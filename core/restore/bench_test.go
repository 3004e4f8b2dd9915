package restore_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/restore"
	"github.com/savepoint-ci/savepoint/core/save"
	"github.com/savepoint-ci/savepoint/core/storage/mem"
	"github.com/savepoint-ci/savepoint/internal/benchdata"
	"github.com/savepoint-ci/savepoint/internal/cputime"
	"github.com/savepoint-ci/savepoint/internal/testkdf"
)

// BenchmarkRestore measures restore.Run of a small CI-like tree (~1.5k
// files, ~50 MB) from an encrypted mem repository into an empty directory.
func BenchmarkRestore(b *testing.B) {
	dir := b.TempDir()
	var total int64
	for _, ds := range []string{"source", "artifacts"} {
		st, err := benchdata.Generate(dir+"/src/"+ds, ds, 0.1)
		if err != nil {
			b.Fatal(err)
		}
		total += st.Bytes
	}
	testkdf.Cheap()
	ctx := context.Background()
	repo, err := repository.Init(ctx, mem.New(), repository.InitOptions{Password: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	snap, err := save.Run(ctx, repo, save.Options{Paths: []string{dir + "/src"}})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(total)
	var cpuIn time.Duration
	for b.Loop() {
		b.StopTimer()
		target := dir + "/out"
		if err := os.RemoveAll(target); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		cpu := cputime.Now()
		if _, err := restore.Run(ctx, repo, snap, restore.Options{Target: target}); err != nil {
			b.Fatal(err)
		}
		cpuIn += cputime.Now() - cpu
	}
	cputime.Report(b, cputime.Now()-cpuIn, int64(b.N)*total)
}
