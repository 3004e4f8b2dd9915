//go:build !windows

package restore

import (
	"fmt"

	"golang.org/x/sys/unix"

	"github.com/savepoint-ci/savepoint/core/tree"
)

func (r *restorer) makeLink(it item) error {
	pfd, base, err := r.t.parent(it.rel)
	if err != nil {
		return fmt.Errorf("creating symlink %s: %v", tree.PrintablePath(it.rel), err)
	}
	defer r.t.release(pfd)
	if err := r.t.symlinkAt(pfd, base, it.rel, it.node.Target); err != nil {
		return fmt.Errorf("creating symlink %s: %v", tree.PrintablePath(it.rel), err)
	}
	r.links.Add(1)
	return r.linkMeta(pfd, base, it)
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
