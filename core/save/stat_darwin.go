package save

import (
	"os"
	"syscall"
)

func statOf(fi os.FileInfo) (fileStat, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return fileStat{}, false
	}
	return fileStat{uid: st.Uid, gid: st.Gid, ino: st.Ino, ctime: st.Ctimespec.Sec*1e9 + st.Ctimespec.Nsec}, true
}
