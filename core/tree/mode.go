package tree

import "os"

// ModeString is a node's type and permission bits as ls shows them
// (os.FileMode's form: "drwxr-xr-x", "-rw-r--r--", "Lrwxrwxrwx").
func ModeString(typ string, mode uint32) string {
	m := os.FileMode(mode & 0o777)
	switch typ {
	case Dir:
		m |= os.ModeDir
	case Symlink:
		m |= os.ModeSymlink
	}
	return m.String()
}
