package repair_test

import (
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/savepoint-ci/savepoint/core/prune"
	"github.com/savepoint-ci/savepoint/core/repair"
	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/snapshot"
	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/tree"
	"github.com/savepoint-ci/savepoint/internal/testrepo"
)

func findNode(t *testing.T, repo *repository.Repository, root repository.ID, p string) tree.Node {
	t.Helper()
	var found *tree.Node
	tree.Walk(ctx, repo, root, "", func(q string, n *tree.Node) error {
		if q == p {
			c := *n
			found = &c
		}
		return nil
	})
	if found == nil {
		t.Fatalf("%s not in the tree", p)
	}
	return *found
}

// TestIndexRebuiltFromPacks: with every index segment deleted, nothing
// restores; a dry run changes nothing; the repair indexes every pack again
// from its header (version 1 packs, version 2 packs with compression
// groups), after which both snapshots restore byte-identical and verify
// reads every blob cleanly. A second repair finds nothing to do.
func TestIndexRebuiltFromPacks(t *testing.T) {
	for _, v := range []int{1, 2} {
		t.Run("version "+string(rune('0'+v)), func(t *testing.T) {
			be, work := newRepo(t, v)
			writeTree(t, work, "a")
			s1 := saveDir(t, be, "a", "one")
			testrepo.WriteFile(t, work, "a/src/new.txt", []byte(strings.Repeat("added later\n", 50)))
			s2 := saveDir(t, be, "a", "one")
			if n := removeKind(t, be, storage.KindIndex); n != 2 {
				t.Fatalf("%d index segments, want 2 (one per save)", n)
			}
			if err := restoreErr(t, be, s2, filepath.Join(work, "a")); err == nil {
				t.Fatal("a restore without an index succeeded")
			}

			before := objects(t, be)
			res, err := repair.Index(ctx, testrepo.Reopen(t, be), repair.Options{DryRun: true})
			if err != nil || !res.Changed() || res.PacksAdded == 0 || res.SegmentsWritten != 0 {
				t.Fatalf("dry run: %+v, %v", res, err)
			}
			sameObjects(t, "the dry run", before, objects(t, be))

			res, err = repair.Index(ctx, testrepo.Reopen(t, be), repair.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if res.PacksAdded != res.Packs || res.PacksIndexed != 0 || res.SegmentsWritten != 1 || res.SegmentsRemoved != 0 {
				t.Fatalf("repair: %+v", res)
			}
			if err := restoreErr(t, be, s2, filepath.Join(work, "a")); err != nil {
				t.Fatal(err)
			}
			grouped := 0
			repo := testrepo.Reopen(t, be)
			repo.LoadIndex(ctx)
			repo.Index().Each(func(_ repository.ID, l repository.Location) {
				if l.Grouped() {
					grouped++
				}
			})
			if (v == 2) != (grouped > 0) {
				t.Fatalf("format version %d: %d grouped blobs in the repaired index", v, grouped)
			}
			mustVerifyData(t, be)
			if _, err := restoreTo(t, be, s1); err != nil {
				t.Fatal(err)
			}

			res, err = repair.Index(ctx, testrepo.Reopen(t, be), repair.Options{})
			if err != nil || res.Changed() || res.SegmentsWritten != 0 {
				t.Fatalf("second repair: %+v, %v", res, err)
			}
		})
	}
}

// TestIndexReplacesUnreadableSegment: a damaged segment makes every reader
// fail; the repair writes the whole index again and removes it.
func TestIndexReplacesUnreadableSegment(t *testing.T) {
	be, work := newRepo(t, 2)
	writeTree(t, work, "a")
	saveDir(t, be, "a", "one")
	testrepo.WriteFile(t, work, "a/src/new.txt", []byte("more"))
	s := saveDir(t, be, "a", "one")
	var names []string
	be.List(ctx, storage.KindIndex, func(fi storage.Info) error { names = append(names, fi.Name); return nil })
	bad := storage.Handle{Kind: storage.KindIndex, Name: names[0]}
	data, _ := storage.LoadAll(ctx, be, bad)
	data[len(data)/2] ^= 1
	be.Remove(ctx, bad)
	be.Save(ctx, bad, data) // same name, other bytes
	if err := restoreErr(t, be, s, filepath.Join(work, "a")); err == nil {
		t.Fatal("a restore with a damaged index segment succeeded")
	}
	res, err := repair.Index(ctx, testrepo.Reopen(t, be), repair.Options{})
	if err != nil || len(res.SegmentsUnreadable) != 1 || res.SegmentsWritten != 1 || res.SegmentsRemoved != 2 {
		t.Fatalf("repair: %+v, %v", res, err)
	}
	if err := restoreErr(t, be, s, filepath.Join(work, "a")); err != nil {
		t.Fatal(err)
	}
	mustVerifyData(t, be)
}

// TestSnapshotsDropMissingFiles: a pack holding one file's data is
// deleted. The index repair drops its entries; a dry run of the snapshot
// repair names the file and changes nothing; the repair writes a snapshot
// without it (name, tags, time and provenance kept, the replaced snapshot
// and the dropped path recorded), removes the old one only then, and the
// rest restores; verify is clean. The snapshot that never had the file is
// left alone.
func TestSnapshotsDropMissingFiles(t *testing.T) {
	be, work := newRepo(t, 2)
	writeTree(t, work, "a")
	s1 := saveDir(t, be, "a", "one")
	testrepo.WriteFile(t, work, "a/late/lost.bin", testrepo.Random(300<<10))
	s2 := saveDir(t, be, "a", "one", "deploy")
	lost := packOf(t, be, s2, "a/late/lost.bin")
	if lost == packOf(t, be, s2, "a/bin/one.bin") {
		t.Fatal("the test needs the lost file in a pack of its own")
	}
	if err := be.Remove(ctx, storage.Handle{Kind: storage.KindData, Name: lost.String()}); err != nil {
		t.Fatal(err)
	}
	if _, err := repair.Index(ctx, testrepo.Reopen(t, be), repair.Options{}); err != nil {
		t.Fatal(err)
	}

	before := objects(t, be)
	res, err := repair.Snapshots(ctx, testrepo.Reopen(t, be), repair.Options{DryRun: true})
	if err != nil || len(res.Repairs) != 1 || !slices.Equal(res.Repairs[0].Dropped, []string{"a/late/lost.bin"}) || res.Repairs[0].New != "" {
		t.Fatalf("dry run: %+v, %v", res, err)
	}
	sameObjects(t, "the dry run", before, objects(t, be))

	repo := testrepo.Reopen(t, be)
	res, err = repair.Snapshots(ctx, repo, repair.Options{})
	repo.EndSession(ctx)
	if err != nil || len(res.Repairs) != 1 || res.Removed != 1 || res.TreesWritten != 3 {
		t.Fatalf("repair: %+v, %v", res, err)
	}
	r := res.Repairs[0]
	if r.Snapshot != s2.ID.String() || !slices.Equal(r.Dropped, []string{"a/late/lost.bin"}) {
		t.Fatalf("repair of %s: %+v", s2.ID.Short(), r)
	}
	list, err := snapshot.List(ctx, testrepo.Reopen(t, be))
	if err != nil || len(list) != 2 || list[0].ID != s1.ID {
		t.Fatalf("snapshots after the repair: %v, %v", list, err)
	}
	n := list[1]
	if n.ID.String() != r.New || n.Name != "one" || !slices.Equal(n.Tags, []string{"deploy"}) || !n.Time.Equal(s2.Time) ||
		n.Provenance["commit"] != "0123456789abcdef" || n.Repaired == nil || n.Repaired.Original != s2.ID ||
		!slices.Equal(n.Repaired.Dropped, []string{"a/late/lost.bin"}) || n.Repaired.DroppedCount != 1 {
		t.Fatalf("the repaired snapshot: %+v (repaired %+v)", n, n.Repaired)
	}
	dir, err := restoreTo(t, be, n)
	if err != nil {
		t.Fatal(err)
	}
	// Everything but the lost file, as saved.
	removeFile(t, filepath.Join(work, "a", "late", "lost.bin"))
	if d := testrepo.Equal(t, filepath.Join(work, "a"), filepath.Join(dir, "a")); d != "" {
		t.Fatalf("restore of the repaired snapshot: %s", d)
	}
	mustVerifyData(t, be)

	res, err = repair.Snapshots(ctx, testrepo.Reopen(t, be), repair.Options{})
	if err != nil || len(res.Repairs) != 0 {
		t.Fatalf("second repair: %+v, %v", res, err)
	}
}

// TestSnapshotsRefuseWhileIndexIncomplete: with the index lost, every
// file looks missing; the snapshot repair must not drop data that is in
// storage: it refuses, writes nothing, and says to repair the index.
func TestSnapshotsRefuseWhileIndexIncomplete(t *testing.T) {
	be, work := newRepo(t, 2)
	writeTree(t, work, "a")
	saveDir(t, be, "a", "one")
	removeKind(t, be, storage.KindIndex)
	before := objects(t, be)
	_, err := repair.Snapshots(ctx, testrepo.Reopen(t, be), repair.Options{})
	if !errors.Is(err, repair.ErrIndexIncomplete) {
		t.Fatalf("repair snapshots with the index lost: %v, want ErrIndexIncomplete", err)
	}
	after := objects(t, be)
	for k := range after {
		if strings.HasPrefix(k, "sessions/") {
			delete(after, k) // the writer's marker (the command line removes it)
		}
	}
	sameObjects(t, "the refused repair", before, after)
}

// TestRootTreeMissing: a snapshot whose root tree is gone cannot be
// repaired; it is left as it is and the error says so (ErrIncomplete).
func TestRootTreeMissing(t *testing.T) {
	be, work := newRepo(t, 2)
	writeTree(t, work, "a")
	s := saveDir(t, be, "a", "one")
	removeKind(t, be, storage.KindMeta)
	if _, err := repair.Index(ctx, testrepo.Reopen(t, be), repair.Options{}); err != nil {
		t.Fatal(err)
	}
	res, err := repair.Snapshots(ctx, testrepo.Reopen(t, be), repair.Options{})
	if !errors.Is(err, repair.ErrIncomplete) || len(res.Repairs) != 1 || !strings.Contains(res.Repairs[0].Unrepairable, "root tree") {
		t.Fatalf("repair: %+v, %v", res, err)
	}
	if _, err := snapshot.Load(ctx, testrepo.Reopen(t, be), s.ID); err != nil {
		t.Fatalf("the unrepairable snapshot was removed: %v", err)
	}
}

// TestRepairRefusedWhileLeaseHeld: both repairs refuse while a prune holds
// the lease (ErrLeaseHeld) and change nothing; a dry run still reads;
// BreakLease takes the lease over.
func TestRepairRefusedWhileLeaseHeld(t *testing.T) {
	be, work := newRepo(t, 2)
	writeTree(t, work, "a")
	saveDir(t, be, "a", "one")
	removeKind(t, be, storage.KindIndex)
	held, err := prune.TakeLease(ctx, testrepo.Reopen(t, be), prune.Options{Host: "other-host"})
	if err != nil {
		t.Fatal(err)
	}
	defer held.Release()
	before := objects(t, be)
	if _, err := repair.Index(ctx, testrepo.Reopen(t, be), repair.Options{}); !errors.Is(err, prune.ErrLeaseHeld) || !strings.Contains(err.Error(), "other-host") {
		t.Fatalf("repair index under another's lease: %v", err)
	}
	if _, err := repair.Snapshots(ctx, testrepo.Reopen(t, be), repair.Options{}); !errors.Is(err, prune.ErrLeaseHeld) {
		t.Fatalf("repair snapshots under another's lease: %v", err)
	}
	sameObjects(t, "the refused repairs", before, objects(t, be))
	if res, err := repair.Index(ctx, testrepo.Reopen(t, be), repair.Options{DryRun: true}); err != nil || res.PacksAdded == 0 {
		t.Fatalf("dry run under another's lease: %+v, %v", res, err)
	}
	if res, err := repair.Index(ctx, testrepo.Reopen(t, be), repair.Options{BreakLease: true}); err != nil || res.SegmentsWritten != 1 {
		t.Fatalf("repair with BreakLease: %+v, %v", res, err)
	}
	if l, _ := prune.ReadLease(ctx, testrepo.Reopen(t, be)); l != nil {
		t.Fatalf("the repair left the lease behind: %+v", l)
	}
}
