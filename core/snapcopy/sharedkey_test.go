package snapcopy_test

import (
	"bytes"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/save"
	"github.com/savepoint-ci/savepoint/core/snapcopy"
	"github.com/savepoint-ci/savepoint/core/snapshot"
	"github.com/savepoint-ci/savepoint/core/storage/mem"
	"github.com/savepoint-ci/savepoint/internal/testrepo"
)

// compressible is n bytes of text that compresses (so it is grouped).
func compressible(seed, n int) []byte {
	var b bytes.Buffer
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, "file %d line %d: %x\n", seed, i, testrepo.Random(4))
	}
	return b.Bytes()[:n]
}

// A repository created with KeyFrom names blobs as its source does, and a
// copy into it moves the source's units as they are: groups, single
// blobs and trees, none decoded. A group the destination holds part of is decoded,
// and only its missing blobs stored.
func TestCopySharedKey(t *testing.T) {
	_, a := testrepo.New(t)
	b := mem.New()
	bRepo, err := repository.Init(ctx, b, repository.InitOptions{Password: "test-password", PackSize: 1 << 20, KeyFrom: testrepo.Reopen(t, a)})
	if err != nil {
		t.Fatal(err)
	}
	if cfg := bRepo.Config(); cfg.Chunker != testrepo.SmallChunks || cfg.Version != repository.FormatVersion {
		t.Fatalf("config %+v", cfg)
	}
	dir := t.TempDir()
	t.Chdir(dir)
	for i := range 30 {
		testrepo.WriteFile(t, dir, filepath.Join("src", "d", fmt.Sprintf("%02d.txt", i)), compressible(i, 20<<10))
	}
	testrepo.WriteFile(t, dir, "src/big.bin", testrepo.Random(600<<10))
	stream := compressible(99, 300<<10)
	s1 := saveDir(t, a, "prod", stream)

	st := copyRun(t, a, b, snapcopy.Options{Name: "prod"})
	if !st.SharedKey || st.Copied != 1 || st.UnitsRaw == 0 || st.UnitsResealed != 0 {
		t.Fatalf("first copy: %+v", st)
	}
	checkCopy(t, b, s1, filepath.Join(dir, "src"), stream)
	list, _ := snapshot.List(ctx, testrepo.Reopen(t, b))
	if *list[0].Tree != *s1.Tree || list[0].Sources[0].Content[0] != s1.Sources[0].Content[0] {
		t.Fatal("the copy's IDs differ from the source's")
	}
	srcIdx, dstIdx := testrepo.Reopen(t, a), testrepo.Reopen(t, b)
	if err := srcIdx.LoadIndex(ctx); err != nil {
		t.Fatal(err)
	}
	if err := dstIdx.LoadIndex(ctx); err != nil {
		t.Fatal(err)
	}
	srcIdx.Index().Each(func(id repository.ID, l repository.Location) {
		if !dstIdx.Index().Has(id) {
			t.Errorf("blob %s of the source is not in the copy", id.Short())
		}
	})

	// B saves one file itself (the same key, so the same ID), then A a
	// snapshot whose group holds it and new ones: that group is decoded,
	// the others move as they are.
	// (Files under the chunker's minimum are one chunk: a stream of the
	// same bytes has the same ID.)
	new1 := compressible(100, 12<<10)
	testrepo.WriteFile(t, dir, "src/d/new1.txt", new1)
	testrepo.WriteFile(t, dir, "src/d/new2.txt", compressible(101, 12<<10))
	local := testrepo.Reopen(t, b)
	if _, err := save.SaveStream(ctx, local, bytes.NewReader(new1)); err != nil {
		t.Fatal(err)
	}
	if _, err := local.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	s2 := saveDir(t, a, "prod", stream)
	st = copyRun(t, a, b, snapcopy.Options{Snapshots: []string{"prod:latest"}})
	// (The three new trees, src, src/d and the root, move as stored.)
	if st.Copied != 1 || st.UnitsResealed != 1 || st.UnitsRaw != 3 {
		t.Fatalf("second copy: %+v", st)
	}
	checkCopy(t, b, s2, filepath.Join(dir, "src"), stream)
}

// twoRepos makes two repositories of their own keys, saves one small
// file into the first and copies it into the second.
func twoRepos(t *testing.T) (a, b *mem.Backend, st snapcopy.Stats) {
	_, a = testrepo.New(t)
	_, b = testrepo.New(t)
	dir := t.TempDir()
	t.Chdir(dir)
	testrepo.WriteFile(t, dir, "src/a.txt", compressible(1, 40<<10))
	saveDir(t, a, "prod", nil)
	return a, b, copyRun(t, a, b, snapcopy.Options{All: true})
}

// Different keys: nothing moves raw.
func TestCopyKeysDifferNoRaw(t *testing.T) {
	_, _, st := twoRepos(t)
	if st.SharedKey || st.UnitsRaw != 0 || st.UnitsResealed == 0 {
		t.Fatalf("%+v", st)
	}
}

// A caller that listed both repositories (a sync job) hands the lists to
// Run, which then lists neither again: a copy with nothing to move makes
// no request to the source.
func TestCopyGivenLists(t *testing.T) {
	a, b, _ := twoRepos(t)
	src, dst := testrepo.Reopen(t, a), testrepo.Reopen(t, b)
	srcList, err := snapshot.List(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	dstList, err := snapshot.List(ctx, dst)
	if err != nil {
		t.Fatal(err)
	}
	st, err := snapcopy.Run(ctx, src, dst, snapcopy.Options{All: true, SourceList: srcList, DestinationList: dstList})
	if err != nil || st.Skipped != 1 || st.SourceRequests.List != 0 || st.SourceRequests.Get != 0 || st.DestinationRequests.List != 0 {
		t.Fatalf("%v %+v", err, st)
	}
	if st := copyRun(t, a, b, snapcopy.Options{All: true}); st.SourceRequests.List == 0 {
		t.Fatalf("without lists, Run lists the source: %+v", st)
	}
}

// Unencrypted repositories sharing a key: units have no tag, so each is
// decoded and its IDs checked before it moves as stored.
func TestCopySharedKeyUnencrypted(t *testing.T) {
	aRepo, a := testrepo.NewPlain(t)
	b := mem.New()
	if _, err := repository.Init(ctx, b, repository.InitOptions{NoEncryption: true, PackSize: 1 << 20, KeyFrom: aRepo}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	t.Chdir(dir)
	testrepo.WriteFile(t, dir, "src/a.txt", compressible(1, 40<<10))
	testrepo.WriteFile(t, dir, "src/b.bin", testrepo.Random(300<<10))
	s := saveDir(t, a, "prod", nil)
	st := copyRun(t, a, b, snapcopy.Options{All: true})
	if !st.SharedKey || st.UnitsRaw == 0 || st.UnitsResealed != 0 {
		t.Fatalf("%+v", st)
	}
	checkCopy(t, b, s, filepath.Join(dir, "src"), nil)
}
