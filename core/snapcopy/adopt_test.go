package snapcopy_test

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/savepoint-ci/savepoint/core/repair"
	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/snapcopy"
	"github.com/savepoint-ci/savepoint/core/snapshot"
	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/storage/mem"
	"github.com/savepoint-ci/savepoint/core/storage/storagetest"
	"github.com/savepoint-ci/savepoint/internal/testrepo"
)

// killSource saves about 3 MB of random files (a few 1 MiB packs) into a
// new repository, and makes an empty destination with a key of its own.
func killSource(t *testing.T) (a, b *mem.Backend, src string) {
	t.Helper()
	_, a = testrepo.New(t)
	_, b = testrepo.New(t)
	dir := t.TempDir()
	t.Chdir(dir)
	for i := range 12 {
		testrepo.WriteFile(t, dir, filepath.Join("src", fmt.Sprintf("%02d.bin", i)), testrepo.Random(256<<10))
	}
	saveDir(t, a, "prod", nil)
	return a, b, filepath.Join(dir, "src")
}

// killedCopy copies a into b through a backend that fails every data pack
// upload after the first n, as a copy killed half-way: n data packs (and
// maybe a tree pack, uploaded while the failure was on its way) land and
// no index segment names them.
func killedCopy(t *testing.T, a, b storage.Backend, n int) {
	t.Helper()
	f := storagetest.NewFaulty(b, storagetest.Fault{Op: storagetest.OpSave, Kind: storage.KindData, Nth: n + 1})
	_, err := snapcopy.Run(ctx, testrepo.Reopen(t, a), testrepo.Reopen(t, f), snapcopy.Options{All: true})
	if !errors.Is(err, storagetest.ErrInjected) {
		t.Fatalf("the killed copy: %v", err)
	}
}

// unindexedPacks returns the packs of be no index segment names, by name.
func unindexedPacks(t *testing.T, be storage.Backend) map[string]repair.Pack {
	t.Helper()
	repo := testrepo.Reopen(t, be)
	if err := repo.LoadIndex(ctx); err != nil {
		t.Fatal(err)
	}
	packs, err := repair.ListPacks(ctx, be)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]repair.Pack{}
	for id, p := range packs {
		if !repo.Index().HasPack(id) {
			out[id.String()] = p
		}
	}
	return out
}

// storedTwice counts the blobs stored in more than one of be's packs
// (every pack header read, indexed or not, unreadable ones skipped).
func storedTwice(t *testing.T, be storage.Backend) int {
	t.Helper()
	repo := testrepo.Reopen(t, be)
	seen, twice := map[repository.ID]bool{}, 0
	for _, k := range []storage.Kind{storage.KindData, storage.KindMeta} {
		var names []string
		if err := be.List(ctx, k, func(fi storage.Info) error { names = append(names, fi.Name); return nil }); err != nil {
			t.Fatal(err)
		}
		for _, name := range names {
			id, _ := repository.ParseID(name)
			entries, err := repo.ReadPackHeader(ctx, k, id)
			if errors.Is(err, repository.ErrCorrupted) {
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range entries {
				if seen[e.ID] {
					twice++
				}
				seen[e.ID] = true
			}
		}
	}
	return twice
}

// sourceSnapshot is the one snapshot of be.
func sourceSnapshot(t *testing.T, be storage.Backend) *snapshot.Snapshot {
	t.Helper()
	list, err := snapshot.List(ctx, testrepo.Reopen(t, be))
	if err != nil || len(list) != 1 {
		t.Fatalf("%v: %d snapshots", err, len(list))
	}
	return list[0]
}

// saveForeign stores data in be's data packs under its SHA-256, as a pack.
func saveForeign(t *testing.T, be storage.Backend, data []byte) string {
	t.Helper()
	sum := sha256.Sum256(data)
	name := hex.EncodeToString(sum[:])
	if err := be.Save(ctx, storage.Handle{Kind: storage.KindData, Name: name}, data); err != nil {
		t.Fatal(err)
	}
	return name
}

// A copy killed after two data packs landed, unindexed: the rerun indexes them
// and sends none of their blobs again, the destination verifies with
// every pack read and restores byte-identical. A pack that does not open
// under the destination's key (garbage, or a pack of the source's key) is
// left where it is, unindexed.
func TestCopyAdoptsKilledCopysPacks(t *testing.T) {
	a, b, src := killSource(t)
	killedCopy(t, a, b, 2)
	landed := unindexedPacks(t, b)
	if len(landed) < 2 {
		t.Fatalf("%d packs landed unindexed, want at least 2", len(landed))
	}
	var landedBytes int64
	for _, p := range landed {
		landedBytes += p.Size
	}
	garbage := saveForeign(t, b, testrepo.Random(100<<10))
	var foreign string
	a.List(ctx, storage.KindData, func(fi storage.Info) error { foreign = fi.Name; return nil })
	data, err := storage.LoadAll(ctx, a, storage.Handle{Kind: storage.KindData, Name: foreign})
	if err != nil {
		t.Fatal(err)
	}
	saveForeign(t, b, data)

	st := copyRun(t, a, b, snapcopy.Options{All: true})
	if st.Copied != 1 || st.PacksAdopted != int64(len(landed)) || st.BytesAdopted != landedBytes || st.BlobsAdopted == 0 {
		t.Fatalf("rerun: %+v (landed %d bytes)", st, landedBytes)
	}
	if n := storedTwice(t, b); n != 0 {
		t.Fatalf("the rerun stored %d blob(s) of the landed packs again", n)
	}
	_, fresh := testrepo.New(t)
	whole := copyRun(t, a, fresh, snapcopy.Options{All: true})
	t.Logf("landed %d bytes in %d packs; the rerun stored %d bytes in %d packs, a whole copy %d in %d",
		landedBytes, len(landed), st.BytesStored, st.Packs, whole.BytesStored, whole.Packs)
	if st.BytesStored > whole.BytesStored-landedBytes+32<<10 || st.Packs > whole.Packs-2+1 {
		t.Fatalf("the rerun stored %d bytes in %d packs: more than a whole copy's %d in %d less the %d landed",
			st.BytesStored, st.Packs, whole.BytesStored, whole.Packs, landedBytes)
	}
	left := unindexedPacks(t, b)
	if _, ok := left[garbage]; !ok || len(left) != 2 || left[foreign].Size == 0 {
		t.Fatalf("unindexed after the rerun: %v; want the garbage %s and the foreign %s", left, garbage, foreign)
	}
	checkCopy(t, b, sourceSnapshot(t, a), src, nil)
}

// Orphans a copy may not adopt: packs older than its session limit (a
// prune running now may be deleting them) and packs a deletion intent
// names. Their blobs are sent again; the copy is whole.
func TestCopyLeavesOldOrphans(t *testing.T) {
	a, b, src := killSource(t)
	b.Now = func() time.Time { return time.Now().Add(-13 * time.Hour) }
	killedCopy(t, a, b, 1)
	b.Now = time.Now
	killedCopy(t, a, b, 2) // the rerun adopts the old pack's blobs nowhere; two young ones land
	// Two young data packs (and maybe a tree pack) and one old one (and
	// maybe a tree pack); an intent names one of the young data packs.
	old, young := map[string]bool{}, map[string]bool{}
	for name, p := range unindexedPacks(t, b) {
		switch {
		case time.Since(p.ModTime) > time.Hour:
			old[name] = true
		case p.Kind == storage.KindData:
			young[name] = true
		}
	}
	if len(young) != 2 || len(old) == 0 {
		t.Fatalf("young data packs %v, old packs %v: want 2 and some", young, old)
	}
	var doomed string
	for name := range young {
		doomed = name
	}
	id, _ := repository.ParseID(doomed)
	repo := testrepo.Reopen(t, b)
	if _, err := repo.SaveIntent(ctx, repository.Intent{Created: time.Now(), Packs: []repository.PackRef{{ID: id, Kind: storage.KindData}}}); err != nil {
		t.Fatal(err)
	}

	st := copyRun(t, a, b, snapcopy.Options{All: true})
	if st.Copied != 1 || st.PacksAdopted == 0 {
		t.Fatalf("rerun: %+v: want the young packs no intent names adopted", st)
	}
	left := unindexedPacks(t, b)
	if _, ok := left[doomed]; !ok || len(left) != len(old)+1 {
		t.Fatalf("unindexed after the rerun: %v; want the old packs %v and %s", left, old, doomed)
	}
	for name := range old {
		if _, ok := left[name]; !ok {
			t.Fatalf("the old pack %s was adopted", name)
		}
	}
	if storedTwice(t, b) == 0 {
		t.Fatal("no blob of the old or doomed packs was stored again")
	}
	checkCopy(t, b, sourceSnapshot(t, a), src, nil)
}
