package prune_test

import (
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
	storagetest.StopAtEveryWrite(t, minPruneWrites, func(n int) error {
		be, clk, work := newRepoIn(t)
		defer os.RemoveAll(work)
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
		opts := prune.Options{Now: clk.Now, Grace: time.Hour, ClockSkew: new(time.Duration(0)), BreakLease: true, MaxUnused: new(0.05)}
		_, err := prune.Run(ctx, testrepo.Reopen(t, storagetest.Crash(be, n, lost)), opts)
		if err == nil {
			return nil
		}
		mustVerify(t, be, true)
		mustRestore(t, be, keep[len(keep)-1], filepath.Join(work, "a"))
		// The next prune completes, and the repository is still clean.
		if _, err := prune.Run(ctx, testrepo.Reopen(t, be), opts); err != nil {
			t.Fatalf("prune after a stop at write %d: %v", n, err)
		}
		mustVerify(t, be, true)
		mustRestore(t, be, keep[len(keep)-1], filepath.Join(work, "a"))
		return err
	})
}
