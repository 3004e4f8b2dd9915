//go:build !windows

package restore

import (
	"fmt"

	"golang.org/x/sys/unix"

	"github.com/savepoint-ci/savepoint/core/tree"
)

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
