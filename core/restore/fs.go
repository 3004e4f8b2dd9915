package restore

import (
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/savepoint-ci/savepoint/core/tree"
)

const noFollow = syscall.O_NOFOLLOW

func unwrap(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// clearFor removes whatever stands at full unless it is what we want there
// (a real directory when dir is true). Symlinks are removed, never followed.
func (r *restorer) clearFor(full string, dir bool) error {
	fi, err := os.Lstat(full)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("%s: %v", full, unwrap(err))
	}
	if dir && fi.IsDir() {
		return nil
	}
	if !dir && fi.Mode().IsRegular() {
		return nil // truncated when opened
	}
	if fi.IsDir() {
		err = os.RemoveAll(full)
	} else {
		err = os.Remove(full)
	}
	if err != nil {
		return fmt.Errorf("replacing %s: %v", full, unwrap(err))
	}
	return nil
}

// ensureDir makes rel a real directory inside the target. Its parents were
// made by earlier calls (the plan lists parents first).
func (r *restorer) ensureDir(rel string) error {
	full := filepath.Join(r.target, rel)
	if err := r.clearFor(full, true); err != nil {
		return err
	}
	if err := os.Mkdir(full, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
		return fmt.Errorf("creating %s: %v", rel, unwrap(err))
	}
	return nil
}

func (r *restorer) createFile(ft *fileTarget, size int64) error {
	full := filepath.Join(r.target, ft.rel)
	if err := r.clearFor(full, false); err != nil {
		return err
	}
	f, err := os.OpenFile(full, os.O_WRONLY|os.O_CREATE|os.O_TRUNC|noFollow, 0o600)
	if err != nil {
		return fmt.Errorf("creating %s: %v", ft.rel, unwrap(err))
	}
	if size > 0 {
		if err := f.Truncate(size); err != nil {
			f.Close()
			return fmt.Errorf("creating %s: %v", ft.rel, unwrap(err))
		}
	}
	return f.Close()
}

// linkEscapes reports whether a symlink at rel pointing to target resolves
// outside the restore target.
func linkEscapes(rel, target string) bool {
	if target == "" || path.IsAbs(target) || filepath.IsAbs(target) {
		return true
	}
	resolved := path.Join(path.Dir(rel), target)
	return resolved == ".." || strings.HasPrefix(resolved, "../")
}

func (r *restorer) symlink(it item) error {
	if !r.opts.AllowOutsideLinks && linkEscapes(it.rel, it.node.Target) {
		r.refuse(it.rel, "symlink points outside the target ("+it.node.Target+"); use --allow-outside-links to restore it")
		return nil
	}
	full := filepath.Join(r.target, it.rel)
	if err := r.clearFor(full, false); err != nil {
		return err
	}
	if fi, err := os.Lstat(full); err == nil && fi.Mode().IsRegular() {
		if err := os.Remove(full); err != nil {
			return fmt.Errorf("replacing %s: %v", it.rel, unwrap(err))
		}
	}
	if err := os.Symlink(it.node.Target, full); err != nil {
		return fmt.Errorf("creating symlink %s: %v", it.rel, unwrap(err))
	}
	r.links.Add(1)
	return r.applyMeta(full, it.node, true)
}

// applyMeta sets mode, owner (when root) and mtime, never following links.
func (r *restorer) applyMeta(full string, n *tree.Node, isLink bool) error {
	if os.Geteuid() == 0 {
		if err := os.Lchown(full, int(n.UID), int(n.GID)); err != nil {
			r.rep.Warn(fmt.Sprintf("%s: owner not restored: %v", full, unwrap(err)))
		}
	}
	if !isLink {
		if err := os.Chmod(full, fileMode(n.Mode)); err != nil {
			return fmt.Errorf("setting mode of %s: %v", full, unwrap(err))
		}
	}
	ts := []unix.Timespec{unix.NsecToTimespec(n.ModTime), unix.NsecToTimespec(n.ModTime)}
	if err := unix.UtimesNanoAt(unix.AT_FDCWD, full, ts, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return fmt.Errorf("setting mtime of %s: %v", full, err)
	}
	return nil
}

func fileMode(m uint32) os.FileMode {
	mode := os.FileMode(m & 0o777)
	if m&0o4000 != 0 {
		mode |= os.ModeSetuid
	}
	if m&0o2000 != 0 {
		mode |= os.ModeSetgid
	}
	if m&0o1000 != 0 {
		mode |= os.ModeSticky
	}
	return mode
}
