package save

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/snapshot"
	"github.com/savepoint-ci/savepoint/core/tree"
	"github.com/savepoint-ci/savepoint/internal/testrepo"
)

var ctx = context.Background()

func sourceTree(t *testing.T, dir string, files int) {
	for i := 0; i < files; i++ {
		testrepo.WriteFile(t, dir, fmt.Sprintf("src/pkg%d/file%d.txt", i%7, i), []byte(strings.Repeat(fmt.Sprintf("line %d\n", i), 50+i)))
	}
	big := make([]byte, 700<<10)
	for i := range big {
		big[i] = byte(i * 7 / 3)
	}
	testrepo.WriteFile(t, dir, "src/big.bin", big)
}

func paths(t *testing.T, repo *repository.Repository, s *snapshot.Snapshot) []string {
	var out []string
	tree.Walk(ctx, repo, *s.Tree, "", func(p string, n *tree.Node) error {
		out = append(out, p)
		return nil
	})
	return out
}

func TestUnchangedResaveWritesNothing(t *testing.T) {
	repo, be := testrepo.New(t)
	dir := t.TempDir()
	sourceTree(t, dir, 200)
	t.Chdir(dir)
	first, err := Run(ctx, repo, Options{Paths: []string{"src"}, Name: "n"})
	if err != nil {
		t.Fatal(err)
	}
	repo2 := testrepo.Reopen(t, be)
	before := be.Requests()
	second, err := Run(ctx, repo2, Options{Paths: []string{"src"}, Name: "n", Parent: first})
	if err != nil {
		t.Fatal(err)
	}
	st := second.Stats
	if st.BlobsNew != 0 || st.BytesStored != 0 || st.BytesRead != 0 || st.FilesUnchanged != 201 {
		t.Fatalf("unchanged re-save wrote or read data: %+v", st)
	}
	if *second.Tree != *first.Tree {
		t.Fatal("an unchanged tree must get the same root ID")
	}
	// The snapshot and the writer's session marker (docs/prune.md).
	if puts := be.Requests().Sub(before).Put; puts != 2 {
		t.Fatalf("unchanged re-save made %d PUTs, want only the snapshot and the session marker", puts)
	}
}

func TestFreshCheckoutDeduplicates(t *testing.T) {
	repo, be := testrepo.New(t)
	a, b := t.TempDir(), t.TempDir()
	sourceTree(t, a, 100)
	t.Chdir(a)
	first, err := Run(ctx, repo, Options{Paths: []string{"src"}})
	if err != nil {
		t.Fatal(err)
	}
	// A fresh runner: same content, new mtimes and inodes, no parent.
	sourceTree(t, b, 100)
	later := time.Now().Add(time.Hour)
	filepath.Walk(filepath.Join(b, "src"), func(p string, fi os.FileInfo, err error) error {
		return os.Chtimes(p, later, later)
	})
	t.Chdir(b)
	repo2 := testrepo.Reopen(t, be)
	second, err := Run(ctx, repo2, Options{Paths: []string{"src"}})
	if err != nil {
		t.Fatal(err)
	}
	// Only trees (new mtimes) are new; every file chunk deduplicates.
	if second.Stats.BytesRead != first.Stats.BytesRead {
		t.Fatalf("fresh checkout must read everything: %d vs %d", second.Stats.BytesRead, first.Stats.BytesRead)
	}
	dataNew := second.Stats.BytesNew
	if dataNew > first.Stats.BytesNew/10 {
		t.Fatalf("fresh checkout stored %d new bytes of %d: chunks did not deduplicate", dataNew, first.Stats.BytesNew)
	}
}

func TestChangedFileIsReread(t *testing.T) {
	repo, _ := testrepo.New(t)
	dir := t.TempDir()
	sourceTree(t, dir, 20)
	t.Chdir(dir)
	first, _ := Run(ctx, repo, Options{Paths: []string{"src"}})
	testrepo.WriteFile(t, dir, "src/pkg0/file0.txt", []byte("changed"))
	second, err := Run(ctx, repo, Options{Paths: []string{"src"}, Parent: first})
	if err != nil {
		t.Fatal(err)
	}
	if second.Stats.FilesUnchanged != 20 || second.Stats.BytesRead != 7 {
		t.Fatalf("stats %+v: want exactly the changed file re-read", second.Stats)
	}
}

func TestExcludes(t *testing.T) {
	repo, _ := testrepo.New(t)
	dir := t.TempDir()
	testrepo.WriteFile(t, dir, "app/main.go", []byte("x"))
	testrepo.WriteFile(t, dir, "app/debug.log", []byte("x"))
	testrepo.WriteFile(t, dir, "app/node_modules/m/index.js", []byte("x"))
	testrepo.WriteFile(t, dir, "app/build/tmp/o", []byte("x"))
	testrepo.WriteFile(t, dir, "app/build/keep", []byte("x"))
	t.Chdir(dir)
	s, err := Run(ctx, repo, Options{Paths: []string{"app"}, Excludes: []string{"*.log", "node_modules/", "app/build/tmp"}})
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(paths(t, repo, s), " ")
	want := "app app/build app/build/keep app/main.go"
	if got != want {
		t.Fatalf("saved %q, want %q", got, want)
	}
	if _, err := NewExcluder([]string{"[bad"}); err == nil {
		t.Fatal("a malformed pattern must be refused")
	}
}

func TestPathErrors(t *testing.T) {
	repo, _ := testrepo.New(t)
	dir := t.TempDir()
	testrepo.WriteFile(t, dir, "a/x", []byte("x"))
	t.Chdir(dir)
	for _, tc := range []struct {
		paths []string
		want  string
	}{
		{[]string{"missing"}, "cannot read missing"},
		{[]string{"a", "a/x"}, "overlap"},
		{[]string{""}, "empty path"},
	} {
		_, err := Run(ctx, repo, Options{Paths: tc.paths})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("paths %q: %v, want %q", tc.paths, err, tc.want)
		}
	}
}

func TestStoredPaths(t *testing.T) {
	repo, _ := testrepo.New(t)
	dir := t.TempDir()
	testrepo.WriteFile(t, dir, "w/node_modules/m.js", []byte("m"))
	testrepo.WriteFile(t, dir, "w/.cache/pip/p.whl", []byte("p"))
	t.Chdir(filepath.Join(dir, "w"))
	s, err := Run(ctx, repo, Options{Paths: []string{"node_modules", ".cache/pip", filepath.Join(dir, "w", ".cache")}[:2]})
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(paths(t, repo, s), " ")
	if got != ".cache .cache/pip .cache/pip/p.whl node_modules node_modules/m.js" {
		t.Fatalf("tree %q", got)
	}
	if StoredPath("/abs/dir") != "abs/dir" || StoredPath("./x/../y") != "y" || StoredPath(".") != "." {
		t.Fatal("StoredPath")
	}
}

func TestSaveStream(t *testing.T) {
	repo, be := testrepo.New(t)
	data := testrepo.Random(3 << 20)
	res, err := SaveStream(ctx, repo, strings.NewReader(string(data)))
	if err != nil {
		t.Fatal(err)
	}
	if res.Size != uint64(len(data)) || len(res.Content) < 3 {
		t.Fatalf("stream: %d bytes in %d chunks", res.Size, len(res.Content))
	}
	repo.Flush(ctx)
	repo2 := testrepo.Reopen(t, be)
	var got []byte
	for _, id := range res.Content {
		b, err := repo2.LoadBlob(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, b...)
	}
	if string(got) != string(data) {
		t.Fatal("stream content differs")
	}
}
