//go:build !unix

package benchdata

import "os"

// allocated: the space a file takes on disk is not read on this system
// (Windows), so no file counts as sparse.
func allocated(os.FileInfo) (int64, bool) { return 0, false }
