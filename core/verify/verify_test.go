package verify_test

import (
	"context"
	"strings"
	"testing"

	"github.com/savepoint-ci/savepoint/core/save"
	"github.com/savepoint-ci/savepoint/core/snapshot"
	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/storage/mem"
	"github.com/savepoint-ci/savepoint/core/verify"
	"github.com/savepoint-ci/savepoint/internal/testrepo"
)

var ctx = context.Background()

// twoSnapshots saves two snapshots that share one file and differ in another.
func twoSnapshots(t *testing.T) (*mem.Backend, *snapshot.Snapshot, *snapshot.Snapshot) {
	_, be := testrepo.New(t)
	dir := t.TempDir()
	t.Chdir(dir)
	testrepo.WriteFile(t, dir, "src/shared.bin", testrepo.Random(300<<10))
	testrepo.WriteFile(t, dir, "src/own.bin", testrepo.Random(100<<10))
	a, err := save.Run(ctx, testrepo.Reopen(t, be), save.Options{Paths: []string{"src"}, Name: "n"})
	if err != nil {
		t.Fatal(err)
	}
	testrepo.WriteFile(t, dir, "src/own.bin", testrepo.Random(100<<10))
	b, err := save.Run(ctx, testrepo.Reopen(t, be), save.Options{Paths: []string{"src"}, Name: "n"})
	if err != nil {
		t.Fatal(err)
	}
	return be, a, b
}

func run(t *testing.T, be storage.Backend, o verify.Options) *verify.Result {
	t.Helper()
	res, err := verify.Run(ctx, testrepo.Reopen(t, be), o)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestCleanRepository(t *testing.T) {
	be, _, _ := twoSnapshots(t)
	res := run(t, be, verify.Options{ReadData: true})
	if !res.OK() || res.Snapshots != 2 || res.PacksRead == 0 || res.BlobsRead != res.Blobs {
		t.Fatalf("%+v", res)
	}
}

// A damaged data pack: the structural check sees nothing, the data check
// reports every snapshot that uses it, and the failure is recorded and
// then cleared once the damage is gone.
func TestDamagedPackReportsEverySnapshot(t *testing.T) {
	be, a, b := twoSnapshots(t)
	// The largest data pack holds the shared file (the second save's pack
	// holds only its own file).
	var sharedPack string
	var size int64
	be.List(ctx, storage.KindData, func(fi storage.Info) error {
		if fi.Size > size {
			sharedPack, size = fi.Name, fi.Size
		}
		return nil
	})
	h := storage.Handle{Kind: storage.KindData, Name: sharedPack}
	orig, _ := storage.LoadAll(ctx, be, h)
	be.Corrupt(h, 100)
	if res := run(t, be, verify.Options{}); !res.OK() {
		t.Fatalf("structural check should not read data: %v", res.Problems)
	}
	res := run(t, be, verify.Options{ReadData: true})
	if res.OK() || len(res.Failed) != 2 {
		t.Fatalf("expected both snapshots failed: %+v", res)
	}
	for _, p := range res.Problems {
		if p.Object == "" || p.Message == "" {
			t.Fatalf("problem without object or message: %+v", p)
		}
	}
	failed, err := verify.FailedSnapshots(ctx, be)
	if err != nil || !failed[a.ID] || !failed[b.ID] {
		t.Fatalf("failures not recorded: %v %v", failed, err)
	}
	// A structural pass does not clear a data failure; a full data pass does.
	be.Save(ctx, h, orig)
	run(t, be, verify.Options{})
	if failed, _ = verify.FailedSnapshots(ctx, be); len(failed) != 2 {
		t.Fatal("a structural check cleared a data failure")
	}
	if res := run(t, be, verify.Options{ReadData: true}); !res.OK() {
		t.Fatal(res.Problems)
	}
	if failed, _ = verify.FailedSnapshots(ctx, be); len(failed) != 0 {
		t.Fatal("failures not cleared")
	}
}

func TestMissingPackAndTree(t *testing.T) {
	be, _, b := twoSnapshots(t)
	var metas []string
	be.List(ctx, storage.KindMeta, func(fi storage.Info) error { metas = append(metas, fi.Name); return nil })
	for _, m := range metas {
		be.Remove(ctx, storage.Handle{Kind: storage.KindMeta, Name: m})
	}
	res := run(t, be, verify.Options{NoRecord: true})
	if len(res.Failed) != 2 {
		t.Fatalf("expected both snapshots failed: %+v", res)
	}
	var missing, tree bool
	for _, p := range res.Problems {
		missing = missing || strings.Contains(p.Message, "indexed pack is missing")
		tree = tree || (p.Snapshot == b.ID.String() && strings.Contains(p.Message, "tree is in missing pack"))
	}
	if !missing || !tree {
		t.Fatalf("problems: %v", res.Problems)
	}
	if failed, _ := verify.FailedSnapshots(ctx, be); len(failed) != 0 {
		t.Fatal("NoRecord recorded failures")
	}
}

func TestSubset(t *testing.T) {
	be, _, _ := twoSnapshots(t)
	res := run(t, be, verify.Options{ReadDataSubset: 0.01})
	if res.PacksRead != 1 {
		t.Fatalf("1%% of the packs should read one pack: %+v", res)
	}
}
