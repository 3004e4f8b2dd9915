package restore_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/restore"
	"github.com/savepoint-ci/savepoint/core/save"
	"github.com/savepoint-ci/savepoint/core/snapshot"
	"github.com/savepoint-ci/savepoint/core/tree"
	"github.com/savepoint-ci/savepoint/core/verify"
	"github.com/savepoint-ci/savepoint/internal/benchdata"
	"github.com/savepoint-ci/savepoint/internal/testrepo"
)

const mib = 1 << 20

// sparseFiles writes dir/img/: sparse files with holes at the start, in
// the middle and at the end, a file that is one hole, one with no holes,
// a hole-only tail that ends off a block boundary, and a file that is not
// sparse on disk but holds zero blocks (as a preallocated database file).
// It returns the files' names.
func sparseFiles(t *testing.T, dir string) []string {
	type region = testrepo.Region
	rnd := testrepo.Random
	files := map[string]struct {
		size    int64
		regions []region
	}{
		"start":   {8 * mib, []region{{Off: 3*mib + 4096, Data: rnd(700 << 10)}, {Off: 7 * mib, Data: rnd(mib)}}},
		"middle":  {8 * mib, []region{{Off: 0, Data: rnd(300 << 10)}, {Off: 6*mib + 123, Data: rnd(2*mib - 123)}}},
		"end":     {8 * mib, []region{{Off: 0, Data: rnd(mib)}, {Off: 2 * mib, Data: rnd(100 << 10)}}},
		"onehole": {16 * mib, nil},
		"tail":    {5*mib + 123, []region{{Off: 0, Data: rnd(mib + 77)}}},
	}
	var names []string
	for name, f := range files {
		testrepo.WriteSparse(t, dir, "img/"+name, f.size, f.regions...)
		names = append(names, name)
	}
	testrepo.WriteFile(t, dir, "img/dense", rnd(900<<10))
	prealloc := make([]byte, 3*mib)
	copy(prealloc[2*mib:], rnd(4096))
	testrepo.WriteFile(t, dir, "img/prealloc", prealloc)
	return append(names, "dense", "prealloc")
}

// sameContent compares two files' bytes, a MiB at a time.
func sameContent(t *testing.T, a, b string) {
	t.Helper()
	fa, err := os.Open(a)
	if err != nil {
		t.Fatal(err)
	}
	defer fa.Close()
	fb, err := os.Open(b)
	if err != nil {
		t.Fatal(err)
	}
	defer fb.Close()
	ba, bb := make([]byte, mib), make([]byte, mib)
	for off := 0; ; off += mib {
		na, ea := io.ReadFull(fa, ba)
		nb, _ := io.ReadFull(fb, bb)
		if na != nb || !bytes.Equal(ba[:na], bb[:nb]) {
			t.Fatalf("%s: content differs from %s after offset %d", b, a, off)
		}
		if ea != nil {
			return
		}
	}
}

// sameImage checks that got holds src's bytes in no more space than src
// takes (within 1.2x, and a page).
func sameImage(t *testing.T, src, got string) {
	t.Helper()
	sameContent(t, src, got)
	if a, b := testrepo.Allocated(t, src), testrepo.Allocated(t, got); b > a*12/10+4096 {
		t.Errorf("%s: %d bytes allocated, the original %d", got, b, a)
	}
}

// sparseSnapshot saves sparseFiles into a new repository.
func sparseSnapshot(t *testing.T) (*repository.Repository, string, *snapshot.Snapshot) {
	repo, _ := testrepo.New(t)
	dir := t.TempDir()
	sparseFiles(t, dir)
	return repo, dir, saveImg(t, repo, dir)
}

func saveImg(t *testing.T, repo *repository.Repository, dir string) *snapshot.Snapshot {
	t.Helper()
	t.Chdir(dir)
	snap, err := save.Run(ctx, repo, save.Options{Paths: []string{"img"}})
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

// Every file restores byte for byte; sparse files take no more space
// than the originals (within 1.2x, and a page); a file that was not sparse
// on disk is restored allocated.
func TestSparseRoundTrip(t *testing.T) {
	for _, resolver := range []string{"openat2", "walk"} {
		t.Run(resolver, func(t *testing.T) {
			if resolver == "walk" {
				restore.UsePortableResolver(t)
			}
			repo, _ := testrepo.New(t)
			dir := t.TempDir()
			names := sparseFiles(t, dir)
			snap := saveImg(t, repo, dir)
			target := t.TempDir()
			res, err := restore.Run(ctx, repo, snap, restore.Options{Target: target})
			if err != nil {
				t.Fatal(err)
			}
			if d := testrepo.Equal(t, filepath.Join(dir, "img"), filepath.Join(target, "img")); d != "" {
				t.Fatal(d)
			}
			for _, name := range names {
				sameImage(t, filepath.Join(dir, "img", name), filepath.Join(target, "img", name))
			}
			if b := testrepo.Allocated(t, filepath.Join(target, "img/prealloc")); b < 3*mib {
				t.Errorf("prealloc: %d bytes allocated: a file that was not sparse must stay allocated", b)
			}
			if res.HoleBytes < 35*mib || res.Files != int64(len(names)) {
				t.Fatalf("result %+v", res)
			}
		})
	}
}

// --no-sparse allocates every hole; --sparse also makes holes of the
// zero blocks of files that were not sparse.
func TestSparseModes(t *testing.T) {
	repo, dir, snap := sparseSnapshot(t)
	never, always := t.TempDir(), t.TempDir()
	if _, err := restore.Run(ctx, repo, snap, restore.Options{Target: never, Sparse: restore.SparseNever}); err != nil {
		t.Fatal(err)
	}
	if _, err := restore.Run(ctx, repo, snap, restore.Options{Target: always, Sparse: restore.SparseAlways}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"start", "onehole", "tail"} {
		sameContent(t, filepath.Join(dir, "img", name), filepath.Join(never, "img", name))
		fi, _ := os.Stat(filepath.Join(never, "img", name))
		if a := testrepo.Allocated(t, filepath.Join(never, "img", name)); a < fi.Size() {
			t.Errorf("%s without sparse: %d bytes allocated of %d", name, a, fi.Size())
		}
	}
	got := filepath.Join(always, "img/prealloc")
	sameContent(t, filepath.Join(dir, "img/prealloc"), got)
	if a := testrepo.Allocated(t, got); a > 64<<10 {
		t.Errorf("prealloc with sparse forced: %d bytes allocated for 4 KiB of data", a)
	}
}

// A restore onto a path that holds a larger file leaves exactly the
// snapshot's file: its size, its bytes, its holes.
func TestSparseOverLargerFile(t *testing.T) {
	repo, dir, snap := sparseSnapshot(t)
	target := t.TempDir()
	for _, name := range []string{"tail", "onehole", "dense"} {
		testrepo.WriteFile(t, target, "img/"+name, testrepo.Random(20*mib))
	}
	if _, err := restore.Run(ctx, repo, snap, restore.Options{Target: target}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"tail", "onehole", "dense"} {
		sameImage(t, filepath.Join(dir, "img", name), filepath.Join(target, "img", name))
	}
}

// A tree as releases before holes wrote it (no "holes", no "sparse")
// restores as before.
func TestOldFormatTreeRestores(t *testing.T) {
	repo, _ := testrepo.New(t)
	a, b := testrepo.Random(5000), make([]byte, 70000) // a chunk of zeros, as old saves stored them
	ids := make([]repository.ID, 2)
	for i, data := range [][]byte{a, b} {
		ids[i] = repo.Hash(data)
		if _, err := repo.SaveBlob(ctx, repository.DataBlob, ids[i], data); err != nil {
			t.Fatal(err)
		}
	}
	doc := fmt.Sprintf(`{"nodes":[{"name":"f","type":"file","mode":420,"mtime_ns":1763900000000000000,"size":75000,"content":["%s","%s"]}]}`, ids[0], ids[1])
	root := repo.Hash([]byte(doc))
	if _, err := repo.SaveBlob(ctx, repository.TreeBlob, root, []byte(doc)); err != nil {
		t.Fatal(err)
	}
	snap := commitTree(t, repo, root)
	for _, mode := range []restore.SparseMode{restore.SparseAuto, restore.SparseAlways} {
		target := t.TempDir()
		if _, err := restore.Run(ctx, repo, snap, restore.Options{Target: target, Sparse: mode}); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join(target, "f"))
		if err != nil || !bytes.Equal(got, append(a, b...)) {
			t.Fatalf("old tree, mode %d: %d bytes, %v", mode, len(got), err)
		}
	}
}

// A disk image goes back onto a block device (a loop device when losetup
// works here, else a file: the same code but for the device's checks) and
// onto a file that held something larger.
func TestRestoreToDevice(t *testing.T) {
	repo, _ := testrepo.New(t)
	dir := t.TempDir()
	sparseFiles(t, dir)
	t.Chdir(dir)
	snap, err := save.Run(ctx, repo, save.Options{Paths: []string{"img/middle"}})
	if err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(dir, "img/middle")

	// A device larger than the image, full of data: the image's holes are
	// zeroed, what lies beyond it is kept.
	backing := filepath.Join(t.TempDir(), "disk")
	testrepo.WriteFile(t, filepath.Dir(backing), "disk", bytes.Repeat([]byte{0xAB}, 10*mib))
	dev, why := testrepo.LoopDevice(t, backing)
	if dev == "" {
		t.Logf("no loop device (%s): writing to a file", why)
		dev = backing
	}
	if _, err := restore.Run(ctx, repo, snap, restore.Options{Device: dev}); err != nil {
		t.Fatal(err)
	}
	img, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	got := make([]byte, 10*mib)
	f, err := os.Open(dev)
	if err != nil {
		t.Fatal(err)
	}
	_, err = io.ReadFull(f, got)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	if dev != backing && (!bytes.Equal(got[:len(img)], img) || !bytes.Equal(got[len(img):], bytes.Repeat([]byte{0xAB}, 10*mib-len(img)))) {
		t.Fatal("the device does not hold the image followed by its old data")
	}

	// A file that held more: emptied, then the image, holes and all.
	out := filepath.Join(t.TempDir(), "disk.raw")
	testrepo.WriteFile(t, filepath.Dir(out), "disk.raw", testrepo.Random(20*mib))
	if _, err := restore.Run(ctx, repo, snap, restore.Options{Device: out}); err != nil {
		t.Fatal(err)
	}
	sameImage(t, src, out)
	// Too small a device, or a snapshot of several files.
	if dev != backing {
		small := filepath.Join(t.TempDir(), "small")
		testrepo.WriteFile(t, filepath.Dir(small), "small", make([]byte, mib))
		if sdev, _ := testrepo.LoopDevice(t, small); sdev != "" {
			if _, err := restore.Run(ctx, repo, snap, restore.Options{Device: sdev}); !errors.Is(err, restore.ErrDeviceTooSmall) {
				t.Fatalf("a device too small: %v", err)
			}
		}
	}
	all := saveImg(t, repo, dir)
	if _, err := restore.Run(ctx, repo, all, restore.Options{Device: out}); !errors.Is(err, restore.ErrNotOneFile) {
		t.Fatalf("several files onto a device: %v", err)
	}
	if _, err := restore.Run(ctx, repo, all, restore.Options{Device: out, Includes: []string{"img/tail"}}); err != nil {
		t.Fatal(err)
	}
	sameContent(t, filepath.Join(dir, "img/tail"), out)
}

// Holes and compression groups (format version 2) coexist: the small data
// regions of a sparse file are chunks like any other, grouped with their
// neighbours (those of the file, and small files beside it), and restore
// puts each at its offset between the holes, in every sparse mode.
func TestSparseRegionsInGroups(t *testing.T) {
	repo, be := testrepo.New(t)
	if v := repo.Config().Version; v < 2 {
		t.Fatalf("test repository at format version %d: no groups", v)
	}
	dir := t.TempDir()
	text := func(seed uint64, n int) []byte { return benchdata.Text(seed, n) }
	testrepo.WriteSparse(t, dir, "img/db", 24*mib,
		testrepo.Region{Off: 0, Data: text(1, 9000)},
		testrepo.Region{Off: 3*mib + 5000, Data: text(2, 20000)},
		testrepo.Region{Off: 9 * mib, Data: text(3, 150<<10)},
		testrepo.Region{Off: 24*mib - 700, Data: text(4, 700)})
	testrepo.WriteFile(t, dir, "img/notes.txt", text(5, 3000))
	snap := saveImg(t, repo, dir)

	// Every data chunk of the sparse file sits in a group.
	r2 := testrepo.Reopen(t, be)
	if err := r2.LoadIndex(ctx); err != nil {
		t.Fatal(err)
	}
	var chunks, grouped int
	var holes uint64
	err := tree.Walk(ctx, r2, *snap.Tree, "", func(p string, n *tree.Node) error {
		if p != "img/db" {
			return nil
		}
		holes = n.HoleBytes()
		for _, id := range n.Content {
			chunks++
			if l, ok := r2.Index().Lookup(id); ok && l.Grouped() {
				grouped++
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if chunks < 4 || grouped != chunks || holes < 20*mib {
		t.Fatalf("img/db: %d chunks, %d grouped, %d hole bytes: want every data region's chunks grouped between holes", chunks, grouped, holes)
	}
	for _, mode := range []restore.SparseMode{restore.SparseAuto, restore.SparseNever, restore.SparseAlways} {
		target := t.TempDir()
		res, err := restore.Run(ctx, r2, snap, restore.Options{Target: target, Sparse: mode})
		if err != nil {
			t.Fatalf("mode %d: %v", mode, err)
		}
		if d := testrepo.Equal(t, filepath.Join(dir, "img"), filepath.Join(target, "img")); d != "" {
			t.Fatalf("mode %d: %s", mode, d)
		}
		got := filepath.Join(target, "img/db")
		if mode == restore.SparseNever {
			sameContent(t, filepath.Join(dir, "img/db"), got)
		} else {
			sameImage(t, filepath.Join(dir, "img/db"), got)
		}
		if mode != restore.SparseNever && res.HoleBytes < 20*mib {
			t.Fatalf("mode %d: %d hole bytes restored as holes", mode, res.HoleBytes)
		}
	}
	if res, err := verify.Run(ctx, testrepo.Reopen(t, be), verify.Options{ReadData: true}); err != nil || !res.OK() {
		t.Fatalf("verify --read-data: %v %+v", err, res)
	}
}
