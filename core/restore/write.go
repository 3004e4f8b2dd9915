package restore

import (
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"

	"github.com/savepoint-ci/savepoint/core/tree"
)

// write puts one chunk into its file; the writer of the last chunk sets the
// file's owner, mode and mtime on the open descriptor and counts the file.
// Files are opened with plain open(2): os.OpenFile adds fcntl calls and a
// failing epoll registration per file, a third of a small file's syscalls.
func (r *restorer) write(u use, data []byte) error {
	full := filepath.Join(r.target, u.f.rel)
	flags := unix.O_WRONLY | unix.O_NOFOLLOW | unix.O_CLOEXEC
	if u.f.single {
		if err := r.clearFor(full, false); err != nil {
			return err
		}
		flags |= unix.O_CREAT | unix.O_TRUNC
	}
	fd, err := openFD(full, flags, 0o600)
	if err != nil {
		return fmt.Errorf("writing %s: %v", u.f.rel, err)
	}
	if err := pwriteAll(fd, data, u.off); err != nil {
		unix.Close(fd)
		return fmt.Errorf("writing %s: %v", u.f.rel, err)
	}
	r.bytes.Add(int64(len(data)))
	r.prog.Bytes.Add(int64(len(data)))
	if u.f.remaining.Add(-1) == 0 {
		if err := r.metaFD(fd, full, u.f.node); err != nil {
			unix.Close(fd)
			return err
		}
		r.files.Add(1)
		r.prog.Files.Add(1)
	}
	if err := unix.Close(fd); err != nil {
		return fmt.Errorf("writing %s: %v", u.f.rel, err)
	}
	return nil
}

func openFD(path string, flags int, mode uint32) (int, error) {
	for {
		fd, err := unix.Open(path, flags, mode)
		if err != unix.EINTR {
			return fd, err
		}
	}
}

func pwriteAll(fd int, data []byte, off int64) error {
	for len(data) > 0 {
		n, err := unix.Pwrite(fd, data, off)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return err
		}
		data, off = data[n:], off+int64(n)
	}
	return nil
}

// metaFD is applyMeta on an open regular file: owner (when root), mode,
// then mtime.
func (r *restorer) metaFD(fd int, full string, n *tree.Node) error {
	if os.Geteuid() == 0 {
		if err := unix.Fchown(fd, int(n.UID), int(n.GID)); err != nil {
			r.rep.Warn(fmt.Sprintf("%s: owner not restored: %v", full, err))
		}
	}
	if err := unix.Fchmod(fd, uint32(fileMode(n.Mode).Perm())|specialBits(n.Mode)); err != nil {
		return fmt.Errorf("setting mode of %s: %v", full, err)
	}
	if err := futimens(fd, n.ModTime); err != nil {
		return fmt.Errorf("setting mtime of %s: %v", full, err)
	}
	return nil
}

// specialBits are the setuid, setgid and sticky bits of a stored mode, as
// chmod(2) takes them.
func specialBits(m uint32) uint32 { return m & 0o7000 }
