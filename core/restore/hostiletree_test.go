package restore_test

import (
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/restore"
	"github.com/savepoint-ci/savepoint/core/snapshot"
	"github.com/savepoint-ci/savepoint/core/tree"
	"github.com/savepoint-ci/savepoint/internal/testrepo"
)

// entry is a tree node as a hostile writer stores it: the node as given,
// data stored as its one chunk, kids as its subtree, and a declared size
// that need not match the data.
type entry struct {
	tree.Node
	data     []byte
	declared bool // Size as given; else the data's length
	kids     []entry
}

var stamp = time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC).UnixNano()

func file(name, data string) entry {
	return entry{Node: tree.Node{Name: name, Type: tree.File, Mode: 0o644, ModTime: stamp}, data: []byte(data)}
}

func dir(name string, kids ...entry) entry {
	return entry{Node: tree.Node{Name: name, Type: tree.Dir, Mode: 0o755, ModTime: stamp}, kids: kids}
}

func link(name, target string) entry {
	return entry{Node: tree.Node{Name: name, Type: tree.Symlink, Mode: 0o777, ModTime: stamp, Target: target}}
}

// declare sets the size the tree claims, whatever the data holds.
func (e entry) declare(size uint64) entry { e.Size, e.declared = size, true; return e }

func (e entry) mode(m uint32) entry { e.Mode = m; return e }

// writeHostile commits a snapshot whose root holds nodes, written through
// the repository API as a compromised writer could: names, sizes, modes,
// owners and link targets exactly as given. Nodes are sorted by name, as
// readers insist; writeUnsorted keeps them as given.
func writeHostile(t *testing.T, repo *repository.Repository, nodes ...entry) *snapshot.Snapshot {
	t.Helper()
	return commitTree(t, repo, saveTree(t, repo, nodes, true))
}

func writeUnsorted(t *testing.T, repo *repository.Repository, nodes ...entry) *snapshot.Snapshot {
	t.Helper()
	return commitTree(t, repo, saveTree(t, repo, nodes, false))
}

func saveTree(t *testing.T, repo *repository.Repository, nodes []entry, sorted bool) repository.ID {
	t.Helper()
	var tr tree.Tree
	for _, e := range nodes {
		n := e.Node
		if e.data != nil {
			id := repo.Hash(e.data)
			if _, err := repo.SaveBlob(ctx, repository.DataBlob, id, e.data); err != nil {
				t.Fatal(err)
			}
			if len(e.data) > 0 {
				n.Content = []repository.ID{id}
			}
		}
		if !e.declared {
			n.Size = uint64(len(e.data))
		}
		if n.Type == tree.Dir {
			id := saveTree(t, repo, e.kids, sorted)
			n.Subtree = &id
		}
		tr.Nodes = append(tr.Nodes, n)
	}
	if sorted {
		sort.SliceStable(tr.Nodes, func(i, j int) bool { return tr.Nodes[i].Name < tr.Nodes[j].Name })
	}
	data, err := json.Marshal(&tr) // not tree.Save: it would sort
	if err != nil {
		t.Fatal(err)
	}
	id := repo.Hash(data)
	if _, err := repo.SaveBlob(ctx, repository.TreeBlob, id, data); err != nil {
		t.Fatal(err)
	}
	return id
}

func commitTree(t *testing.T, repo *repository.Repository, root repository.ID) *snapshot.Snapshot {
	t.Helper()
	if _, err := repo.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	s := &snapshot.Snapshot{Tree: &root, Time: time.Now()}
	if _, err := snapshot.Save(ctx, repo, s); err != nil {
		t.Fatal(err)
	}
	return s
}

// world is a directory holding the restore target and, beside it, a
// sentinel directory: what a hostile tree aims at.
type world struct {
	base, target, sentinel string
	before                 string
}

func newWorld(t *testing.T) *world {
	w := &world{base: t.TempDir()}
	w.target, w.sentinel = filepath.Join(w.base, "target"), filepath.Join(w.base, "sentinel")
	for rel, data := range map[string]string{"secret": "the sentinel's secret", "sub/deeper": "deeper secret", "x": "x"} {
		p := filepath.Join(w.sentinel, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o640); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("secret", filepath.Join(w.sentinel, "ln")); err != nil {
		t.Fatal(err)
	}
	old := time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)
	filepath.WalkDir(w.sentinel, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type()&fs.ModeSymlink == 0 {
			os.Chtimes(p, old, old)
		}
		return err
	})
	os.Chtimes(filepath.Join(w.sentinel, "sub"), old, old)
	os.Chtimes(w.sentinel, old, old)
	w.snap(t)
	return w
}

// snap records the state the world must keep; call it again after planting
// something on purpose.
func (w *world) snap(t *testing.T) { w.before = w.state(t, true) }

// state lists everything outside the target: the names beside it,
// and every sentinel entry's type, mode, owner, mtime, ctime (which any
// chmod, chown or write moves), size and content or link target.
func (w *world) state(t *testing.T, ctime bool) string {
	t.Helper()
	names, err := os.ReadDir(w.base)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, n := range names {
		if n.Name() != "target" {
			lines = append(lines, "beside the target: "+n.Name())
		}
	}
	err = filepath.WalkDir(w.sentinel, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := os.Lstat(p)
		if err != nil {
			return err
		}
		line := fmt.Sprintf("%s %v mtime=%d size=%d", p, fi.Mode(), fi.ModTime().UnixNano(), fi.Size()) + inodeFields(fi, ctime)
		switch {
		case fi.Mode().IsRegular():
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			line += fmt.Sprintf(" sha256=%x", sha256.Sum256(b))
		case fi.Mode()&fs.ModeSymlink != 0:
			l, _ := os.Readlink(p)
			line += " -> " + l
		}
		lines = append(lines, line)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(lines, "\n")
}

// unchanged fails the test if anything outside the target changed.
func (w *world) unchanged(t *testing.T) {
	t.Helper()
	if got := w.state(t, true); got != w.before {
		t.Fatalf("something outside the target changed:\nbefore:\n%s\nafter:\n%s", w.before, got)
	}
}

// refusedPaths returns the paths a restore's error lists as refused, and
// checks that its message names each one.
func refusedPaths(t *testing.T, err error) []string {
	t.Helper()
	var re *restore.RefusedError
	if !errors.As(err, &re) {
		t.Fatalf("want a *RefusedError, got %v", err)
	}
	var paths []string
	for i, f := range re.Refused {
		if i < 3 && !strings.Contains(err.Error(), f.Path+": ") {
			t.Errorf("the message does not name %s: %v", f.Path, err)
		}
		paths = append(paths, f.Path)
	}
	sort.Strings(paths)
	return paths
}

// hostileCase runs fn with a fresh repository and world, once with
// openat2's resolver and once with the portable walk.
func hostileCase(t *testing.T, fn func(t *testing.T, repo *repository.Repository, w *world)) {
	run := func(t *testing.T) {
		repo, _ := testrepo.New(t)
		fn(t, repo, newWorld(t))
	}
	t.Run("openat2", run)
	t.Run("walk", func(t *testing.T) {
		restore.UsePortableResolver(t)
		run(t)
	})
}
