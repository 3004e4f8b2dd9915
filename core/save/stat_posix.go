//go:build linux || darwin

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
	c := ctimespec(st)
	return fileStat{uid: st.Uid, gid: st.Gid, ino: st.Ino, ctime: int64(c.Sec)*1e9 + int64(c.Nsec)}, true
}
