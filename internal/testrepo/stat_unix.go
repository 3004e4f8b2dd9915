//go:build unix

package testrepo

import (
	"os"
	"syscall"
)

// Owner is the user ID that owns fi's file.
func Owner(fi os.FileInfo) (uid int, ok bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false
	}
	return int(st.Uid), true
}
