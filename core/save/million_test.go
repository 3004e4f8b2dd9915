package save_test

import (
	"context"
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
	"github.com/savepoint-ci/savepoint/core/storage/local"
	"github.com/savepoint-ci/savepoint/internal/benchdata"
)

// TestMillionFilesMemory saves a synthetic tree of 1,000,000 small files
// (1,000 directories of 1,000 distinct files) into a local repository, in a
// child process, and checks that the save's peak RSS stays under 500 MiB:
// memory must not grow with the tree beyond the index (issue 15). It writes
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
	for i := 0; i < files; i++ {
		sub := filepath.Join(dir, "tree", fmt.Sprintf("d%04d", i/1000))
		if i%1000 == 0 {
			if err := os.MkdirAll(sub, 0o755); err != nil {
				t.Fatal(err)
			}
		}
		data := append([]byte(fmt.Sprintf("file %d\n", i)), benchdata.Text(uint64(i), 100+i%200)...)
		if err := os.WriteFile(filepath.Join(sub, fmt.Sprintf("f%07d.txt", i)), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("wrote %d files in %v", files, time.Since(start).Round(time.Second))

	cmd := exec.Command(os.Args[0], "-test.run=^TestMillionFilesChild$", "-test.v")
	cmd.Env = append(os.Environ(), "SAVEPOINT_MILLION_CHILD="+dir)
	start = time.Now()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("save: %v\n%s", err, out)
	}
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	peak := ru.Maxrss >> 10 // KiB on Linux
	var st struct{ Files, BlobsNew int64 }
	for _, line := range splitLines(out) {
		if json.Unmarshal(line, &st) == nil && st.Files > 0 {
			break
		}
	}
	t.Logf("saved %d files (%d new blobs) in %v: peak RSS %d MiB, CPU %.1f s", st.Files, st.BlobsNew,
		time.Since(start).Round(time.Second), peak,
		time.Duration(syscall.TimevalToNsec(ru.Utime)+syscall.TimevalToNsec(ru.Stime)).Seconds())
	if st.Files != int64(files) {
		t.Fatalf("the snapshot has %d files, want %d\n%s", st.Files, files, out)
	}
	if peak >= 500 {
		t.Fatalf("peak RSS %d MiB for %d files, the goal is under 500 MiB", peak, files)
	}
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
	ctx := context.Background()
	be, err := local.New(filepath.Join(dir, "repo"))
	if err != nil {
		t.Fatal(err)
	}
	repo, err := repository.Init(ctx, be, repository.InitOptions{Password: "million"})
	if err != nil {
		t.Fatal(err)
	}
	snap, err := save.Run(ctx, repo, save.Options{Paths: []string{filepath.Join(dir, "tree")}})
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
