//go:build unix

package save_test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/savepoint-ci/savepoint/core/crypto"
	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/save"
	"github.com/savepoint-ci/savepoint/core/snapshot"
	"github.com/savepoint-ci/savepoint/core/storage/local"
	"github.com/savepoint-ci/savepoint/internal/benchdata"
)

// TestMillionFilesMemory saves a synthetic tree of 1,000,000 small files
// (1,000 directories of 1,000 distinct files) into a local repository, in a
// child process, then re-saves it with one file changed in another, and
// checks that each one's peak RSS stays under 500 MiB: memory must not grow
// with the tree beyond the index (issue 15). It writes
// a million inodes (~4 GB of disk in 4 KiB blocks) and runs for minutes, so
// it only runs when asked (docs/performance.md):
//
//	SAVEPOINT_TEST_MILLION=1 go test -run TestMillionFilesMemory -v -timeout 60m ./core/save/
//
// SAVEPOINT_TEST_MILLION may give another file count.
func TestMillionFilesMemory(t *testing.T) {
	want := os.Getenv("SAVEPOINT_TEST_MILLION")
	if want == "" {
		t.Skip("writes a million files: set SAVEPOINT_TEST_MILLION=1 to run it (docs/performance.md)")
	}
	files := 1_000_000
	if n, err := strconv.Atoi(want); err == nil && n > 1 {
		files = n
	}
	dir := t.TempDir()
	start := time.Now()
	if err := benchdata.SmallFiles(filepath.Join(dir, "tree"), files); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %d files in %v", files, time.Since(start).Round(time.Second))

	st, peak := millionChild(t, dir, "cold save")
	if st.Files != int64(files) {
		t.Fatalf("the snapshot has %d files, want %d", st.Files, files)
	}
	if peak >= 500 {
		t.Fatalf("peak RSS %d MiB for %d files, the goal is under 500 MiB", peak, files)
	}
	// A re-save with one file changed, in a new process: it reads the
	// whole index (the segment of a million blobs) and the parent's trees.
	changed := filepath.Join(dir, "tree", "d0000", "f0000000.txt")
	if err := os.WriteFile(changed, []byte("changed\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	st, peak = millionChild(t, dir, "re-save")
	if st.Files != int64(files) || st.BlobsNew > 10 {
		t.Fatalf("the re-save has %d files and %d new blobs, want %d files and a few blobs", st.Files, st.BlobsNew, files)
	}
	if peak >= 500 {
		t.Fatalf("re-save: peak RSS %d MiB for %d files, the goal is under 500 MiB", peak, files)
	}
}

type millionStats struct{ Files, BlobsNew int64 }

// millionChild runs TestMillionFilesChild (mode cold: init and save; resave:
// open and save against the last snapshot) and returns its snapshot's
// figures and its peak RSS in MiB.
func millionChild(t *testing.T, dir, mode string) (millionStats, int64) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestMillionFilesChild$", "-test.v")
	cmd.Env = append(os.Environ(), "SAVEPOINT_MILLION_CHILD="+dir, "SAVEPOINT_MILLION_MODE="+mode)
	start := time.Now()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", mode, err, out)
	}
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	peak := ru.Maxrss >> 10 // KiB on Linux
	var st millionStats
	for _, line := range splitLines(out) {
		if json.Unmarshal(line, &st) == nil && st.Files > 0 {
			break
		}
	}
	t.Logf("%s of %d files (%d new blobs) in %v: peak RSS %d MiB, CPU %.1f s", mode, st.Files, st.BlobsNew,
		time.Since(start).Round(time.Second), peak,
		time.Duration(syscall.TimevalToNsec(ru.Utime)+syscall.TimevalToNsec(ru.Stime)).Seconds())
	return st, peak
}

// TestMillionFilesChild is the save that TestMillionFilesMemory measures,
// in a process of its own, with the garbage collector set as the CLI sets
// it (core/cli/runtime.go).
func TestMillionFilesChild(t *testing.T) {
	dir := os.Getenv("SAVEPOINT_MILLION_CHILD")
	if dir == "" {
		t.Skip("run by TestMillionFilesMemory")
	}
	debug.SetGCPercent(10)
	crypto.ScryptN = 1 << 10
	ctx := t.Context()
	be, err := local.New(filepath.Join(dir, "repo"))
	if err != nil {
		t.Fatal(err)
	}
	paths := []string{filepath.Join(dir, "tree")}
	var repo *repository.Repository
	var parent *snapshot.Snapshot
	if os.Getenv("SAVEPOINT_MILLION_MODE") == "re-save" {
		if repo, err = repository.Open(ctx, be, repository.OpenOptions{Password: "million"}); err == nil {
			parent, err = save.FindParent(ctx, repo, "", paths)
		}
	} else {
		repo, err = repository.Init(ctx, be, repository.InitOptions{Password: "million"})
	}
	if err != nil {
		t.Fatal(err)
	}
	snap, err := save.Run(ctx, repo, save.Options{Paths: paths, Parent: parent})
	if err != nil {
		t.Fatal(err)
	}
	repo.Close()
	b, _ := json.Marshal(map[string]int64{"Files": snap.Stats.Files, "BlobsNew": snap.Stats.BlobsNew})
	fmt.Printf("\n%s\n", b)
}

func splitLines(b []byte) [][]byte {
	var out [][]byte
	start := 0
	for i, c := range b {
		if c == '\n' {
			out = append(out, b[start:i])
			start = i + 1
		}
	}
	return append(out, b[start:])
}
