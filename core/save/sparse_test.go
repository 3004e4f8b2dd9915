package save

import (
	"os"
	"testing"
	"time"

	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/snapshot"
	"github.com/savepoint-ci/savepoint/core/tree"
	"github.com/savepoint-ci/savepoint/internal/testrepo"
)

// fileNode returns the node saved at rel.
func fileNode(t *testing.T, repo *repository.Repository, s *snapshot.Snapshot, rel string) *tree.Node {
	t.Helper()
	var found *tree.Node
	tree.Walk(ctx, repo, *s.Tree, "", func(p string, n *tree.Node) error {
		if p == rel {
			found = n
		}
		return nil
	})
	if found == nil {
		t.Fatalf("%s not in the snapshot", rel)
	}
	if err := tree.Check(found); err != nil {
		t.Fatal(err)
	}
	length := func(id repository.ID) (uint32, bool) {
		b, err := repo.LoadBlob(ctx, id)
		return uint32(len(b)), err == nil
	}
	if err := tree.CheckSize(found, length); err != nil {
		t.Fatal(err)
	}
	return found
}

// A sparse file: the filesystem's holes are recorded as holes and never
// read; a re-save with the parent reads nothing; a re-save after 1% of the
// data changed stores under 2% of it and reads no hole either.
func TestSparseFileHolesNotRead(t *testing.T) {
	repo, be := testrepo.New(t)
	dir := t.TempDir()
	var regions []testrepo.Region
	var data int64
	// 100 regions, as in a disk image: holes between them and at the end.
	for i := int64(0); i < 100; i++ {
		r := testrepo.Region{Off: i*5<<20 + i*4096, Data: testrepo.Random(40 << 10)}
		regions, data = append(regions, r), data+int64(len(r.Data))
	}
	const size = 512 << 20
	img := testrepo.WriteSparse(t, dir, "img/disk.raw", size, regions...)
	alloc := testrepo.Allocated(t, img)
	if alloc >= size/4 {
		t.Fatalf("the test file is not sparse on this filesystem (%d bytes allocated)", alloc)
	}
	t.Chdir(dir)
	first, err := Run(ctx, repo, Options{Paths: []string{"img"}, Name: "img"})
	if err != nil {
		t.Fatal(err)
	}
	if st := first.Stats; st.BytesRead > alloc || st.BytesRead < data || st.BytesScanned != size {
		t.Fatalf("read %d bytes of a file with %d bytes of data (%d allocated), scanned %d", st.BytesRead, data, alloc, st.BytesScanned)
	}
	n := fileNode(t, repo, first, "img/disk.raw")
	if !n.Sparse || n.Size != size || len(n.Holes) != 100 || n.HoleBytes() < size-uint64(data)-100*2*HoleBlock {
		t.Fatalf("node: sparse %v, size %d, %d holes of %d bytes", n.Sparse, n.Size, len(n.Holes), n.HoleBytes())
	}

	repo2 := testrepo.Reopen(t, be)
	second, err := Run(ctx, repo2, Options{Paths: []string{"img"}, Name: "img", Parent: first})
	if err != nil {
		t.Fatal(err)
	}
	if st := second.Stats; st.BytesRead != 0 || st.FilesUnchanged != 1 || st.BlobsNew != 0 {
		t.Fatalf("unchanged re-save: %+v", st)
	}
	if *second.Tree != *first.Tree {
		t.Fatal("the unchanged image saved a different tree")
	}

	// 1% of the data rewritten (one region's worth, in one place), a new
	// mtime.
	f, err := os.OpenFile(img, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt(testrepo.Random(int(data/100)), regions[7].Off); err != nil {
		t.Fatal(err)
	}
	f.Close()
	os.Chtimes(img, time.Now(), time.Now().Add(time.Minute))
	repo3 := testrepo.Reopen(t, be)
	third, err := Run(ctx, repo3, Options{Paths: []string{"img"}, Name: "img", Parent: second})
	if err != nil {
		t.Fatal(err)
	}
	// Stored, not raw: the chunks of a region span its whole blocks, the
	// zeros around the data included, which compress away.
	if st := third.Stats; st.BytesStored > data*2/100 || st.BytesRead > testrepo.Allocated(t, img) || st.FilesUnchanged != 0 {
		t.Fatalf("1%% changed: stored %d bytes of %d (limit 2%%), read %d: %+v", st.BytesStored, data, st.BytesRead, st)
	}
}

// A file that is not sparse on disk but holds zero blocks: they are read,
// found zero, recorded as holes, and the file is not marked sparse (its
// restore writes them back).
func TestZeroBlocksBecomeHoles(t *testing.T) {
	repo, _ := testrepo.New(t)
	dir := t.TempDir()
	content := make([]byte, 2<<20+100)
	copy(content, testrepo.Random(HoleBlock+5))               // data, then zeros to the next block
	copy(content[5*HoleBlock:], testrepo.Random(3*HoleBlock)) // zero blocks 2-4 before it
	content[len(content)-1] = 1                               // a partial last block with data
	testrepo.WriteFile(t, dir, "d/prealloc.db", content)
	testrepo.WriteFile(t, dir, "d/zeros", make([]byte, 3*HoleBlock+7))
	t.Chdir(dir)
	s, err := Run(ctx, repo, Options{Paths: []string{"d"}})
	if err != nil {
		t.Fatal(err)
	}
	if s.Stats.BytesRead != int64(len(content))+3*HoleBlock+7 {
		t.Fatalf("read %d bytes: a file without holes on disk is read whole", s.Stats.BytesRead)
	}
	n := fileNode(t, repo, s, "d/prealloc.db")
	// Blocks 0-1 data (block 1 holds 5 bytes), 2-4 zero, 5-7 data, 8-31
	// zero, then the 100-byte last block.
	if n.Sparse || len(n.Holes) != 2 || n.Holes[0].Len != 3*HoleBlock || n.Holes[1].Len != 24*HoleBlock ||
		n.Holes[0].At == 0 || n.Holes[1].At <= n.Holes[0].At || n.Holes[1].At == len(n.Content) {
		t.Fatalf("sparse %v, holes %+v in %d chunks", n.Sparse, n.Holes, len(n.Content))
	}
	z := fileNode(t, repo, s, "d/zeros")
	if len(z.Content) != 0 || len(z.Holes) != 1 || z.Holes[0].Len != 3*HoleBlock+7 {
		t.Fatalf("an all-zero file: %d chunks, holes %+v", len(z.Content), z.Holes)
	}
}
