package restore_test

import (
	"fmt"
	"os"
	"syscall"
)

// inodeFields is what a sentinel's state records of fi beyond its mode,
// mtime and size: its owner, and its ctime if asked.
func inodeFields(fi os.FileInfo, ctime bool) string {
	st := fi.Sys().(*syscall.Stat_t)
	s := fmt.Sprintf(" uid=%d gid=%d", st.Uid, st.Gid)
	if ctime {
		s += fmt.Sprintf(" ctime=%d.%d", st.Ctim.Sec, st.Ctim.Nsec)
	}
	return s
}
