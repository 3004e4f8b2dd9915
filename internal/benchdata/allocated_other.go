//go:build !unix

package benchdata

import "os"

// Allocated: the space a file takes on disk is not read on this system
// (Windows), so no file counts as sparse.
func Allocated(os.FileInfo) (int64, bool) { return 0, false }
