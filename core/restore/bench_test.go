package restore_test

import (
	"fmt"
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
	"github.com/savepoint-ci/savepoint/internal/testrepo"
)

// BenchmarkRestore measures restore.Run of a small CI-like tree (~1.5k
// files, ~50 MB) from an encrypted mem repository into an empty directory.
func BenchmarkRestore(b *testing.B) {
	dir := b.TempDir()
	total, err := benchdata.SmallTree(dir + "/src")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(total)
	cpu := restoreLoop(b, dir)
	cputime.Report(b, cputime.Now()-cpu, int64(b.N)*total)
}

// BenchmarkRestoreSmallFiles measures restore.Run of 3,000 files of 0.5 to
// 2 KB in 60 directories, with 60 symlinks: per-file costs (creating,
// opening, metadata) rather than bytes. It reports CPU time per file, which
// holds steadier than wall time on a shared machine.
func BenchmarkRestoreSmallFiles(b *testing.B) {
	dir := b.TempDir()
	const files = 3000
	for i := 0; i < files; i++ {
		testrepo.WriteFile(b, dir+"/src", fmt.Sprintf("d%02d/f%04d.js", i%60, i), testrepo.Random(512+i%1536))
	}
	for i := 0; i < 60; i++ {
		if err := os.Symlink(fmt.Sprintf("../d%02d/f%04d.js", i, i), fmt.Sprintf("%s/src/d%02d/link", dir, (i+1)%60)); err != nil {
			b.Fatal(err)
		}
	}
	cpu := restoreLoop(b, dir)
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N)/files, "cpu-µs/file")
}

// restoreLoop saves dir/src into a fresh mem repository, then restores it
// into dir/out, emptied before each round; it returns the CPU time spent
// restoring.
func restoreLoop(b *testing.B, dir string) time.Duration {
	testkdf.Cheap()
	ctx := b.Context()
	repo, err := repository.Init(ctx, mem.New(), repository.InitOptions{Password: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	snap, err := save.Run(ctx, repo, save.Options{Paths: []string{dir + "/src"}})
	if err != nil {
		b.Fatal(err)
	}
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
	return cpuIn
}
