package cluster

import (
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/internal/testrepo"
)

// bigTree writes files MiB of random data as dir/data/fNN.bin, enough
// that a save or restore is still running when a node is killed.
func bigTree(t *testing.T, dir string, files int) {
	for i := 0; i < files; i++ {
		testrepo.WriteFile(t, dir, fmt.Sprintf("data/f%02d.bin", i), testrepo.Random(1<<20))
	}
}

// waitUntil polls cond every 20 ms until it holds; it fails the test if
// r exits first or a minute passes.
func waitUntil(t *testing.T, r *run, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if cond() {
			return
		}
		if r.exited() {
			t.Fatalf("the command ended before %s (exit %d): make the tree bigger\n%s", what, r.cmd.ProcessState.ExitCode(), r.stderr.String())
		}
	}
	t.Fatalf("no %s within a minute", what)
}

// packs counts the data packs stored so far.
func packs(t *testing.T, be storage.Backend) int {
	n := 0
	if err := be.List(t.Context(), storage.KindData, func(storage.Info) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	return n
}

// restored sums the bytes of regular files below dir.
func restored(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}

// TestNodeDownDuringSaveAndRestore kills node 3 while a save runs through
// node 1, and node 2 while a restore runs: both complete, the restore is
// byte-identical, and once the nodes are back `verify --read-data` finds
// nothing.
func TestNodeDownDuringSaveAndRestore(t *testing.T) {
	c := requireCluster(t)
	name, be := c.repo(t)
	src := t.TempDir()
	bigTree(t, src, 48)
	p := newCountingProxy(t, c.endpoint(1))
	cl := c.client(t, p.addr(), name)

	started := time.Now()
	save := cl.start(src, "save", "--json", "--name", "big", "data")
	waitUntil(t, save, "4 packs were stored", func() bool { return packs(t, be) >= 4 })
	down := c.stopNodes(t, 3)
	save.endedAfter(t, down, "node 3 was down")
	if code := save.wait(); code != 0 {
		t.Fatalf("save with node 3 down: exit %d: %s", code, save.stderr.String())
	}
	saved := time.Now()
	id := savedID(t, save.stdout.String())
	up := c.startNodes(t, 3)
	att, failed := p.counts()
	t.Logf("save: %s in all, %s of it with node 3 down; node 3 down for %s; %d requests, %d failed attempts retried",
		saved.Sub(started).Round(time.Millisecond), saved.Sub(down).Round(time.Millisecond), up.Sub(down).Round(time.Millisecond), att, failed)

	target := t.TempDir()
	started = time.Now()
	restore := cl.start(src, "restore", "--target", target, id)
	waitUntil(t, restore, "4 MiB were restored", func() bool { return restored(target) >= 4<<20 })
	down = c.stopNodes(t, 2)
	restore.endedAfter(t, down, "node 2 was down")
	if code := restore.wait(); code != 0 {
		t.Fatalf("restore with node 2 down: exit %d: %s", code, restore.stderr.String())
	}
	finished := time.Now()
	up = c.startNodes(t, 2)
	att2, failed2 := p.counts()
	t.Logf("restore: %s in all, %s of it with node 2 down; node 2 down for %s; %d requests, %d failed attempts retried",
		finished.Sub(started).Round(time.Millisecond), finished.Sub(down).Round(time.Millisecond), up.Sub(down).Round(time.Millisecond), att2-att, failed2-failed)
	if d := testrepo.Equal(t, filepath.Join(src, "data"), filepath.Join(target, "data")); d != "" {
		t.Fatalf("restored with a node down: %s", d)
	}

	out := cl.mustRun(src, "verify", "--read-data")
	if !strings.Contains(out, "no problems found") {
		t.Fatalf("verify --read-data after the nodes returned:\n%s", out)
	}
}
