//go:build unix

package save

import (
	"os"
	"syscall"
)

// sparseOnDisk reports whether a regular file holds holes: the filesystem
// allocated fewer bytes than its size.
func sparseOnDisk(fi os.FileInfo) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && st.Blocks*512 < st.Size
}
