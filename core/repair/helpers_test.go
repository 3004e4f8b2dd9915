package repair_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/restore"
	"github.com/savepoint-ci/savepoint/core/save"
	"github.com/savepoint-ci/savepoint/core/snapshot"
	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/storage/mem"
	"github.com/savepoint-ci/savepoint/core/verify"
	"github.com/savepoint-ci/savepoint/internal/testkdf"
	"github.com/savepoint-ci/savepoint/internal/testrepo"
)

var ctx = context.Background()

// newRepo makes a repository of format version v on a mem backend, with
// test-sized chunks and packs, and a working directory for the test.
func newRepo(t *testing.T, v int) (*mem.Backend, string) {
	t.Helper()
	testkdf.Cheap()
	be := mem.New()
	_, err := repository.Init(ctx, be, repository.InitOptions{Password: "test-password", Chunker: testrepo.SmallChunks,
		PackSize: 1 << 20, Version: v})
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	t.Chdir(work)
	return be, work
}

// writeTree writes dir: small text files (grouped in version 2) and two files
// of random data, one of several chunks.
func writeTree(t *testing.T, work, dir string) {
	t.Helper()
	for i := range 40 {
		testrepo.WriteFile(t, work, fmt.Sprintf("%s/src/f%02d.txt", dir, i), []byte(strings.Repeat(fmt.Sprintf("line %d of a text file\n", i), 20+i)))
	}
	testrepo.WriteFile(t, work, dir+"/bin/one.bin", testrepo.Random(200<<10))
	testrepo.WriteFile(t, work, dir+"/bin/two.bin", testrepo.Random(100<<10))
}

func saveDir(t *testing.T, be storage.Backend, dir, name string, tags ...string) *snapshot.Snapshot {
	t.Helper()
	repo := testrepo.Reopen(t, be)
	defer repo.Close()
	s, err := save.Run(ctx, repo, save.Options{Paths: []string{dir}, Name: name, Tags: tags,
		Provenance: map[string]string{"commit": "0123456789abcdef"}})
	if err != nil {
		t.Fatal(err)
	}
	repo.EndSession(ctx)
	return s
}

// restoreErr restores s into a new directory and compares it with want.
func restoreErr(t *testing.T, be storage.Backend, s *snapshot.Snapshot, want string) error {
	t.Helper()
	target := t.TempDir()
	if _, err := restore.Run(ctx, testrepo.Reopen(t, be), s, restore.Options{Target: target}); err != nil {
		return err
	}
	if d := testrepo.Equal(t, want, filepath.Join(target, filepath.Base(want))); d != "" {
		return fmt.Errorf("restored tree differs: %s", d)
	}
	return nil
}

// restoreTo restores s into a new directory and returns it.
func restoreTo(t *testing.T, be storage.Backend, s *snapshot.Snapshot) (string, error) {
	t.Helper()
	dir := t.TempDir()
	_, err := restore.Run(ctx, testrepo.Reopen(t, be), s, restore.Options{Target: dir})
	return dir, err
}

func removeFile(t *testing.T, p string) {
	t.Helper()
	if err := os.Remove(p); err != nil {
		t.Fatal(err)
	}
}

func mustVerifyData(t *testing.T, be storage.Backend) {
	t.Helper()
	res, err := verify.Run(ctx, testrepo.Reopen(t, be), verify.Options{ReadData: true, NoRecord: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range res.Problems {
		t.Errorf("verify --read-data: %s", p)
	}
}

// objects is every stored object with the SHA-256 of its bytes: what a
// dry run must leave as it found.
func objects(t *testing.T, be storage.Backend) map[string][32]byte {
	t.Helper()
	out := map[string][32]byte{}
	for _, k := range storage.Kinds {
		var names []string
		be.List(ctx, k, func(fi storage.Info) error { names = append(names, fi.Name); return nil })
		for _, n := range names {
			h := storage.Handle{Kind: k, Name: n}
			data, err := storage.LoadAll(ctx, be, h)
			if err != nil {
				t.Fatal(err)
			}
			out[h.String()] = sha256.Sum256(data)
		}
	}
	return out
}

func sameObjects(t *testing.T, what string, before, after map[string][32]byte) {
	t.Helper()
	for k, v := range before {
		if w, ok := after[k]; !ok || w != v {
			t.Errorf("%s changed or removed %s", what, k)
		}
	}
	for k := range after {
		if _, ok := before[k]; !ok {
			t.Errorf("%s added %s", what, k)
		}
	}
}

// removeKind deletes every object of kind k and returns how many.
func removeKind(t *testing.T, be storage.Backend, k storage.Kind) int {
	t.Helper()
	var names []string
	be.List(ctx, k, func(fi storage.Info) error { names = append(names, fi.Name); return nil })
	for _, n := range names {
		if err := be.Remove(ctx, storage.Handle{Kind: k, Name: n}); err != nil {
			t.Fatal(err)
		}
	}
	return len(names)
}

// packOf names the pack that holds the first chunk of the file at path
// in snapshot s.
func packOf(t *testing.T, be storage.Backend, s *snapshot.Snapshot, path string) repository.ID {
	t.Helper()
	repo := testrepo.Reopen(t, be)
	if err := repo.LoadIndex(ctx); err != nil {
		t.Fatal(err)
	}
	n := findNode(t, repo, *s.Tree, path)
	l, ok := repo.Index().Lookup(n.Content[0])
	if !ok {
		t.Fatalf("%s: chunk not indexed", path)
	}
	return l.Pack
}
