package tree_test

import (
	"slices"
	"testing"

	"github.com/savepoint-ci/savepoint/core/repository"
	"github.com/savepoint-ci/savepoint/core/tree"
	"github.com/savepoint-ci/savepoint/internal/testrepo"
)

func TestDiff(t *testing.T) {
	ctx := t.Context()
	repo, _ := testrepo.New(t)
	save := func(nodes ...tree.Node) *repository.ID {
		t.Helper()
		id, err := tree.Save(ctx, repo, &tree.Tree{Nodes: nodes})
		if err != nil {
			t.Fatal(err)
		}
		return &id
	}
	chunk := func(s string) []repository.ID { return []repository.ID{repo.Hash([]byte(s))} }
	file := func(name, content string, mtime int64) tree.Node {
		return tree.Node{Name: name, Type: tree.File, Mode: 0o644, ModTime: mtime, Content: chunk(content)}
	}
	dir := func(name string, sub *repository.ID) tree.Node {
		return tree.Node{Name: name, Type: tree.Dir, Mode: 0o755, Subtree: sub}
	}
	same := save(file("x", "x", 1))
	a := save(
		file("changed", "old", 1), file("gone", "g", 1),
		dir("gonedir", save(file("inner", "i", 1))),
		file("touched", "t", 1),
		dir("unchanged", same),
		file("was-file", "f", 1),
	)
	b := save(
		file("added", "a", 1), file("changed", "new", 1),
		file("touched", "t", 2),
		dir("unchanged", same),
		dir("was-file", save(file("now-inside", "n", 1))),
	)
	if _, err := repo.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	got, err := tree.Diff(ctx, repo, a, b)
	if err != nil {
		t.Fatal(err)
	}
	want := []tree.Change{
		{tree.Added, "added"}, {tree.Modified, "changed"}, {tree.Removed, "gone"},
		{tree.Removed, "gonedir"}, {tree.Removed, "gonedir/inner"}, {tree.Metadata, "touched"},
		{tree.Modified, "was-file"}, {tree.Added, "was-file/now-inside"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("Diff =\n%v\nwant\n%v", got, want)
	}
	// Against nothing, everything is added; a tree against itself is no change.
	if got, _ := tree.Diff(ctx, repo, nil, same); !slices.Equal(got, []tree.Change{{tree.Added, "x"}}) {
		t.Errorf("Diff(nil, tree) = %v", got)
	}
	if got, _ := tree.Diff(ctx, repo, a, a); len(got) != 0 {
		t.Errorf("Diff(a, a) = %v", got)
	}
}
