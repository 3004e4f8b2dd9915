package save

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/savepoint-ci/savepoint/core/restore"
	"github.com/savepoint-ci/savepoint/core/snapshot"
	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/storage/storagetest"
	"github.com/savepoint-ci/savepoint/core/verify"
	"github.com/savepoint-ci/savepoint/internal/testrepo"
)

// minSaveWrites is the least the first save below writes: its session
// marker, two data packs (1.5 MiB of random bytes do not fit in one 1 MiB
// pack), a meta pack, its index segment and its snapshot.
const minSaveWrites = 6

// A save stopped at each of its writes in turn, before the write or right
// after it (the write took effect, the answer never came), commits nothing
// a reader could trip on: the repository verifies clean, any snapshot
// listed restores exactly, and the next save commits.
func TestSaveStoppedAtEveryStep(t *testing.T) {
	dir := t.TempDir()
	sourceTree(t, dir, 60)
	testrepo.WriteFile(t, dir, "src/random.bin", testrepo.Random(1500<<10))
	t.Chdir(dir)
	t.Run("before", func(t *testing.T) { saveStoppedAtEveryStep(t, dir, false) })
	t.Run("after", func(t *testing.T) { saveStoppedAtEveryStep(t, dir, true) })
}

func saveStoppedAtEveryStep(t *testing.T, dir string, lost bool) {
	storagetest.StopAtEveryWrite(t, minSaveWrites, func(n int) error {
		_, be := testrepo.New(t)
		_, err := Run(ctx, testrepo.Reopen(t, storagetest.Crash(be, n, lost)), Options{Paths: []string{"src"}, Name: "n"})
		if err == nil {
			return nil
		}
		where := fmt.Sprintf("stopped after %d writes (%v)", n, err)
		snaps := mustRestoreAll(t, be, dir, where)
		// Only a commit that took effect, its answer lost, leaves a snapshot.
		if len(snaps) > 0 && !lost {
			t.Fatalf("%s: a failed save committed %d snapshots", where, len(snaps))
		}
		res, verr := verify.Run(ctx, testrepo.Reopen(t, be), verify.Options{ReadData: true, NoRecord: true})
		if verr != nil {
			t.Fatalf("%s: verify: %v", where, verr)
		}
		for _, p := range res.Problems {
			t.Errorf("%s: verify: %s", where, p)
		}
		if _, err := Run(ctx, testrepo.Reopen(t, be), Options{Paths: []string{"src"}, Name: "n"}); err != nil {
			t.Fatalf("%s: the next save: %v", where, err)
		}
		if got := mustRestoreAll(t, be, dir, where+", then saved again"); len(got) != len(snaps)+1 {
			t.Fatalf("%s: %d snapshots after the next save, want %d", where, len(got), len(snaps)+1)
		}
		return err
	})
}

// mustRestoreAll restores every snapshot in be and compares it with dir.
func mustRestoreAll(t *testing.T, be storage.Backend, dir, where string) []*snapshot.Snapshot {
	t.Helper()
	repo := testrepo.Reopen(t, be)
	snaps, err := snapshot.List(ctx, repo)
	if err != nil {
		t.Fatalf("%s: %v", where, err)
	}
	for _, s := range snaps {
		target := t.TempDir()
		if _, err := restore.Run(ctx, repo, s, restore.Options{Target: target}); err != nil {
			t.Fatalf("%s: restoring %s: %v", where, s.ID.Short(), err)
		}
		if d := testrepo.Equal(t, filepath.Join(dir, "src"), filepath.Join(target, "src")); d != "" {
			t.Fatalf("%s: snapshot %s restores differently: %s", where, s.ID.Short(), d)
		}
	}
	return snaps
}

// A save whose context is cancelled (SIGINT or SIGTERM in the CLI) while
// its packs upload stops cleanly: it reports the cancellation, commits no
// snapshot and no index segment, removes its session marker, and the next
// save commits.
func TestCancelledSaveStopsCleanly(t *testing.T) {
	dir := t.TempDir()
	sourceTree(t, dir, 60)
	testrepo.WriteFile(t, dir, "src/random.bin", testrepo.Random(1500<<10))
	t.Chdir(dir)
	_, be := testrepo.New(t)
	c, cancel := context.WithCancel(ctx)
	defer cancel()
	// The signal arrives as the second data pack starts to upload.
	f := storagetest.NewFaulty(be, storagetest.Fault{Op: storagetest.OpSave, Kind: storage.KindData, Nth: 2, Times: 1, Before: cancel})
	_, err := Run(c, testrepo.Reopen(t, f), Options{Paths: []string{"src"}, Name: "n"})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("a cancelled save: %v, want context.Canceled", err)
	}
	for _, k := range []storage.Kind{storage.KindSnapshot, storage.KindIndex, storage.KindSession} {
		n := 0
		be.List(ctx, k, func(storage.Info) error { n++; return nil })
		if n != 0 {
			t.Errorf("a cancelled save left %d %s objects", n, k)
		}
	}
	res, err := verify.Run(ctx, testrepo.Reopen(t, be), verify.Options{ReadData: true, NoRecord: true})
	if err != nil || !res.OK() {
		t.Fatalf("verify after a cancelled save: %v %v", err, res.Problems)
	}
	if _, err := Run(ctx, testrepo.Reopen(t, be), Options{Paths: []string{"src"}, Name: "n"}); err != nil {
		t.Fatal(err)
	}
	if snaps := mustRestoreAll(t, be, dir, "after a cancelled save"); len(snaps) != 1 {
		t.Fatalf("%d snapshots, want 1", len(snaps))
	}
}
