package benchdata

import (
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// TestSmallTree: the tree holds the source and artifacts datasets, and
// the total is the size of the files written.
func TestSmallTree(t *testing.T) {
	dir := t.TempDir()
	total, err := SmallTree(dir)
	if err != nil {
		t.Fatal(err)
	}
	sizes := map[string]int64{}
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		top, _, _ := strings.Cut(filepath.ToSlash(rel), "/")
		sizes[top] += fi.Size()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(sizes) != 2 || sizes["source"] == 0 || sizes["artifacts"] == 0 || sizes["source"]+sizes["artifacts"] != total {
		t.Fatalf("sizes %v, total %d", sizes, total)
	}
}
