package prune_test

import (
	"bytes"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/savepoint-ci/savepoint/core/prune"
	"github.com/savepoint-ci/savepoint/core/restore"
	"github.com/savepoint-ci/savepoint/core/save"
	"github.com/savepoint-ci/savepoint/core/snapshot"
	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/internal/testclock"
	"github.com/savepoint-ci/savepoint/internal/testrepo"
)

// committed is a snapshot a writer committed and what it must restore to.
type committed struct {
	snap  *snapshot.Snapshot
	files map[string][]byte
}

// stress runs writers that save in a loop while prune runs again and
// again with a tiny grace period, forgetting old snapshots in between.
// At the end every snapshot still present must restore byte-identical
// and verify must find nothing.
// stressParams scale the test to its backend. Grace, SessionLimit and Step
// are in the test clock's time: on mem the clock is manual and stamps the
// objects too; on a server, objects carry the server's time, so the clock
// must be the wall clock (Step 0) and the durations real.
type stressParams struct {
	writers, prunes int
	step            time.Duration // clock advance per prune
	pause           time.Duration // wall-clock pause per prune
	grace, limit    time.Duration // prune grace, writers' session limit
	skew            *time.Duration
}

func stress(t *testing.T, be storage.Backend, clk *testclock.Clock, sp stressParams) {
	writers, prunes := sp.writers, sp.prunes
	work := t.TempDir()
	shared := testrepo.Random(200 << 10) // deduplicated across writers
	// Pool blocks come and go: once no snapshot uses one and its pack is
	// scheduled for deletion, a writer may want it again. That is the case
	// the session markers and deletion intents exist for.
	var pool [][]byte
	for i := 0; i < 8; i++ {
		pool = append(pool, testrepo.Random(60<<10))
	}
	var mu sync.Mutex
	var all []committed
	tooLong := 0
	stop := make(chan struct{})
	var stopOnce sync.Once
	var wg sync.WaitGroup
	halt := func() { stopOnce.Do(func() { close(stop) }); wg.Wait() }
	defer halt() // writers must not outlive a failed test
	errs := make(chan error, writers+1)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			dir := filepath.Join(work, fmt.Sprintf("w%d", w))
			grow := []byte{}
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				grow = append(grow, testrepo.Random(20<<10)...)
				files := map[string][]byte{
					"shared.bin": shared,
					"fresh.bin":  testrepo.Random(70 << 10),
					"grow.bin":   bytes.Clone(grow),
					"const.txt":  []byte(fmt.Sprintf("writer %d", w)),
				}
				if i%3 == 0 {
					files["old.bin"] = testrepo.Random(90 << 10)
				}
				for k, b := range pool {
					if mrand.IntN(4) == 0 {
						files[fmt.Sprintf("pool%d.bin", k)] = b
					}
				}
				os.RemoveAll(dir)
				os.MkdirAll(dir, 0o755)
				for name, data := range files {
					if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
						errs <- err
						return
					}
				}
				repo, err := reopen(be)
				if err != nil {
					errs <- err
					return
				}
				s, err := save.Run(ctx, repo, save.Options{Paths: []string{dir}, Name: fmt.Sprintf("w%d", w),
					Hostname: "test", Now: clk.Now, SessionLimit: sp.limit})
				if errors.Is(err, save.ErrTooLong) {
					mu.Lock()
					tooLong++
					mu.Unlock()
					continue // not committed: nothing to check
				}
				if err != nil {
					errs <- fmt.Errorf("writer %d: %w", w, err)
					return
				}
				mu.Lock()
				all = append(all, committed{s, files})
				mu.Unlock()
			}
		}()
	}
	deleted, deferred, rescued, copied := 0, 0, 0, 0
	for i := 0; ; i++ {
		mu.Lock()
		n := len(all)
		mu.Unlock()
		if i >= prunes && n >= 4*prunes/2 {
			prunes = i
			break
		}
		clk.Advance(sp.step)
		time.Sleep(sp.pause)
		// Forget all but the 2 newest snapshots of each writer.
		repo, err := reopen(be)
		if err != nil {
			t.Fatal(err)
		}
		list, err := snapshot.List(ctx, repo)
		if err != nil {
			t.Fatal(err)
		}
		count := map[string]int{}
		for j := len(list) - 1; j >= 0; j-- {
			count[list[j].Name]++
			if count[list[j].Name] > 2 {
				be.Remove(ctx, storage.Handle{Kind: storage.KindSnapshot, Name: list[j].ID.String()})
			}
		}
		res, err := prune.Run(ctx, repo, prune.Options{Now: clk.Now, Grace: sp.grace, ClockSkew: sp.skew, MaxUnused: new(0.2)})
		if err != nil {
			t.Fatalf("prune %d: %v", i, err)
		}
		deleted += res.PacksDeleted
		deferred += res.IntentsDeferred
		rescued += res.PacksRescued
		copied += res.BlobsCopied
		select {
		case err := <-errs:
			t.Fatal(err)
		default:
		}
	}
	halt()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if deleted == 0 {
		t.Fatal("prune deleted nothing: the test did not exercise deletion")
	}
	mustVerify(t, be, true)
	repo, err := reopen(be)
	if err != nil {
		t.Fatal(err)
	}
	present := 0
	for _, c := range all {
		if _, err := be.Stat(ctx, storage.Handle{Kind: storage.KindSnapshot, Name: c.snap.ID.String()}); err != nil {
			continue
		}
		present++
		target := t.TempDir()
		if _, err := restore.Run(ctx, repo, c.snap, restore.Options{Target: target}); err != nil {
			t.Fatalf("restore %s: %v", c.snap.ID.Short(), err)
		}
		root := filepath.Join(target, save.StoredPath(filepath.Join(work, c.snap.Name)))
		for name, want := range c.files {
			got, err := os.ReadFile(filepath.Join(root, name))
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("snapshot %s: %s differs (%v)", c.snap.ID.Short(), name, err)
			}
		}
	}
	t.Logf("%d snapshots committed (%d saves gave up: too long), %d still present and restored; over %d prunes: %d packs deleted, %d blobs repacked, %d intents deferred, %d packs rescued",
		len(all), tooLong, present, prunes, deleted, copied, deferred, rescued)
}

func reopen(be storage.Backend) (*repositoryT, error) {
	return openRepo(be)
}

func TestConcurrentWritersAndPrune(t *testing.T) {
	be, clk := newRepo(t)
	stress(t, be, clk, stressParams{writers: 3, prunes: 25, step: 30 * time.Second, pause: 2 * time.Millisecond,
		grace: 3 * time.Minute, limit: 90 * time.Second, skew: new(time.Duration(0))})
}
