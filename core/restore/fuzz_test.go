//go:build linux

package restore

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/savepoint-ci/savepoint/core/progress"
	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/tree"
)

// fuzzTrees serves tree blobs from a fuzz input: documents separated by a
// line "--"; the blob whose ID is {i, 0, ...} is document i, the root is
// document 0. It gives up after a few thousand reads (trees that share
// subtrees can name exponentially many entries).
type fuzzTrees struct {
	docs  [][]byte
	loads int
}

func (f *fuzzTrees) LoadBlob(_ context.Context, id repository.ID) ([]byte, error) {
	if f.loads++; f.loads > 2000 || id[0] >= byte(len(f.docs)) || id != (repository.ID{id[0]}) {
		return nil, repository.ErrBlobNotFound
	}
	return f.docs[id[0]], nil
}

// fuzzChunkLength: a chunk's first byte is its length; a chunk with a
// non-zero second byte is missing.
func fuzzChunkLength(id repository.ID) (uint32, bool) { return uint32(id[0]), id[1] == 0 }

// FuzzPlan decodes trees, plans their restore, then makes the planned
// directories, files (empty) and links in a real target beside a sentinel
// directory. The plan must hold only clean paths of valid names, parents
// first, once each; nothing may change outside the target; and every link
// made must stay beneath the target as the kernel resolves it
// (openat2 RESOLVE_BENEATH, following links). The seed corpus is in
// testdata/fuzz/FuzzPlan; `go test` replays it.
func FuzzPlan(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<16 {
			return
		}
		trees := &fuzzTrees{docs: bytes.Split(data, []byte("\n--\n"))}
		r := &restorer{rep: progress.Nop{}}
		items, err := r.plan(t.Context(), trees, repository.ID{}, nil, fuzzChunkLength)
		if err != nil {
			return
		}
		checkPlan(t, items)

		base := t.TempDir()
		sentinel, target := filepath.Join(base, "sentinel"), filepath.Join(base, "target")
		os.WriteFile(sentinel, []byte("keep"), 0o600)
		os.Mkdir(target, 0o755)
		if r.t, err = openTarget(target); err != nil {
			t.Fatal(err)
		}
		defer r.t.close()
		var links []item
		for _, it := range items {
			switch it.node.Type {
			case tree.Dir:
				err = r.t.mkdir(it.rel)
			case tree.File:
				var fd int
				if fd, err = r.t.create(it.rel); err == nil {
					unix.Close(fd)
				}
			case tree.Symlink:
				links = append(links, it)
			}
			if err != nil {
				t.Fatalf("%s: %v", it.rel, err)
			}
		}
		if err := r.makeLinks(links, items); err != nil {
			t.Fatal(err)
		}
		refused := map[string]bool{}
		for _, f := range r.refused {
			refused[f.Path] = true
		}
		for _, it := range links {
			if refused[tree.PrintablePath(it.rel)] {
				continue
			}
			how := unix.OpenHow{Flags: unix.O_PATH | unix.O_CLOEXEC, Resolve: unix.RESOLVE_BENEATH}
			fd, err := unix.Openat2(r.t.fd, it.rel, &how)
			if err == unix.EXDEV {
				t.Fatalf("link %s -> %q was made and leads outside the target", it.rel, it.node.Target)
			}
			if err == nil {
				unix.Close(fd)
			}
		}
		names, _ := os.ReadDir(base)
		if b, _ := os.ReadFile(sentinel); len(names) != 2 || string(b) != "keep" {
			t.Fatal("something changed outside the target")
		}
	})
}

// checkPlan checks what the planner promises of its items.
func checkPlan(t *testing.T, items []item) {
	seen, dirs := map[string]bool{}, map[string]bool{}
	for _, it := range items {
		if len(it.rel) > maxPath || seen[it.rel] {
			t.Fatalf("planned path %q: too long or twice", it.rel)
		}
		for _, name := range strings.Split(it.rel, "/") {
			if !tree.ValidName(name) {
				t.Fatalf("planned path %q holds an invalid name", it.rel)
			}
		}
		if i := strings.LastIndexByte(it.rel, '/'); i >= 0 && !dirs[it.rel[:i]] {
			t.Fatalf("%q planned before its directory", it.rel)
		}
		if err := tree.Check(it.node); err != nil {
			t.Fatalf("%q planned although %v", it.rel, err)
		}
		if it.node.Type == tree.File {
			if err := tree.CheckSize(it.node, fuzzChunkLength); err != nil {
				t.Fatalf("%q planned although %v", it.rel, err)
			}
		}
		seen[it.rel], dirs[it.rel] = true, it.node.Type == tree.Dir
	}
}
