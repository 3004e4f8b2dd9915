package restore

import "golang.org/x/sys/unix"

// dirOnly opens a directory only to resolve names relative to it.
const dirOnly = unix.O_PATH | unix.O_DIRECTORY

// beneath is openat2 with RESOLVE_BENEATH and RESOLVE_NO_SYMLINKS (which
// implies RESOLVE_NO_MAGICLINKS, also asked for): the kernel refuses any
// path that would leave the directory or pass through a symbolic link,
// atomically, in one call (Linux 5.6 and later).
type beneath struct{}

const resolveFlags = unix.RESOLVE_BENEATH | unix.RESOLVE_NO_SYMLINKS | unix.RESOLVE_NO_MAGICLINKS

func (beneath) openat(dirfd int, rel string, flags int, mode uint32) (int, error) {
	how := unix.OpenHow{Flags: uint64(flags | unix.O_NOFOLLOW | unix.O_CLOEXEC), Resolve: resolveFlags}
	if flags&unix.O_CREAT != 0 {
		how.Mode = uint64(mode)
	}
	for tries := 0; ; tries++ {
		fd, err := unix.Openat2(dirfd, rel, &how)
		// EAGAIN: a concurrent rename or mount made the kernel give up
		// the lookup; it is safe to try again.
		if err != unix.EINTR && (err != unix.EAGAIN || tries > 8) {
			return fd, err
		}
	}
}

// forceWalk makes restore use the portable resolver (tests).
var forceWalk bool

// newResolver returns openat2's resolver if the kernel has it for dirfd,
// else the portable walk (older kernels, or seccomp filters that deny
// openat2 in some container runtimes).
func newResolver(dirfd int) resolver {
	if forceWalk {
		return walk{}
	}
	fd, err := beneath{}.openat(dirfd, ".", dirOnly, 0)
	if err != nil {
		return walk{}
	}
	unix.Close(fd)
	return beneath{}
}
