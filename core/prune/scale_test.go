package prune_test

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/savepoint-ci/savepoint/core/prune"
	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/snapshot"
	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/storage/mem"
	"github.com/savepoint-ci/savepoint/core/tree"
	"github.com/savepoint-ci/savepoint/internal/testclock"
	"github.com/savepoint-ci/savepoint/internal/testrepo"
)

// manySnapshots writes n small snapshots directly (no file system): each
// has its own file and shares a directory of 20 files with all others.
func manySnapshots(t testing.TB, n int) (*mem.Backend, *testclock.Clock, []repository.ID) {
	clk := testclock.New()
	repo, be := testrepo.New(t)
	be.Now = clk.Now
	blob := func(data []byte) repository.ID {
		id := repo.Hash(data)
		if _, err := repo.SaveBlob(ctx, repository.DataBlob, id, data); err != nil {
			t.Fatal(err)
		}
		return id
	}
	var shared tree.Tree
	for i := 0; i < 20; i++ {
		shared.Nodes = append(shared.Nodes, tree.Node{Name: fmt.Sprintf("f%02d", i), Type: tree.File, Mode: 0o644,
			Content: []repository.ID{blob([]byte(fmt.Sprintf("shared file %d", i)))}})
	}
	sharedID, err := tree.Save(ctx, repo, &shared)
	if err != nil {
		t.Fatal(err)
	}
	var roots []repository.ID
	for i := 0; i < n; i++ {
		sub := sharedID
		root := tree.Tree{Nodes: []tree.Node{
			{Name: "common", Type: tree.Dir, Mode: 0o755, Subtree: &sub},
			{Name: "own.txt", Type: tree.File, Mode: 0o644, Content: []repository.ID{blob([]byte(fmt.Sprintf("snapshot %d", i)))}},
		}}
		id, err := tree.Save(ctx, repo, &root)
		if err != nil {
			t.Fatal(err)
		}
		roots = append(roots, id)
	}
	if _, err := repo.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	var ids []repository.ID
	for i, root := range roots {
		r := root
		s := &snapshot.Snapshot{Time: clk.Now().Add(time.Duration(i) * time.Second), Name: "n", Tree: &r, Paths: []string{"."}}
		id, err := snapshot.Save(ctx, repo, s)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return be, clk, ids
}

// Prune of 1,000 snapshots reads each distinct tree once and holds one at
// a time (the bound is in docs/prune.md); half of them forgotten, their
// blobs go.
func TestPruneThousandSnapshots(t *testing.T) {
	be, clk, ids := manySnapshots(t, 1000)
	for _, id := range ids[:500] {
		be.Remove(ctx, storage.Handle{Kind: storage.KindSnapshot, Name: id.String()})
	}
	clk.Advance(2 * time.Hour)
	var m0, m1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m0)
	start := time.Now()
	res, err := prune.Run(ctx, testrepo.Reopen(t, be), prune.Options{Now: clk.Now, Grace: time.Hour, ClockSkew: new(time.Duration(0))})
	if err != nil {
		t.Fatal(err)
	}
	elapsed := time.Since(start)
	runtime.ReadMemStats(&m1)
	if res.Snapshots != 500 || res.TreesRead != 501 {
		t.Fatalf("expected 500 snapshots and 501 distinct trees read once each: %+v", res)
	}
	if res.LiveBlobs != 500+1+20+500 { // own chunks, shared tree, shared chunks, root trees
		t.Fatalf("live blobs %d", res.LiveBlobs)
	}
	if res.BlobsCopied != res.LiveBlobs || !res.Immediate {
		t.Fatalf("expected the mixed packs repacked at once: %+v", res)
	}
	mustVerify(t, be, true)
	t.Logf("prune of 1000 snapshots (500 forgotten): %v, %d bytes allocated, %d requests", elapsed, m1.TotalAlloc-m0.TotalAlloc, res.Requests.Total())
}

func BenchmarkPruneMark(b *testing.B) {
	for _, n := range []int{100, 1000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			be, clk, _ := manySnapshots(b, n)
			repo := testrepo.Reopen(b, be)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := prune.Run(ctx, repo, prune.Options{Now: clk.Now, DryRun: true}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
