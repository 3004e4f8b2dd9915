package testrepo

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// Age moves the modification time of every file under dir back by d, as
// if the files had been written d earlier: a prune's grace period counts
// from an object's storage time, so a test need not wait it out.
func Age(t testing.TB, dir string, d time.Duration) {
	t.Helper()
	err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		fi, err := e.Info()
		if err != nil {
			return err
		}
		return os.Chtimes(p, fi.ModTime().Add(-d), fi.ModTime().Add(-d))
	})
	if err != nil {
		t.Fatal(err)
	}
}
