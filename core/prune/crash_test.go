package prune_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/savepoint-ci/savepoint/core/prune"
	"github.com/savepoint-ci/savepoint/core/snapshot"
	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/storage/mem"
	"github.com/savepoint-ci/savepoint/core/storage/storagetest"
	"github.com/savepoint-ci/savepoint/internal/benchdata"
	"github.com/savepoint-ci/savepoint/internal/testclock"
	"github.com/savepoint-ci/savepoint/internal/testrepo"
)

// minPruneWrites is the least a prune of the repository of forgotten2of4
// can write: take the lease, publish the intent, write the compacted
// segment, remove the four segments of the saves, the data and meta packs
// of the two forgotten snapshots, and the intent.
const minPruneWrites = 12

// minGroupPruneWrites is the least a prune of the repository of
// groups2of4 can write: take the lease, publish the intent, write the pack
// of the repacked blobs, the compacted segment, remove the four segments
// of the saves, the two repacked data packs, the meta packs of the two
// forgotten snapshots, and the intent.
const minGroupPruneWrites = 13

// A prune stopped after each of its writes in turn leaves a repository
// that verifies clean and whose snapshots restore; the next prune finishes
// the work. It dies either before its next write or right after it (the
// write took effect, the answer never came).
func TestPruneStoppedAtEveryStep(t *testing.T) {
	sc := crashScenario{min: minPruneWrites, setup: forgotten2of4}
	t.Run("before", func(t *testing.T) { pruneStoppedAtEveryStep(t, false, sc) })
	t.Run("after", func(t *testing.T) { pruneStoppedAtEveryStep(t, true, sc) })
}

// The same with compression groups to repack (format version 2): a group
// whose blobs all live is copied as stored, the live blobs of a partly
// used group are grouped again, and a stop between any two writes of that
// loses nothing.
func TestPruneStoppedAtEveryStepGroups(t *testing.T) {
	sc := crashScenario{min: minGroupPruneWrites, setup: groups2of4, done: func(t *testing.T, be *mem.Backend, res *prune.Result) {
		// Saves 0 and 2 are repacked: the shared file and t0 (one whole
		// group), t2a and t2 (regrouped, t2b dropped), into one pack.
		if res.PacksRepacked != 2 || res.BlobsCopied != 4 {
			t.Errorf("want the live blobs of two packs repacked: %+v", res)
		}
		var sizes []int
		for _, p := range dataPacks(t, be) {
			for _, g := range groupsOf(p) {
				sizes = append(sizes, len(g))
			}
		}
		slices.Sort(sizes)
		if !slices.Equal(sizes, []int{1, 1, 2, 2}) {
			t.Errorf("groups of %v blobs after the prune, want t1's and t3's, the copied one and the regrouped one", sizes)
		}
	}}
	t.Run("before", func(t *testing.T) { pruneStoppedAtEveryStep(t, false, sc) })
	t.Run("after", func(t *testing.T) { pruneStoppedAtEveryStep(t, true, sc) })
}

// crashScenario is a repository to prune (setup returns the snapshots
// kept), the least number of writes its prune takes, and what a prune
// that completes at once must have done (done may be nil).
type crashScenario struct {
	min   int
	setup func(*testing.T, *mem.Backend, *testclock.Clock, string) []*snapshot.Snapshot
	done  func(*testing.T, *mem.Backend, *prune.Result)
}

// forgotten2of4 saves four snapshots of a shared file and a file of its
// own each, and forgets the first and the third.
func forgotten2of4(t *testing.T, be *mem.Backend, clk *testclock.Clock, work string) []*snapshot.Snapshot {
	return saveFourForgetTwo(t, be, clk, func(i int) {
		testrepo.WriteFile(t, work, "a/shared.bin", []byte("same in every snapshot"))
		testrepo.WriteFile(t, work, "a/own.bin", testrepo.Random(200<<10))
	})
}

// groups2of4 saves four snapshots whose small text files go into
// compression groups, each beside a random file of its own (stored raw),
// and forgets the first and the third. Every file is smaller than the
// least chunk (the chunker's boundaries depend on the repository's key):
// one blob each. Then the first save's pack holds a wholly live group
// (the shared file and t0: copied as stored), the third's a group of two
// live files and a dead one (t2a, t2 and t2b: regrouped), and both hold a
// dead raw blob.
func groups2of4(t *testing.T, be *mem.Backend, clk *testclock.Clock, work string) []*snapshot.Snapshot {
	text := func(name string, seed uint64) {
		testrepo.WriteFile(t, work, "a/"+name, benchdata.Text(seed, 12<<10))
	}
	return saveFourForgetTwo(t, be, clk, func(i int) {
		switch i {
		case 0:
			text("shared.txt", 100)
		case 2:
			text("t2a.txt", 20)
			text("t2b.txt", 21)
		case 3:
			os.Remove(filepath.Join(work, "a/t2b.txt"))
		}
		text(fmt.Sprintf("t%d.txt", i), uint64(i))
		testrepo.WriteFile(t, work, "a/own.bin", benchdata.Random(uint64(i), 12<<10))
	})
}

// saveFourForgetTwo saves directory a four times, after change(i) each
// time, forgets the first and the third snapshots and returns the others.
func saveFourForgetTwo(t *testing.T, be *mem.Backend, clk *testclock.Clock, change func(i int)) []*snapshot.Snapshot {
	var keep []*snapshot.Snapshot
	for i := 0; i < 4; i++ {
		change(i)
		s := saveDir(t, be, clk, "a", "n")
		if i%2 == 0 {
			be.Remove(ctx, storage.Handle{Kind: storage.KindSnapshot, Name: s.ID.String()})
		} else {
			keep = append(keep, s)
		}
	}
	return keep
}

func pruneStoppedAtEveryStep(t *testing.T, lost bool, sc crashScenario) {
	storagetest.StopAtEveryWrite(t, sc.min, func(n int) error {
		be, clk, work := newRepoIn(t)
		defer os.RemoveAll(work)
		keep := sc.setup(t, be, clk, work)
		// Keep the last tree on disk to compare the last snapshot with.
		clk.Advance(2 * time.Hour)
		opts := prune.Options{Now: clk.Now, Grace: time.Hour, ClockSkew: new(time.Duration(0)), BreakLease: true, MaxUnused: new(0.05)}
		res, err := prune.Run(ctx, testrepo.Reopen(t, storagetest.Crash(be, n, lost)), opts)
		if err == nil {
			if sc.done != nil {
				sc.done(t, be, res)
			}
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
