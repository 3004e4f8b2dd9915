//go:build unix

package main

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// compareTrees checks that got holds the same regular files, with the same
// contents and mtimes, and the same symlinks as want. tar restores mtimes
// to the second only, so checkMtime compares seconds for it.
func compareTrees(want, got string, secondsOnly bool) error {
	seen := 0
	err := filepath.WalkDir(want, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(want, p)
		q := filepath.Join(got, rel)
		switch {
		case d.Type().IsRegular():
			seen++
			return sameFile(p, q, secondsOnly)
		case d.Type()&fs.ModeSymlink != 0:
			a, _ := os.Readlink(p)
			b, err := os.Readlink(q)
			if err != nil || a != b {
				return fmt.Errorf("restored tree: symlink %s differs", rel)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	n := 0
	filepath.WalkDir(got, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			n++
		}
		return nil
	})
	if n != seen {
		return fmt.Errorf("restored tree: %d files, want %d", n, seen)
	}
	return nil
}

func sameFile(a, b string, secondsOnly bool) error {
	fa, err := os.Stat(a)
	if err != nil {
		return err
	}
	fb, err := os.Stat(b)
	if err != nil {
		return fmt.Errorf("restored tree: %v", err)
	}
	ta, tb := fa.ModTime(), fb.ModTime()
	if secondsOnly {
		ta, tb = ta.Truncate(1e9), tb.Truncate(1e9)
	}
	if fa.Size() != fb.Size() || !ta.Equal(tb) {
		return fmt.Errorf("restored tree: %s: size or mtime differs", b)
	}
	ra, err := os.Open(a)
	if err != nil {
		return err
	}
	defer ra.Close()
	rb, err := os.Open(b)
	if err != nil {
		return err
	}
	defer rb.Close()
	ba, bb := make([]byte, 1<<20), make([]byte, 1<<20)
	for {
		na, ea := io.ReadFull(ra, ba)
		nb, _ := io.ReadFull(rb, bb)
		if na != nb || !bytes.Equal(ba[:na], bb[:nb]) {
			return fmt.Errorf("restored tree: %s: content differs", b)
		}
		if ea != nil {
			return nil
		}
	}
}
