package save

import (
	"os"

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
	if st, ok := statOf(fi); ok {
		n.UID, n.GID = st.uid, st.gid
		if n.Type == tree.File {
			n.Inode, n.CTime = st.ino, st.ctime
		}
	}
	return n
}

// fileStat is what the platform's stat adds to os.FileInfo: the owner, and
// the inode and change time that tell an unchanged file from a replaced
// one (stat_*.go).
type fileStat struct {
	uid, gid uint32
	ino      uint64
	ctime    int64 // Unix nanoseconds
}
