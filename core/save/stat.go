package save

import (
	"os"
	"syscall"

	"github.com/savepoint-ci/savepoint/core/tree"
)

// nodeFromInfo describes a file's metadata as a tree node.
func nodeFromInfo(name string, fi os.FileInfo) tree.Node {
	n := tree.Node{Name: name, Mode: uint32(fi.Mode().Perm()), ModTime: fi.ModTime().UnixNano()}
	m := fi.Mode()
	if m&os.ModeSetuid != 0 {
		n.Mode |= 0o4000
	}
	if m&os.ModeSetgid != 0 {
		n.Mode |= 0o2000
	}
	if m&os.ModeSticky != 0 {
		n.Mode |= 0o1000
	}
	switch {
	case m.IsRegular():
		n.Type, n.Size = tree.File, uint64(fi.Size())
	case m.IsDir():
		n.Type = tree.Dir
	case m&os.ModeSymlink != 0:
		n.Type = tree.Symlink
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		n.UID, n.GID = st.Uid, st.Gid
		if n.Type == tree.File {
			n.Inode = st.Ino
			n.CTime = st.Ctim.Sec*1e9 + st.Ctim.Nsec
		}
	}
	return n
}
