//go:build !unix

package testrepo

import "testing"

// Allocated skips the test: the space a file takes on disk is not read on
// this system (Windows).
func Allocated(t testing.TB, path string) int64 {
	t.Helper()
	t.Skip("the allocated size of a file is not measured on this system")
	return 0
}
