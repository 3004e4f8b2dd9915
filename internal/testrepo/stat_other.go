//go:build !unix

package testrepo

import (
	"os"
	"testing"
)

// Allocated skips the test: the space a file takes on disk is not read on
// this system (Windows).
func Allocated(t testing.TB, path string) int64 {
	t.Helper()
	t.Skip("the allocated size of a file is not measured on this system")
	return 0
}

// Owner: files have no unix owner here (Windows).
func Owner(os.FileInfo) (uid int, ok bool) { return 0, false }
