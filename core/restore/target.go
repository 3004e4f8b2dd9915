//go:build !windows

package restore

import (
	"os"
	"strings"

	"golang.org/x/sys/unix"
)

// target is the restore target, open as a directory. Every filesystem call
// of restore goes through it: a path is resolved by the kernel relative to
// the target's descriptor, never above it and never through a symbolic link
// (the tree's links are created last; links found in the target are
// replaced, not followed); metadata calls act on an open descriptor or
// with AT_SYMLINK_NOFOLLOW. Escaping the target is impossible by
// construction, whatever the names and links of the tree.
//
// os.Root is used where it covers the call: opening the target and
// RemoveAll. Its OpenFile walks paths in user space (an openat per
// component of every file) and its Chmod and Chtimes follow links, so the
// rest is x/sys/unix on descriptors.
type target struct {
	root *os.Root
	dir  *os.File // the target itself, opened through root
	fd   int      // dir's descriptor
	res  resolver
}

func openTarget(path string) (*target, error) {
	root, err := os.OpenRoot(path)
	if err != nil {
		return nil, err
	}
	dir, err := root.Open(".")
	if err != nil {
		root.Close()
		return nil, err
	}
	fd := int(dir.Fd())
	return &target{root: root, dir: dir, fd: fd, res: newResolver(fd)}, nil
}

func (t *target) close() {
	t.dir.Close()
	t.root.Close()
}

// open opens rel beneath the target (see resolver).
func (t *target) open(rel string, flags int, mode uint32) (int, error) {
	return t.res.openat(t.fd, rel, flags|unix.O_CLOEXEC, mode)
}

// openWrite opens the file rel, created by this restore, for writing.
func (t *target) openWrite(rel string) (int, error) { return t.open(rel, unix.O_WRONLY, 0) }

// parent opens the directory holding rel and returns it with rel's last
// component, for the *at calls that act on a name without following it.
// Release the descriptor with t.release.
func (t *target) parent(rel string) (int, string, error) {
	i := strings.LastIndexByte(rel, '/')
	if i < 0 {
		return t.fd, rel, nil
	}
	fd, err := t.open(rel[:i], dirOnly, 0)
	return fd, rel[i+1:], err
}

func (t *target) release(fd int) {
	if fd != t.fd {
		unix.Close(fd)
	}
}

// create creates rel as a new empty regular file, open for writing.
// Whatever stood at rel is removed first, never written through: not a
// symbolic link, nor a hard link to a file outside the target.
func (t *target) create(rel string) (int, error) {
	const flags = unix.O_WRONLY | unix.O_CREAT | unix.O_EXCL
	fd, err := t.open(rel, flags, 0o600)
	if err == unix.EEXIST {
		if err = t.remove(rel); err == nil {
			fd, err = t.open(rel, flags, 0o600)
		}
	}
	return fd, err
}

// mkdir makes rel a directory: a directory found there is kept, anything
// else (a file, a link) replaced.
func (t *target) mkdir(rel string) error {
	pfd, base, err := t.parent(rel)
	if err != nil {
		return err
	}
	defer t.release(pfd)
	if err = unix.Mkdirat(pfd, base, 0o700); err != unix.EEXIST {
		return err
	}
	var st unix.Stat_t
	if err := unix.Fstatat(pfd, base, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return err
	}
	if st.Mode&unix.S_IFMT == unix.S_IFDIR {
		return nil
	}
	if err := unix.Unlinkat(pfd, base, 0); err != nil {
		return err
	}
	return unix.Mkdirat(pfd, base, 0o700)
}

// symlinkAt creates base in the directory pfd (rel beneath the target) as
// a symbolic link to dest, replacing whatever stood there.
func (t *target) symlinkAt(pfd int, base, rel, dest string) error {
	err := unix.Symlinkat(dest, pfd, base)
	if err == unix.EEXIST {
		if err = t.removeAt(pfd, base, rel); err == nil {
			err = unix.Symlinkat(dest, pfd, base)
		}
	}
	return err
}

// remove removes rel, and all it holds if it is a directory.
func (t *target) remove(rel string) error {
	pfd, base, err := t.parent(rel)
	if err != nil {
		return err
	}
	defer t.release(pfd)
	return t.removeAt(pfd, base, rel)
}

func (t *target) removeAt(pfd int, base, rel string) error {
	switch err := unix.Unlinkat(pfd, base, 0); err {
	case nil, unix.ENOENT:
		return nil
	case unix.EISDIR, unix.EPERM: // a directory (EPERM on BSDs and macOS)
		return t.root.RemoveAll(rel)
	default:
		return err
	}
}

// readlink returns the target of rel if rel is a symbolic link. A path
// that does not exist, or is not a link, is not an error.
func (t *target) readlink(rel string) (string, bool, error) {
	pfd, base, err := t.parent(rel)
	if err == nil {
		defer t.release(pfd)
		var buf [4096]byte
		var n int
		if n, err = unix.Readlinkat(pfd, base, buf[:]); err == nil {
			return string(buf[:n]), true, nil
		}
	}
	if err == unix.EINVAL || err == unix.ENOENT || err == unix.ENOTDIR {
		return "", false, nil
	}
	return "", false, err
}
