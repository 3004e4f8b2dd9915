package repository_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/storage/mem"
	"github.com/savepoint-ci/savepoint/internal/benchdata"
	"github.com/savepoint-ci/savepoint/internal/testrepo"
)

func TestSmallBlobsShareGroups(t *testing.T) {
	sizes := map[int]int64{}
	for _, version := range []int{1, 2} {
		repo, be := initVersion(t, version)
		files := smallFiles()
		saveAll(t, repo, files)
		sizes[version] = storedBytes(be, storage.KindData)
		r2 := testrepo.Reopen(t, be)
		if err := r2.LoadIndex(ctx); err != nil {
			t.Fatal(err)
		}
		groups := map[uint32]bool{}
		for _, f := range files {
			id := r2.Hash(f)
			l, ok := r2.Index().Lookup(id)
			if !ok {
				t.Fatalf("v%d: blob %s not indexed", version, id.Short())
			}
			if l.Grouped() != (version == 2) {
				t.Fatalf("v%d: blob grouped = %v", version, l.Grouped())
			}
			groups[l.Offset] = true
			got, err := r2.LoadBlob(ctx, id)
			if err != nil || !bytes.Equal(got, f) {
				t.Fatalf("v%d: blob %s: %v", version, id.Short(), err)
			}
		}
		if version == 2 && len(groups) > 2 {
			t.Fatalf("300 small blobs (170 KB) in %d groups, want one or two", len(groups))
		}
	}
	if sizes[2]*10 > sizes[1]*7 {
		t.Fatalf("groups store %d bytes, single blobs %d: want at least 30%% less", sizes[2], sizes[1])
	}
}

// A version 1 repository is written in version 1's format: "SPK1" packs
// with no groups, "SPX1" index segments; its config stays at version 1.
func TestVersion1StaysVersion1(t *testing.T) {
	repo, be := initVersion(t, 1)
	saveBlobs(t, repo, 5, 3000)
	be.List(ctx, storage.KindData, func(fi storage.Info) error {
		data, _ := storage.LoadAll(ctx, be, storage.Handle{Kind: storage.KindData, Name: fi.Name})
		if !bytes.HasSuffix(data, []byte("SPK1")) {
			t.Fatalf("pack %s does not end in SPK1", fi.Name[:8])
		}
		return nil
	})
	r2 := testrepo.Reopen(t, be)
	if v := r2.Config().Version; v != 1 {
		t.Fatalf("config version %d", v)
	}
	var segs int
	be.List(ctx, storage.KindIndex, func(fi storage.Info) error {
		id, _ := repository.ParseID(fi.Name)
		s, err := r2.LoadSegment(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range s.Blobs {
			if l.Grouped() {
				t.Fatal("grouped blob in a version 1 repository")
			}
		}
		segs++
		return nil
	})
	if segs != 1 {
		t.Fatalf("%d segments", segs)
	}
}

// Incompressible blobs are stored raw on their own, text goes into groups.
// A small incompressible blob (an archive's last chunk) stays out of the
// groups too: grouped first, it made zstd store the whole group raw, the
// text after it included.
func TestIncompressibleStoredRaw(t *testing.T) {
	for _, sizes := range [][2]int{{200 << 10, 200 << 10}, {40 << 10, 24 << 10}} {
		repo, be := initVersion(t, 2)
		random := benchdata.Random(7, sizes[0])
		text := benchdata.Text(7, sizes[1])
		saveAll(t, repo, [][]byte{random, text})
		r2 := testrepo.Reopen(t, be)
		r2.LoadIndex(ctx)
		lr, _ := r2.Index().Lookup(r2.Hash(random))
		lt, _ := r2.Index().Lookup(r2.Hash(text))
		if lr.Compressed() || lr.Grouped() {
			t.Fatalf("random blob of %d bytes: compressed %v grouped %v, want stored raw on its own", sizes[0], lr.Compressed(), lr.Grouped())
		}
		if !lt.Compressed() || !lt.Grouped() || lt.Length >= uint32(len(text)) {
			t.Fatalf("text blob of %d bytes: compressed %v grouped %v, %d bytes stored", sizes[1], lt.Compressed(), lt.Grouped(), lt.Length)
		}
	}
}

func TestTamperedGroupIsNamed(t *testing.T) {
	repo, be := initVersion(t, 2)
	files := smallFiles()[:20]
	saveAll(t, repo, files)
	pack := lastObject(be, storage.KindData)
	be.Corrupt(storage.Handle{Kind: storage.KindData, Name: pack}, 100)
	r2 := testrepo.Reopen(t, be)
	for _, f := range files {
		_, err := r2.LoadBlob(ctx, r2.Hash(f))
		if !errors.Is(err, repository.ErrCorrupted) || !strings.Contains(err.Error(), pack) {
			t.Fatalf("blob in a tampered group: %v (want ErrCorrupted naming pack %s)", err, pack[:8])
		}
	}
}

func TestUnknownFeatureRefused(t *testing.T) {
	_, be := initVersion(t, 2)
	h := storage.Handle{Kind: storage.KindConfig, Name: "config"}
	raw, _ := storage.LoadAll(ctx, be, h)
	raw = bytes.Replace(raw, []byte(`"version": 2,`), []byte(`"version": 2, "features": ["from-the-future"],`), 1)
	be.Save(ctx, h, raw)
	_, err := repository.Open(ctx, be, repository.OpenOptions{Password: "test-password"})
	if err == nil || !strings.Contains(err.Error(), "from-the-future") {
		t.Fatalf("unknown feature: %v", err)
	}
}

func TestMigrate(t *testing.T) {
	repo, be := initVersion(t, 1)
	old := saveBlobs(t, repo, 3, 2000)
	if from, err := repo.Migrate(ctx, true); err != nil || from != 1 || testrepo.Reopen(t, be).Config().Version != 1 {
		t.Fatalf("dry run: from %d, %v", from, err)
	}
	if from, err := repo.Migrate(ctx, false); err != nil || from != 1 || repo.Config().Version != 2 {
		t.Fatalf("migrate: from %d, %v", from, err)
	}
	r2 := testrepo.Reopen(t, be)
	if v := r2.Config().Version; v != 2 {
		t.Fatalf("version %d after migrate", v)
	}
	if from, err := r2.Migrate(ctx, false); err != nil || from != 2 {
		t.Fatalf("second migrate: from %d, %v", from, err)
	}
	files := smallFiles()[:10]
	saveAll(t, r2, files)
	r3 := testrepo.Reopen(t, be)
	for id, data := range old {
		if got, err := r3.LoadBlob(ctx, id); err != nil || !bytes.Equal(got, data) {
			t.Fatalf("version 1 blob after migrate: %v", err)
		}
	}
	for _, f := range files {
		l, _ := r3.Index().Lookup(r3.Hash(f))
		if !l.Grouped() {
			t.Fatal("blob written after migrate is not grouped")
		}
	}
}

// Index segments are sealed in place: an unencrypted repository (no nonce
// in front) reads its own back too.
func TestUnencryptedRoundTrip(t *testing.T) {
	be := mem.New()
	repo, err := repository.Init(ctx, be, repository.InitOptions{NoEncryption: true, PackSize: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	blobs := saveBlobs(t, repo, 20, 3000)
	r2, err := repository.Open(ctx, be, repository.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for id, data := range blobs {
		if got, err := r2.LoadBlob(ctx, id); err != nil || !bytes.Equal(got, data) {
			t.Fatalf("blob %s: %v", id.Short(), err)
		}
	}
}

// Blobs of one group read one by one (a stream's chunks) cost one read of
// the group.
func TestGroupReadOnce(t *testing.T) {
	repo, be := initVersion(t, 2)
	files := smallFiles()[:30]
	saveAll(t, repo, files)
	r2 := testrepo.Reopen(t, be)
	r2.LoadIndex(ctx)
	before := r2.Requests()
	for _, f := range files {
		if got, err := r2.LoadBlob(ctx, r2.Hash(f)); err != nil || !bytes.Equal(got, f) {
			t.Fatalf("blob: %v", err)
		}
	}
	if n := r2.Requests().Sub(before).Total(); n != 1 {
		t.Fatalf("%d requests for 30 blobs of one group, want 1", n)
	}
}
