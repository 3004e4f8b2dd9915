package restore

import (
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"

	"github.com/savepoint-ci/savepoint/core/tree"
)

// errNoSymlinkPrivilege is ERROR_PRIVILEGE_NOT_HELD: Windows creates
// symbolic links only for administrators, or for everyone in developer
// mode.
const errNoSymlinkPrivilege = syscall.Errno(1314)

// meta sets the mtime of an open file, and the read-only attribute when
// its mode has no owner write bit: the one mode bit Windows keeps.
// Owners are not restored on Windows.
func (r *restorer) meta(f *os.File, rel string, n *tree.Node) error {
	if r.opts.SameOwner && r.ownerWarned.CompareAndSwap(false, true) {
		r.rep.Warn("owners are not restored on Windows")
	}
	ft := syscall.NsecToFiletime(n.ModTime)
	if err := syscall.SetFileTime(syscall.Handle(f.Fd()), nil, &ft, &ft); err != nil {
		return fmt.Errorf("setting the mtime of %s: %v", tree.PrintablePath(rel), err)
	}
	if r.mode(n)&0o200 == 0 {
		if err := f.Chmod(0o444); err != nil {
			return fmt.Errorf("setting the mode of %s: %v", tree.PrintablePath(rel), err)
		}
	}
	return nil
}

// dirMeta sets a directory's mtime once everything in it is written
// (directories keep their attributes: read-only means something else
// for a Windows directory).
func (r *restorer) dirMeta(it item) error {
	err := r.t.beneath(it.rel + "/")
	if err == nil {
		mt := time.Unix(0, it.node.ModTime)
		err = r.t.root.Chtimes(winPath(it.rel), mt, mt)
	}
	if err != nil {
		return fmt.Errorf("setting the metadata of %s: %v", tree.PrintablePath(it.rel), err)
	}
	return nil
}

// makeLink creates a symbolic link; without the privilege to, it is
// refused and named like other refused entries. Links keep the time of
// their creation (os.Root sets times through links, not on them).
func (r *restorer) makeLink(it item) error {
	err := r.t.symlink(it.rel, it.node.Target)
	if errors.Is(err, errNoSymlinkPrivilege) {
		r.refuse(it.rel, "symlink not created: Windows allows it only to administrators or in developer mode")
		return nil
	}
	if err != nil {
		return fmt.Errorf("creating symlink %s: %v", tree.PrintablePath(it.rel), err)
	}
	r.links.Add(1)
	return nil
}
