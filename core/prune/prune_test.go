package prune_test

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/savepoint-ci/savepoint/core/prune"
	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/restore"
	"github.com/savepoint-ci/savepoint/core/save"
	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/storage/storagetest"
	"github.com/savepoint-ci/savepoint/core/tree"
	"github.com/savepoint-ci/savepoint/core/verify"
	"github.com/savepoint-ci/savepoint/internal/testrepo"
)

func TestPruneDeletesUnusedAndKeepsLive(t *testing.T) {
	be, clk, work := newRepoIn(t)
	s2 := forgottenFile(t, be, clk, work, 300<<10, 1200<<10)
	before := countPacks(be)
	// Young packs are kept.
	res, err := prune.Run(ctx, testrepo.Reopen(t, be), prune.Options{Now: clk.Now, Grace: time.Hour, ClockSkew: new(time.Duration(0))})
	if err != nil {
		t.Fatal(err)
	}
	if res.PacksDeleted != 0 || countPacks(be) != before {
		t.Fatalf("young packs deleted: %+v", res)
	}
	clk.Advance(2 * time.Hour)
	res, err = prune.Run(ctx, testrepo.Reopen(t, be), prune.Options{Now: clk.Now, Grace: time.Hour, ClockSkew: new(time.Duration(0))})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Immediate || res.PacksDeleted == 0 || res.BlobsCopied == 0 {
		t.Fatalf("nothing deleted or repacked: %+v", res)
	}
	mustVerify(t, be, true)
	mustRestore(t, be, s2, filepath.Join(work, "a"))
	// A second prune finds nothing more to do.
	clk.Advance(2 * time.Hour)
	res, err = prune.Run(ctx, testrepo.Reopen(t, be), prune.Options{Now: clk.Now, Grace: time.Hour, ClockSkew: new(time.Duration(0))})
	if err != nil {
		t.Fatal(err)
	}
	if res.PacksScheduled != 0 || res.BlobsCopied != 0 {
		t.Fatalf("second prune still busy: %+v", res)
	}
	mustVerify(t, be, true)
}

// A writer that started before the intent blocks its execution; a writer
// that starts after it never deduplicates against the doomed packs.
func TestIntentWaitsForOlderWriters(t *testing.T) {
	be, clk, work := newRepoIn(t)
	data := testrepo.Random(400 << 10)
	testrepo.WriteFile(t, work, "a/f.bin", data)
	s1 := saveDir(t, be, clk, "a", "n")
	clk.Advance(2 * time.Hour)
	// An old writer starts (marker written, index read) before the prune.
	old := writer(t, be, clk, "old", true)
	be.Remove(ctx, storage.Handle{Kind: storage.KindSnapshot, Name: s1.ID.String()})
	clk.Advance(time.Minute)
	res, err := prune.Run(ctx, testrepo.Reopen(t, be), prune.Options{Now: clk.Now, Grace: time.Hour, ClockSkew: new(time.Duration(0))})
	if err != nil {
		t.Fatal(err)
	}
	if res.PacksScheduled == 0 || res.Immediate || res.PacksDeleted != 0 {
		t.Fatalf("expected a deferred intent: %+v", res)
	}
	// A new writer sees the intent and re-writes the content.
	clk.Advance(time.Minute)
	s2 := saveDir(t, be, clk, "a", "n")
	if s2.Stats.BlobsNew == 0 {
		t.Fatal("new writer deduplicated against doomed packs")
	}
	// The old writer commits a snapshot using the old blobs.
	oldSnap, err := save.Run(ctx, old, save.Options{Paths: []string{"a"}, Name: "old", Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	if oldSnap.Stats.BlobsNew != 0 {
		t.Fatalf("old writer should have deduplicated: %+v", oldSnap.Stats)
	}
	// Next prune: the intent executes; packs the old snapshot uses are rescued.
	clk.Advance(time.Minute)
	res, err = prune.Run(ctx, testrepo.Reopen(t, be), prune.Options{Now: clk.Now, Grace: time.Hour, ClockSkew: new(time.Duration(0))})
	if err != nil {
		t.Fatal(err)
	}
	if res.IntentsExecuted != 1 || res.PacksDeleted == 0 {
		t.Fatalf("expected the intent executed (the new writer re-wrote the blobs): %+v", res)
	}
	mustVerify(t, be, true)
	mustRestore(t, be, s2, filepath.Join(work, "a"))
	mustRestore(t, be, oldSnap, filepath.Join(work, "a"))
}

// Without a newer copy, the packs a late snapshot uses are rescued.
func TestIntentRescuesPacksOfLateSnapshots(t *testing.T) {
	be, clk, work := newRepoIn(t)
	testrepo.WriteFile(t, work, "a/f.bin", testrepo.Random(400<<10))
	s1 := saveDir(t, be, clk, "a", "n")
	clk.Advance(2 * time.Hour)
	old := writer(t, be, clk, "old", true)
	be.Remove(ctx, storage.Handle{Kind: storage.KindSnapshot, Name: s1.ID.String()})
	opts := prune.Options{Now: clk.Now, Grace: time.Hour, ClockSkew: new(time.Duration(0))}
	res := mustPrune(t, be, opts)
	if res.PacksScheduled == 0 || res.Immediate {
		t.Fatalf("expected a deferred intent: %+v", res)
	}
	// Still deferred while the old writer runs.
	clk.Advance(time.Minute)
	if res = mustPrune(t, be, opts); res.IntentsDeferred != 1 || res.PacksDeleted != 0 {
		t.Fatalf("expected the intent to wait: %+v", res)
	}
	oldSnap, err := save.Run(ctx, old, save.Options{Paths: []string{"a"}, Name: "old", Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Minute)
	res = mustPrune(t, be, opts)
	if res.IntentsExecuted != 1 || res.PacksRescued == 0 {
		t.Fatalf("expected rescues: %+v", res)
	}
	mustVerify(t, be, true)
	mustRestore(t, be, oldSnap, filepath.Join(work, "a"))
}

// A restore that starts while a repacked pack waits for deletion reads the
// copies, so the deletion cannot pull data from under it.
func TestReaderAfterIntentReadsCopies(t *testing.T) {
	be, clk, work := newRepoIn(t)
	s2 := forgottenFile(t, be, clk, work, 100<<10, 600<<10)
	clk.Advance(2 * time.Hour)
	// A session that started before the prune holds the deletion back.
	early := writer(t, be, clk, "early", false)
	clk.Advance(time.Minute)
	opts := prune.Options{Now: clk.Now, Grace: time.Hour, ClockSkew: new(time.Duration(0))}
	res := mustPrune(t, be, opts)
	if res.PacksRepacked == 0 || res.Immediate {
		t.Fatalf("expected a repack waiting for deletion: %+v", res)
	}
	// A reader starting now sees the intent and the copies.
	clk.Advance(time.Minute)
	reader := writer(t, be, clk, "reader", true)
	intents, _ := reader.ListIntents(ctx)
	doomed := map[string]bool{}
	for _, in := range intents {
		for _, p := range in.Packs {
			doomed[p.ID.String()] = true
		}
	}
	used := []repository.ID{*s2.Tree}
	err := tree.Walk(ctx, reader, *s2.Tree, "", func(p string, n *tree.Node) error {
		used = append(used, n.Content...)
		if n.Subtree != nil {
			used = append(used, *n.Subtree)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range used {
		if l, _ := reader.Index().Lookup(id); doomed[l.Pack.String()] {
			t.Errorf("reader resolves blob %s of a live snapshot to doomed pack %s", id.Short(), l.Pack.Short())
		}
	}
	// The early session ends; the next prune deletes the old packs.
	early.EndSession(ctx)
	clk.Advance(time.Minute)
	if res = mustPrune(t, be, opts); res.PacksDeleted == 0 {
		t.Fatalf("expected the old packs deleted: %+v", res)
	}
	// The reader, whose index was loaded before, still restores.
	target := t.TempDir()
	if _, err := restore.Run(ctx, reader, s2, restore.Options{Target: target}); err != nil {
		t.Fatal(err)
	}
	if d := testrepo.Equal(t, filepath.Join(work, "a"), filepath.Join(target, "a")); d != "" {
		t.Fatal(d)
	}
	reader.EndSession(ctx)
	mustVerify(t, be, true)
}

// A verify whose index view a concurrent prune made stale looks again
// instead of reporting the packs prune deleted.
func TestVerifyDuringPrune(t *testing.T) {
	be, clk, work := newRepoIn(t)
	forgottenFile(t, be, clk, work, 300<<10, 900<<10)
	clk.Advance(2 * time.Hour)
	var pres *prune.Result
	// A whole prune runs just before the verify's first listing of data
	// packs, after it has read the index.
	w := storagetest.NewFaulty(be, storagetest.Fault{Op: storagetest.OpList, Kind: storage.KindData, Times: 1, Before: func() {
		var err error
		pres, err = prune.Run(ctx, testrepo.Reopen(t, be), prune.Options{Now: clk.Now, Grace: time.Hour, ClockSkew: new(time.Duration(0))})
		if err != nil {
			t.Error(err)
		}
	}})
	res, err := verify.Run(ctx, testrepo.Reopen(t, w), verify.Options{ReadData: true, NoRecord: true})
	if err != nil {
		t.Fatal(err)
	}
	if pres == nil || pres.PacksDeleted == 0 {
		t.Fatalf("the prune in the middle deleted nothing: %+v", pres)
	}
	for _, p := range res.Problems {
		t.Errorf("verify: %s", p)
	}
}

func TestLease(t *testing.T) {
	be, clk := newRepo(t)
	repo := testrepo.Reopen(t, be)
	opts := prune.Options{Now: clk.Now, Grace: time.Hour}
	// A live lease of another prune.
	data, _ := repo.SealJSON(prune.Lease{Holder: "other", Host: "ci-7", Acquired: clk.Now(), Expires: clk.Now().Add(time.Hour)})
	be.Save(ctx, storage.Handle{Kind: storage.KindLease, Name: prune.LeaseName}, data)
	if _, err := prune.Run(ctx, repo, opts); !errors.Is(err, prune.ErrLeaseHeld) || !strings.Contains(err.Error(), "ci-7") {
		t.Fatalf("live lease: %v", err)
	}
	// Expired: stale, and the message says what to do.
	clk.Advance(2 * time.Hour)
	_, err := prune.Run(ctx, repo, opts)
	if !errors.Is(err, prune.ErrLeaseStale) || !strings.Contains(err.Error(), "expired") {
		t.Fatalf("stale lease: %v", err)
	}
	opts.BreakLease = true
	if _, err := prune.Run(ctx, repo, opts); err != nil {
		t.Fatal(err)
	}
	if l, err := prune.ReadLease(ctx, repo); err != nil || l != nil {
		t.Fatalf("lease not released: %+v %v", l, err)
	}
	// A dry run takes no lease and works beside a live one.
	data, _ = repo.SealJSON(prune.Lease{Holder: "other", Acquired: clk.Now(), Expires: clk.Now().Add(time.Hour)})
	be.Save(ctx, storage.Handle{Kind: storage.KindLease, Name: prune.LeaseName}, data)
	if _, err := prune.Run(ctx, repo, prune.Options{Now: clk.Now, DryRun: true}); err != nil {
		t.Fatal(err)
	}
}
