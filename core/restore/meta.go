package restore

import (
	"fmt"

	"golang.org/x/sys/unix"

	"github.com/savepoint-ci/savepoint/core/tree"
)

// mode is the mode restore gives n: its permission bits, plus its setuid,
// setgid and sticky bits only with KeepSpecialBits.
func (r *restorer) mode(n *tree.Node) uint32 {
	if r.opts.KeepSpecialBits {
		return n.Mode & 0o7777
	}
	return n.Mode & 0o777
}

// meta sets the owner (with SameOwner), mode and times of an open file or
// directory, on its descriptor. The owner goes first: chown clears setuid.
func (r *restorer) meta(fd int, rel string, n *tree.Node) error {
	if r.opts.SameOwner {
		if err := unix.Fchown(fd, int(n.UID), int(n.GID)); err != nil {
			r.ownerNotSet(rel, err)
		}
	}
	if err := unix.Fchmod(fd, r.mode(n)); err != nil {
		return fmt.Errorf("setting the mode of %s: %v", tree.PrintablePath(rel), err)
	}
	if err := futimens(fd, n.ModTime); err != nil {
		return fmt.Errorf("setting the mtime of %s: %v", tree.PrintablePath(rel), err)
	}
	return nil
}

// linkMeta sets a symbolic link's owner (with SameOwner) and times, on the
// link itself: base in the directory pfd.
func (r *restorer) linkMeta(pfd int, base string, it item) error {
	if r.opts.SameOwner {
		if err := unix.Fchownat(pfd, base, int(it.node.UID), int(it.node.GID), unix.AT_SYMLINK_NOFOLLOW); err != nil {
			r.ownerNotSet(it.rel, err)
		}
	}
	ts := []unix.Timespec{unix.NsecToTimespec(it.node.ModTime), unix.NsecToTimespec(it.node.ModTime)}
	if err := unix.UtimesNanoAt(pfd, base, ts, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return fmt.Errorf("setting the mtime of %s: %v", tree.PrintablePath(it.rel), err)
	}
	return nil
}

// dirMeta sets a directory's metadata once everything in it is written.
func (r *restorer) dirMeta(it item) error {
	fd, err := r.t.open(it.rel, unix.O_RDONLY|unix.O_DIRECTORY, 0)
	if err != nil {
		return fmt.Errorf("setting the metadata of %s: %v", tree.PrintablePath(it.rel), err)
	}
	err = r.meta(fd, it.rel, it.node)
	unix.Close(fd)
	return err
}

// ownerNotSet warns once per restore that owners cannot be set (typically
// --same-owner without root).
func (r *restorer) ownerNotSet(rel string, err error) {
	if r.ownerWarned.CompareAndSwap(false, true) {
		r.rep.Warn(fmt.Sprintf("owner of %s not restored: %v (further owner errors not shown)", tree.PrintablePath(rel), err))
	}
}
