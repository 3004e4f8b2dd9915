package prune_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/savepoint-ci/savepoint/core/prune"
	"github.com/savepoint-ci/savepoint/core/snapshot"
	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/storage/mem"
	"github.com/savepoint-ci/savepoint/internal/testrepo"
)

// failAfter lets the first n mutating calls (Save, Remove) through and
// fails every later one, as if the process had died there.
type failAfter struct {
	*mem.Backend
	left atomic.Int64
}

var errCrash = errors.New("simulated crash")

func (f *failAfter) Save(ctx context.Context, h storage.Handle, data []byte) error {
	if f.left.Add(-1) < 0 {
		return errCrash
	}
	return f.Backend.Save(ctx, h, data)
}

func (f *failAfter) Remove(ctx context.Context, h storage.Handle) error {
	if f.left.Add(-1) < 0 {
		return errCrash
	}
	return f.Backend.Remove(ctx, h)
}

// A prune stopped after each of its writes in turn leaves a repository
// that verifies clean and whose snapshots restore; the next prune finishes
// the work.
func TestPruneStoppedAtEveryStep(t *testing.T) {
	for n := int64(0); ; n++ {
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
		f := &failAfter{Backend: be}
		f.left.Store(n)
		repo := testrepo.Reopen(t, f)
		_, err := prune.Run(ctx, repo, opts)
		if err == nil {
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
