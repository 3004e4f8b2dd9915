//go:build !windows

package restore

import (
	"strings"

	"golang.org/x/sys/unix"
)

// resolver opens a slash-separated path relative to a directory
// descriptor, following no symbolic link in any component (the last one
// included) and never leaving the directory: a path with "..", an absolute
// path or a link on the way fails. Two implementations: openat2 on Linux
// (one system call) and walk (everywhere, one openat per component).
type resolver interface {
	openat(dirfd int, rel string, flags int, mode uint32) (int, error)
}

// walk resolves a path one component at a time, each opened with
// O_NOFOLLOW relative to the previous one: the portable form of openat2's
// RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS. It is the resolver on systems without
// openat2 and is tested on Linux like the other.
type walk struct{}

func (walk) openat(dirfd int, rel string, flags int, mode uint32) (int, error) {
	if rel == "." {
		return openatRetry(dirfd, ".", flags, mode)
	}
	fd := dirfd
	for {
		comp, rest, more := strings.Cut(rel, "/")
		var err error
		switch comp {
		case "..":
			err = unix.EXDEV
		case "", ".":
			err = unix.EINVAL
		}
		next := -1
		if err == nil {
			if more {
				next, err = openatRetry(fd, comp, dirOnly|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
			} else {
				next, err = openatRetry(fd, comp, flags|unix.O_NOFOLLOW|unix.O_CLOEXEC, mode)
			}
		}
		if fd != dirfd {
			unix.Close(fd)
		}
		if err != nil || !more {
			return next, err
		}
		fd, rel = next, rest
	}
}

func openatRetry(dirfd int, name string, flags int, mode uint32) (int, error) {
	for {
		fd, err := unix.Openat(dirfd, name, flags, mode)
		if err != unix.EINTR {
			return fd, err
		}
	}
}
