package restore

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
)

// target is the restore target on Windows, which has no openat with
// O_NOFOLLOW. Every call goes through an os.Root of the target: it opens
// each component of a path relative to the handle of the directory before
// (NtCreateFile with a root directory, reparse points not followed by the
// kernel) and follows a symbolic link or junction only where it stays
// beneath the root, so nothing is created, written or removed outside the
// target whatever the tree's names and the target's links. On top of
// that restore follows no link at all, as on unix: every directory on the
// way to an entry is checked with Lstat to be a plain directory, not a
// link, junction or other reparse point (a restore that meets one fails),
// and whatever stands at an entry's own path is removed and replaced,
// never written through. The Lstat is not atomic with the call after it:
// a link swapped in between is still confined to the target by the Root.
type target struct {
	root *os.Root
	dirs sync.Map // directories found to be plain directories
}

// forceWalk has no effect here: the Root is the only resolver (tests).
var forceWalk bool

// errReparse: a directory on the way is a reparse point.
var errReparse = errors.New("is a symbolic link, junction or other reparse point, not followed")

func openTarget(path string) (*target, error) {
	root, err := os.OpenRoot(path)
	if err != nil {
		return nil, err
	}
	return &target{root: root}, nil
}

func (t *target) close() { t.root.Close() }

// winPath is rel as Windows spells it.
func winPath(rel string) string { return filepath.FromSlash(rel) }

// reparse reports whether fi (from Lstat) is a link, a junction or any
// other reparse point.
func reparse(fi fs.FileInfo) bool {
	if fi.Mode()&(fs.ModeSymlink|fs.ModeIrregular) != 0 {
		return true
	}
	d, ok := fi.Sys().(*syscall.Win32FileAttributeData)
	return ok && d.FileAttributes&syscall.FILE_ATTRIBUTE_REPARSE_POINT != 0
}

// beneath checks that every directory holding rel is a plain directory.
func (t *target) beneath(rel string) error {
	for i := 0; i < len(rel); i++ {
		if rel[i] != '/' {
			continue
		}
		dir := rel[:i]
		if _, ok := t.dirs.Load(dir); ok {
			continue
		}
		fi, err := t.root.Lstat(winPath(dir))
		switch {
		case err != nil:
			return err
		case reparse(fi):
			return &fs.PathError{Op: "lstat", Path: dir, Err: errReparse}
		case !fi.IsDir():
			return &fs.PathError{Op: "lstat", Path: dir, Err: syscall.ENOTDIR}
		}
		t.dirs.Store(dir, true)
	}
	return nil
}

// create creates rel as a new empty regular file, open for writing.
// Whatever stood at rel is removed first, never written through: not a
// link, nor a hard link to a file outside the target.
func (t *target) create(rel string) (*os.File, error) {
	if err := t.beneath(rel); err != nil {
		return nil, err
	}
	if err := t.removeEntry(rel); err != nil {
		return nil, err
	}
	return t.root.OpenFile(winPath(rel), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
}

// openWrite opens the file rel, created by this restore, for writing.
func (t *target) openWrite(rel string) (*os.File, error) {
	if err := t.beneath(rel); err != nil {
		return nil, err
	}
	fi, err := t.root.Lstat(winPath(rel))
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() || reparse(fi) {
		return nil, &fs.PathError{Op: "open", Path: rel, Err: errReparse}
	}
	return t.root.OpenFile(winPath(rel), os.O_WRONLY, 0)
}

// mkdir makes rel a directory: a directory found there is kept, anything
// else (a file, a link, a junction) replaced.
func (t *target) mkdir(rel string) error {
	if err := t.beneath(rel); err != nil {
		return err
	}
	err := t.root.Mkdir(winPath(rel), 0o700)
	if errors.Is(err, fs.ErrExist) {
		var fi fs.FileInfo
		if fi, err = t.root.Lstat(winPath(rel)); err == nil && (!fi.IsDir() || reparse(fi)) {
			if err = t.removeEntry(rel); err == nil {
				err = t.root.Mkdir(winPath(rel), 0o700)
			}
		}
	}
	if err == nil {
		t.dirs.Store(rel, true)
	}
	return err
}

// symlink creates rel as a symbolic link to dest (slash-separated),
// replacing whatever stood there.
func (t *target) symlink(rel, dest string) error {
	if err := t.beneath(rel); err != nil {
		return err
	}
	if err := t.removeEntry(rel); err != nil {
		return err
	}
	return t.root.Symlink(winPath(dest), winPath(rel))
}

// removeEntry removes rel, whose directories were checked: a plain
// directory with all it holds, anything else itself (a link, not what it
// points to; read-only files too).
func (t *target) removeEntry(rel string) error {
	fi, err := t.root.Lstat(winPath(rel))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return err
	case fi.IsDir() && !reparse(fi):
		t.dirs.Delete(rel)
		return t.root.RemoveAll(winPath(rel))
	default:
		return t.root.Remove(winPath(rel))
	}
}

// readlink returns the target of rel, slash-separated, if rel is a link
// or a junction; one that names a drive, a share or the drive's root
// starts with "/": it leads outside. A path that does not exist, or is
// not a link, is not an error.
func (t *target) readlink(rel string) (string, bool, error) {
	err := t.beneath(rel)
	var fi fs.FileInfo
	if err == nil {
		fi, err = t.root.Lstat(winPath(rel))
	}
	switch {
	case errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR):
		return "", false, nil
	case err != nil:
		return "", false, err
	case !reparse(fi):
		return "", false, nil
	}
	dest, err := t.root.Readlink(winPath(rel))
	if err != nil {
		return "", false, err
	}
	slashed := filepath.ToSlash(dest)
	if filepath.VolumeName(dest) != "" && !strings.HasPrefix(slashed, "/") {
		slashed = "/" + slashed
	}
	return slashed, true, nil
}
