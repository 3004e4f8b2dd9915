package prune_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/savepoint-ci/savepoint/core/prune"
	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/restore"
	"github.com/savepoint-ci/savepoint/core/save"
	"github.com/savepoint-ci/savepoint/core/snapshot"
	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/storage/mem"
	"github.com/savepoint-ci/savepoint/core/verify"
	"github.com/savepoint-ci/savepoint/internal/testclock"
	"github.com/savepoint-ci/savepoint/internal/testrepo"
)

type repositoryT = repository.Repository

func openRepo(be storage.Backend) (*repository.Repository, error) {
	return repository.Open(ctx, be, repository.OpenOptions{Password: "test-password"})
}

var ctx = context.Background()

func newRepo(t *testing.T) (*mem.Backend, *testclock.Clock) {
	clk := testclock.New()
	_, be := testrepo.New(t)
	be.Now = clk.Now
	return be, clk
}

// newRepoIn is newRepo with a fresh working directory, the test's current
// directory from now on (save stores paths relative to it).
func newRepoIn(t *testing.T) (*mem.Backend, *testclock.Clock, string) {
	be, clk := newRepo(t)
	work := t.TempDir()
	t.Chdir(work)
	return be, clk, work
}

// forgottenFile saves a/keep.bin and a/gone.bin (of the given sizes), then
// a/keep.bin alone, and forgets the first snapshot: the packs of gone.bin
// are unused. It returns the second snapshot.
func forgottenFile(t *testing.T, be storage.Backend, clk *testclock.Clock, work string, keep, gone int) *snapshot.Snapshot {
	t.Helper()
	testrepo.WriteFile(t, work, "a/keep.bin", testrepo.Random(keep))
	testrepo.WriteFile(t, work, "a/gone.bin", testrepo.Random(gone))
	s1 := saveDir(t, be, clk, "a", "n")
	os.Remove(filepath.Join(work, "a/gone.bin"))
	s2 := saveDir(t, be, clk, "a", "n")
	if err := be.Remove(ctx, storage.Handle{Kind: storage.KindSnapshot, Name: s1.ID.String()}); err != nil {
		t.Fatal(err)
	}
	return s2
}

// mustPrune runs a prune as a new process would.
func mustPrune(t *testing.T, be storage.Backend, opts prune.Options) *prune.Result {
	t.Helper()
	res, err := prune.Run(ctx, testrepo.Reopen(t, be), opts)
	if err != nil {
		t.Fatalf("prune: %v", err)
	}
	return res
}

// writer opens the repository as a writer that has announced its session
// (host) and read the index at the clock's time.
func writer(t *testing.T, be storage.Backend, clk *testclock.Clock, host string, index bool) *repository.Repository {
	t.Helper()
	repo := testrepo.Reopen(t, be)
	if err := repo.BeginSession(ctx, host, clk.Now()); err != nil {
		t.Fatal(err)
	}
	if index {
		if err := repo.LoadIndex(ctx); err != nil {
			t.Fatal(err)
		}
	}
	return repo
}

func saveDir(t *testing.T, be storage.Backend, clk *testclock.Clock, dir, name string) *snapshot.Snapshot {
	t.Helper()
	repo := testrepo.Reopen(t, be)
	s, err := save.Run(ctx, repo, save.Options{Paths: []string{dir}, Name: name, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func mustVerify(t *testing.T, be storage.Backend, data bool) *verify.Result {
	t.Helper()
	res, err := verify.Run(ctx, testrepo.Reopen(t, be), verify.Options{ReadData: data})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range res.Problems {
		t.Errorf("verify: %s", p)
	}
	return res
}

func mustRestore(t *testing.T, be storage.Backend, s *snapshot.Snapshot, want string) {
	t.Helper()
	target := t.TempDir()
	if _, err := restore.Run(ctx, testrepo.Reopen(t, be), s, restore.Options{Target: target}); err != nil {
		t.Fatalf("restore %s: %v", s.ID.Short(), err)
	}
	if d := testrepo.Equal(t, want, filepath.Join(target, filepath.Base(want))); d != "" {
		t.Fatalf("restore %s: %s", s.ID.Short(), d)
	}
}

func countPacks(be *mem.Backend) int {
	n := 0
	for _, k := range []storage.Kind{storage.KindData, storage.KindMeta} {
		be.List(ctx, k, func(storage.Info) error { n++; return nil })
	}
	return n
}
