// Package testrepo makes repositories and file trees for tests.
package testrepo

import (
	"context"
	"crypto/rand"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/savepoint-ci/savepoint/core/chunker"
	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/storage"
	"github.com/savepoint-ci/savepoint/core/storage/mem"
	"github.com/savepoint-ci/savepoint/internal/testkdf"
)

// SmallChunks are chunker parameters that make multi-chunk files out of
// test-sized data.
var SmallChunks = chunker.Params{Min: 16 << 10, Avg: 64 << 10, Max: 256 << 10}

// New creates an encrypted repository on a fresh mem backend with cheap KDF
// parameters and small chunks.
func New(t testing.TB) (*repository.Repository, *mem.Backend) {
	t.Helper()
	testkdf.Cheap()
	be := mem.New()
	repo, err := Init(t, be)
	if err != nil {
		t.Fatal(err)
	}
	return repo, be
}

// NewPlain creates an unencrypted repository on a fresh mem backend: the
// stored form of sealed objects (snapshots, markers) is their plaintext,
// which fuzz targets write directly.
func NewPlain(t testing.TB) (*repository.Repository, *mem.Backend) {
	t.Helper()
	be := mem.New()
	repo, err := repository.Init(context.Background(), be, repository.InitOptions{NoEncryption: true, Chunker: SmallChunks, PackSize: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	return repo, be
}

// Init creates a test repository in be.
func Init(t testing.TB, be storage.Backend) (*repository.Repository, error) {
	testkdf.Cheap()
	return repository.Init(context.Background(), be, repository.InitOptions{
		Password: "test-password", Chunker: SmallChunks, PackSize: 1 << 20,
	})
}

// Reopen opens the repository in be again, as a new process would.
func Reopen(t testing.TB, be storage.Backend) *repository.Repository {
	t.Helper()
	repo, err := repository.Open(context.Background(), be, repository.OpenOptions{Password: "test-password"})
	if err != nil {
		t.Fatal(err)
	}
	return repo
}

// WriteFile writes data to dir/rel, creating parents.
func WriteFile(t testing.TB, dir, rel string, data []byte) {
	t.Helper()
	p := filepath.Join(dir, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// ReadFile returns the contents of the file at path as a string; it fails
// the test when the file cannot be read.
func ReadFile(t testing.TB, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Random returns n random bytes.
func Random(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

// Equal compares two trees: types, contents, modes, mtimes of files and
// symlink targets. It returns a description of the first difference.
func Equal(t testing.TB, a, b string) string {
	t.Helper()
	type entry struct {
		mode   fs.FileMode
		mtime  int64
		data   string
		target string
	}
	read := func(root string) map[string]entry {
		m := map[string]entry{}
		filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				t.Fatal(err)
			}
			rel, _ := filepath.Rel(root, p)
			if rel == "." {
				return nil
			}
			fi, _ := os.Lstat(p)
			e := entry{mode: fi.Mode()}
			switch {
			case fi.Mode().IsRegular():
				b, _ := os.ReadFile(p)
				e.data = string(b)
				e.mtime = fi.ModTime().UnixNano()
			case fi.Mode()&fs.ModeSymlink != 0:
				e.target, _ = os.Readlink(p)
				e.mode = fs.ModeSymlink
			}
			m[rel] = e
			return nil
		})
		return m
	}
	ma, mb := read(a), read(b)
	for k, ea := range ma {
		eb, ok := mb[k]
		switch {
		case !ok:
			return k + " missing"
		case ea.mode != eb.mode:
			return k + ": mode " + ea.mode.String() + " vs " + eb.mode.String()
		case ea.data != eb.data:
			return k + ": content differs"
		case ea.mtime != eb.mtime:
			return k + ": mtime differs"
		case ea.target != eb.target:
			return k + ": link target differs"
		}
	}
	for k := range mb {
		if _, ok := ma[k]; !ok {
			return k + " unexpected"
		}
	}
	return ""
}
