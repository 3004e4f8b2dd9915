package prune_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/savepoint-ci/savepoint/core/prune"
	"github.com/savepoint-ci/savepoint/core/snapshot"
	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/storage/storagetest"
	"github.com/savepoint-ci/savepoint/internal/testrepo"
)

var errCrash = errors.New("simulated crash")

// minPruneWrites is the least a prune of the repository below can write:
// take the lease, publish the intent, write the compacted segment, remove
// the four segments of the saves, the data and meta packs of the two
// forgotten snapshots, and the intent.
const minPruneWrites = 12

// A prune stopped after each of its writes in turn leaves a repository
// that verifies clean and whose snapshots restore; the next prune finishes
// the work. It dies either before its next write or right after it (the
// write took effect, the answer never came).
func TestPruneStoppedAtEveryStep(t *testing.T) {
	t.Run("before", func(t *testing.T) { pruneStoppedAtEveryStep(t, false) })
	t.Run("after", func(t *testing.T) { pruneStoppedAtEveryStep(t, true) })
}

func pruneStoppedAtEveryStep(t *testing.T, lost bool) {
	for n := 0; ; n++ {
		be, clk := newRepo(t)
		work := t.TempDir()
		t.Chdir(work)
		var keep []*snapshot.Snapshot
		for i := 0; i < 4; i++ {
			testrepo.WriteFile(t, work, "a/shared.bin", []byte("same in every snapshot"))
			testrepo.WriteFile(t, work, "a/own.bin", testrepo.Random(200<<10))
			s := saveDir(t, be, clk, "a", "n")
			if i%2 == 0 {
				be.Remove(ctx, storage.Handle{Kind: storage.KindSnapshot, Name: s.ID.String()})
			} else {
				keep = append(keep, s)
			}
		}
		// Keep the last tree on disk to compare the last snapshot with.
		clk.Advance(2 * time.Hour)
		opts := prune.Options{Now: clk.Now, Grace: time.Hour, ClockSkew: -1, BreakLease: true, MaxUnused: 0.05}
		// Every write after the first n fails, as if the process had died;
		// when lost, write n+1 still takes effect.
		f := storagetest.NewFaulty(be)
		if lost {
			f.Add(storagetest.Fault{Op: storagetest.OpWrites, Nth: n + 1, Times: 1, Lost: true, Err: errCrash})
		}
		f.Add(storagetest.Fault{Op: storagetest.OpWrites, Nth: n + 1, Err: errCrash})
		repo := testrepo.Reopen(t, f)
		_, err := prune.Run(ctx, repo, opts)
		if err == nil {
			if n < minPruneWrites {
				t.Fatalf("prune finished after %d writes; it cannot do its work in fewer than %d, so the crash points were not exercised", n, minPruneWrites)
			}
			t.Logf("prune needs %d writes; stopped after each of them", n)
			return
		}
		if !errors.Is(err, errCrash) {
			t.Fatalf("stopped after %d writes: %v", n, err)
		}
		mustVerify(t, be, true)
		mustRestore(t, be, keep[len(keep)-1], filepath.Join(work, "a"))
		// The next prune completes, and the repository is still clean.
		if _, err := prune.Run(ctx, testrepo.Reopen(t, be), opts); err != nil {
			t.Fatalf("prune after a stop at write %d: %v", n, err)
		}
		mustVerify(t, be, true)
		mustRestore(t, be, keep[len(keep)-1], filepath.Join(work, "a"))
		if n > 200 {
			t.Fatal("prune never finished")
		}
		os.RemoveAll(work)
	}
}
