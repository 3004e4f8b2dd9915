//go:build unix

package benchdata

import (
	"os"
	"syscall"
)

// Allocated is the space fi's file takes on disk: st_blocks × 512; false
// when fi holds no stat.
func Allocated(fi os.FileInfo) (int64, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false
	}
	return st.Blocks * 512, true
}
